"""The serious-dishonesty list's whole life (R§45; seed 002): criteria read the credit records
recovery writes; proposal; no listing without the prior notice nor before the statement period
ends; the decision case; publication; objection (dismissed and upheld); credit repair; removal
refused before the period and done after it; every step in the subject's credit history."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput, PermissionDenied
from jingban.notices.models import Notification
from jingban.oversight import service as oversight
from jingban.oversight.dishonesty import batch, rules, service
from jingban.oversight.dishonesty.models import DishonestyListing
from jingban.oversight.dishonesty.schemas import ProposalIn, StatementIn
from jingban.oversight.models import CreditEvent
from jingban.oversight.schemas import CreditIn
from jingban.registration import service as registration
from jingban.registration.schemas import PersonCreate
from tests.conftest import person_body

INSPECTOR = Actor("insp", frozenset({"inspector"}), True, "counter")
CLERK = Actor("clerk1", frozenset({"clerk"}), True, "counter")
R1 = Actor("rev1", frozenset({"reviewer_1"}), True, "counter")
R2 = Actor("rev2", frozenset({"reviewer_2"}), True, "counter")
SUP = Actor("sup", frozenset({"supervisor"}), True, "counter")
ONE_DAY = dt.timedelta(days=1)


def person_with_credits(db, *acts: str) -> str:
    """A registered person with the credit records recovery writes (source: a debt)."""
    person = registration.register_person(db, CLERK, PersonCreate(**person_body()))
    for n, act in enumerate(acts):
        oversight.record_credit(db, CLERK, CreditIn(
            subject_kind="person", subject_key=person.ssn, subject_name=person.name, act=act,
            description="多领养老金未退回", source_ref=f"benefit_debt:{person.id}{n}"))
    return person.ssn


def propose(db, ssn: str) -> DishonestyListing:
    return service.propose(db, INSPECTOR, ProposalIn(subject_kind="person", subject_key=ssn,
                                                     reason="经催告仍拒不退回多领待遇"))


def approve(db, case_id: int, *levels: tuple[int, Actor]) -> Case:
    for level, who in levels or ((1, R1), (2, R2)):
        case = cases.decide(db, who, case_id, level, "approve", "同意")
    return case


def listed(db, ssn: str) -> DishonestyListing:
    """Proposed, noticed, the period over, decided: listed (the clock is left after the period)."""
    listing = propose(db, ssn)
    service.serve_notice(db, INSPECTOR, listing.id)
    clock.set_clock((db.get(DishonestyListing, listing.id).statement_due + ONE_DAY).isoformat())
    case = service.submit_decision(db, INSPECTOR, listing.id, "陈述申辩期满，无新的事实和理由")
    approve(db, case.id)
    db.expire_all()
    return db.get(DishonestyListing, listing.id)


@pytest.fixture(autouse=True)
def keep_clock():
    saved = clock.today().isoformat()
    yield
    clock.set_clock(saved)


def test_criteria_are_rules():
    today = dt.date(2026, 6, 1)
    criteria = {"serious": ["fraud"], "repeat": ["overpayment_refused", "refuse_enrollment"],
                "repeat_count": 2, "repeat_months": 24}
    one = [rules.Credit(1, "overpayment_refused", today)]
    assert rules.meets_criteria(one, today, criteria, {}) is None
    old = [rules.Credit(2, "refuse_enrollment", dt.date(2024, 5, 31))]
    assert rules.meets_criteria(one + old, today, criteria, {}) is None  # outside 24 months
    two = one + [rules.Credit(3, "refuse_enrollment", dt.date(2024, 6, 1))]
    assert rules.meets_criteria(two, today, criteria, {}).record_ids == (1, 3)
    fraud = rules.meets_criteria([rules.Credit(4, "fraud", today)], today, criteria, {"fraud": "骗保"})
    assert fraud.criterion == "serious" and "骗保" in fraud.text
    assert rules.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert rules.mask_key("person", "330106199005060011") == "3301**********0011"


def test_refusals_write_nothing(sessions):
    with sessions() as db:
        one = person_with_credits(db, "overpayment_refused")
        with pytest.raises(InvalidInput) as below:
            propose(db, one)
        assert below.value.code == "dishonesty.criteria"
        ssn = person_with_credits(db, "overpayment_refused", "overpayment_agreement_breach")
        with pytest.raises(PermissionDenied):
            service.propose(db, SUP, ProposalIn(subject_kind="person", subject_key=ssn, reason="x"))
        listing = propose(db, ssn)
        assert listing.criterion == "repeat" and listing.status == "proposed"
        with pytest.raises(Conflict) as twice:
            propose(db, ssn)
        assert twice.value.code == "dishonesty.active"
        cases_before = db.scalar(select(func.count()).select_from(Case))
        with pytest.raises(Conflict) as no_notice:
            service.submit_decision(db, INSPECTOR, listing.id, "拟直接列入")
        assert no_notice.value.code == "dishonesty.no_notice"
        service.serve_notice(db, INSPECTOR, listing.id)
        with pytest.raises(Conflict) as early:
            service.submit_decision(db, INSPECTOR, listing.id, "期限未满即列入")
        assert early.value.code == "dishonesty.statement_period"
        assert db.scalar(select(func.count()).select_from(Case)) == cases_before
        db.expire_all()
        assert db.get(DishonestyListing, listing.id).status == "noticed"
        assert db.get(DishonestyListing, listing.id).decision_case_id is None


def test_whole_lifecycle_to_removal_after_the_period(sessions):
    with sessions() as db:
        ssn = person_with_credits(db, "overpayment_refused", "overpayment_agreement_breach")
        listing = propose(db, ssn)
        noticed = service.serve_notice(db, INSPECTOR, listing.id)
        notice = db.execute(select(Notification).where(Notification.recipient == ssn,
                                                       Notification.kind == "dishonesty")).scalar()
        assert "陈述、申辩" in notice.message and noticed.statement_due > clock.today()
        service.record_statement(db, CLERK, listing.id, StatementIn(text="本人确有困难，请求分期"))
        clock.set_clock((noticed.statement_due + ONE_DAY).isoformat())
        with pytest.raises(Conflict) as late:
            service.record_statement(db, CLERK, listing.id, StatementIn(text="补充陈述"))
        assert late.value.code == "dishonesty.statement_late"
        case = service.submit_decision(db, INSPECTOR, listing.id, "陈述理由不成立")
        assert case.item_code == "OVS-DISHONESTY-LIST" and case.levels_required == 2
        assert db.get(DishonestyListing, listing.id).status == "noticed"  # not before approval
        approve(db, case.id)
        db.expire_all()
        done = db.get(DishonestyListing, listing.id)
        assert done.status == "listed" and done.decision_case_id == case.id
        assert done.listed_until == rules.add_months(done.listed_on, 36)
        assert [x.id for x in service.published(db)] == [done.id]
        with pytest.raises(Conflict) as removal:
            service.remove(db, INSPECTOR, done.id)
        assert removal.value.code == "dishonesty.removal_early"
        with pytest.raises(Conflict) as repair:
            service.apply_repair(db, CLERK, done.id, "已退回", ["correction_proof"])
        assert repair.value.code == "dishonesty.repair_early"
        objection = service.file_objection(db, CLERK, done.id, "欠款数额有误")
        cases.decide(db, R1, objection.id, 1, "reject", "欠款数额经核对无误，异议不成立")
        db.expire_all()
        assert db.get(DishonestyListing, done.id).status == "listed"
        clock.set_clock(done.listed_until.isoformat())
        removed = service.remove(db, INSPECTOR, done.id)
        assert removed.status == "removed" and service.published(db) == []
        assert service.remove_expired(db, INSPECTOR, service.expired_ids(db, clock.today())) == 0
        steps = [line["step"] for line in service.history(db, INSPECTOR, removed)]
        assert steps[:2] == ["credit_record", "credit_record"]
        for step in ("proposed", "noticed", "statement", "decision_case", "case_approve", "listed",
                     "objection", "case_reject", "removed"):
            assert step in steps, step
        assert steps.index("proposed") < steps.index("noticed") < steps.index("listed") \
            < steps.index("removed")


def test_objection_upheld_and_repair(sessions):
    with sessions() as db:
        first = listed(db, person_with_credits(db, "fraud"))
        assert first.criterion == "serious"
        objection = service.file_objection(db, CLERK, first.id, "系他人冒用身份")
        approve(db, objection.id, (1, R1))
        db.expire_all()
        assert db.get(DishonestyListing, first.id).status == "revoked"
        second = listed(db, person_with_credits(db, "overpayment_refused", "refuse_enrollment"))
        clock.set_clock(second.repair_from.isoformat())
        case = service.apply_repair(db, CLERK, second.id, "已全额退回多领待遇", ["correction_proof"])
        approve(db, case.id)
        db.expire_all()
        repaired = db.get(DishonestyListing, second.id)
        assert repaired.status == "repaired" and repaired.repair_case_id == case.id
        assert service.published(db) == []
        events = db.scalars(select(CreditEvent.step).where(
            CreditEvent.subject_key == repaired.subject_key).order_by(CreditEvent.id)).all()
        assert events[-2:] == ["repair_applied", "repaired"]


def test_expired_listings_are_swept(sessions):
    with sessions() as db:
        done = listed(db, person_with_credits(db, "card_forgery"))
        assert service.expired_ids(db, clock.today()) == []
        clock.set_clock(done.listed_until.isoformat())
        assert service.expired_ids(db, clock.today()) == [done.id]
        seen = []
        assert batch.sweep(db, INSPECTOR, lambda n, total: seen.append((n, total))) == 1
        assert seen == [(1, 1)] and batch.sweep(db, INSPECTOR) == 0  # a rerun does nothing
        db.expire_all()
        assert db.get(DishonestyListing, done.id).status == "removed"
        with pytest.raises(PermissionDenied):
            batch.sweep(db, SUP)
