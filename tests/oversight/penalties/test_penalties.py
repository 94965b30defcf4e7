"""Penalties as rules (R§55 fraud 2–5×, R§57 obstruction 10 000–50 000 yuan): the proposal shows
the legal range, the decision (three levels) records the chosen amount and the reason, a fine
outside the range is refused and writes nothing, and each collection is to be paid in within 10
working days (Z-13(1))."""

from __future__ import annotations

import datetime as dt

import pytest

from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput, PermissionDenied
from jingban.oversight.inspections import service as inspections
from jingban.oversight.penalties import rules, service
from jingban.oversight.penalties.models import Penalty, PenaltyPayment
from jingban.oversight.penalties.schemas import DecisionIn, DepositIn, PaymentIn, ProposalIn
from tests.oversight.inspections.helpers import (
    BEFORE_HOLIDAY,
    CLERK,
    INSPECTOR,
    REVIEWERS,
    approve,
    count,
    employer,
    person,
)

ACCOUNTANT = Actor("acc1", frozenset({"accountant"}), False, "counter")


def test_ranges_are_rules_with_their_articles():
    multiple, bounds = {"min": 2, "max": 5}, {"min": 1_000_000, "max": 5_000_000}
    legal = rules.fraud_range(1_234_56, multiple)
    assert (legal.low, legal.high) == (246_912, 617_280)
    assert legal.label == "2,469.12元至6,172.80元"
    assert rules.fine_problem(246_912, legal) is None and rules.fine_problem(617_280, legal) is None
    assert "超出法定幅度" in rules.fine_problem(246_911, legal)
    assert rules.fine_problem(617_281, legal) is not None
    fixed = rules.obstruction_range(bounds)
    assert fixed.label == "10,000.00元至50,000.00元"
    assert rules.fine_problem(999_999, fixed) and rules.fine_problem(5_000_001, fixed)
    assert "第五十五条" in rules.KINDS["fraud"][1] and "第五十七条" in rules.KINDS["obstruction"][1]
    assert rules.subject_problem("obstruction", "employer") and not rules.subject_problem("fraud", "person")


def fraud(db, ref: str, kind: str = "person", amount: str = "12000.00") -> Penalty:
    return service.propose(db, INSPECTOR, ProposalIn(
        kind="fraud", subject_kind=kind, subject_ref=ref, amount=amount, fund="pension_enterprise",
        facts="伪造死亡人员领取资格认证冒领养老金"))


def test_proposal_shows_the_legal_range(db):
    someone = person(db)
    row = fraud(db, someone.ssn)
    shown = service.out(db, row)
    assert (row.amount, row.range_low, row.range_high) == (1_200_000, 2_400_000, 6_000_000)
    assert shown["range_label"] == "24,000.00元至60,000.00元" and shown["status"] == "proposed"
    unit = employer(db, "某康复医院")
    obstruction = service.propose(db, INSPECTOR, ProposalIn(kind="obstruction", subject_kind="institution",
                                                            subject_ref=unit.uscc, facts="拒绝提供病历"))
    assert (obstruction.range_low, obstruction.range_high) == (1_000_000, 5_000_000)
    for bad, code in ((ProposalIn(kind="fraud", subject_kind="person", subject_ref=someone.ssn, facts="x"),
                       "penalty.amount"),
                      (ProposalIn(kind="obstruction", subject_kind="employer", subject_ref=unit.uscc,
                                  facts="x"), "penalty.subject_kind"),
                      (ProposalIn(kind="fraud", facts="x", amount="1"), "penalty.subject")):
        with pytest.raises(InvalidInput) as refused:
            service.propose(db, INSPECTOR, bad)
        assert refused.value.code == code
    with pytest.raises(PermissionDenied):
        service.propose(db, CLERK, ProposalIn(kind="obstruction", subject_kind="institution",
                                              subject_ref=unit.uscc, facts="x"))


def test_proposal_from_an_inspection_takes_its_subject(db):
    unit = employer(db)
    case = inspections.open_inspection(db, INSPECTOR, subject_kind="employer", subject_ref=unit.uscc,
                                       reason="骗取失业保险稳岗返还")
    found = inspections.by_case(db, case.id)
    row = service.propose(db, INSPECTOR, ProposalIn(kind="fraud", inspection_id=found.id, amount="5000",
                                                    fund="unemployment", facts="虚报参保人数骗取稳岗返还"))
    assert (row.subject_kind, row.subject_ref, row.inspection_id) == ("employer", unit.uscc, found.id)
    with pytest.raises(InvalidInput):
        service.propose(db, INSPECTOR, ProposalIn(kind="fraud", inspection_id=found.id, amount="1",
                                                  subject_kind="person", facts="x"))


