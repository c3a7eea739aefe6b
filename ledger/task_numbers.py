"""Task numbers as people type them — `12`, `12.`, `12、`, `#12`, `第12项`, `任务12`, `十二`,
`第十二项`, `要点/12` — in a word of their own, at the start of a reply, or leading each line of
a message that reports several tasks at once. One rule, used wherever a task number is read."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ledger.numerals import cn_to_int

MAX_NUMBER = 99_999


@dataclass(frozen=True)
class TaskRef:
    """A task as a person names it: a number, optionally with the plan's code (`要点/5`)."""

    number: int
    plan_code: str | None = None


_NUMBER = r"(?:\d{1,5}|[一二三四五六七八九十]{1,3})"
_REF = re.compile(
    rf"""
    (?:(?P<code>[^\s/／\d][^\s/／]{{0,15}})[/／](?P<qualified>\d{{1,9}})
    |  (?P<framed>(?:第|任务|task\s*|no\.?\s*|\#)\s*{_NUMBER}\s*(?:项|号|条)?)
    |  (?P<bare>{_NUMBER}))
    """,
    re.VERBOSE | re.IGNORECASE,
)
# After a bare number: the punctuation that ends a list number, or the end of the text. A
# framed one (第12项, 任务12, #12) ends itself, so "第5项已完成" reads as task 5.
_AFTER_BARE = re.compile(r"\s*[.．、:：,，)）]\s*|\s+|$")
_AFTER_FRAMED = re.compile(r"\s*[.．、:：,，)）]?\s*")


def _number(text: str) -> int | None:
    digits = re.sub(r"^(?:第|任务|task|no\.?|#)|(?:项|号|条)$", "", text.strip(), flags=re.I)
    digits = digits.strip()
    value = int(digits) if digits.isdecimal() else cn_to_int(digits)
    return value if value is not None and 0 < value <= MAX_NUMBER else None


def _leading(text: str) -> tuple[TaskRef, int] | None:
    """The task a text starts with and where the rest begins."""
    match = _REF.match(text)
    if match is None:
        return None
    if match["qualified"] is not None:
        number = int(match["qualified"])
        ref = TaskRef(number, match["code"]) if 0 < number <= MAX_NUMBER else None
        after = _AFTER_FRAMED
    else:
        number_or_none = _number(match["framed"] or match["bare"])
        ref = TaskRef(number_or_none) if number_or_none is not None else None
        after = _AFTER_FRAMED if match["framed"] else _AFTER_BARE
    if ref is None:
        return None
    end = after.match(text, match.end())
    return (ref, end.end()) if end is not None else None


def parse_task_ref(word: str) -> TaskRef | None:
    """A word that is a task number and nothing else; None when it names no task."""
    word = word.strip()
    found = _leading(word)
    return found[0] if found is not None and found[1] == len(word) else None


def split_task_number(text: str) -> tuple[TaskRef, str] | None:
    """`5. 序时推进 …` → (task 5, "序时推进 …"); None when the text does not start with one."""
    text = text.strip()
    found = _leading(text)
    if found is None or found[1] == len(text):
        return None
    return found[0], text[found[1] :].strip()


@dataclass(frozen=True)
class NumberedPart:
    task: TaskRef
    text: str


def numbered_parts(text: str) -> list[NumberedPart]:
    """A message reporting several tasks, one numbered line each (a line without a number
    continues the one above); empty unless every part starts with a task number and there
    are at least two, each task once."""
    parts: list[NumberedPart] = []
    for line in (line.strip() for line in text.splitlines()):
        if not line:
            continue
        split = split_task_number(line)
        if split is not None:
            parts.append(NumberedPart(*split))
        elif parts:
            parts[-1] = NumberedPart(parts[-1].task, f"{parts[-1].text}\n{line}")
        else:
            return []
    tasks = [part.task for part in parts]
    return parts if len(parts) >= 2 and len(set(tasks)) == len(tasks) else []
