"""Unit names an import should question: near-duplicates and collectives with no members."""

from __future__ import annotations

import re
from collections.abc import Iterable

_CITY_PREFIX = re.compile(r"^(?:资阳市|资阳|市)")


def core(name: str) -> str:
    """A unit name without the city's prefix: 市文化广电旅游局 and 文化广电旅游局 share one."""
    name = "".join(name.split())
    return _CITY_PREFIX.sub("", name) or name


def near_duplicates(new: Iterable[str], known: Iterable[str]) -> list[tuple[str, str]]:
    """(new name, the other spelling) for each name an import would create although another
    spelling of it exists (in the registry or in the same document), longest spelling first."""
    spellings: dict[str, list[str]] = {}
    for name in (*known, *new):
        same = spellings.setdefault(core(name), [])
        if name not in same:
            same.append(name)
    pairs = []
    for name in dict.fromkeys(new):
        others = [n for n in spellings[core(name)] if n != name]
        if others:
            pairs.append((name, max(others, key=len)))
    return pairs
