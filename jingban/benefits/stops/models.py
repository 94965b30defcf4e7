"""Stops tables: the facts other departments shared (deaths, imprisonment, exits) (SPEC §12).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.db import Base
from jingban.records.models import BigId


class SharedFact(Base):
    """比对信息: a death, imprisonment, release, emigration or loss of nationality another
    department shared (公安、司法、民政、出入境), kept for the eligibility matching run (R§26).
    ``ssn`` is the citizen ID as normalised; the person need not be known here yet."""

    __tablename__ = "benefit_shared_fact"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    ssn: Mapped[str] = mapped_column(String(18))
    name: Mapped[str] = mapped_column(String(64), default="")
    fact_date: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(16))  # population | judicial | exit
    source_ref: Mapped[str] = mapped_column(String(64))  # the feed's event id (or its SM3)
    received_on: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("source", "source_ref", name="uq_benefit_shared_fact_source"),
        Index("ix_benefit_shared_fact_ssn_kind", "ssn", "kind"),
    )
