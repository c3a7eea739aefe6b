"""API tokens for other systems: only a hash is stored; the token is shown once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, CreatedAt


class ApiToken(CreatedAt, Base):
    """`Authorization: Bearer <token>`: read-only staff, or staff who may write (`can_write`)."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex
    can_write: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]
