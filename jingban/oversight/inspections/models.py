"""Inspection tables: plans (核查计划) and inspections (核查, R§42) with their order to correct
and handover (R§44)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class InspectionPlan(Base):
    """核查计划: a random sample (seeded, so it can be drawn again) or a targeted list."""

    __tablename__ = "inspection_plan"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(16))  # random / targeted
    subject_kind: Mapped[str] = mapped_column(String(16))
    seed: Mapped[int | None] = mapped_column(Integer)
    population: Mapped[int] = mapped_column(Integer)  # how many subjects the draw was from
    size: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(300))
    created_on: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class Inspection(Base):
    """核查: one subject, its findings, the order to correct (责令改正) with a deadline in working
    days, the correction or the handover (移交) to the administrative department.
    ``case_id`` is the filing case (OVS-INSPECT); the conclusion and the handover are cases of
    their own (OVS-INSPECT-CONCLUDE, OVS-HANDOVER)."""

    __tablename__ = "inspection"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), unique=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_plan.id"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_ref: Mapped[str] = mapped_column(String(40))  # USCC / SSN / institution code
    subject_name: Mapped[str] = mapped_column(String(200), default="")
    reason: Mapped[str] = mapped_column(String(300))
    origin: Mapped[str | None] = mapped_column(String(64), unique=True)  # hit:123 / complaint:45
    status: Mapped[str] = mapped_column(String(16), index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(String(64))
    conclusion_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    findings: Mapped[str] = mapped_column(Text, default="")
    violation: Mapped[bool | None] = mapped_column(Boolean)
    order_text: Mapped[str] = mapped_column(Text, default="")
    refer: Mapped[bool] = mapped_column(Boolean, default=False)  # 依法应当由行政部门处理
    ordered_on: Mapped[dt.date | None] = mapped_column(Date)
    correction_wd: Mapped[int | None] = mapped_column(Integer)
    correct_by: Mapped[dt.date | None] = mapped_column(Date)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    corrected_on: Mapped[dt.date | None] = mapped_column(Date)
    correction_note: Mapped[str] = mapped_column(String(300), default="")
    handover_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    department: Mapped[str] = mapped_column(String(16), default="")
    handover_number: Mapped[str | None] = mapped_column(String(24), unique=True)
    handed_over_on: Mapped[dt.date | None] = mapped_column(Date)
    handover_note: Mapped[str] = mapped_column(String(300), default="")
    closed_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (Index("ix_inspection_subject", "subject_kind", "subject_ref"),)
