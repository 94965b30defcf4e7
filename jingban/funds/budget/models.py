"""Fund budgets (基金预算): one row per fund, year and version, and its items.

A version is never edited once submitted for review; an approved one is locked. A change to
an approved budget (预算调整) is a new version that ``revises_id`` it; the approved one stays
as history and is superseded when the revision is approved.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jingban.core.clock import now
from jingban.core.db import Base


class Budget(Base):
    """基金预算草案: one fund's income and expenditure plan for one year."""

    __tablename__ = "fund_budget"
    id: Mapped[int] = mapped_column(primary_key=True)
    fund: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("fund_budget.id"), unique=True)
    status: Mapped[str] = mapped_column(String(12))  # rules.STATUSES
    basis_from: Mapped[int] = mapped_column(Integer)  # YYYYMM: the actuals it was pre-filled from
    basis_to: Mapped[int] = mapped_column(Integer)
    basis_months: Mapped[int] = mapped_column(Integer)
    opening_balance: Mapped[int] = mapped_column(BigInteger)  # 预计年初累计结余 (fen)
    prepared_by: Mapped[str] = mapped_column(String(64))
    submitted_by: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    return_reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    items: Mapped[list[BudgetLine]] = relationship(order_by="BudgetLine.position", lazy="selectin")

    __table_args__ = (UniqueConstraint("fund", "year", "version"),)


class BudgetLine(Base):
    """One budget item (收支项目) of a version: the pre-filled figures and the amount set."""

    __tablename__ = "fund_budget_item"
    budget_id: Mapped[int] = mapped_column(ForeignKey("fund_budget.id"), primary_key=True)
    item: Mapped[str] = mapped_column(String(24), primary_key=True)  # funds.budget_items code
    position: Mapped[int] = mapped_column(Integer)
    actual: Mapped[int] = mapped_column(BigInteger)  # the basis months' actual (fen)
    estimate: Mapped[int] = mapped_column(BigInteger)  # 全年测算 (fen)
    amount: Mapped[int] = mapped_column(BigInteger)  # 预算数 (fen)
    note: Mapped[str] = mapped_column(String(300), default="")
