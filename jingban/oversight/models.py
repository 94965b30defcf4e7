"""Oversight tables: credit records (社会保险信用记录, R§45; D§43)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class CreditRecord(Base):
    """失信行为记录: a dishonest act of an employer, a person, a service institution or its staff,
    recorded as it happened (R§45 第二款). ``subject_kind``: person | employer | institution |
    staff; ``subject_key`` the SSN, USCC or staff number. ``act`` is a code of rules.CREDIT_ACTS.
    ``status``: recorded | withdrawn (after an objection or a correction)."""

    __tablename__ = "credit_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(40))
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    act: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500))
    basis: Mapped[str] = mapped_column(String(300))
    source_ref: Mapped[str] = mapped_column(String(64))  # e.g. benefit_debt:12
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="recorded")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    # One record per act and source: a rerun of the sweep that found it records nothing new.
    __table_args__ = (
        UniqueConstraint("act", "source_ref", name="uq_credit_record_source"),
        Index("ix_credit_record_subject", "subject_kind", "subject_key"),
    )


class CreditEvent(Base):
    """信用档案事件: a step about a subject's credit other than a recorded act — a proposal to
    list it as seriously dishonest, the prior notice, its statement, the decision, publication,
    an objection, repair, removal (R§45). With the credit records it is the subject's credit
    history; ``ref`` names the row the step is about (e.g. dishonesty_listing:3)."""

    __tablename__ = "credit_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(40))
    step: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(1000), default="")
    ref: Mapped[str] = mapped_column(String(64))
    on_date: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (Index("ix_credit_event_subject", "subject_kind", "subject_key"),)
