"""An institution from application to renewal (R§33; issue 13 item 1): the cases, the on-site
evaluation, the dated agreement, the yearly evaluation and the renewal; the re-sign ban after a
termination (Z-12(5)) with the date in the error; the reads claims use."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.agreements.institutions import rules, service
from jingban.agreements.institutions.models import (
    Agreement,
    Evaluation,
    Institution,
    InstitutionDepartment,
    InstitutionEvent,
)
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from tests.agreements.helpers import (
    MANAGER,
    ONE_DAY,
    R1,
    application,
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


def test_ban_dates_are_rules():
    bans = {"breach": 1, "illegal": 2}
    day = dt.date(2026, 3, 10)
    assert rules.resign_possible_from(day, "breach", bans) == dt.date(2027, 3, 10)
    assert rules.resign_possible_from(day, "illegal", bans) == dt.date(2028, 3, 10)
    assert rules.resign_possible_from(day, "other", bans) is None
    assert rules.resign_possible_from(dt.date(2028, 2, 29), "breach", bans) == dt.date(2029, 2, 28)
    code, message = rules.resign_problem(day, "breach", dt.date(2027, 3, 9), bans)
    assert code == "agreement.resign_ban" and "2027-03-10起方可重新签订" in message and "一年" in message
    assert rules.resign_problem(day, "breach", dt.date(2027, 3, 10), bans) is None
    assert "两年" in rules.resign_problem(day, "illegal", dt.date(2028, 3, 9), bans)[1]
    assert rules.resign_problem(day, "illegal", dt.date(2028, 3, 10), bans) is None
    grades = {"excellent": 90, "good": 75, "pass": 60}
    assert [rules.grade(s, grades) for s in (95, 90, 80, 60, 59)] == [
        "excellent", "excellent", "good", "pass", "fail"]


def test_application_review_sign_and_reads(sessions):
    with sessions() as db:
        inst = applied(db)
        assert inst.status == "applied" and inst.kind == "medical"
        assert service.by_uscc(db, inst.uscc.lower()).id == inst.id
        depts = db.scalars(select(InstitutionDepartment.code).where(
            InstitutionDepartment.institution_id == inst.id)).all()
        assert sorted(depts) == ["NK", "WK"]
        reviewed(db, inst.id)
        onsite = db.scalar(select(Evaluation).where(Evaluation.institution_id == inst.id))
        assert onsite.kind == "onsite" and onsite.result == "pass" and onsite.case_id
        today = clock.today()
        assert service.valid_agreement(db, inst.id, today) is None
        inst, case = signed(db, inst.id)
        assert inst.status == "contracted"
        agreement = service.valid_agreement(db, inst.id, today)
        assert agreement.status == "signed" and agreement.case_id == case.id
        assert agreement.terms["settlement"] == "按月结算"
        assert agreement.number.startswith("FWXY")
        assert service.valid_agreement(db, inst.id, today - ONE_DAY) is None
        assert service.valid_agreement(db, inst.id, agreement.ends_on + ONE_DAY) is None
        assert service.payment_withheld(db, inst.id, today) is False
        steps = db.scalars(select(InstitutionEvent.step).where(
            InstitutionEvent.institution_id == inst.id).order_by(InstitutionEvent.id)).all()
        assert steps == ["apply", "review", "sign"]


def test_refusals_write_nothing(sessions):
    with sessions() as db:
        before = db.scalar(select(func.count()).select_from(Institution))
        with pytest.raises(InvalidInput) as bad_uscc:
            cases.submit(db, MANAGER, "AGR-APPLY", application(code="91330106MA0000000X"))
        assert bad_uscc.value.code.startswith("uscc.")
        with pytest.raises(InvalidInput) as old_licence:
            cases.submit(db, MANAGER, "AGR-APPLY", application(
                licence_valid_to=(clock.today() - ONE_DAY).isoformat()))
        assert old_licence.value.code == "institution.licence_expired"
        with pytest.raises(PermissionDenied):
            cases.submit(db, R1, "AGR-APPLY", application())
        assert db.scalar(select(func.count()).select_from(Institution)) == before
        with pytest.raises(NotFound) as unknown:
            service.by_uscc(db, application()["uscc"])
        assert unknown.value.code == "institution.unknown_uscc" and "未登记" in unknown.value.message
        inst = applied(db)
        with pytest.raises(Conflict) as twice:
            cases.submit(db, MANAGER, "AGR-APPLY", application(code=inst.uscc))
        assert twice.value.code == "institution.exists"
        cases_before = db.scalar(select(func.count()).select_from(cases.Case))
        with pytest.raises(Conflict) as unreviewed:
            signed(db, inst.id)
        assert unreviewed.value.code == "institution.not_reviewed"
        reviewed(db, inst.id)
        today = clock.today()
        with pytest.raises(InvalidInput) as backwards:
            cases.submit(db, MANAGER, "AGR-SIGN", {
                "institution_id": inst.id, "kind": "medical", "starts_on": today.isoformat(),
                "ends_on": (today - ONE_DAY).isoformat(), "terms": {}})
        assert backwards.value.code == "agreement.term"
        with pytest.raises(InvalidInput) as licence:
            signed(db, inst.id, starts_on=inst.licence_valid_to + ONE_DAY)
        assert licence.value.code == "institution.licence_expired"
        assert db.scalar(select(func.count()).select_from(cases.Case)) == cases_before + 1
        assert db.scalar(select(func.count()).select_from(Agreement)) == 0


def test_failed_review_rejects_and_allows_a_new_application(sessions):
    with sessions() as db:
        inst = applied(db)
        reviewed(db, inst.id, "fail")
        db.expire_all()
        assert db.get(Institution, inst.id).status == "rejected"
        again = applied(db, code=inst.uscc, name="杭州市西湖区第一人民医院（整改后）")
        assert again.id == inst.id and again.status == "applied"


def test_yearly_evaluation_and_renewal(sessions):
    with sessions() as db:
        inst = contracted(db)
        agreement = service.valid_agreement(db, inst.id, clock.today())
        renewal = {"agreement_id": agreement.id,
                   "ends_on": rules.add_years(agreement.ends_on, 2).isoformat()}
        with pytest.raises(Conflict) as none_yet:
            cases.submit(db, MANAGER, "AGR-RENEW", renewal)
        assert none_yet.value.code == "agreement.no_evaluation"
        year = clock.today().year
        case = cases.submit(db, MANAGER, "AGR-EVALUATE", {
            "institution_id": inst.id, "year": year, "score": 55, "note": "病历书写不规范"})
        approve(db, case.id, 1)
        with pytest.raises(Conflict) as twice:
            cases.submit(db, MANAGER, "AGR-EVALUATE", {
                "institution_id": inst.id, "year": year, "score": 80, "note": "重复"})
        assert twice.value.code == "evaluation.exists"
        with pytest.raises(Conflict) as failed:
            cases.submit(db, MANAGER, "AGR-RENEW", renewal)
        assert failed.value.code == "agreement.evaluation_failed" and str(year) in failed.value.message
        clock.set_clock(f"{year + 1}-03-02")
        case = cases.submit(db, MANAGER, "AGR-EVALUATE", {
            "institution_id": inst.id, "year": year + 1, "score": 92, "note": "整改到位"})
        approve(db, case.id, 1)
        row = db.scalar(select(Evaluation).where(Evaluation.year == year + 1))
        assert (row.score, row.result) == (92, "excellent")
        case = cases.submit(db, MANAGER, "AGR-RENEW", renewal)
        approve(db, case.id, 1)
        db.expire_all()
        new = service.valid_agreement(db, inst.id, agreement.ends_on + ONE_DAY)
        assert new.id != agreement.id and new.starts_on == agreement.ends_on + ONE_DAY
        assert new.terms == agreement.terms
        assert service.valid_agreement(db, inst.id, agreement.ends_on).id == agreement.id
        with pytest.raises(Conflict) as again:
            cases.submit(db, MANAGER, "AGR-RENEW", renewal)
        assert again.value.code == "agreement.renewed"
