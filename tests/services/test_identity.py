"""Who is writing, read on a real database: the profile is written only when it changed (or
an hour after it was last written), a 403 flag on any binding is lifted, and only active
bindings count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ledger.vocab import ContactRole
from models import Contact, TelegramUser
from services.identity import SEEN_EVERY, Profile, identify, seen
from tests.factories import make_unit

USER = 1001
T0 = datetime(2023, 4, 3, 2, 0, tzinfo=UTC)
ZHANG = Profile("张三", "zhangsan", "zh-hans")


async def _row(session: AsyncSession) -> TelegramUser:
    row = await session.scalar(
        select(TelegramUser)
        .where(TelegramUser.telegram_user_id == USER)
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def test_the_profile_is_written_when_new_or_changed(session: AsyncSession) -> None:
    await seen(session, USER, ZHANG, now=T0)
    await session.commit()
    assert (await _row(session)).last_seen_at == T0

    await seen(session, USER, ZHANG, now=T0 + timedelta(minutes=10))  # nothing new
    await session.commit()
    row = await _row(session)
    assert (row.first_name, row.username, row.last_seen_at) == ("张三", "zhangsan", T0)

    renamed = Profile("张三丰", "zhangsan", "zh-hans")
    await seen(session, USER, renamed, now=T0 + timedelta(minutes=20))
    await session.commit()
    row = await _row(session)
    assert (row.first_name, row.last_seen_at) == ("张三丰", T0 + timedelta(minutes=20))

    later = T0 + timedelta(minutes=20) + SEEN_EVERY  # the same profile, an hour on
    await seen(session, USER, renamed, now=later)
    await session.commit()
    assert (await _row(session)).last_seen_at == later


async def test_writing_lifts_the_403_flag_and_only_active_bindings_count(
    session: AsyncSession,
) -> None:
    transport = await make_unit(session, "市交通运输局")
    water = await make_unit(session, "市水务局")
    session.add_all([
        Contact(telegram_user_id=USER, unit_id=transport.id, role=ContactRole.CONTACT,
                unreachable_at=T0),
        Contact(telegram_user_id=USER, unit_id=water.id, role=ContactRole.CONTACT,
                active=False, unreachable_at=T0),
    ])  # fmt: skip
    await session.commit()

    identity = await seen(session, USER, ZHANG, now=T0 + timedelta(hours=1), admin_ids=[USER])
    await session.commit()
    assert [b.unit_name for b in identity.bindings] == ["市交通运输局"]
    assert identity.is_admin and identity.is_contact
    flags = (
        await session.scalars(
            select(Contact.unreachable_at)
            .where(Contact.telegram_user_id == USER)
            .execution_options(populate_existing=True)
        )
    ).all()
    assert flags == [None, None]
    assert await identify(session, USER) == identity.__class__(
        user_id=USER, is_admin=False, is_staff=False, bindings=identity.bindings
    )
