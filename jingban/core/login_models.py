"""Login defences' tables: every sign-in attempt, account locks, server-side sessions.

GB/T 22239-2019 8.1.4.1 (身份鉴别): login failures are handled (the attempt log and the lock),
sessions end after inactivity and on sign-out (the session row both the page cookie and the API
token name)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class LoginAttempt(Base):
    """登录日志: one row per sign-in attempt, from which address, with what outcome."""

    __tablename__ = "login_attempt"
    __table_args__ = (Index("ix_login_attempt_user_at", "username", "at"),
                      Index("ix_login_attempt_address_at", "address", "at"))
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    username: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    ok: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(String(32))  # ok, bad_credentials, locked, throttled…


class AccountLock(Base):
    """账号锁定: set after repeated failures; lifted when it runs out or by the sysadmin."""

    __tablename__ = "account_lock"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    locked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))  # None: until unlocked
    failures: Mapped[int] = mapped_column(Integer)
    unlocked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    unlocked_by: Mapped[str | None] = mapped_column(String(64))


class LoginSession(Base):
    """会话: named by the page cookie's token and the API token; ended on sign-out or idleness."""

    __tablename__ = "login_session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    end_reason: Mapped[str | None] = mapped_column(String(16))  # logout, idle, unlock
