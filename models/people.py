"""Who talks to the bot: unit contacts and principals, bureau staff, chats and invite codes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ledger.vocab import ChatType, ContactRole
from models.base import Base, CreatedAt, TelegramId, str_enum, utcnow
from models.registry import Unit


class Contact(Base):
    """A Telegram user bound to a unit as 填报人 or 主要负责同志; unbinding keeps the row."""

    __tablename__ = "contacts"
    __table_args__ = (
        Index("ix_contacts_unit_active", "unit_id", "active"),
        Index("ix_contacts_user_active", "telegram_user_id", "active"),
        Index(
            "uq_contacts_active_binding",
            "telegram_user_id",
            "unit_id",
            "role",
            unique=True,
            sqlite_where=text("active"),
            postgresql_where=text("active"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(TelegramId)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"))
    role: Mapped[ContactRole] = mapped_column(str_enum(ContactRole))
    display_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(default=True)
    bound_at: Mapped[datetime] = mapped_column(default=utcnow)
    unbound_at: Mapped[datetime | None]
    unreachable_at: Mapped[datetime | None]  # set when Telegram answers 403

    unit: Mapped[Unit] = relationship()


class Staff(CreatedAt, Base):
    """Bureau staff (see status) and admins (also manage the registry)."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_user_id: Mapped[int] = mapped_column(TelegramId, unique=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    added_by: Mapped[int | None] = mapped_column(TelegramId)
    removed_at: Mapped[datetime | None]


class Chat(CreatedAt, Base):
    """A chat the bot has seen; groups can subscribe to the weekly digest."""

    __tablename__ = "chats"

    id: Mapped[int] = mapped_column(primary_key=True)
    telegram_chat_id: Mapped[int] = mapped_column(TelegramId, unique=True)
    type: Mapped[ChatType] = mapped_column(str_enum(ChatType))
    title: Mapped[str | None] = mapped_column(String(255))
    digest_subscribed: Mapped[bool] = mapped_column(default=False, index=True)
    digest_thread_id: Mapped[int | None]  # in a forum supergroup: the topic /subscribe came from
    subscribed_by: Mapped[int | None] = mapped_column(TelegramId)
    migrated_to: Mapped[int | None] = mapped_column(TelegramId)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Invite(CreatedAt, Base):
    """A binding code; only its SHA-256 is stored, so a database leak binds nobody."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    role: Mapped[ContactRole] = mapped_column(str_enum(ContactRole))
    max_uses: Mapped[int] = mapped_column(default=1)
    uses: Mapped[int] = mapped_column(default=0)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(TelegramId)

    unit: Mapped[Unit] = relationship()


class ConversationState(Base):
    """Where a user stands in a multi-step flow, so a restart resumes instead of forgetting."""

    __tablename__ = "conversation_states"

    telegram_user_id: Mapped[int] = mapped_column(TelegramId, primary_key=True)
    chat_id: Mapped[int] = mapped_column(TelegramId)
    flow: Mapped[str] = mapped_column(String(40))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TelegramUser(Base):
    """Everyone who has written to the bot: chosen language and invite brute-force counter."""

    __tablename__ = "telegram_users"

    telegram_user_id: Mapped[int] = mapped_column(TelegramId, primary_key=True)
    first_name: Mapped[str | None] = mapped_column(String(200))
    username: Mapped[str | None] = mapped_column(String(64))
    telegram_language: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))  # chosen with /lang
    failed_invites: Mapped[int] = mapped_column(default=0)
    invites_locked_until: Mapped[datetime | None]
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
