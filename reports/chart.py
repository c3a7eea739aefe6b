"""The digest chart: one horizontal stacked bar per unit (on time / late / awaiting 审定 / missing).

Rendered with matplotlib's Agg canvas on a bare `Figure` (no pyplot, so no global state shared
between the bot's threads), in the project's CJK font so that unit names never become boxes.
Units with something missing come first; beyond `limit` bars the rest are summarised in a note,
keeping the picture readable on a phone. matplotlib (with numpy and PIL, ~45 MiB) is imported
on the first chart, not with this module: a bot that never draws one never loads it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from reports import fonts

LABELS = {
    "zh": ("按时报送", "逾期报送", "待审定", "未报"),
    "en": ("on time", "late", "awaiting approval", "missing"),
}
MORE = {"zh": "另有 {n} 个单位未显示（均已报送）", "en": "{n} more units not shown (all reported)"}
MORE_MIXED = {"zh": "另有 {n} 个单位未显示", "en": "{n} more units not shown"}
COLOURS = ("#2e7d32", "#f9a825", "#64b5f6", "#c62828")
AXIS = {"zh": "任务数", "en": "tasks"}


@dataclass(frozen=True)
class ChartRow:
    unit: str
    on_time: int
    late: int
    awaiting: int
    missing: int

    @property
    def values(self) -> tuple[int, int, int, int]:
        return (self.on_time, self.late, self.awaiting, self.missing)


def _short(name: str, width: int = 14) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def _pick(rows: list[ChartRow], limit: int) -> tuple[list[ChartRow], int, bool]:
    ordered = sorted(rows, key=lambda r: (-r.missing, -r.awaiting, -r.late, r.unit))
    shown, hidden = ordered[:limit], ordered[limit:]
    return shown, len(hidden), all(r.missing == 0 and r.awaiting == 0 for r in hidden)


def submission_chart(title: str, rows: list[ChartRow], lang: str = "zh", limit: int = 15) -> bytes:
    """A PNG of submission status by unit."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    family = fonts.register()
    shown, hidden, hidden_done = _pick(rows, limit)
    labels = LABELS.get(lang, LABELS["zh"])
    height = 1.6 + 0.32 * max(len(shown), 1)
    figure = Figure(figsize=(7.2, height), dpi=120, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    names = [_short(r.unit) for r in shown][::-1]
    left = [0] * len(shown)
    for index, (label, colour) in enumerate(zip(labels, COLOURS, strict=True)):
        widths = [r.values[index] for r in shown][::-1]
        axes.barh(names, widths, left=left, color=colour, label=label, height=0.66)
        left = [a + b for a, b in zip(left, widths, strict=True)]
    figure.suptitle(title, fontfamily=family, fontsize=12, x=0.02, horizontalalignment="left")
    axes.set_xlabel(AXIS.get(lang, AXIS["zh"]), fontfamily=family, fontsize=9)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    for tick in axes.get_yticklabels():
        tick.set_fontfamily(family)
        tick.set_fontsize(9)
    axes.spines[["top", "right"]].set_visible(False)
    figure.legend(prop={"family": family, "size": 8}, ncols=4, loc="outside lower center")
    if hidden:
        note = (MORE if hidden_done else MORE_MIXED).get(lang, MORE["zh"]).format(n=hidden)
        figure.text(0.01, 0.01, note, fontfamily=family, fontsize=8, color="#555555")
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