def test_fine_outside_the_range_is_refused_and_writes_nothing(db):
    row = fraud(db, person(db).ssn)
    cases, events = count(db, Case), count(db, audit.AuditEvent)
    for fine in ("23999.99", "60000.01", "0"):
        with pytest.raises(InvalidInput) as refused:
            service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine=fine, reason="情节较轻"))
        assert refused.value.code == "penalty.out_of_range" and refused.value.field == "fine"
        assert "24,000.00元至60,000.00元" in refused.value.message
    with pytest.raises(InvalidInput) as bad:
        service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine="abc", reason="x"))
    assert bad.value.code == "money.invalid"
    db.refresh(row)
    assert (row.status, row.decision_case_id, row.fine) == ("proposed", None, None)
    assert (count(db, Case), count(db, audit.AuditEvent)) == (cases, events)


def test_decision_records_the_chosen_amount_and_reason_after_three_levels(db):
    row = fraud(db, person(db).ssn)
    case = service.submit_decision(db, INSPECTOR, row.id, DecisionIn(
        fine="36000.00", reason="主动退回部分款项，按3倍处罚"))
    assert (case.item_code, case.levels_required, case.status) == ("OVS-PENALTY", 3, "in_review")
    with pytest.raises(Conflict):
        service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine="36000", reason="again"))
    approve(db, case.id, 2)
    db.refresh(row)
    assert (row.status, row.fine) == ("deciding", None)
    cases.decide(db, REVIEWERS[2], case.id, 3, "approve", "同意")
    db.refresh(row)
    assert (row.status, row.fine, row.decided_by) == ("decided", 3_600_000, "rev3")
    assert row.decision_case_id == case.id
    assert row.decision_reason == "主动退回部分款项，按3倍处罚"
    assert service.out(db, row)["owed"] == {"recovered": 1_200_000, "fine": 3_600_000}
    with pytest.raises(Conflict):
        service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine="36000", reason="again"))


def test_a_returned_decision_can_be_proposed_again(db):
    row = fraud(db, person(db).ssn)
    case = service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine="24000", reason="从轻"))
    cases.decide(db, REVIEWERS[0], case.id, 1, "reject", "裁量理由不充分")
    assert service.out(db, row)["status_name"] == "处罚决定被退回，可修改后重新提请"
    with pytest.raises(InvalidInput):  # the corrected amount is checked again
        service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine="60001", reason="超过"))
    again = service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine="48000", reason="按4倍处罚"))
    assert (again.id, again.round, again.status) == (case.id, 2, "in_review")
    approve(db, again.id, 3)
    db.refresh(row)
    assert (row.fine, row.decision_reason) == (4_800_000, "按4倍处罚")


def decided(db) -> Penalty:
    row = fraud(db, person(db).ssn)
    approve(db, service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine="24000", reason="2倍")).id, 3)
    db.refresh(row)
    return row


def test_collections_are_paid_in_within_ten_working_days(db):
    with clock.travel(BEFORE_HOLIDAY):
        row = decided(db)
        with pytest.raises(Conflict):  # before the decision there is nothing to collect
            service.record_payment(db, INSPECTOR, fraud(db, person(db).ssn).id,
                                   PaymentIn(part="fine", amount="1"))
        paid = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="12000"))
    # 10 wd from 2026-09-23 over the Mid-Autumn and National Day holidays -> 2026-10-14
    assert (paid.deposit_wd, paid.deposit_due, paid.due_provisional) == (10, dt.date(2026, 10, 14), False)
    with pytest.raises(InvalidInput) as too_much:
        service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="0.01"))
    assert too_much.value.code == "penalty.amount"
    with clock.travel("2026-10-15"):
        fine = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(
            part="fine", amount="10000", collected_on=dt.date(2026, 10, 9)))
        assert service.out(db, row)["payments"][0]["overdue"]  # collected, not paid in, past due
        service.record_deposit(db, ACCOUNTANT, row.id, paid.id, DepositIn(reference="SR2026101501"))
        with pytest.raises(Conflict):
            service.record_deposit(db, ACCOUNTANT, row.id, paid.id, DepositIn(reference="again"))
        service.record_deposit(db, ACCOUNTANT, row.id, fine.id, DepositIn(reference="FM01"))
        shown = service.out(db, row)
    assert shown["collected"] == {"recovered": 1_200_000, "fine": 1_000_000}
    first, second = shown["payments"]
    assert first["overdue"] and first["deposited_on"] == dt.date(2026, 10, 15)  # paid in late
    assert second["deposit_due"] == dt.date(2026, 10, 22) and not second["overdue"]
    assert count(db, PenaltyPayment) == 2
    with pytest.raises(PermissionDenied):
        service.record_payment(db, CLERK, row.id, PaymentIn(part="fine", amount="1"))
