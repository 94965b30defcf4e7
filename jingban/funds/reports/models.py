"""Filed monthly reports and published disclosures: frozen snapshots of what was reported.

A report is filed once per fund and month; a refiling after a correction is a new version with
its reason, the earlier versions stay. A disclosure is published once per year."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class FundReport(Base):
    """基金月报（报送）: the report of one fund and month as filed."""

    __tablename__ = "fund_report"
    id: Mapped[int] = mapped_column(primary_key=True)
    fund: Mapped[str] = mapped_column(String(24))
    period: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[str] = mapped_column(Text)  # the report as JSON (audit.canonical)
    reason: Mapped[str] = mapped_column(String(300), default="")
    due_on: Mapped[dt.date] = mapped_column(Date)
    filed_on: Mapped[dt.date] = mapped_column(Date)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    filed_by: Mapped[str] = mapped_column(String(64))
    filed_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (UniqueConstraint("fund", "period", "version"),)


class FundDisclosure(Base):
    """基金信息公开: one closed year's figures per fund, as published."""

    __tablename__ = "fund_disclosure"
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    snapshot: Mapped[str] = mapped_column(Text)
    published_by: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
