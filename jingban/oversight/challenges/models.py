"""Challenge table: a reconsideration or a lawsuit (行政复议、行政诉讼, R§52) against a case."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class Challenge(Base):
    """行政复议或行政诉讼 recorded against the case whose decision it challenges."""

    __tablename__ = "oversight_challenge"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # rules.KINDS
    body: Mapped[str] = mapped_column(String(200))  # 复议机关 / 人民法院
    reference: Mapped[str] = mapped_column(String(64))  # 案号
    claimant: Mapped[str] = mapped_column(String(200))  # 申请人 / 原告
    claims: Mapped[str] = mapped_column(Text)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    # the filing limit: counted from the day the claimant knew of the decision (R§52)
    known_on: Mapped[dt.date | None] = mapped_column(Date)
    filing_due: Mapped[dt.date | None] = mapped_column(Date)
    late_reason: Mapped[str] = mapped_column(Text, default="")  # 耽误期限的正当理由
    status: Mapped[str] = mapped_column(String(16), index=True)  # rules.STATUSES
    outcome: Mapped[str | None] = mapped_column(String(16))  # rules.OUTCOMES
    decided_on: Mapped[dt.date | None] = mapped_column(Date)
    decision_reference: Mapped[str] = mapped_column(String(64), default="")
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    reopened_round: Mapped[int | None] = mapped_column(Integer)  # the case's new round
    recorded_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
