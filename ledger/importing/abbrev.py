"""Short unit names (发改委, 经信局, 市住建局) resolved to a registry's canonical units.

Pure: the registry comes in as plain data (every spelling → its canonical name). A short name
resolves when exactly one unit matches it at a compatible level (市/县/区); several matches are
returned as a suggestion, none as nothing (the unit is new). Nothing here creates a unit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Standard abbreviations of Chinese government departments → their full forms (the forms
# before key() drops 和 and shortens 委员会, so one entry covers 发展和改革委员会/发展改革委).
_FULL: dict[str, tuple[str, ...]] = {
    "发改委": ("发展改革委", "发展改革局"),
    "发改局": ("发展改革局", "发展改革委"),
    "经信委": ("经济信息化委", "经济信息化局"),
    "经信局": ("经济信息化局", "经济信息化委"),
    "工信局": ("工业信息化局",),
    "科工信局": ("科技工业信息化局", "科学技术工业信息化局"),
    "科技局": ("科学技术局",),
    "住建局": ("住房城乡建设局",),
    "住建委": ("住房城乡建设委",),
    "交通局": ("交通运输局",),
    "人社局": ("人力资源社会保障局",),
    "人力社保局": ("人力资源社会保障局",),
    "资规局": ("自然资源规划局",),
    "自规局": ("自然资源规划局",),
    "规资局": ("规划自然资源局",),
    "自然资源局": ("自然资源规划局",),
    "环保局": ("生态环境局",),
    "卫健委": ("卫生健康委", "卫生健康局"),
    "卫健局": ("卫生健康局", "卫生健康委"),
    "卫计委": ("卫生计划生育委",),
    "市场监管局": ("市场监督管理局",),
    "文旅局": ("文化旅游局", "文化广电旅游局", "文化体育旅游局"),
    "文广旅局": ("文化广电旅游局",),
    "文广旅游局": ("文化广电旅游局",),
    "文广新旅局": ("文化广电新闻出版旅游局",),
    "文体旅局": ("文化体育旅游局",),
    "教体局": ("教育体育局",),
    "应急局": ("应急管理局",),
    "医保局": ("医疗保障局",),
    "审批局": ("行政审批局", "行政审批服务局"),
    "政数局": ("政务服务数据管理局",),
    "大数据局": ("大数据管理局", "大数据发展管理局"),
    "城管局": ("城市管理局", "城市管理综合行政执法局", "城市管理行政执法局"),
    "农业局": ("农业农村局",),
    "农水局": ("农业农村水利局",),
    "国资委": ("国有资产监督管理委",),
    "金融办": ("金融工作办公室", "金融工作局"),
    "金融局": ("金融工作局", "地方金融监督管理局"),
    "退役军人局": ("退役军人事务局",),
    "经合局": ("经济合作局", "经济合作外事局"),
    "外事办": ("外事办公室", "外事侨务办公室"),
    "侨办": ("侨务办公室",),
    "政府办": ("政府办公室", "人民政府办公室"),
    "民宗局": ("民族宗教事务局",),
    "林草局": ("林业草原局",),
    "投促局": ("投资促进局",),
    "口岸办": ("口岸办公室",),
    "商务局": ("商务局",),
    "统计局": ("统计局",),
}
_LEVELS = "省市州县区"
_DEPARTMENT_END = ("局", "委", "办", "办公室", "厅")
_PLACE = re.compile(r"^[\u4e00-\u9fff]{2,6}?([省市州县区])(?=[\u4e00-\u9fff]{2})")


@dataclass(frozen=True)
class ShortName:
    """`name` as written; `unit` its registry unit when unambiguous, else the candidates."""

    name: str
    unit: str | None
    candidates: tuple[str, ...] = ()


def key(core: str) -> str:
    """Spelling-insensitive form: 委员会 → 委, 和/与 dropped (住房和城乡建设局 = 住房城乡建设局)."""
    return core.replace("委员会", "委").replace("和", "").replace("与", "")


def _forms(core: str) -> set[str]:
    k = key(core)
    return {k, *(key(full) for full in _FULL.get(k, ()))}


def _readings(name: str) -> list[tuple[str, str]]:
    """(level, department) ways to read a name: 市住建局 → ("", 市住建局), ("市", 住建局)."""
    readings = [("", name)]
    if name[0] in _LEVELS and len(name) >= 4:
        readings.append((name[0], name[1:]))
    place = _PLACE.match(name)  # 资阳市发展和改革委员会: a place, then the department
    if place and len(name) - place.end() >= 3 and name.endswith(_DEPARTMENT_END):
        readings.append((place.group(1), name[place.end() :]))
    return readings


def _same(name: str, other: str) -> bool:
    """Whether two spellings name one department at compatible levels.

    A name without a level (发改委, or 工业和信息化局 after a shared 市 prefix) may stand for
    any level; 市住建局 never matches a 县 unit.
    """
    for level, core in _readings(name):
        forms = _forms(core)
        for other_level, other_core in _readings(other):
            if level and level != other_level:
                continue
            if forms & _forms(other_core):
                return True
    return False


def _matches(name: str, pool: Mapping[str, str]) -> set[str]:
    return {canonical for spelling, canonical in pool.items() if _same(name, spelling)}


def resolve_short_names(names: Iterable[str], registry: Mapping[str, str]) -> list[ShortName]:
    """Matches for the names not already spelled as in `registry` (spelling → canonical name).

    The registry is asked first. Only a name it does not know is compared with the document's
    own fuller spellings: "文化广电旅游局" after "市农业农村局、" in a list that elsewhere says
    "市文化广电旅游局" becomes the latter even in an empty registry.
    """
    unique = [n for n in dict.fromkeys(names) if n and n not in registry]
    first = {name: _matches(name, registry) for name in unique}
    resolved = {name: next(iter(m)) for name, m in first.items() if len(m) == 1}
    found: list[ShortName] = []
    for name in unique:
        matches = first[name]
        if not matches:
            fuller = {n: resolved.get(n, n) for n in unique if len(n) > len(name)}
            matches = _matches(name, fuller)
        if len(matches) == 1:
            found.append(ShortName(name, matches.pop()))
        elif matches:
            found.append(ShortName(name, None, tuple(sorted(matches))))
    return found
