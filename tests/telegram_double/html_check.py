"""Telegram's HTML parse mode: text + entities, or Telegram's "can't parse entities" errors.

Follows the algorithm of TDLib's ``parse_html`` (which the Bot API uses): supported tags are
b/strong, i/em, u/ins, s/strike/del, span class="tg-spoiler", tg-spoiler, a href, code, pre,
blockquote [expandable] and tg-emoji emoji-id; named entities &lt; &gt; &amp; &quot; and numeric
references are decoded, any other ``&`` stays literal. Offsets are in UTF-16 code units,
error positions in UTF-8 bytes, as Telegram reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TAGS = {
    "a",
    "b",
    "strong",
    "i",
    "em",
    "s",
    "strike",
    "del",
    "u",
    "ins",
    "tg-spoiler",
    "tg-emoji",
    "span",
    "pre",
    "code",
    "blockquote",
}
_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "code": "code",
    "pre": "pre",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SPACE = " \t\r\n\f\v"
_END = "\0"


class HtmlError(ValueError):
    """Raised with Telegram's message (without the "can't parse entities: " prefix)."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (the unit of entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class _Open:
    tag: str
    argument: str
    offset: int  # UTF-16 offset into the result
    start: int  # index into the result string


def _byte_pos(text: str, i: int) -> int:
    return len(text[:i].encode("utf-8"))


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode an HTML entity at ``text[pos] == '&'``; return (char, new_pos) or None."""
    end = pos + 1
    value = 0
    if text[end] == "#":
        end += 1
        hexa = text[end] == "x"
        if hexa:
            end += 1
        digits = "0123456789abcdefABCDEF" if hexa else "0123456789"
        while text[end] in digits and text[end] != _END:
            value = value * (16 if hexa else 10) + int(text[end], 16)
            end += 1
            if value >= 0x10FFFF:
                return None
        if value == 0 or end - pos >= 10 or 0xD800 <= value <= 0xDFFF:
            return None
        char = chr(value)
    else:
        while text[end].isascii() and text[end].isalpha():
            end += 1
        char = _NAMED.get(text[pos + 1 : end], "")
        if not char:
            return None
    if text[end] == ";":
        end += 1
    return char, end


def _read_attributes(text: str, i: int, tag: str, begin: int) -> tuple[str, int]:
    """Parse attributes up to '>', return (argument, index of '>')."""
    argument = ""
    at = _byte_pos(text, begin)
    while text[i] != ">":
        while text[i] != _END and text[i] in _SPACE:
            i += 1
        if text[i] == ">":
            break
        name_start = i
        while text[i] not in _SPACE and text[i] not in "=" + _END:
            i += 1
        name = text[name_start:i]
        if not name:
            raise HtmlError(f'Empty attribute name in the tag "{tag}" at byte offset {at}')
        while text[i] != _END and text[i] in _SPACE:
            i += 1
        if text[i] != "=":
            raise HtmlError(
                "Expected equal sign in declaration of an attribute of the tag "
                f'"{tag}" at byte offset {at}'
            )
        i += 1
        while text[i] != _END and text[i] in _SPACE:
            i += 1
        if text[i] == _END:
            raise HtmlError(f'Unclosed start tag "{tag}" at byte offset {at}')
        if text[i] not in "'\"":
            token_start = i
            while text[i].isascii() and (text[i].isalnum() or text[i] in ".-"):
                i += 1
            value = text[token_start:i].lower()
            if text[i] not in _SPACE + ">":
                pos = _byte_pos(text, token_start)
                raise HtmlError(f"Unexpected end of name token at byte offset {pos}")
        else:
            quote = text[i]
            i += 1
            chars: list[str] = []
            while text[i] != quote and text[i] != _END:
                if text[i] == "&" and (decoded := _decode_entity(text, i)):
                    chars.append(decoded[0])
                    i = decoded[1]
                    continue
                chars.append(text[i])
                i += 1
            if text[i] == quote:
                i += 1
            value = "".join(chars)
        if text[i] == _END:
            raise HtmlError(f"Unclosed start tag at byte offset {at}")
        if tag == "a" and name == "href":
            argument = value
        elif tag == "code" and name == "class" and value.startswith("language-"):
            argument = value[9:]
        elif tag == "span" and name == "class" and value.startswith("tg-"):
            argument = value[3:]
        elif tag == "tg-emoji" and name == "emoji-id":
            argument = value
        elif tag == "blockquote" and name == "expandable":
            argument = "1"
    return argument, i


def _entity(item: _Open, length: int, text: str) -> dict[str, Any] | None:
    """Build the MessageEntity for a closed tag (None when Telegram drops it)."""
    base: dict[str, Any] = {"offset": item.offset, "length": length}
    tag = item.tag
    if tag in _TYPES:
        base["type"] = _TYPES[tag]
        if tag == "code" and item.argument:
            base["_language"] = item.argument
        return base
    if tag == "blockquote":
        base["type"] = "expandable_blockquote" if item.argument else "blockquote"
        return base
    if tag == "tg-emoji":
        if not item.argument.isdigit():
            raise HtmlError("Custom emoji identifier expected")
        base.update(type="custom_emoji", custom_emoji_id=item.argument)
        return base
    url = item.argument or text[item.start :]
    if url.startswith("tg://user?id="):
        return None  # text_mention needs a known user; the double drops it
    if "." not in url and not url.startswith(("http://", "https://", "tg://")):
        return None  # invalid URL: Telegram silently drops the link
    base.update(type="text_link", url=url)
    return base


def parse_html(source: str) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) or raise :class:`HtmlError`."""
    text = source + _END * 2
    out: list[str] = []
    offset = 0
    stack: list[_Open] = []
    entities: list[dict[str, Any]] = []
    i = 0
    n = len(source)
    while i < n:
        c = text[i]
        if c == "&" and (decoded := _decode_entity(text, i)):
            out.append(decoded[0])
            offset += utf16_len(decoded[0])
            i = decoded[1]
            continue
        if c != "<":
            out.append(c)
            offset += utf16_len(c)
            i += 1
            continue
        begin = i
        i += 1
        if text[i] != "/":
            while text[i] not in _SPACE and text[i] not in ">" + _END:
                i += 1
            if text[i] == _END:
                raise HtmlError(f"Unclosed start tag at byte offset {_byte_pos(text, begin)}")
            tag = text[begin + 1 : i].lower()
            if tag not in TAGS:
                at = _byte_pos(text, begin)
                raise HtmlError(f'Unsupported start tag "{tag}" at byte offset {at}')
            argument, i = _read_attributes(text, i, tag, begin)
            if tag == "span" and argument != "spoiler":
                at = _byte_pos(text, begin)
                raise HtmlError(f'Tag "span" must have class "tg-spoiler" at byte offset {at}')
            stack.append(_Open(tag, argument, offset, len("".join(out))))
            i += 1
            continue
        at = _byte_pos(text, begin)
        if not stack:
            raise HtmlError(f"Unexpected end tag at byte offset {at}")
        while text[i] not in _SPACE and text[i] not in ">" + _END:
            i += 1
        end_name = text[begin + 2 : i].lower()
        while text[i] != _END and text[i] in _SPACE:
            i += 1
        if text[i] != ">":
            raise HtmlError(f"Unclosed end tag at byte offset {at}")
        i += 1
        item = stack.pop()
        if end_name and end_name != item.tag:
            raise HtmlError(
                f'Unmatched end tag at byte offset {at}, expected "</{item.tag}>", '
                f'found "</{end_name}>"'
            )
        if offset > item.offset:
            plain = "".join(out)
            entity = _entity(item, offset - item.offset, plain)
            if entity is not None:
                entities.append(entity)
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1].tag}"')
    _merge_pre_code(entities)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _merge_pre_code(entities: list[dict[str, Any]]) -> None:
    """``<pre><code class="language-x">`` becomes one pre entity with language x."""
    for code in [e for e in entities if e["type"] == "code"]:
        for pre in entities:
            if (
                pre["type"] == "pre"
                and pre["offset"] == code["offset"]
                and pre["length"] == code["length"]
            ):
                if "_language" in code:
                    pre["language"] = code["_language"]
                entities.remove(code)
                break
    for entity in entities:
        entity.pop("_language", None)
