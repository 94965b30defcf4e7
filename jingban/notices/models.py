"""Notice tables: notifications shown in the portal and the outbox of SMS/mail to send.

The table names and columns are those the case engine first created (migration history);
``notification.case_id`` names a case by its id without this room knowing the case engine.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.crypto import Sealed
from jingban.core.db import Base


class Notification(Base):
    """通知: shown in the applicant's portal; copied to the outbox for SMS or mail."""

    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a notice not about a case (the yearly rights statement, D§33)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    recipient: Mapped[str] = mapped_column(String(40), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Outbox(Base):
    """Messages waiting for an SMS or mail adapter to send them (drained, never deleted)."""

    __tablename__ = "outbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    notification_id: Mapped[int] = mapped_column(ForeignKey("notification.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(Sealed("phone"))  # sealed as a phone (secdata)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
