"""The funds ledger: journal entries and their lines per insurance fund, and closed periods.

Entries are append-only (DESIGN §4): nothing updates or deletes them; a correction is a new
entry that ``reverses_id`` the one it undoes. ``source`` names the business event an automatic
entry books (unique), so a rerun or a back-fill never books the same event twice.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jingban.core.clock import now
from jingban.core.db import Base


class JournalEntry(Base):
    """记账凭证: one fund, one period, balanced lines."""

    __tablename__ = "fund_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    fund: Mapped[str] = mapped_column(String(24))
    period: Mapped[int] = mapped_column(Integer)  # YYYYMM
    entry_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))  # rules.ENTRY_KINDS
    source: Mapped[str] = mapped_column(String(80), unique=True)
    memo: Mapped[str] = mapped_column(String(300))
    amount: Mapped[int] = mapped_column(BigInteger)  # the debit total (fen)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"), unique=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    booked_by: Mapped[str] = mapped_column(String(64))
    booked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    lines: Mapped[list[JournalLine]] = relationship(order_by="JournalLine.id", lazy="selectin")

    __table_args__ = (Index("ix_fund_entry_fund_period", "fund", "period"),)


class JournalLine(Base):
    __tablename__ = "fund_entry_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("fund_entry.id"), index=True)
    account: Mapped[int] = mapped_column(Integer)
    debit: Mapped[int] = mapped_column(BigInteger, default=0)
    credit: Mapped[int] = mapped_column(BigInteger, default=0)


class EntrySign(Base):
    """签章: who confirmed or approved a voucher. Preparing is the entry's ``booked_by``; the
    cashier confirms the bank movement, a reviewer approves (Z-10(2), 不相容岗位分离)."""

    __tablename__ = "fund_entry_sign"
    entry_id: Mapped[int] = mapped_column(ForeignKey("fund_entry.id"), primary_key=True)
    step: Mapped[str] = mapped_column(String(12), primary_key=True)  # rules.SIGN_STEPS
    username: Mapped[str] = mapped_column(String(64))
    signed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class ClosedPeriod(Base):
    """结账: a fund's month closed; nothing more is booked into it."""

    __tablename__ = "fund_closed_period"
    fund: Mapped[str] = mapped_column(String(24), primary_key=True)
    period: Mapped[int] = mapped_column(Integer, primary_key=True)
    closed_by: Mapped[str] = mapped_column(String(64))
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
