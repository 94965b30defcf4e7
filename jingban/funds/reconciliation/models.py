"""Reconciliation records (对账记录): one per fund, account and period; the statements received
for it (a corrected file supersedes, the old rows stay as history); their rows; the differences."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class Reconciliation(Base):
    __tablename__ = "fund_reconciliation"
    id: Mapped[int] = mapped_column(primary_key=True)
    fund: Mapped[str] = mapped_column(String(24))
    account: Mapped[str] = mapped_column(String(12))  # rules.ACCOUNT_KINDS
    period: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12))  # rules.STATUSES
    ledger_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    statement_balance: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_by: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (UniqueConstraint("fund", "account", "period"),)
    repeat = False  # not stored: this very file came before


class Statement(Base):
    __tablename__ = "fund_statement"
    id: Mapped[int] = mapped_column(primary_key=True)
    reconciliation_id: Mapped[int] = mapped_column(ForeignKey("fund_reconciliation.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str] = mapped_column(String(8))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    superseded_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("reconciliation_id", "sha256"),)


class StatementRow(Base):
    __tablename__ = "fund_statement_row"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("fund_statement.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(String(500))
    txn_on: Mapped[dt.date | None] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    direction: Mapped[str | None] = mapped_column(String(3))
    summary: Mapped[str] = mapped_column(String(200), default="")
    reference: Mapped[str] = mapped_column(String(80), default="")
    problem_field: Mapped[str | None] = mapped_column(String(12))
    problem: Mapped[str | None] = mapped_column(String(200))
    ledger_line_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry_line.id"))


class Difference(Base):
    __tablename__ = "fund_recon_difference"
    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("fund_statement.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))  # rules.DIFFERENCE_KINDS
    row_id: Mapped[int | None] = mapped_column(ForeignKey("fund_statement_row.id"))
    ledger_line_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry_line.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"))
    direction: Mapped[str] = mapped_column(String(3))
    statement_amount: Mapped[int | None] = mapped_column(BigInteger)
    ledger_amount: Mapped[int | None] = mapped_column(BigInteger)
    statement_on: Mapped[dt.date | None] = mapped_column(Date)
    ledger_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")  # open/resolved/superseded
    reason: Mapped[str] = mapped_column(String(300), default="")
    resolved_by: Mapped[str | None] = mapped_column(String(64))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
