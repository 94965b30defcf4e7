"""Eligibility verification tables: matching runs, hits, entrusted tasks, certifications (R§26).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base
from jingban.records.models import BigId


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
