"""Unit administration: aliases, collective groups, and name resolution for imports.

An alias that names an existing unit merges that unit into the canonical one only when
nothing but task links and group memberships point at it (no contacts, invites, progress
entries or milestone results): such a unit is an import-time duplicate, safe to fold in.
Otherwise the alias is refused, because folding people and reports into another unit is a
decision for a dedicated merge command, not a side effect of naming.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.importing import guess_unit_kind
from ledger.importing.normalize import normalize
from ledger.timetable import AsOf
from ledger.vocab import UnitKind
from models import (
    Contact,
    Invite,
    MilestoneResult,
    ProgressEntry,
    TaskUnit,
    Unit,
    UnitAlias,
    UnitMember,
)
from services.audit import Actor, record
from services.obligations import now_as_of, refresh
from services.units import find_unit

MAX_NAME = 200


class UnitAdminError(ValueError):
    """A refused unit change; the message says why and what to do instead."""


@dataclass(frozen=True)
class AliasResult:
    unit: str
    alias: str
    created_unit: bool = False
    merged_links: int | None = None  # set when a unit named ALIAS was folded in


@dataclass(frozen=True)
class GroupResult:
    collective: str
    members: list[str]
    created: list[str] = field(default_factory=list)


@dataclass
class UnitIndex:
    """Names (and aliases) → unit ids for one import, plus the units it had to create."""

    ids: dict[str, int]
    names: dict[int, str]
    created: list[tuple[str, str]] = field(default_factory=list)


def clean_name(name: str) -> str:
    """The spelling imports produce (NFKC, simplified), so typed names match parsed ones."""
    cleaned = normalize(name).strip()
    if not cleaned or len(cleaned) > MAX_NAME:
        raise UnitAdminError(f"bad unit name {name!r}: expected 1–{MAX_NAME} characters")
    return cleaned


async def _get_or_create(
    session: AsyncSession, name: str, kind: UnitKind | None = None
) -> tuple[Unit, bool]:
    unit = await find_unit(session, name)
    if unit is not None:
        return unit, False
    unit = Unit(name=name, kind=kind or UnitKind(guess_unit_kind(name)))
    session.add(unit)
    await session.flush()
    return unit, True


async def add_alias(
    session: AsyncSession, *, name: str, alias: str, actor: Actor, as_of: AsOf | None = None
) -> AliasResult:
    """Make ALIAS another spelling of NAME (created if missing); see the module docstring.
    A merge updates the open periods' obligations."""
    name, alias = clean_name(name), clean_name(alias)
    if name == alias:
        raise UnitAdminError(f"{alias!r} is the unit's own name")
    owner = await session.scalar(
        select(Unit.name)
        .join(UnitAlias, UnitAlias.unit_id == Unit.id)
        .where(UnitAlias.alias == alias)
    )
    if owner is not None:
        raise UnitAdminError(f"{alias!r} is already an alias of {owner!r}")
    unit, created = await _get_or_create(session, name)
    if unit.name == alias:
        raise UnitAdminError(f"{alias!r} is the unit's own name ({name!r} is its alias)")
    merged: int | None = None
    other = await session.scalar(select(Unit).where(Unit.name == alias))
    if other is not None:
        merged = await _fold_into(session, other, unit)
    session.add(UnitAlias(unit_id=unit.id, alias=alias))
    await session.flush()
    record(session, actor, "unit.alias", unit.name, alias=alias, merged_links=merged)
    if merged is not None:
        await refresh(session, reason=f"alias merge {alias} → {unit.name}", actor=actor,
                      **(as_of or now_as_of()))  # fmt: skip
    return AliasResult(unit.name, alias, created, merged)


async def _usage(session: AsyncSession, unit_id: int) -> list[str]:
    """What ties a unit to people or reports (which an alias must not silently absorb)."""
    checks = {
        "contacts": Contact.unit_id,
        "invites": Invite.unit_id,
        "progress entries": ProgressEntry.unit_id,
        "milestone results": MilestoneResult.unit_id,
    }
    found = []
    for label, column in checks.items():
        count = await session.scalar(select(func.count()).where(column == unit_id))
        if count:
            found.append(f"{count} {label}")
    return found


