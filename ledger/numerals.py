"""Chinese numerals up to 99 (十二 → 12): section headings, quarters, task numbers."""

from __future__ import annotations

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGITS |= {"六": 6, "七": 7, "八": 8, "九": 9}
CN_NUMERAL = "[一二三四五六七八九十]{1,3}"


def cn_to_int(numeral: str) -> int | None:
    """Value of a Chinese numeral up to 99 ("十二" → 12); None if it is not one."""
    if not numeral or len(numeral) > 3 or any(c not in _CN_DIGITS and c != "十" for c in numeral):
        return None
    if "十" not in numeral:
        return _CN_DIGITS[numeral] if len(numeral) == 1 else None
    tens, _, units = numeral.partition("十")
    if len(tens) > 1 or len(units) > 1 or "十" in units:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def int_to_cn(value: int) -> str:
    """Chinese numeral for 1..99, used to number sections that carry none."""
    names = "零一二三四五六七八九"
    if not 0 <= value <= 99:
        return str(value)
    if value < 10:
        return names[value]
    tens, units = divmod(value, 10)
    return ("" if tens == 1 else names[tens]) + "十" + (names[units] if units else "")
