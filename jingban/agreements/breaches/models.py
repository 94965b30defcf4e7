"""Breach tables: one row per measure taken against an institution for a breach of its
agreement (R§43), from the notice through the statement to the decision."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class BreachMeasure(Base):
    """违约处理: ``measure`` one of rules.MEASURES (urge, withhold, recover, suspend_department,
    terminate). ``status``: noticed (the institution told, its period to state its case
    running until ``statement_due``) | stated (陈述、申辩 received) | lapsed (the period ran
    out) | decided (imposed) | dropped (not imposed after the statement).
    ``case_id`` the case the measure is decided in; ``credit_record_id`` the credit record the
    decision wrote."""

    __tablename__ = "agreement_breach"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("service_agreement.id"), index=True)
    measure: Mapped[str] = mapped_column(String(24))
    facts: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="noticed")
    noticed_on: Mapped[dt.date] = mapped_column(Date)
    statement_due: Mapped[dt.date] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)  # over an unpublished year
    statement: Mapped[str] = mapped_column(Text, default="")
    stated_on: Mapped[dt.date | None] = mapped_column(Date)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("institution_department.id"))
    months: Mapped[int | None] = mapped_column(Integer)
    amount_fen: Mapped[int | None] = mapped_column(BigInteger)
    period_from: Mapped[dt.date | None] = mapped_column(Date)
    period_to: Mapped[dt.date | None] = mapped_column(Date)
    termination_kind: Mapped[str | None] = mapped_column(String(16))
    decision: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    credit_record_id: Mapped[int | None] = mapped_column(ForeignKey("credit_record.id"))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class BreachRepayment(Base):
    """追回款到账: money an institution paid back under a decided ``recover`` measure, into one
    fund's income account on ``paid_on`` (R§43), booked in that fund's ledger (``entry_id``)."""

    __tablename__ = "agreement_breach_repayment"
    id: Mapped[int] = mapped_column(primary_key=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("agreement_breach.id"), index=True)
    fund: Mapped[str] = mapped_column(String(24))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    paid_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"))
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