async def _fold_into(session: AsyncSession, other: Unit, unit: Unit) -> int:
    """Move task links, memberships and aliases of `other` to `unit`, then delete `other`."""
    usage = await _usage(session, other.id)
    if usage:
        raise UnitAdminError(
            f"{other.name!r} is already a unit with {', '.join(usage)}; an alias would hide them. "
            f"Keep both units, or merge them with `ledgerbot units merge` (not available yet)"
        )
    links = (await session.scalars(select(TaskUnit).where(TaskUnit.unit_id == other.id))).all()
    taken = set(
        (
            await session.execute(
                select(TaskUnit.task_id, TaskUnit.role).where(TaskUnit.unit_id == unit.id)
            )
        ).all()
    )
    moved = 0
    for link in links:
        if (link.task_id, link.role) in taken:
            await session.delete(link)
            continue
        session.add(
            TaskUnit(task_id=link.task_id, unit_id=unit.id, role=link.role, position=link.position)
        )
        await session.delete(link)
        moved += 1
    await _move_memberships(session, other.id, unit.id)
    await session.execute(
        update(UnitAlias).where(UnitAlias.unit_id == other.id).values(unit_id=unit.id)
    )
    await session.flush()
    await session.delete(other)
    await session.flush()
    return moved


async def _move_memberships(session: AsyncSession, old: int, new: int) -> None:
    touches = (UnitMember.collective_id.in_([old, new])) | (UnitMember.member_id.in_([old, new]))
    rows = (
        await session.execute(select(UnitMember.collective_id, UnitMember.member_id).where(touches))
    ).all()
    pairs = {(c, m) for c, m in rows}
    moved = {(new if c == old else c, new if m == old else m) for c, m in pairs if old in (c, m)}
    await session.execute(
        delete(UnitMember).where((UnitMember.collective_id == old) | (UnitMember.member_id == old))
    )
    for collective_id, member_id in moved - pairs:
        if collective_id != member_id:
            session.add(UnitMember(collective_id=collective_id, member_id=member_id))


async def set_group(
    session: AsyncSession,
    *,
    collective: str,
    members: list[str],
    actor: Actor,
    as_of: AsOf | None = None,
) -> GroupResult:
    """Replace a collective's members; creates the collective and members when missing. The
    open periods' obligations follow."""
    name = clean_name(collective)
    names = list(dict.fromkeys(clean_name(m) for m in members))
    if not names:
        raise UnitAdminError("name at least one member: ledgerbot units group COLLECTIVE MEMBER...")
    group, made = await _get_or_create(session, name, UnitKind.COLLECTIVE)
    created = [group.name] if made else []
    group.kind = UnitKind.COLLECTIVE
    units = []
    for member_name in names:
        member, made = await _get_or_create(session, member_name)
        if member.id == group.id:
            raise UnitAdminError(f"{member_name!r} is the collective itself")
        if member.kind == UnitKind.COLLECTIVE:
            raise UnitAdminError(f"{member.name!r} is a collective: members must be single units")
        created += [member.name] if made else []
        units.append(member)
    await session.execute(delete(UnitMember).where(UnitMember.collective_id == group.id))
    session.add_all(UnitMember(collective_id=group.id, member_id=u.id) for u in units)
    await session.flush()
    member_names = [u.name for u in units]
    record(session, actor, "unit.group", group.name, members=member_names, created=created)
    await refresh(session, reason=f"members of {group.name}", actor=actor,
                  **(as_of or now_as_of()))  # fmt: skip
    return GroupResult(group.name, member_names, created)


async def resolve_units(session: AsyncSession, names: list[str]) -> UnitIndex:
    """Map each name through names and aliases; create the missing with a guessed kind."""
    units = (await session.execute(select(Unit.id, Unit.name))).all()
    aliases = (await session.execute(select(UnitAlias.alias, UnitAlias.unit_id))).all()
    index = UnitIndex(ids={n: i for i, n in units}, names={i: n for i, n in units})
    for alias, unit_id in aliases:
        index.ids.setdefault(alias, unit_id)
    fresh = [
        Unit(name=n, kind=UnitKind(guess_unit_kind(n)))
        for n in dict.fromkeys(names)
        if n not in index.ids
    ]
    if fresh:
        session.add_all(fresh)
        await session.flush()
    for unit in fresh:
        index.ids[unit.name] = unit.id
        index.names[unit.id] = unit.name
        index.created.append((unit.name, unit.kind.value))
    return index
