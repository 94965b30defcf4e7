"""Service institutions and their agreements: the reads other areas (claims, settlement) use.

``valid_agreement`` answers whether the institution may provide contracted service on a day;
``price_list`` is the list in force that day; ``payment_withheld`` whether a decided breach
measure withholds or suspends its payment that day (R§43 暂停或者不予拨付费用).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jingban.agreements.breaches.models import BreachMeasure
from jingban.agreements.institutions.models import Agreement, Institution, PriceItem
from jingban.core.errors import NotFound
from jingban.core.ids import validate_uscc


def get_institution(db: Session, institution_id: int) -> Institution:
    row = db.get(Institution, institution_id)
    if row is None:
        raise NotFound("institution.not_found", "服务机构不存在", "institution_id")
    return row


def by_uscc(db: Session, uscc: str) -> Institution:
    code = validate_uscc(uscc)
    row = db.scalar(select(Institution).where(Institution.uscc == code))
    if row is None:
        raise NotFound("institution.unknown_uscc",
                       f"统一社会信用代码 {code} 未登记为社会保险服务机构", "uscc")
    return row


def valid_agreement(db: Session, institution_id: int, on: dt.date) -> Agreement | None:
    """The agreement in force on ``on``: signed, ``on`` inside its term, not inside a suspension
    and before its termination (a service day before a later termination still counts)."""
    rows = db.scalars(select(Agreement).where(
        Agreement.institution_id == institution_id,
        Agreement.starts_on <= on, Agreement.ends_on >= on).order_by(Agreement.starts_on.desc()))
    for row in rows:
        if row.terminated_on is not None and row.terminated_on <= on:
            continue
        if row.suspended_from and row.suspended_from <= on <= (row.suspended_to or dt.date.max):
            continue
        return row
    return None


def price_list(db: Session, institution_id: int, on: dt.date) -> dict[str, PriceItem]:
    """Code → the price item in force on ``on`` (the latest version that started by then)."""
    rows = db.scalars(select(PriceItem).where(
        PriceItem.institution_id == institution_id, PriceItem.valid_from <= on,
        or_(PriceItem.valid_to.is_(None), PriceItem.valid_to >= on),
    ).order_by(PriceItem.code, PriceItem.valid_from))
    return {row.code: row for row in rows}


def payment_withheld(db: Session, institution_id: int, on: dt.date) -> bool:
    """Whether a decided 暂停/不予拨付 measure covers ``on`` (its period, open-ended when no end)."""
    found = db.scalar(select(BreachMeasure.id).where(
        BreachMeasure.institution_id == institution_id, BreachMeasure.measure == "withhold",
        BreachMeasure.status == "decided", BreachMeasure.period_from <= on,
        or_(BreachMeasure.period_to.is_(None), BreachMeasure.period_to >= on)).limit(1))
    return found is not None
