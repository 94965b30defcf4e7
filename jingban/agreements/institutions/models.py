"""Institution tables: service institutions (R§61), departments, price items, agreements (R§33),
evaluations and the institution's history."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class Institution(Base):
    """社会保险服务机构: ``kind`` one of rules.INSTITUTION_KINDS (medical, pharmacy, rehab,
    device, training, bank). ``status``: applied | reviewed | rejected | contracted |
    suspended | terminated | expired."""

    __tablename__ = "service_institution"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(32), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    licence_no: Mapped[str] = mapped_column(String(64), default="")
    licence_valid_to: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="applied")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class InstitutionDepartment(Base):
    """科室: a department; ``suspended_until`` is the last day of a suspension of its service
    (中止所在部门社会保险服务, R§43)."""

    __tablename__ = "institution_department"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    suspended_until: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("institution_id", "code", name="uq_institution_dept"),)


class PriceItem(Base):
    """价格目录项: an item the institution may charge, its unit price in fen, the policy category
    (甲/乙/丙) and the self-pay share in basis points; ``daily_limit`` the clinical quantity
    limit per day; ``sex_only`` '1' (men) / '2' (women); valid from ``valid_from`` to
    ``valid_to`` (inclusive, open when null)."""

    __tablename__ = "price_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(16), default="")
    unit_price_fen: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(2))
    self_pay_bp: Mapped[int] = mapped_column(Integer, default=0)
    daily_limit: Mapped[int | None] = mapped_column(Integer)
    sex_only: Mapped[str | None] = mapped_column(String(1))
    min_age: Mapped[int | None] = mapped_column(Integer)
    max_age: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("institution_id", "code", "valid_from", name="uq_price_item_version"),
    )


class Agreement(Base):
    """服务协议 (R§33): dated, with its terms. ``status``: signed | suspended | terminated |
    expired; a suspension runs ``suspended_from``..``suspended_to`` (inclusive);
    ``termination_kind`` breach | illegal | other decides the re-sign ban (Z-12(5)).
    ``case_id`` is the signing (or renewal) case."""

    __tablename__ = "service_agreement"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"), index=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    starts_on: Mapped[dt.date] = mapped_column(Date)
    ends_on: Mapped[dt.date] = mapped_column(Date)
    terms: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="signed")
    suspended_from: Mapped[dt.date | None] = mapped_column(Date)
    suspended_to: Mapped[dt.date | None] = mapped_column(Date)
    terminated_on: Mapped[dt.date | None] = mapped_column(Date)
    termination_kind: Mapped[str | None] = mapped_column(String(16))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))


class Evaluation(Base):
    """评估: the on-site evaluation of an application (``kind`` onsite, with the result pass |
    fail) or the yearly evaluation of a contracted institution (``kind`` yearly, ``year`` and
    ``score`` 0–100)."""

    __tablename__ = "institution_evaluation"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    year: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    evaluated_on: Mapped[dt.date] = mapped_column(Date)
    evaluated_by: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))

    __table_args__ = (
        Index("ix_institution_evaluation_year", "institution_id", "kind", "year", unique=True),
    )


class InstitutionEvent(Base):
    """机构档案事件: one line of the institution's history (application, review, signing,
    renewal, evaluation, price list, each breach step); ``ref`` names the row it is about."""

    __tablename__ = "institution_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"), index=True)
    step: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(String(1000), default="")
    ref: Mapped[str] = mapped_column(String(64), default="")
    on_date: Mapped[dt.date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
