"""Monitor tables: one run per monitor and day, and the hits (疑点) it raised."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base
from jingban.records.models import BigId


class MonitorRun(Base):
    """监测批次: one monitor run on one day. ``status``: running | completed. ``cursor`` is the
    first id of the key space (persons or employers) not yet checked, so a run stopped halfway
    goes on from there; a completed run of the day is not run again."""

    __tablename__ = "monitor_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    monitor: Mapped[str] = mapped_column(String(32))
    run_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="running")
    cursor: Mapped[int] = mapped_column(BigInteger, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)  # raised by this run
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    # Not stored: set by batch.run_monitor when the day's run had completed before.
    repeat = False

    __table_args__ = (UniqueConstraint("monitor", "run_on", name="uq_monitor_run_day"),)


class MonitorHit(Base):
    """监测疑点: one anomaly a monitor found, a task for an inspector. ``fact_key`` names the
    facts (e.g. ``person:12:202603`` for a death in March 2026 of person 12): unique per
    monitor, so the same facts are never raised twice, whatever the day or run.

    ``status``: open (待核查) | explained (已说明，关闭) | inspection (转入核查);
    ``inspection_case_id`` is the inspection opened for it. The measured facts: ``fact_date``
    (death, transfer), ``period`` (first month concerned), ``value_before``/``value_after``
    (bases in fen, headcounts), ``amount`` (fen), ``months``, ``ref`` (the other award,
    enrollment, payer or transfer)."""

    __tablename__ = "monitor_hit"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    monitor: Mapped[str] = mapped_column(String(32))
    fact_key: Mapped[str] = mapped_column(String(120))
    run_id: Mapped[int | None] = mapped_column(ForeignKey("monitor_run.id"), index=True)
    raised_on: Mapped[dt.date] = mapped_column(Date)
    subject_kind: Mapped[str] = mapped_column(String(16))  # person | employer
    subject_ref: Mapped[str] = mapped_column(String(40))  # SSN or USCC
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    fact_date: Mapped[dt.date | None] = mapped_column(Date)
    period: Mapped[int | None] = mapped_column(Integer)
    value_before: Mapped[int | None] = mapped_column(BigInteger)
    value_after: Mapped[int | None] = mapped_column(BigInteger)
    amount: Mapped[int | None] = mapped_column(BigInteger)
    months: Mapped[int | None] = mapped_column(Integer)
    ref: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    closed_reason: Mapped[str] = mapped_column(String(500), default="")
    closed_by: Mapped[str] = mapped_column(String(64), default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    inspection_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (
        UniqueConstraint("monitor", "fact_key", name="uq_monitor_hit_fact"),
        Index("ix_monitor_hit_status", "status", "monitor"),
    )
