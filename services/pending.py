"""The principal's queue (/pending): entries waiting for their 审定 and 销号 requests waiting for
their approval; the bureau's queue: 延期申请 to decide and 销号 to confirm. `approve_all` is the
principal's [全部审定通过]: every waiting entry of their units that they may approve."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ClosureState, ContactRole, EntryState, RequestState
from models import Closure, Contact, ExtensionRequest, ProgressEntry, Task, Unit
from services.due import languages
from services.identity import Identity
from services.reporting import ReportRefused
from services.reviewing import Reviewed, review


@dataclass(frozen=True)
class Waiting:
    """One item in a queue: what it is about and the id its buttons carry."""

    id: int
    unit: str
    task_number: int
    period: str
    until: date | None = None  # an extension's new last day
    text: str = ""  # an entry's progress, an extension's reason


@dataclass
class Queue:
    entries: list[Waiting] = field(default_factory=list)
    closures: list[Waiting] = field(default_factory=list)  # for the principal, or staff
    extensions: list[Waiting] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.entries or self.closures or self.extensions)


@dataclass(frozen=True)
class PrincipalWaiting:
    """A principal (reachable, bound) and what waits for them: the 待办提醒's recipient."""

    user_id: int
    language: str | None
    queue: Queue


async def principal_queue(session: AsyncSession, identity: Identity) -> Queue:
    """Entries of the principal's units waiting for 审定 (not their own reports) and 销号
    requests waiting for their approval, oldest first."""
    units = [b.unit_id for b in identity.units(ContactRole.PRINCIPAL)]
    return await _queue_of(session, units, identity.user_id)


async def waiting_principals(session: AsyncSession) -> list[PrincipalWaiting]:
    """Every reachable principal whose queue is not empty, by user id."""
    rows = await session.execute(
        select(Contact.telegram_user_id, Contact.unit_id)
        .where(Contact.role == ContactRole.PRINCIPAL, Contact.active,
               Contact.unreachable_at.is_(None))
        .order_by(Contact.telegram_user_id, Contact.unit_id)
    )  # fmt: skip
    units: dict[int, list[int]] = {}
    for user_id, unit_id in rows:
        units.setdefault(user_id, []).append(unit_id)
    langs = await languages(session, set(units))
    found = []
    for user_id, unit_ids in units.items():
        queue = await _queue_of(session, unit_ids, user_id)
        if queue.entries or queue.closures:
            found.append(PrincipalWaiting(user_id, langs.get(user_id), queue))
    return found


async def _queue_of(session: AsyncSession, units: list[int], user_id: int) -> Queue:
    if not units:
        return Queue()
    e = ProgressEntry
    entries = await session.execute(
        select(e.id, Unit.name, Task.number, e.period, e.progress)
        .join(Unit, Unit.id == e.unit_id).join(Task, Task.id == e.task_id)
        .where(e.unit_id.in_(units), e.is_current, e.state == EntryState.SUBMITTED,
               (e.reporter_user_id.is_(None)) | (e.reporter_user_id != user_id))
        .order_by(e.submitted_at, e.id)
    )  # fmt: skip
    queue = Queue([Waiting(i, u, n, p, text=t) for i, u, n, p, t in entries])
    queue.closures = await _closures(session, ClosureState.AWAITING_PRINCIPAL, units)
    return queue


async def staff_queue(session: AsyncSession) -> Queue:
    """The bureau's: 延期申请 to decide, 销号 to confirm."""
    x = ExtensionRequest
    rows = await session.execute(
        select(x.id, Unit.name, Task.number, x.period, x.until, x.reason)
        .join(Unit, Unit.id == x.unit_id).join(Task, Task.id == x.task_id)
        .where(x.state == RequestState.PENDING).order_by(x.requested_at, x.id)
    )  # fmt: skip
    queue = Queue(extensions=[Waiting(i, u, n, p, until, r) for i, u, n, p, until, r in rows])
    queue.closures = await _closures(session, ClosureState.AWAITING_STAFF, None)
    return queue


async def _closures(
    session: AsyncSession, state: ClosureState, units: list[int] | None
) -> list[Waiting]:
    query = (
        select(Closure.id, Unit.name, Task.number, Closure.period)
        .join(Unit, Unit.id == Closure.unit_id).join(Task, Task.id == Closure.task_id)
        .where(Closure.state == state).order_by(Closure.requested_at, Closure.id)
    )  # fmt: skip
    if units is not None:
        query = query.where(Closure.unit_id.in_(units))
    return [Waiting(i, u, n, p) for i, u, n, p in await session.execute(query)]


async def approve_all(
    session: AsyncSession, *, identity: Identity, now: datetime, chat_id: int | None
) -> list[Reviewed]:
    """[全部审定通过]: approve every entry in the principal's queue (each audited as one 审定);
    an entry another principal decided meanwhile is skipped."""
    done = []
    for item in (await principal_queue(session, identity)).entries:
        try:
            done.append(await review(session, identity=identity, entry_id=item.id, approve=True,
                                     note=None, now=now, chat_id=chat_id))  # fmt: skip
        except ReportRefused:
            continue
    return done
