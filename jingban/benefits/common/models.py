"""Benefit tables every sub-domain shares: awards and their events, stop reports, payroll runs
and payments.

Payments are append-only (DESIGN §4). An award's monthly amount never changes in place: a
re-determination is a new award that ``replaces_id`` the old one. Periods (发放月) are YYYYMM
integers.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.crypto import Sealed
from jingban.core.db import Base
from jingban.records.models import BigId


class Award(Base):
    """待遇核定: a determined benefit paid monthly from ``start_period``.

    ``kind``: pension_enterprise (企业职工基本养老金), survivor (遗属待遇), later unemployment and
    injury. ``status``: active | suspended (暂停, e.g. 在押服刑) | stopped (终止) | replaced
    (superseded by a re-determination). ``last_period`` is the last month due once stopped."""

    __tablename__ = "benefit_award"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    start_period: Mapped[int] = mapped_column(Integer)
    last_period: Mapped[int | None] = mapped_column(Integer)
    monthly_amount: Mapped[int] = mapped_column(BigInteger)  # fen
    basic_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # 基础养老金
    account_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # 个人账户养老金
    breakdown: Mapped[str] = mapped_column(Text, default="{}")  # JSON: inputs, parameters, basis
    basis: Mapped[str] = mapped_column(String(300), default="")  # legal basis stated in the decision
    payee_name: Mapped[str] = mapped_column(String(64), default="")  # 领取人 (a survivor's dependant)
    bank_account: Mapped[str] = mapped_column(Sealed("bank_account"), default="")  # 社会保障卡金融账户
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(64))
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_award.id"))
    stop_reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    # One award in force per person and kind, under concurrency too.
    __table_args__ = (
        Index("uq_benefit_award_in_force", "person_id", "kind", unique=True,
              sqlite_where=text("status IN ('active', 'suspended')"),
              postgresql_where=text("status IN ('active', 'suspended')")),
    )


class AwardEvent(Base):
    """待遇状态变更: a stop, suspension or resumption of an award, with where it came from.

    ``kind``: stop | suspend | resume. ``effective_period``: the first month the change applies
    to (a death stops from the month after death). ``source``: person | employer | relative |
    feed | verification | case; ``source_ref`` names the feed record, hit or case."""

    __tablename__ = "benefit_award_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("benefit_award.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(24))  # death | imprisonment | emigration | release …
    event_date: Mapped[dt.date] = mapped_column(Date)
    effective_period: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(16))
    source_ref: Mapped[str] = mapped_column(String(64), default="")
    reported_on: Mapped[dt.date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class PayrollRun(Base):
    """待遇发放批次: one monthly payroll. ``status``: running | completed. A rerun of a month
    continues the same run and pays only whoever has no payment for that month yet."""

    __tablename__ = "payroll_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(Integer, unique=True)
    status: Mapped[str] = mapped_column(String(16), default="running")
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    payments: Mapped[int] = mapped_column(Integer, default=0)
    gross: Mapped[int] = mapped_column(BigInteger, default=0)
    deductions: Mapped[int] = mapped_column(BigInteger, default=0)
    net: Mapped[int] = mapped_column(BigInteger, default=0)
    bank_file: Mapped[str] = mapped_column(String(300), default="")
    bank_file_sha256: Mapped[str] = mapped_column(String(64), default="")


class Payment(Base):
    """待遇发放记录: what one award paid for one month. Never paid twice: unique per award and
    period. ``kind``: regular | back_pay (补发, after a resumption) | adjustment (重新核定补差).
    Back pay and adjustments are decided outside the monthly run with ``run_id`` NULL (待发放);
    the next run picks them up into its bank file and sets ``run_id`` and ``paid_on``."""

    __tablename__ = "benefit_payment"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payroll_run.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("benefit_award.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16), default="regular")
    gross: Mapped[int] = mapped_column(BigInteger)
    deduction: Mapped[int] = mapped_column(BigInteger, default=0)  # recovery of an overpayment
    net: Mapped[int] = mapped_column(BigInteger)
    bank_account: Mapped[str] = mapped_column(Sealed("bank_account"), default="")  # secdata
    paid_on: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("award_id", "period", name="uq_benefit_payment_month"),)


# --- stops, eligibility verification and recovery (issue 5 part B; migration 0010) ----------

class StopReport(Base):
    """停发事由报告 (R§25): a stopping event as reported by the person, employer or relatives,
    or as it came from a department's feed or a verification. ``report_due_on`` is the end of
    the 20 working days the reporting duty allows; ``late`` when it was reported after it."""

    __tablename__ = "benefit_stop_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    reason: Mapped[str] = mapped_column(String(24))  # death | imprisonment | nationality_loss …
    event_date: Mapped[dt.date] = mapped_column(Date)
    reported_on: Mapped[dt.date] = mapped_column(Date)
    report_due_on: Mapped[dt.date] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16))  # person | employer | relative | feed | verification
    reporter_name: Mapped[str] = mapped_column(String(64), default="")
    reporter_phone: Mapped[str] = mapped_column(Sealed("phone"), default="")  # secdata
    source_ref: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    awards: Mapped[int] = mapped_column(Integer, default=0)  # awards stopped or suspended
    overpaid: Mapped[int] = mapped_column(BigInteger, default=0)  # fen ordered back
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


# --- returned payments (银行退回, issue 10; migration 0025) ---------------------------------------

class PaymentReturn(Base):
    """银行退回: one line of a run's bank file that the bank could not pay, from its return
    file. The fund is re-credited when it is recorded; the amount waits with
    ``reissue_run_id`` NULL (待重发) and the next run sends it again, once.

    ``item_kind``: payment | refund | reissue (a reissue returned again) — the bank line's
    source, ``item_id`` its id. Unique per bank reference: the same file twice records once."""

    __tablename__ = "benefit_payment_return"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("payroll_run.id"), index=True)
    reference: Mapped[str] = mapped_column(String(64), unique=True)  # 业务参考号
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[int] = mapped_column(BigInteger)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    award_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_award.id"))
    fund: Mapped[str] = mapped_column(String(24))
    amount: Mapped[int] = mapped_column(BigInteger)  # fen
    reason: Mapped[str] = mapped_column(String(200), default="")
    returned_on: Mapped[dt.date] = mapped_column(Date)
    reissue_run_id: Mapped[int | None] = mapped_column(ForeignKey("payroll_run.id"), index=True)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)  # the reissue's run day
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
