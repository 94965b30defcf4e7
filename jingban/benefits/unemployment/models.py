"""Unemployment tables: the job-stabilisation refunds decided for employers (稳岗返还).

Benefits to persons use the common tables (awards, payments); the refund goes to an employer,
once a year, so it has a row of its own.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.crypto import Sealed  # secaudit
from jingban.core.db import Base


class StabilisationRefund(Base):
    """稳岗返还: one employer's refund for one contribution year (人社部发〔2024〕40号): its
    unemployment contributions (employer and staff) of that year × the rate of its size. Unique
    per employer and year: the yearly run decides each once."""

    __tablename__ = "unemployment_stabilisation_refund"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)  # the contribution year the refund rests on
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    size: Mapped[str] = mapped_column(String(8))  # large | small
    staff: Mapped[int] = mapped_column(Integer)  # persons insured that year
    contributions: Mapped[int] = mapped_column(BigInteger)  # fen
    rate: Mapped[str] = mapped_column(String(8))
    amount: Mapped[int] = mapped_column(BigInteger)  # fen
    bank_account: Mapped[str] = mapped_column(Sealed("bank_account"), default="")  # secaudit
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (UniqueConstraint("employer_id", "year", name="uq_stabilisation_year"),)
