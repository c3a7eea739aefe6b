"""Text encodings: UTF-8/UTF-16 by their marks, else Chinese encodings checked for sense.

GB18030 decodes almost any byte string without an error (Shift-JIS and Latin-1 included),
so a successful decode proves nothing. A decode is accepted only when its Han characters are
mostly common ones; otherwise the encoding is detected and named in the refusal.
"""

from __future__ import annotations

from functools import cache

from ledger.importing.model import ImportFormatError

_CHINESE = ("gb18030", "big5")
_SAMPLE = 200_000  # characters scored: plenty to tell text from mojibake
_MIN_COMMON = 0.8  # real plans score above 0.95; Shift-JIS read as GB18030 below 0.5
EXPECTED = "expected UTF-8, GB18030 or Big5 Chinese text"


@cache
def _common_han() -> frozenset[str]:
    """The 3,755 level-1 characters of GB 2312 (rows 16–55): everyday simplified Chinese."""
    chars = set()
    for high in range(0xB0, 0xD8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes((high, low)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return frozenset(chars)


def common_share(text: str) -> float:
    """Share of Han characters in `text` that are everyday ones (1.0 without Han at all)."""
    from ledger.importing.normalize import to_simplified

    sample = to_simplified(text[:_SAMPLE])
    han = [ch for ch in sample if "\u3400" <= ch <= "\u9fff"]
    if not han:
        return 1.0
    common = _common_han()
    return sum(ch in common for ch in han) / len(han)


def decode(data: bytes) -> str:
    """Text of a plan file; refuses binary data and text that is not Chinese."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:_SAMPLE]:
        raise ImportFormatError(f"not a text document: {EXPECTED}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in _CHINESE:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if common_share(text) >= _MIN_COMMON:
            return text
    raise ImportFormatError(f"text in {detect(data)} is not a Chinese plan: {EXPECTED}")


def detect(data: bytes) -> str:
    """Name of the likely encoding (and language) of `data`, for the refusal."""
    from charset_normalizer import from_bytes

    best = from_bytes(data[:_SAMPLE]).best()
    if best is None:
        return "an unknown encoding"
    language = best.language if best.language and best.language != "Unknown" else ""
    return f"{best.encoding} ({language})" if language else best.encoding
