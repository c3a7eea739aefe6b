"""What /status adds for the 督办 workflow: supporting units' input counted apart, and a note
under it — a unit's 已销号 tasks with their dates, or (staff's overview) the units yet to 签收
their assignment."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.duban_assign import unacknowledged_line
from bot.handlers.duban_close import closed_line
from bot.i18n import Catalog
from ledger.status import Totals, UnitStatus
from services.assignments import unacknowledged
from services.closed_tasks import closed_numbers

texts = Catalog(
    {
        "support_totals": {
            "zh": "其中配合单位反馈：应报 {owed} · 已报 {submitted}",
            "en": "of which supporting units' input: owed {owed} · submitted {submitted}",
        },
        "support": {
            "zh": "，配合反馈{submitted}/{owed}",
            "en": ", support input {submitted}/{owed}",
        },
    }
)


def support_suffix(unit: UnitStatus, lang: str) -> str:
    """ ", 配合反馈 1/2" after a unit's line when it owes supporting input."""
    if not unit.support_owed:
        return ""
    return texts("support", lang, submitted=unit.support_submitted, owed=unit.support_owed)


def support_totals(t: Totals, lang: str) -> list[str]:
    if not t.support_owed:
        return []
    return [texts("support_totals", lang, owed=t.support_owed, submitted=t.support_submitted)]


async def status_note(session: AsyncSession, unit_ids: Iterable[int] | None, lang: str) -> str:
    """Under one unit's (or one's own) status: its 已销号 tasks; under staff's overview: the
    units yet to 签收; "" when there is nothing to say."""
    if unit_ids is None:
        return unacknowledged_line(await unacknowledged(session), lang)
    return closed_line(await closed_numbers(session, unit_ids), lang)
