"""The serious-dishonesty list (严重失信主体名单, R§45): one row per proposal, from the proposal
through the prior notice, the decision and publication to its removal."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class DishonestyListing(Base):
    """严重失信主体名单条目. ``status`` (rules.STATUSES): proposed → noticed → listed → removed /
    repaired / revoked; dropped when the proposal is not pursued. ``credit_ids`` are the credit
    records (credit_record.id, comma-separated) that met the criterion."""

    __tablename__ = "dishonesty_listing"
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_key: Mapped[str] = mapped_column(String(40))
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    party_subject: Mapped[str | None] = mapped_column(String(80))  # person:<id> when registered
    status: Mapped[str] = mapped_column(String(16), index=True)
    criterion: Mapped[str] = mapped_column(String(16))
    facts: Mapped[str] = mapped_column(Text)
    basis: Mapped[str] = mapped_column(String(300))
    credit_ids: Mapped[str] = mapped_column(String(400))
    reason: Mapped[str] = mapped_column(String(500))
    inspection_case_id: Mapped[int | None] = mapped_column(Integer)  # wired by the lead
    proposed_on: Mapped[dt.date] = mapped_column(Date)
    proposed_by: Mapped[str] = mapped_column(String(64))
    noticed_on: Mapped[dt.date | None] = mapped_column(Date)
    statement_due: Mapped[dt.date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    statement: Mapped[str] = mapped_column(Text, default="")
    decision_case_id: Mapped[int | None] = mapped_column(Integer)
    listed_on: Mapped[dt.date | None] = mapped_column(Date)
    listed_until: Mapped[dt.date | None] = mapped_column(Date)
    repair_from: Mapped[dt.date | None] = mapped_column(Date)
    objection_case_id: Mapped[int | None] = mapped_column(Integer)
    repair_case_id: Mapped[int | None] = mapped_column(Integer)
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (Index("ix_dishonesty_listing_subject", "subject_kind", "subject_key"),)
