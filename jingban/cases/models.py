"""Case tables: the case (业务件), its materials and its timeline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jingban.core.clock import now
from jingban.core.crypto import SealedFields
from jingban.core.db import Base


class Case(Base):
    """业务件: one application for one catalog item, from intake to completion."""

    __tablename__ = "case_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(24), unique=True)
    item_code: Mapped[str] = mapped_column(String(32), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(24), index=True)
    request_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    subject: Mapped[str | None] = mapped_column(String(80), index=True)  # person:<id>/employer:<id>
    applicant_key: Mapped[str] = mapped_column(String(40), index=True)  # SSN, ID number or USCC
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    agent_name: Mapped[str] = mapped_column(String(64), default="")  # 授权代办人
    agent_id_number: Mapped[str] = mapped_column(String(40), default="")
    agent_authorization: Mapped[str] = mapped_column(String(200), default="")
    payload: Mapped[str] = mapped_column(SealedFields)  # phones, accounts sealed (secdata)
    received_on: Mapped[dt.date] = mapped_column(Date)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    deadline_wd: Mapped[int] = mapped_column(Integer)
    remaining_wd: Mapped[int] = mapped_column(Integer)
    clock_from: Mapped[dt.date | None] = mapped_column(Date)  # None while the clock is paused
    due_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    levels_required: Mapped[int] = mapped_column(Integer)
    levels_done: Mapped[int] = mapped_column(Integer, default=0)
    round: Mapped[int] = mapped_column(Integer, default=1)
    intake_by: Mapped[str] = mapped_column(String(64), index=True)
    assigned_to: Mapped[str | None] = mapped_column(String(64))
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str] = mapped_column(Text, default="")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))  # objections
    materials: Mapped[list[CaseMaterial]] = relationship(
        order_by="CaseMaterial.id", lazy="selectin", cascade="all, delete-orphan")
    steps: Mapped[list[CaseStep]] = relationship(
        order_by="CaseStep.id", lazy="selectin", cascade="all, delete-orphan")


class CaseMaterial(Base):
    """A required material and whether it is provided, missing or proved by shared data."""

    __tablename__ = "case_material"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    basis: Mapped[str] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16))  # provided / missing / shared


class CaseStep(Base):
    """One line of the case timeline (who did what, at which level, why)."""

    __tablename__ = "case_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    level: Mapped[int | None] = mapped_column(Integer)
    round: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
