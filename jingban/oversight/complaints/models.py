"""Complaint tables: the complaint or report (举报投诉, R§51) and its timeline.

The reporter's identity lives only in the ``reporter_*`` columns; nothing else (the timeline,
the audit chain, notices to others, exports) ever carries it. The service shows those columns
to the complaint post alone.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jingban.core.clock import now
from jingban.core.crypto import Sealed
from jingban.core.db import Base


class Complaint(Base):
    """举报投诉: one report or complaint from intake to outcome and reward."""

    __tablename__ = "oversight_complaint"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(16))  # rules.KINDS
    channel: Mapped[str] = mapped_column(String(16))  # rules.CHANNELS
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # the reporter (举报人): empty when anonymous; shown to the complaint post only
    anonymous: Mapped[bool] = mapped_column(Boolean)
    wants_notice: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_name: Mapped[str] = mapped_column(String(64), default="")
    reporter_id_number: Mapped[str] = mapped_column(String(40), default="")
    reporter_phone: Mapped[str] = mapped_column(Sealed("phone"), default="")  # secdata
    reporter_email: Mapped[str] = mapped_column(String(120), default="")
    reporter_subject: Mapped[str | None] = mapped_column(String(80))  # portal filer
    # the accused (被举报对象)
    accused_kind: Mapped[str] = mapped_column(String(16))  # rules.ACCUSED_KINDS
    accused_ref: Mapped[str] = mapped_column(String(40), default="")  # USCC / SSN / code
    accused_name: Mapped[str] = mapped_column(String(200))
    accused_subject: Mapped[str | None] = mapped_column(String(80), index=True)
    facts: Mapped[str] = mapped_column(Text)
    # the clock (R§51 解读), in working days from the day after receipt
    received_on: Mapped[dt.date] = mapped_column(Date)
    received_by: Mapped[str] = mapped_column(String(64))
    screening_due: Mapped[dt.date] = mapped_column(Date, index=True)
    notice_due: Mapped[dt.date | None] = mapped_column(Date, index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), index=True)  # rules.STATUSES
    screening: Mapped[str | None] = mapped_column(String(16))  # rules.SCREENINGS
    screening_reason: Mapped[str] = mapped_column(Text, default="")
    transferred_to: Mapped[str] = mapped_column(String(200), default="")
    screened_on: Mapped[dt.date | None] = mapped_column(Date)
    screening_late_reason: Mapped[str] = mapped_column(Text, default="")
    noticed_on: Mapped[dt.date | None] = mapped_column(Date)
    notice_channel: Mapped[str | None] = mapped_column(String(16))
    notice_late_reason: Mapped[str] = mapped_column(Text, default="")
    inspection_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    investigation_note: Mapped[str] = mapped_column(Text, default="")
    outcome: Mapped[str | None] = mapped_column(String(24))  # rules.OUTCOMES
    outcome_note: Mapped[str] = mapped_column(Text, default="")
    confirmed_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # 查实金额
    concluded_on: Mapped[dt.date | None] = mapped_column(Date)
    reward_fen: Mapped[int | None] = mapped_column(BigInteger)
    reward_paid_on: Mapped[dt.date | None] = mapped_column(Date)
    reward_reference: Mapped[str | None] = mapped_column(String(64), unique=True)
    steps: Mapped[list[ComplaintStep]] = relationship(
        order_by="ComplaintStep.id", lazy="selectin", cascade="all, delete-orphan")


class ComplaintStep(Base):
    """One line of a complaint's timeline; never names the reporter."""

    __tablename__ = "oversight_complaint_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("oversight_complaint.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # rules.STEP_NAMES
    note: Mapped[str] = mapped_column(Text, default="")
    on_time: Mapped[bool | None] = mapped_column(Boolean)  # a step with a statutory limit

