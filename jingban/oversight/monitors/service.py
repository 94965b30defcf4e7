"""The inspector's side of the monitors: the hit list, an explanation that closes a hit, and a
hit marked for inspection (核查, R§42). The runs themselves are in batch.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.core import audit, clock, privacy
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.excel import workbook
from jingban.oversight.inspections import service as inspections
from jingban.oversight.monitors import rules
from jingban.oversight.monitors.models import MonitorHit, MonitorRun
from jingban.oversight.monitors.schemas import ExplainIn, InspectIn
from jingban.registration.models import Employer, Person
from jingban.registration.rules import INSURANCES

audit.ACT_NAMES.update({"oversight.monitor_explain": "监测疑点说明关闭",
                        "oversight.monitor_inspect": "监测疑点转入核查"})

NAMES = {**INSURANCES, "survivor": "遗属待遇", "survivor_unemployment": "遗属待遇（失业保险基金）"}
MAX_LIMIT = 500
MAX_EXPORT = 100_000


def hit_subject(hit_id: int) -> str:
    return f"monitor_hit:{hit_id}"


def _filtered(monitor: str | None, status: str | None, subject_ref: str | None,
              raised_from: dt.date | None, raised_to: dt.date | None):
    if monitor is not None and monitor not in rules.MONITORS:
        raise InvalidInput("monitors.unknown", f"未知的监测项目：{monitor}", "monitor")
    if status is not None and status not in rules.HIT_STATUS:
        raise InvalidInput("monitors.status", f"未知的疑点状态：{status}", "status")
    stmt = select(MonitorHit)
    for column, value in ((MonitorHit.monitor, monitor), (MonitorHit.status, status),
                          (MonitorHit.subject_ref, subject_ref and subject_ref.strip().upper())):
        if value:
            stmt = stmt.where(column == value)
    if raised_from:
        stmt = stmt.where(MonitorHit.raised_on >= raised_from)
    if raised_to:
        stmt = stmt.where(MonitorHit.raised_on <= raised_to)
    return stmt


def hits(db: Session, actor: Actor, *, monitor: str | None = None, status: str | None = None,
         subject_ref: str | None = None, raised_from: dt.date | None = None,
         raised_to: dt.date | None = None, limit: int = 100, offset: int = 0) -> dict[str, Any]:
    """监测疑点: newest first, filtered; each row described in words."""
    require(actor, "oversight.read")
    stmt = _filtered(monitor, status, subject_ref, raised_from, raised_to)
    total = db.execute(stmt.with_only_columns(func.count())).scalar()
    page = stmt.order_by(MonitorHit.id.desc()).limit(max(1, min(limit, MAX_LIMIT))) \
        .offset(max(0, offset))
    return {"total": total, "rows": _described(db, list(db.execute(page).scalars()))}


def hits_xlsx(db: Session, actor: Actor, **filters: Any) -> bytes:
    """Every hit the filters select, oldest first, as an Excel sheet (openpyxl)."""
    require(actor, "oversight.read")
    stmt = _filtered(**filters)
    if db.execute(stmt.with_only_columns(func.count())).scalar() > MAX_EXPORT:
        raise InvalidInput("monitors.export_too_large",
                           f"导出不超过 {MAX_EXPORT} 条，请按监测项目、状态或日期筛选后导出", "monitor")
    rows = _described(db, list(db.execute(stmt.order_by(MonitorHit.id)).scalars()))
    privacy.log_export(db, actor, "monitor_hits.xlsx", len(rows))  # secdata
    return workbook("监测疑点", EXPORT_HEADERS, export_rows(rows), money=(7,))


def _names(db: Session, rows: list[MonitorHit]) -> dict[tuple[str, int], str]:
    persons = {r.person_id for r in rows if r.person_id and r.subject_kind == "person"}
    employers = {r.employer_id for r in rows if r.employer_id and r.subject_kind == "employer"}
    found: dict[tuple[str, int], str] = {}
    if persons:
        found.update((("person", i), n) for i, n in
                     db.execute(select(Person.id, Person.name).where(Person.id.in_(persons))))
    if employers:
        found.update((("employer", i), n) for i, n in
                     db.execute(select(Employer.id, Employer.name).where(Employer.id.in_(employers))))
    return found


def _described(db: Session, rows: list[MonitorHit]) -> list[dict[str, Any]]:
    names = _names(db, rows)
    return [describe(row, names.get((row.subject_kind, row.person_id if row.subject_kind == "person"
                                     else row.employer_id), "")) for row in rows]


def describe(row: MonitorHit, subject_name: str = "") -> dict[str, Any]:
    name, basis = rules.MONITORS[row.monitor]
    text = rules.describe(row.monitor, row.fact_key, fact_date=row.fact_date, period=row.period,
                          value_before=row.value_before, value_after=row.value_after,
                          amount=row.amount, months=row.months, ref=row.ref, names=NAMES)
    data = {c: getattr(row, c) for c in (
        "id", "monitor", "fact_key", "raised_on", "subject_kind", "subject_ref", "fact_date",
        "period", "value_before", "value_after", "amount", "months", "ref", "status",
        "closed_reason", "closed_by", "closed_on", "inspection_case_id")}
    return {**data, "monitor_name": name, "basis": basis, "description": text,
            "subject_name": subject_name, "status_name": rules.HIT_STATUS[row.status]}


def _hit(db: Session, hit_id: int, lock: bool = False) -> MonitorHit:
    stmt = select(MonitorHit).where(MonitorHit.id == hit_id)
    row = db.execute(stmt.with_for_update() if lock else stmt).scalar()
    if row is None:
        raise NotFound("monitors.hit_not_found", f"监测疑点 {hit_id} 不存在", "hit_id")
    return row


def hit(db: Session, actor: Actor, hit_id: int) -> dict[str, Any]:
    require(actor, "oversight.read")
    row = _hit(db, hit_id)
    return _described(db, [row])[0]


def _close(db: Session, actor: Actor, hit_id: int, status: str, reason: str, act: str) -> MonitorHit:
    require(actor, "oversight.monitor")
    row = _hit(db, hit_id, lock=True)
    if problem := rules.explain_problem(row.status):
        raise Conflict("monitors.hit_closed", problem, "hit_id")
    before = snapshot(row)
    row.status, row.closed_reason = status, reason
    row.closed_by, row.closed_on = actor.username, clock.today()
    db.flush()
    audit.record(db, actor, act, hit_subject(row.id), before=before, after=snapshot(row),
                 reason=reason)
    return row


@transactional
def explain(db: Session, actor: Actor, hit_id: int, data: ExplainIn) -> MonitorHit:
    """核实后有合理解释: the hit is closed with the inspector's reason."""
    return _close(db, actor, hit_id, "explained", data.reason, "oversight.monitor_explain")


