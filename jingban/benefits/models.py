"""Benefit tables: awards, their stops and suspensions, payroll runs and payments, overpayments.

Payments and ledger entries are append-only (DESIGN §4). An award's monthly amount never changes
in place: a re-determination is a new award that ``replaces_id`` the old one.
Periods (发放月) are YYYYMM integers.
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
    bank_account: Mapped[str] = mapped_column(String(40), default="")  # 社会保障卡金融账户
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
    bank_account: Mapped[str] = mapped_column(String(40), default="")
    paid_on: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("award_id", "period", name="uq_benefit_payment_month"),)


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
    reporter_phone: Mapped[str] = mapped_column(String(32), default="")
    source_ref: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(300), default="")
    awards: Mapped[int] = mapped_column(Integer, default=0)  # awards stopped or suspended
    overpaid: Mapped[int] = mapped_column(BigInteger, default=0)  # fen ordered back
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class SharedFact(Base):
    """比对信息: a death, imprisonment, release, emigration or loss of nationality another
    department shared (公安、司法、民政、出入境), kept for the eligibility matching run (R§26).
    ``ssn`` is the citizen ID as normalised; the person need not be known here yet."""

    __tablename__ = "benefit_shared_fact"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ssn: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(64), default="")
    fact_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))  # population | judicial | exit
    source_ref: Mapped[str] = mapped_column(String(64))  # the feed's event id (or its SM3)
    received_on: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_benefit_shared_fact_source"),
        Index("ix_benefit_shared_fact_ssn_kind", "ssn", "kind"),
    )


class VerificationRun(Base):
    """资格比对批次: one matching run of all recipients against the shared facts, per date."""

    __tablename__ = "verification_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_on: Mapped[dt.date] = mapped_column(Date, unique=True)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    recipients: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)  # new this run
    unconfirmed: Mapped[int] = mapped_column(Integer, default=0)

    # Not stored: set by verification.run_matching when the day had been run before.
    repeat = False


class VerificationTask(Base):
    """委托核实 (R§26): a recipient who could not be confirmed, entrusted to the employer or a
    third party. ``result``: alive (确认在世且符合条件) | suspect (疑似丧失资格) | unreachable."""

    __tablename__ = "verification_task"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("benefit_award.id"))
    agent_kind: Mapped[str] = mapped_column(String(16))  # employer | third_party
    agent_key: Mapped[str] = mapped_column(String(40))  # USCC of the employer or the third party
    agent_name: Mapped[str] = mapped_column(String(200))
    entrusted_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    entrusted_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    result: Mapped[str] = mapped_column(String(16), default="")
    result_on: Mapped[dt.date | None] = mapped_column(Date)
    result_note: Mapped[str] = mapped_column(String(300), default="")

    # One open task per award: entrusting twice does not send two inspectors.
    __table_args__ = (
        Index("uq_verification_task_open", "award_id", unique=True,
              sqlite_where=text("status = 'open'"), postgresql_where=text("status = 'open'")),
    )


class VerificationHit(Base):
    """比对疑点: an award in force whose person matches a shared fact, or whose entrusted check
    found a doubt. ``status``: open | investigating | stopped | confirmed | resumed."""

    __tablename__ = "verification_hit"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("verification_run.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("benefit_award.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # death | imprisonment | release | … | task
    fact_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_shared_fact.id"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("verification_task.id"), unique=True)
    fact_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    # A fact is matched to an award once; an award has one unresolved doubt of a kind at a time.
    __table_args__ = (
        UniqueConstraint("award_id", "kind", "fact_id", name="uq_verification_hit_fact"),
        Index("uq_verification_hit_open", "award_id", "kind", unique=True,
              sqlite_where=text("status IN ('open', 'investigating')"),
              postgresql_where=text("status IN ('open', 'investigating')")),
    )


class Certification(Base):
    """资格认证记录: a recipient confirmed as still entitled — face or remote self-service
    authentication, at the counter, by the employer or a third party, or by investigation."""

    __tablename__ = "benefit_certification"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    method: Mapped[str] = mapped_column(String(16))
    confirmed_on: Mapped[dt.date] = mapped_column(Date)
    reference: Mapped[str] = mapped_column(String(64), default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (Index("ix_benefit_certification_person", "person_id", "confirmed_on"),)



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
    bank_account: Mapped[str] = mapped_column(String(40), default="")
    reason: Mapped[str] = mapped_column(String(200))
    paid_on: Mapped[dt.date] = mapped_column(Date)  # decided on; once sent, the run's day
    # The payroll run whose bank file carries it; NULL while pending (待发放) (migration 0011).
    run_id: Mapped[int | None] = mapped_column(ForeignKey("payroll_run.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
