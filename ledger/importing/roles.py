"""Who leads: the lead/support/data role rules plans use to label their unit lists."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from ledger.importing.units import (
    DUTY_SUFFIXES,
    clean_names,
    dedupe,
    looks_like_unit,
    role_suffix,
    split_groups,
)

_LABELS = {
    "lead": (
        *("牵头单位", "牵头部门", "主责单位", "主责部门", "牵头责任单位", "主要责任单位"),
        *("主办单位", "牵头"),
    ),
    "resp": ("责任单位", "责任部门", "承办单位"),
    "support": (
        *("配合单位", "配合部门", "协同单位", "协助单位", "参与单位", "协办单位"),
        *("协同责任单位", "协同配合单位", "配合"),
    ),
    "data": ("数据提供单位", "数据来源单位", "数据提供部门", "数据提供", "数据来源"),
    # Read so that their values never run into a unit list; never units themselves.
    "people": ("责任领导", "分管领导", "牵头领导", "包抓领导", "包抓责任领导", "责任人"),
    "deadline": ("完成时限", "时间节点", "完成时间", "办结时限", "时限要求"),
}
_LABEL_KIND = {label: kind for kind, labels in _LABELS.items() for label in labels}
LABEL_RE = "|".join(sorted(_LABEL_KIND, key=len, reverse=True))
_LABELLED = re.compile(rf"({LABEL_RE})\s*:")
_BRACKET = r"\(((?:[^()]|\([^()]*\))*)\)"
_BRACKET_TAIL = re.compile(rf"{_BRACKET}\s*[。.;]?\s*$")
_BRACKET_ANY = re.compile(_BRACKET)


class LeadRule(Enum):
    """How a single 责任单位 list says which units lead."""

    COMMA = "units before the first comma lead"
    FIRST = "the first listed unit leads"
    ALL = "every listed unit leads"


def detect_rule(text: str) -> LeadRule | None:
    """The rule a document declares ("逗号前为牵头单位", "列第一位为牵头单位"), if any."""
    if re.search(r"逗号前(?:的)?(?:单位)?为牵头", text):
        return LeadRule.COMMA
    if re.search(
        r"(?:列|排)(?:在)?第一位(?:的)?(?:责任)?(?:单位)?为牵头|首位(?:单位)?为牵头", text
    ):
        return LeadRule.FIRST
    return None


@dataclass
class UnitText:
    """Raw unit lists of one task, by the label they came under."""

    lead: list[str] = field(default_factory=list)
    resp: list[str] = field(default_factory=list)
    support: list[str] = field(default_factory=list)
    data: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    deadline: list[str] = field(default_factory=list)

    def add(self, kind: str, text: str) -> None:
        """File `text` under a label kind (lead, resp, support, data, marked, people, deadline)."""
        getattr(self, kind).append(text)

    def any(self) -> bool:
        """Whether any unit text was found."""
        return any((self.lead, self.resp, self.support, self.data, self.marked))

    def deadline_text(self) -> str | None:
        """The 完成时限 / 时间节点 values, if the labels gave any."""
        return "；".join(t for t in self.deadline if t) or None


def label_kind(label: str) -> str:
    """Role kind of a label such as 牵头单位 → "lead"."""
    return _LABEL_KIND[label]


def parse_labelled(text: str, units: UnitText) -> bool:
    """Read "牵头单位:X;责任单位:Y;数据提供单位:Z" into `units`; False if no label."""
    matches = list(_LABELLED.finditer(text))
    for match, after in zip(matches, [*matches[1:], None], strict=True):
        value = text[match.end() : after.start() if after else len(text)]
        units.add(label_kind(match.group(1)), value.strip(" ;,。"))
    return bool(matches)


def _is_marked(content: str) -> bool:
    """A bracket that lists units with role words: "X牵头,Y配合", "X、Y按职责分工负责"."""
    if len(content) > 200 or "。" in content:
        return False
    last = split_groups(content)[-1:] or [[]]
    ends_with_duty = bool(last[0]) and last[0][-1].endswith(DUTY_SUFFIXES)
    names = [n for group in split_groups(content) for raw in group for n in clean_names(raw)]
    return (
        ("牵头" in content or ends_with_duty) and bool(names) and all(map(looks_like_unit, names))
    )


def strip_unit_tail(text: str, units: UnitText) -> str:
    """Remove "(牵头单位:X;…)" groups and a trailing "(X、Y牵头,Z按职责分工负责)"; file units."""
    text = text.replace("〔", "(").replace("〕", ")")
    inner = [m for m in _BRACKET_ANY.finditer(text) if _LABELLED.search(m.group(1))]
    for group in inner:  # labelled groups may sit after each sentence
        parse_labelled(group.group(1), units)
    for group in reversed(inner):
        text = (text[: group.start()].rstrip() + text[group.end() :].lstrip(" ,;")).strip()
    tail = _BRACKET_TAIL.search(text)
    if tail and not inner and _is_marked(tail.group(1)):
        units.add("marked", tail.group(1))
        return text[: tail.start()].rstrip()
    inline = _LABELLED.search(text)
    if inline and inline.start() > 0:
        parse_labelled(text[inline.start() :], units)
        return text[: inline.start()].rstrip(" ;,")
    return text


def assign_roles(text: str, rule: LeadRule) -> tuple[list[str], list[str]]:
    """(leads, supporters) of one 责任单位 list; explicit "X、Y牵头" beats the rule."""
    groups = split_groups(text)
    flat = [raw for group in groups for raw in group]
    if any(role_suffix(raw)[1] == "lead" for raw in flat):
        leads, support = _by_markers(groups)
    elif rule is LeadRule.COMMA and groups:
        leads, support = groups[0], flat[len(groups[0]) :]
    elif rule is LeadRule.FIRST:
        leads, support = flat[:1], flat[1:]
    else:
        leads, support = flat, []
    lead_names = dedupe([n for raw in leads for n in clean_names(raw)])
    return lead_names, dedupe([n for raw in support for n in clean_names(raw)], lead_names)


def _by_markers(groups: list[list[str]]) -> tuple[list[str], list[str]]:
    """Units up to a "牵头" suffix lead; up to a "配合/负责" suffix, or unmarked, support."""
    leads: list[str] = []
    support: list[str] = []
    for group in groups:
        pending: list[str] = []
        for raw in group:
            pending.append(raw)
            kind = role_suffix(raw)[1]
            if kind is not None:
                (leads if kind == "lead" else support).extend(pending)
                pending = []
        support.extend(pending)
    return leads, support


def resolve(
    units: UnitText, rule: LeadRule | None, warn: list[str]
) -> tuple[list[str], list[str], list[str]]:
    """Final (lead, support, data) names; notes an assumed rule in `warn`."""
    lead = [n for text in units.lead for n in _all(text)]  # "X(牵头)、Y" under 主办: both lead
    support = [n for text in units.support for n in _all(text)]
    for text in units.marked:
        marked_lead, marked_support = assign_roles(text, LeadRule.ALL)
        lead += marked_lead
        support += marked_support
    for text in units.resp:
        if units.lead:
            support += _all(text)
            continue
        if rule is None and "," in text:
            warn.append("no lead rule declared; assumed units before the first comma lead")
        resp_lead, resp_support = assign_roles(text, rule or LeadRule.COMMA)
        lead += resp_lead
        support += resp_support
    lead = dedupe(lead)
    data = dedupe([n for text in units.data for n in _all(text)])
    return lead, dedupe(support, lead), data


def _all(text: str) -> list[str]:
    """Every name in a list whose role the label already fixed."""
    leads, support = assign_roles(text, LeadRule.ALL)
    return leads + support
