"""What the agreement manager looks at: the list of institutions, one institution with its
departments, agreements and evaluations, its history, and the Excel sheet of the list."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements.institutions import rules
from jingban.agreements.institutions.models import (
    Agreement,
    Evaluation,
    Institution,
    InstitutionDepartment,
    InstitutionEvent,
)
from jingban.agreements.institutions.service import get_institution, valid_agreement
from jingban.core import clock, excel
from jingban.core.actor import Actor
from jingban.core.auth import require

HISTORY_STEPS = {
    "apply": "定点申请", "review": "现场评估审核", "sign": "签订服务协议", "renew": "续签服务协议",
    "evaluate": "年度考核评价", "prices": "导入价格目录", "breach_notice": "违约处理告知",
    "breach_statement": "陈述申辩", "breach_submit": "提请违约处理决定",
    "breach_decide": "违约处理决定", "breach_drop": "不予违约处理", "expire": "服务协议期满",
    "breach_repayment": "违约追回款到账",
}
SHEET_HEADERS = ("统一社会信用代码", "机构名称", "类别", "等级", "地址", "许可证号", "许可证有效期至",
                 "状态", "现行协议编号", "协议期限至")


def institutions(db: Session, actor: Actor, status: str | None = None, kind: str | None = None,
                 query: str | None = None) -> list[Institution]:
    require(actor, "agreements.read")
    stmt = select(Institution).order_by(Institution.id)
    if status:
        stmt = stmt.where(Institution.status == status)
    if kind:
        stmt = stmt.where(Institution.kind == kind)
    if query:
        like = f"%{query.strip()}%"
        stmt = stmt.where(Institution.name.like(like) | Institution.uscc.like(like.upper()))
    return list(db.scalars(stmt.limit(2000)))


def institution(db: Session, actor: Actor, institution_id: int) -> Institution:
    require(actor, "agreements.read")
    return get_institution(db, institution_id)


def departments(db: Session, institution_id: int) -> list[InstitutionDepartment]:
    return list(db.scalars(select(InstitutionDepartment).where(
        InstitutionDepartment.institution_id == institution_id).order_by(InstitutionDepartment.code)))


def agreements(db: Session, institution_id: int) -> list[Agreement]:
    return list(db.scalars(select(Agreement).where(Agreement.institution_id == institution_id)
                           .order_by(Agreement.starts_on)))


def evaluations(db: Session, institution_id: int) -> list[Evaluation]:
    return list(db.scalars(select(Evaluation).where(Evaluation.institution_id == institution_id)
                           .order_by(Evaluation.evaluated_on, Evaluation.id)))


def history(db: Session, actor: Actor, institution_id: int) -> list[dict]:
    """Every step of the institution's life, oldest first."""
    require(actor, "agreements.read")
    rows = db.scalars(select(InstitutionEvent).where(InstitutionEvent.institution_id == institution_id)
                      .order_by(InstitutionEvent.id))
    return [{"on": r.on_date, "step": r.step, "name": HISTORY_STEPS.get(r.step, r.step),
             "note": r.note, "by": r.by, "ref": r.ref} for r in rows]


def sheet(db: Session, actor: Actor, rows: list[Institution], on: dt.date | None = None) -> bytes:
    """The list as an Excel sheet, with the agreement in force today."""
    require(actor, "agreements.read")
    day = on or clock.today()
    lines = []
    for row in rows:
        current = valid_agreement(db, row.id, day)
        lines.append((row.uscc, row.name, rules.INSTITUTION_KINDS[row.kind], row.level, row.address,
                      row.licence_no, row.licence_valid_to, rules.STATUSES[row.status],
                      current.number if current else "", current.ends_on if current else None))
    return excel.workbook("服务机构", SHEET_HEADERS, lines)
