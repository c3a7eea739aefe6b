"""Verbatim exchanges for docs/chat-examples.md, taken from the end-to-end runs themselves.

With LEDGERBOT_EXAMPLES_FILE set, each `example(...)` appends one exchange (what was sent, what
the bot answered) to that file; `python -m tests.e2e.examples FILE` turns the collected file
into the document, grouped by command, Chinese before English.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from tests.e2e.harness import Message, buttons

PER_LANGUAGE = 2  # exchanges kept per command and language


def example(command: str, lang: str, sent: str, replies: list[Message]) -> None:
    """Keep this exchange (a no-op unless LEDGERBOT_EXAMPLES_FILE names a file)."""
    target = os.environ.get("LEDGERBOT_EXAMPLES_FILE")
    if not target:
        return
    answers = []
    for reply in replies:
        text = reply.get("text") or reply.get("caption") or ""
        if "photo" in reply:
            text = "[photo]" + (f" {text}" if text else "")
        elif "document" in reply:
            text = f"[document {reply['document'].get('file_name', '')}]"
        labels = [label for label, _ in buttons(reply)]
        if labels:
            text += "\n" + " ".join(f"[{label}]" for label in labels)
        answers.append(text)
    row = {"command": command, "lang": lang, "sent": sent, "replies": answers}
    with Path(target).open("a", encoding="utf-8") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def document(rows: list[dict[str, object]]) -> str:
    lines = [
        "# Chat examples",
        "",
        "Verbatim exchanges with the bot, one in Chinese and one in English per command,",
        "recorded from the end-to-end tests (`LEDGERBOT_EXAMPLES_FILE=… pytest tests/e2e`, then",
        "`python -m tests.e2e.examples …`). Times of day run with the test clock.",
    ]
    shown: dict[tuple[object, object], list[object]] = {}
    heading = None
    for row in sorted(rows, key=lambda r: (str(r["command"]), r["lang"] != "zh")):
        sent = shown.setdefault((row["command"], row["lang"]), [])
        if len(sent) == PER_LANGUAGE or row["sent"] in sent:
            continue
        sent.append(row["sent"])
        if row["command"] != heading:
            heading = name = str(row["command"])
            lines += ["", f"## {name if name.startswith('(') else '/' + name}"]
        lines += ["", f"**{row['lang']}** — sent: `{row['sent']}`", "", "```text"]
        for reply in row["replies"]:  # type: ignore[attr-defined]
            lines += [re.sub(r"\s+$", "", str(reply)), "---"]
        lines[-1] = "```"
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    collected = Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()
    print(document([json.loads(line) for line in collected if line.strip()]), end="")
