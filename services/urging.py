"""催办: staff chase a unit's contacts and principal about the reports it still owes.

`prepare` decides (ledger.urging) and gathers who gets what; the bot renders the messages;
`send` records the 催办 (once per unit per day, enforced by the table's unique key), queues the
messages in the outbox and writes the audit row, all in the caller's transaction.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.periods import Period
from ledger.timetable import CalendarRules, ledger_schedule
from ledger.urging import urge_day, urge_refusal
from models import Unit, Urge
from services.audit import Actor, record
from services.due import Item, Recipient, obligation_items, unit_people
from services.outbox import NewMessage, enqueue_many
from services.status import period_status


class UrgeRefused(Exception):
    """The unit cannot be chased now; `key` names the message, `values` fill it."""

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key, self.values = key, values


@dataclass(frozen=True)
class Urging:
    """A 催办 about to go: the unit, its missing items, the deadline and who gets it."""

    unit_id: int
    unit: str
    period: Period
    deadline: date
    day: date
    items: list[Item]
    recipients: list[Recipient] = field(default_factory=list)


async def last_urge(session: AsyncSession, unit_id: int) -> Urge | None:
    return await session.scalar(
        select(Urge).where(Urge.unit_id == unit_id).order_by(Urge.sent_at.desc()).limit(1)
    )


async def prepare(
    session: AsyncSession, *, unit_id: int, period: Period, now: datetime, rules: CalendarRules,
    tz: ZoneInfo,
) -> Urging:  # fmt: skip
    """What a 催办 of the unit would say and to whom; UrgeRefused when it may not go now."""
    status = await period_status(
        session, period=period, now=now, rules=rules, tz=tz, unit_ids=[unit_id]
    )
    unit = next((u for u in status.units if u.unit_id == unit_id), None)
    missing = unit.missing_tasks() if unit is not None else []
    items = (await obligation_items(session, {unit_id: missing}, tz))[unit_id] if missing else []
    people = await unit_people(session, {unit_id: items}) if items else []
    last = await last_urge(session, unit_id)
    name = await session.scalar(select(Unit.name).where(Unit.id == unit_id)) or str(unit_id)
    refusal = urge_refusal(
        missing=len(items), reachable=len(people), now=now, tz=tz,
        last_sent_at=last.sent_at if last is not None else None,
    )  # fmt: skip
    if refusal is not None:
        at = last.sent_at.astimezone(tz).strftime("%H:%M") if last is not None else ""
        raise UrgeRefused(refusal, unit=name, at=at, period=period.key)
    deadline = ledger_schedule(period, rules, tz).deadline
    return Urging(unit_id, name, period, deadline, urge_day(now, tz), items, people)


async def send(
    session: AsyncSession,
    urging: Urging,
    payloads: dict[int, dict[str, Any]],
    *,
    actor: Actor,
    now: datetime,
    tz: ZoneInfo,
    acknowledgement: tuple[int, dict[str, Any]] | None = None,
) -> int:
    """Record the 催办 and queue `payloads` (contact id → message) for its recipients, and the
    presser's `acknowledgement` (chat, message); returns the messages queued. A second 催办 of
    the unit the same day (two presses at once) is refused by the unique key."""
    dialect = session.get_bind().dialect.name
    insert = (pg_insert if dialect == "postgresql" else sqlite_insert)(Urge)
    urge_id = await session.scalar(
        insert.values(
            unit_id=urging.unit_id, period=urging.period.key, day=urging.day, sent_at=now,
            by_user_id=actor.user_id, chat_id=actor.chat_id, tasks=len(urging.items),
        )
        .on_conflict_do_nothing(index_elements=["unit_id", "day"])
        .returning(Urge.id)
    )  # fmt: skip
    if urge_id is None:
        last = await last_urge(session, urging.unit_id)
        at = last.sent_at.astimezone(tz).strftime("%H:%M") if last is not None else ""
        raise UrgeRefused("already_urged", unit=urging.unit, at=at, period=urging.period.key)
    tag = f"{urging.period.key}/{urging.day.isoformat()}"
    messages = [
        NewMessage("urge", tag, f"c{r.contact_id}", r.user_id, payloads[r.contact_id], now)
        for r in urging.recipients
    ]
    if acknowledgement is not None:
        chat, payload = acknowledgement
        messages.append(NewMessage("urge-ack", tag, f"u{urging.unit_id}", chat, payload, now))
    queued = await enqueue_many(session, messages)
    record(session, actor, "unit.urge", urging.unit, period=urging.period.key,
           tasks=[i.number for i in urging.items], recipients=len(urging.recipients))  # fmt: skip
    return queued


async def urge_counts(
    session: AsyncSession, periods: Iterable[str], until: datetime
) -> Counter[tuple[str, int]]:
    """(unit name, id) → how many 催办 it needed about the periods, sent by `until`."""
    rows = await session.execute(
        select(Unit.name, Unit.id, func.count())
        .join(Urge, Urge.unit_id == Unit.id)
        .where(Urge.period.in_(list(periods)), Urge.sent_at <= until)
        .group_by(Unit.name, Unit.id)
    )
    return Counter({(name, unit_id): int(count) for name, unit_id, count in rows})
