"""Text normalisation: NFKC punctuation, traditional→simplified, Chinese numerals."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

import opencc

from ledger.numerals import CN_NUMERAL, cn_to_int, int_to_cn

__all__ = ["CN_NUMERAL", "cn_to_int", "int_to_cn", "normalize", "squeeze", "to_simplified"]

_INVISIBLE = re.compile("[\u200b-\u200f\u2028\u2029\u2060\ufeff\x00]")
# NFKC turns ① into a bare "1", which reads as a task number: keep it a sub-item "(1)".
_CIRCLED = {chr(0x2460 + i): f"({i + 1})" for i in range(20)}
_CIRCLED_RE = re.compile("[\u2460-\u2473]")


class _Converter(Protocol):
    def convert(self, text: str) -> str: ...


@cache
def _converter() -> _Converter:
    """Build the t2s converter once, on first use (it loads large dictionaries)."""
    converter: _Converter = opencc.OpenCC("t2s")
    return converter


@cache
def _char_tables() -> tuple[frozenset[str], frozenset[str]]:
    """(traditional chars t2s may change, chars that are also valid simplified).

    The second set guards names like 京东乾石: t2s would turn 乾 into 干 even in
    simplified text, so such characters are restored after conversion.
    """
    path = Path(opencc.__file__).parent / "dictionary" / "TSCharacters.txt"
    changeable: set[str] = set()
    ambiguous: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        if len(key) != 1:
            continue
        changeable.add(key)
        if key in values.split():
            ambiguous.add(key)
    return frozenset(changeable), frozenset(ambiguous)


def to_simplified(text: str) -> str:
    """Convert traditional characters to simplified, leaving simplified text untouched."""
    changeable, ambiguous = _char_tables()
    if not any(ch in changeable for ch in text):
        return text
    converted = _converter().convert(text)
    if len(converted) != len(text):
        return converted
    return "".join(o if o in ambiguous else c for o, c in zip(text, converted, strict=True))


@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """NFKC (full-width punctuation → ASCII), drop invisible characters, then t2s.

    Cached: spreadsheet cells and unit lists repeat a lot across rows.
    """
    text = _CIRCLED_RE.sub(lambda m: _CIRCLED[m.group(0)], text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    return to_simplified(text)


def squeeze(text: str) -> str:
    """Collapse runs of whitespace to one space and strip the ends."""
    return " ".join(text.split())
