"""Penalty tables: the proposal and decision (罚款, R§55, R§57) and the money collected with its
deadline for paying in (Z-13(1))."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class Penalty(Base):
    """处罚: the proposal with its legal range (``range_low``..``range_high`` fen, fixed when
    proposed), then the decision (OVS-PENALTY case) with the chosen amount and the reason.
    ``amount`` is the sum obtained by fraud (R§55), ordered back; 0 for obstruction (R§57)."""

    __tablename__ = "penalty"
    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_ref: Mapped[str] = mapped_column(String(40))
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    facts: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(300))
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    # the insurance fund the fraud drew on, into whose income account the money comes back
    fund: Mapped[str | None] = mapped_column(String(24))
    range_low: Mapped[int] = mapped_column(BigInteger)
    range_high: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), index=True)
    proposed_on: Mapped[dt.date] = mapped_column(Date)
    proposed_by: Mapped[str] = mapped_column(String(64))
    decision_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    fine: Mapped[int | None] = mapped_column(BigInteger)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (Index("ix_penalty_subject", "subject_kind", "subject_ref"),)


class PenaltyPayment(Base):
    """收回的款项: money collected against a decision, each collection to be paid into the fund's
    income account (recovered) or the fiscal penalty account (fine) within 10 working days
    (Z-13(1)); ``deposited_on`` once it is."""

    __tablename__ = "penalty_payment"
    id: Mapped[int] = mapped_column(primary_key=True)
    penalty_id: Mapped[int] = mapped_column(ForeignKey("penalty.id"), index=True)
    part: Mapped[str] = mapped_column(String(16))  # recovered / fine
    amount: Mapped[int] = mapped_column(BigInteger)
    collected_on: Mapped[dt.date] = mapped_column(Date)
    deposit_wd: Mapped[int] = mapped_column(Integer)
    deposit_due: Mapped[dt.date] = mapped_column(Date, index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    deposited_on: Mapped[dt.date | None] = mapped_column(Date)
    deposit_ref: Mapped[str] = mapped_column(String(64), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