@transactional
def mark_for_inspection(db: Session, actor: Actor, hit_id: int, data: InspectIn) -> MonitorHit:
    """转入核查 (R§42): the hit leaves the open list and an inspection of its subject is filed
    (an OVS-INSPECT case, once per hit: ``origin`` is the hit), in the same transaction."""
    row = _close(db, actor, hit_id, "inspection", data.reason, "oversight.monitor_inspect")
    case = inspections.open_inspection(
        db, actor, subject_kind=row.subject_kind, subject_ref=row.subject_ref,
        reason=f"{monitor_name(row.monitor)}：{describe(row)['description']}。{data.reason}"[:300],
        origin=f"hit:{row.id}")
    row.inspection_case_id = case.id
    return row


def runs(db: Session, actor: Actor, limit: int = 20) -> list[MonitorRun]:
    """The latest runs, newest first."""
    require(actor, "oversight.read")
    stmt = select(MonitorRun).order_by(MonitorRun.id.desc()).limit(max(1, min(limit, MAX_LIMIT)))
    return list(db.execute(stmt).scalars())


def monitor_name(code: str) -> str:
    return rules.MONITORS.get(code, (code, ""))[0]


EXPORT_HEADERS = ("编号", "监测项目", "发现日期", "对象类别", "对象", "名称", "疑点情况", "金额（元）",
                  "状态", "处理说明", "处理人", "处理日期", "核查业务件")


def export_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [[r["id"], r["monitor_name"], r["raised_on"].isoformat(),
             rules.SUBJECT_KINDS[r["subject_kind"]], r["subject_ref"], r["subject_name"],
             r["description"], r["amount"], r["status_name"], r["closed_reason"], r["closed_by"],
             r["closed_on"].isoformat() if r["closed_on"] else "", r["inspection_case_id"] or ""]
            for r in rows]
