"""Unit lists: splitting names, lead/support role rules, and a guess at each unit's kind."""

from __future__ import annotations

import re

from ledger.importing.normalize import normalize

_OPEN, _CLOSE = "([【〔《〈", ")]】〕》〉"
_LEAD_SUFFIXES = ("分别牵头", "共同牵头", "联合牵头", "牵头负责", "牵头", "主办")
_OTHER_SUFFIXES = (
    *("按职责分工负责", "按职能职责负责", "按职责负责", "分别负责", "共同负责"),
    *("负责", "配合", "参与", "协同", "协办", "等"),
)
DUTY_SUFFIXES = _OTHER_SUFFIXES[:-1]
RULE_NOTE = re.compile(r"\([^()]*(?:牵头|下同)[^()]*\)")
# "市发改委(牵头)" marks a role in brackets: turn it into the suffix form "市发改委牵头".
_ROLE_MARK = re.compile(r"\((牵头|主办|配合|协办|参与)(?:单位|部门)?\)")
# "市级各有关部门及各县市区政府": 及 between two unit names joins a list.
_AND = re.compile(r"(?<=[局委办府部门室区县市会心组队])及(?=[市县区省各])")
_DENG_COLLECTIVE = re.compile(r"^(.+?)等((?:市级|省级|县级|区级)?(?:有关|相关|其他|各).+)$")
_EDGE_JUNK = " \t:;,.。、·-—"
MAX_NAME = 40


def _split_top(text: str, seps: str) -> list[str]:
    """Split on separator characters that are not inside brackets (keeps 各县(市、区))."""
    parts: list[str] = []
    buf: list[str] = []
    depth = 0
    for ch in text:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and (ch in seps or (ch.isspace() and " " in seps)):
            parts.append("".join(buf))
            buf = []
        else:
            buf.append(ch)
    parts.append("".join(buf))
    return [p for p in (part.strip() for part in parts) if p]


def split_groups(text: str) -> list[list[str]]:
    """Comma/semicolon groups, each a list of raw names split on 、 and spaces."""
    text = _ROLE_MARK.sub(r"\1", normalize(text))
    text = _AND.sub("、", RULE_NOTE.sub("", text))
    return [_split_top(group, "、 ") for group in _split_top(text, ",;")]


def role_suffix(raw: str) -> tuple[str, str | None]:
    """(name without role suffix, "lead"/"other"/None)."""
    for suffixes, kind in ((_LEAD_SUFFIXES, "lead"), (_OTHER_SUFFIXES, "other")):
        for suffix in suffixes:
            if raw.endswith(suffix) and len(raw) > len(suffix):
                return raw[: -len(suffix)], kind
    return raw, None


def clean_names(raw: str) -> list[str]:
    """One raw list item → unit names (suffixes off, "X等市级有关部门" → X + 市级有关部门)."""
    name = raw.strip(_EDGE_JUNK)
    if name.count("(") != name.count(")"):
        name = name.strip("()").strip(_EDGE_JUNK)
    name = role_suffix(name)[0].strip(" :;,.。")
    match = _DENG_COLLECTIVE.match(name)
    names = [match.group(1), match.group(2)] if match else [name]
    return [n for n in names if n and len(n) <= MAX_NAME]


_UNIT_END = tuple("局委办府部室区县市会心组队站所院校司行馆团镇乡道处科厅社园")


def looks_like_unit(name: str) -> bool:
    """A department, place, body or collective name, not a phrase of prose."""
    return (
        name.endswith(_UNIT_END)
        or name.startswith(("各", "相关", "有关"))
        or any(word in name for word in ("政府", "部门", "单位", "管委会", "专项", "公司"))
    )


def dedupe(names: list[str], exclude: list[str] | None = None) -> list[str]:
    """Drop repeats (and names in `exclude`), keeping first-seen order."""
    seen = set(exclude or [])
    out = []
    for name in names:
        if name not in seen:
            seen.add(name)
            out.append(name)
    return out


def split_units(text: str) -> list[str]:
    """All unit names in a list such as "市发展改革委、市交通运输局,各县(区)"."""
    return dedupe([n for group in split_groups(text) for raw in group for n in clean_names(raw)])


_KIND_RULES: tuple[tuple[str, str], ...] = (
    ("collective", r"^各|有关|相关|其他|各专项|^[二三四五六七八九十]市$"),
    ("working_group", r"(?:合作组|工作组|专项组|专班|领导小组|联席会议)$"),
    ("zone", r"管委会|(?:高新区|经济区|开发区|经开区|新区|园区|试验区|示范区|功能区|保税区)$"),
    ("department", r"(?:局|委|办|厅|部|室|中心|集团|公司|支行|院|所|会|队|站|组)$"),
    ("county", r"(?:县|区|旗)$"),
    ("city", r"^[^市]{2,}(?:市|州|盟)$"),
)


def guess_unit_kind(name: str) -> str:
    """Best guess of what a unit is, so the registry can file new names sensibly.

    One of "department", "county", "zone", "working_group", "collective", "city".
    """
    base = re.sub(r"(?:人民政府|政府|党委)$", "", normalize(name).strip()) or name
    for kind, pattern in _KIND_RULES:
        if re.search(pattern, base):
            return kind
    return "department"
