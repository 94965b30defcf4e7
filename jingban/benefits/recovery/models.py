"""Recovery tables: overpayment debts, their ledger entries, instalments, agreements, refunds
(R§46). Ledger entries are append-only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.crypto import Sealed
from jingban.core.db import Base


class Debt(Base):
    """待遇追回: an overpayment ordered back (R§46). ``status``: open | agreement (分期协议) |
    settled | defaulted (违约, escalated with a credit record)."""

    __tablename__ = "benefit_debt"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_award.id"))
    reason: Mapped[str] = mapped_column(String(300))
    first_period: Mapped[int | None] = mapped_column(Integer)
    last_period: Mapped[int | None] = mapped_column(Integer)
    principal: Mapped[int] = mapped_column(BigInteger)  # fen
    status: Mapped[str] = mapped_column(String(16), default="open")
    ordered_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)  # pay in full by, unless an agreement
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    source_ref: Mapped[str] = mapped_column(String(64), default="")  # award event / case
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    # One debt per stop event: a rerun of the stop does not order the money back twice.
    __table_args__ = (UniqueConstraint("award_id", "source_ref", name="uq_benefit_debt_source"),)


class DebtEntry(Base):
    """追回台账: the per-person ledger of a debt. ``amount`` in fen: the order is positive,
    repayments, deductions and account offsets are negative; the balance is the sum."""

    __tablename__ = "benefit_debt_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("benefit_debt.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # order | repayment | deduction | account
    amount: Mapped[int] = mapped_column(BigInteger)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_payment.id"), unique=True)
    instalment_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_instalment.id"))
    entry_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64), default="")  # receipt number etc.
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Instalment(Base):
    """分期还款计划: one instalment of a debt's agreement (R§46)."""

    __tablename__ = "benefit_instalment"
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("benefit_debt.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (UniqueConstraint("debt_id", "seq"),)



class DebtAgreement(Base):
    """还款协议 (R§46): who signed the instalment agreement of a debt, and when; the
    schedule itself is the debt's Instalment rows. One agreement per debt."""

    __tablename__ = "benefit_debt_agreement"
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("benefit_debt.id"), unique=True)
    signed_by: Mapped[str] = mapped_column(String(64))  # the debtor or, after a death, an heir
    signed_on: Mapped[dt.date] = mapped_column(Date)
    instalments: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(BigInteger)  # fen: the balance the schedule repays
    recorded_by: Mapped[str] = mapped_column(String(64))


class Refund(Base):
    """退还已追回款: what had been recovered on a debt whose stop proved wrong (a wrong match,
    R§26), paid back to the person. One per debt: a rerun refunds nothing twice. The ledger
    carries the same amount as a ``refund`` entry (migration 0010b). Like back pay, it reaches
    the bank with the next payroll run, which sets ``run_id``."""

    __tablename__ = "benefit_refund"
    id: Mapped[int] = mapped_column(primary_key=True)
    debt_id: Mapped[int] = mapped_column(ForeignKey("benefit_debt.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # fen
    bank_account: Mapped[str] = mapped_column(Sealed("bank_account"), default="")  # secdata
    reason: Mapped[str] = mapped_column(String(200))
    paid_on: Mapped[dt.date] = mapped_column(Date)  # decided on; once sent, the run's day
    # The payroll run whose bank file carries it; NULL while pending (待发放) (migration 0011).
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payroll_run.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
