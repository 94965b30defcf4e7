"""Breach handling (R§43; issue 13 item 2): notice, statement or lapse, then the decision case;
each measure imposed, in the institution's history and its credit record; refusals write
nothing; after a termination the re-sign ban (Z-12(5)) names the day."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.agreements.breaches import rules, service
from jingban.agreements.breaches.models import BreachMeasure
from jingban.agreements.breaches.schemas import NoticeIn, StatementIn
from jingban.agreements.institutions import service as institutions
from jingban.agreements.institutions.models import Institution, InstitutionDepartment, InstitutionEvent
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import agency, clock
from jingban.core.errors import Conflict, InvalidInput
from jingban.notices.models import Notification
from jingban.oversight.models import CreditRecord
from tests.agreements.helpers import (
    MANAGER,
    ONE_DAY,
    R1,
    applied,
    approve,
    contracted,
    reviewed,
    signed,
)


@pytest.fixture(autouse=True)
def keep_clock():
    saved = clock.today().isoformat()
    yield
    clock.set_clock(saved)


def notice(db, inst, measure: str, **fields) -> BreachMeasure:
    return service.serve_notice(db, MANAGER, NoticeIn(
        institution_id=inst.id, measure=measure, facts="2026年10月抽查发现分解收费12笔", **fields))


def decided(db, row: BreachMeasure, state: str | None = None) -> BreachMeasure:
    if state:
        service.record_statement(db, MANAGER, row.id, StatementIn(text=state))
    else:
        clock.set_clock((row.statement_due + ONE_DAY).isoformat())
    case = service.submit_decision(db, MANAGER, row.id, "违约事实清楚")
    approve(db, case.id, 2)
    db.expire_all()
    return db.get(BreachMeasure, row.id)


def dept(db, inst, code="NK") -> InstitutionDepartment:
    return db.scalar(select(InstitutionDepartment).where(
        InstitutionDepartment.institution_id == inst.id, InstitutionDepartment.code == code))


def test_rules():
    bounds = {"min": 1, "max": 12}
    today = dt.date(2026, 11, 24)
    kw = dict(amount_fen=None, period_to=None, termination_kind=None, today=today, bounds=bounds)
    assert rules.measure_problem("suspend_department", months=13, department_id=1, **kw)[0] == "breach.months"
    assert rules.measure_problem("suspend_department", months=0, department_id=1, **kw)[0] == "breach.months"
    assert rules.measure_problem("suspend_department", months=12, department_id=1, **kw) is None
    assert rules.measure_problem("suspend_department", months=1, department_id=None, **kw)[0] == \
        "breach.department"
    assert rules.suspension_end(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 27)
    assert rules.suspension_end(dt.date(2026, 11, 24), 12) == dt.date(2027, 11, 23)
    assert rules.decision_problem("noticed", today, today)[0] == "breach.statement_period"
    assert rules.decision_problem("noticed", today + ONE_DAY, today) is None
    assert rules.decision_problem("stated", today, today) is None


def test_refusals_write_nothing(sessions):
    with sessions() as db:
        inst = contracted(db)
        nothing = applied(db)
        events = db.scalar(select(func.count()).select_from(InstitutionEvent))
        with pytest.raises(InvalidInput) as long:
            notice(db, inst, "suspend_department", department_id=dept(db, inst).id, months=13)
        assert long.value.code == "breach.months" and "1至12个月" in long.value.message
        with pytest.raises(InvalidInput):
            notice(db, inst, "suspend_department", department_id=dept(db, inst).id, months=0)
        with pytest.raises(InvalidInput) as no_amount:
            notice(db, inst, "recover")
        assert no_amount.value.code == "breach.amount"
        with pytest.raises(Conflict) as no_agreement:
            notice(db, nothing, "urge")
        assert no_agreement.value.code == "breach.no_agreement"
        assert db.scalar(select(func.count()).select_from(BreachMeasure)) == 0
        assert db.scalar(select(func.count()).select_from(InstitutionEvent)) == events
        row = notice(db, inst, "urge")
        cases_before = db.scalar(select(func.count()).select_from(Case))
        with pytest.raises(Conflict) as early:
            service.submit_decision(db, MANAGER, row.id, "拟直接决定")
        assert early.value.code == "breach.statement_period"
        assert row.statement_due.isoformat() in early.value.message
        assert db.scalar(select(func.count()).select_from(Case)) == cases_before
        db.expire_all()
        assert db.get(BreachMeasure, row.id).status == "noticed"
        clock.set_clock((row.statement_due + ONE_DAY).isoformat())
        with pytest.raises(Conflict) as late:
            service.record_statement(db, MANAGER, row.id, StatementIn(text="迟到的申辩"))
        assert late.value.code == "breach.statement_late"


def test_each_measure_decided_in_history_and_credit(sessions):
    with sessions() as db:
        inst = contracted(db)
        today = clock.today()
        urge = decided(db, notice(db, inst, "urge"), state="已整改，请求从轻")
        assert urge.status == "decided" and urge.stated_on == today and urge.case_id
        withhold = decided(db, notice(db, inst, "withhold", period_to=today + dt.timedelta(days=40)))
        day = clock.today()
        assert withhold.period_from == day
        assert institutions.payment_withheld(db, inst.id, day)
        assert institutions.payment_withheld(db, inst.id, withhold.period_to)
        assert not institutions.payment_withheld(db, inst.id, withhold.period_to + ONE_DAY)
        assert not institutions.payment_withheld(db, inst.id, day - ONE_DAY)
        recover = decided(db, notice(db, inst, "recover", amount="1234.56"))
        assert recover.amount_fen == 123456
        nk = dept(db, inst)
        suspend = decided(db, notice(db, inst, "suspend_department", department_id=nk.id, months=3))
        db.expire_all()
        assert dept(db, inst).suspended_until == rules.suspension_end(suspend.decided_on, 3)
        assert dept(db, inst, "WK").suspended_until is None
        records = db.scalars(select(CreditRecord).where(CreditRecord.subject_key == inst.uscc)).all()
        assert len(records) == 4 and {r.act for r in records} == {"agreement_breach"}
        assert {r.source_ref for r in records} == {f"agreement_breach:{x.id}"
                                                   for x in (urge, withhold, recover, suspend)}
        assert "1,234.56元" in next(r.description for r in records if r.source_ref.endswith(str(recover.id)))
        steps = db.scalars(select(InstitutionEvent.step).where(
            InstitutionEvent.institution_id == inst.id)).all()
        assert steps.count("breach_notice") == 4 and steps.count("breach_decide") == 4
        assert steps.count("breach_statement") == 1
        told = db.scalars(select(Notification.message).where(Notification.recipient == inst.uscc)).all()
        assert any("违约处理告知" in m and "陈述、申辩" in m for m in told)
        assert any("违约处理决定" in m and "中止所在部门" in m for m in told)


def test_drop_after_statement(sessions):
    with sessions() as db:
        inst = contracted(db)
        row = notice(db, inst, "recover", amount="100")
        service.record_statement(db, MANAGER, row.id, StatementIn(text="该费用已于上月退回，附凭证"))
        dropped = service.drop(db, MANAGER, row.id, "申辩成立，费用已退回")
        assert dropped.status == "dropped"
        assert db.scalar(select(func.count()).select_from(CreditRecord)) == 0
        with pytest.raises(Conflict):
            service.submit_decision(db, MANAGER, row.id, "再决定")


@pytest.mark.parametrize("kind,years", [("breach", 1), ("illegal", 2)])
def test_termination_and_the_resign_ban(sessions, kind, years):
    with sessions() as db:
        inst = contracted(db)
        row = decided(db, notice(db, inst, "terminate", termination_kind=kind))
        db.expire_all()
        ended = row.decided_on
        assert db.get(Institution, inst.id).status == "terminated"
        assert institutions.valid_agreement(db, inst.id, ended) is None
        assert institutions.valid_agreement(db, inst.id, ended - ONE_DAY) is not None
        possible = ended.replace(year=ended.year + years)
        clock.set_clock((possible - ONE_DAY).isoformat())
        body = {"uscc": inst.uscc, "name": inst.name, "kind": "medical", "address": inst.address,
                "licence_no": inst.licence_no,
                "licence_valid_to": (possible + dt.timedelta(days=1000)).isoformat()}
        with pytest.raises(Conflict) as banned:
            cases.submit(db, MANAGER, "AGR-APPLY", body)
        assert banned.value.code == "agreement.resign_ban"
        assert f"{possible.isoformat()}起方可重新签订" in banned.value.message
        db.expire_all()
        assert db.get(Institution, inst.id).status == "terminated"
        clock.set_clock(possible.isoformat())
        cases.submit(db, MANAGER, "AGR-APPLY", body)
        reviewed(db, inst.id)
        signed(db, inst.id)
        db.expire_all()
        assert db.get(Institution, inst.id).status == "contracted"


def test_department_suspension_read_and_a_returned_decision(sessions):
    with sessions() as db:
        inst = contracted(db)
        row = decided(db, notice(db, inst, "suspend_department", department_id=dept(db, inst).id,
                                 months=1))
        start, end = row.period_from, row.period_to
        assert institutions.department_suspended(db, inst.id, "NK", start)
        assert institutions.department_suspended(db, inst.id, "NK", end)
        assert not institutions.department_suspended(db, inst.id, "NK", end + ONE_DAY)
        assert not institutions.department_suspended(db, inst.id, "WK", start)
        other = notice(db, inst, "urge")
        service.record_statement(db, MANAGER, other.id, StatementIn(text="已整改"))
        case = service.submit_decision(db, MANAGER, other.id, "拟督促")
        with pytest.raises(Conflict):
            service.drop(db, MANAGER, other.id, "审批中不能终止")
        cases.decide(db, R1, case.id, 1, "reject", "申辩成立，退回")
        assert service.drop(db, MANAGER, other.id, "申辩成立").status == "dropped"


def test_a_statement_period_past_the_published_calendar_is_redated(sessions, tmp_path):
    """A notice in 2027 (not yet published) gets a provisional period, counted again when the
    agency loads that year's calendar (SPEC §13)."""
    with sessions() as db:
        inst = contracted(db)
    with clock.travel("2027-01-28"), sessions() as db:
        row = notice(db, inst, "urge")
        assert row.due_provisional and row.statement_due == dt.date(2027, 2, 4)
        (tmp_path / "calendar").mkdir(exist_ok=True)
        (tmp_path / "calendar" / "2027.yaml").write_text(
            "year: 2027\nreference: 国务院办公厅关于2027年部分节假日安排的通知（测试）\n"
            "holidays: [2027-02-01, 2027-02-02]\nworkdays: []\n", encoding="utf-8")
        assert agency.redate_provisional(db, MANAGER)["service_agreements"] == 1
        db.refresh(row)
        assert row.statement_due == dt.date(2027, 2, 8) and not row.due_provisional
