"""Safe HTML and Telegram-sized messages."""

from __future__ import annotations

from html import escape

MAX_MESSAGE = 4096


def esc(text: object) -> str:
    """Escape user or registry text for parse_mode=HTML."""
    return escape(str(text), quote=False)


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split at line breaks so each part fits; a single over-long line is cut hard.

    Callers build messages line by line with whole tags per line, so no part starts or ends
    inside an HTML element.
    """
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current:
        parts.append(current)
    return parts or [""]


def shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
