"""Maternity tables: the pregnancy record (生育登记) a maternity allowance claim rests on.

The allowance is an award of kind ``maternity`` in the common tables, paid once by the
payroll; maternity medical costs are medical manual claims of the maternity fund."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class PregnancyRecord(Base):
    """生育登记: a pregnancy registered by the insured woman (or the clerk for her) before the
    birth. ``status``: open | claimed (its allowance decided)."""

    __tablename__ = "maternity_pregnancy"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    expected_on: Mapped[dt.date] = mapped_column(Date)  # 预产期
    hospital: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(12), default="open")
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
