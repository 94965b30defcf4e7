"""Shared steps of the agreements tests: an institution taken through the cases to a signed
agreement, with its departments."""

from __future__ import annotations

import datetime as dt

from jingban.agreements.institutions import rules
from jingban.agreements.institutions.models import Agreement, Institution
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from tests.conftest import uscc

MANAGER = Actor("mgr", frozenset({"agreement_manager"}), True, "counter")
R1 = Actor("rev1", frozenset({"reviewer_1"}), True, "counter")
R2 = Actor("rev2", frozenset({"reviewer_2"}), True, "counter")
ONE_DAY = dt.timedelta(days=1)


def approve(db, case_id: int, levels: int = 1):
    case = None
    for level, who in ((1, R1), (2, R2))[:levels]:
        case = cases.decide(db, who, case_id, level, "approve", "同意")
    return case


def application(code: str | None = None, **overrides) -> dict:
    body = {"uscc": code or uscc(), "name": "杭州市西湖区第一人民医院", "kind": "medical",
            "level": "二级甲等", "address": "杭州市西湖区文三路10号", "licence_no": "PDY12345",
            "licence_valid_to": rules.add_years(clock.today(), 8).isoformat(),
            "departments": [{"code": "NK", "name": "内科"}, {"code": "WK", "name": "外科"}]}
    body.update(overrides)
    return body


def applied(db, **overrides) -> Institution:
    case = cases.submit(db, MANAGER, "AGR-APPLY", application(**overrides))
    assert case.status == "completed", case.status
    return db.get(Institution, int(case.subject.split(":")[1]))


def reviewed(db, inst_id: int, result: str = "pass") -> None:
    case = cases.submit(db, MANAGER, "AGR-REVIEW", {
        "institution_id": inst_id, "evaluated_on": clock.today().isoformat(), "result": result,
        "note": "现场查看科室设置、医保管理制度和信息系统，符合条件"})
    approve(db, case.id, 1)


def signed(db, inst_id: int, starts_on: dt.date | None = None, years: int = 2) -> Agreement:
    start = starts_on or clock.today()
    case = cases.submit(db, MANAGER, "AGR-SIGN", {
        "institution_id": inst_id, "kind": "medical", "starts_on": start.isoformat(),
        "ends_on": start.replace(year=start.year + years).isoformat(),
        "terms": {"scope": "门诊、住院", "settlement": "按月结算"}})
    approve(db, case.id, 2)
    db.expire_all()
    return db.get(Institution, inst_id), case


def contracted(db, **overrides) -> Institution:
    inst = applied(db, **overrides)
    reviewed(db, inst.id)
    signed(db, inst.id)
    db.expire_all()
    return db.get(Institution, inst.id)
