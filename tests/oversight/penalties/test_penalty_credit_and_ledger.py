"""What a decided penalty sets going: a fraud (R§55) becomes a credit record of the subject
(R§45, D§43(二)) that meets the serious-dishonesty criteria; the recovered money paid into the
fund's income account is booked in that fund's ledger once (Z-13(1)); the fine, paid to the
fiscal penalty account, is not the fund's money and is not booked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jingban.core import clock
from jingban.core.errors import InvalidInput
from jingban.funds.ledger import rules as ledger_rules
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.oversight.dishonesty import service as dishonesty
from jingban.oversight.dishonesty.schemas import ProposalIn as ListingIn
from jingban.oversight.models import CreditRecord
from jingban.oversight.penalties import service
from jingban.oversight.penalties.schemas import DecisionIn, DepositIn, PaymentIn, ProposalIn
from tests.oversight.inspections.helpers import INSPECTOR, approve, count, employer, person
from tests.oversight.penalties.test_penalties import ACCOUNTANT
from tests.web.helpers import sign_in


def decided_fraud(db, ssn: str):
    row = service.propose(db, INSPECTOR, ProposalIn(
        kind="fraud", subject_kind="person", subject_ref=ssn, amount="3000.00",
        fund="pension_enterprise", facts="冒领已故母亲的养老金"))
    approve(db, service.submit_decision(db, INSPECTOR, row.id,
                                        DecisionIn(fine="6000", reason="2倍")).id, 3)
    db.refresh(row)
    return row


def test_a_decided_fraud_is_a_credit_record_that_meets_the_criteria(db):
    someone = person(db)
    with pytest.raises(InvalidInput) as not_yet:  # nothing recorded: the criteria are not met
        dishonesty.propose(db, INSPECTOR, ListingIn(subject_kind="person", subject_key=someone.ssn,
                                                    reason="骗取养老金"))
    assert not_yet.value.code == "dishonesty.criteria"
    row = service.propose(db, INSPECTOR, ProposalIn(
        kind="fraud", subject_kind="person", subject_ref=someone.ssn, amount="3000.00",
        fund="pension_enterprise", facts="冒领已故母亲的养老金"))
    assert count(db, CreditRecord) == 0  # a proposal is not yet a finding
    approve(db, service.submit_decision(db, INSPECTOR, row.id,
                                        DecisionIn(fine="6000", reason="2倍")).id, 3)
    db.refresh(row)
    record = db.execute(select(CreditRecord)).scalar_one()
    assert (record.subject_kind, record.subject_key, record.act) == ("person", someone.ssn, "fraud")
    assert record.source_ref == f"penalty:{row.id}" and record.recorded_by == "rev3"
    assert "3,000.00元" in record.description and "6,000.00元" in record.description
    assert service.out(db, row)["credit_record_id"] == record.id
    listing = dishonesty.propose(db, INSPECTOR, ListingIn(
        subject_kind="person", subject_key=someone.ssn, reason="骗取养老金，已作出处罚决定"))
    assert listing.criterion == "serious" and listing.credit_ids == str(record.id)


def test_an_obstruction_fine_writes_no_credit_record(db):
    unit = employer(db, "某康复医院")
    row = service.propose(db, INSPECTOR, ProposalIn(kind="obstruction", subject_kind="institution",
                                                    subject_ref=unit.uscc, facts="拒绝提供病历"))
    approve(db, service.submit_decision(db, INSPECTOR, row.id,
                                        DecisionIn(fine="10000", reason="首次")).id, 3)
    assert count(db, CreditRecord) == 0


def test_a_fraud_names_its_fund_and_an_obstruction_none(db):
    someone, unit = person(db), employer(db, "某康复医院")
    for data in (ProposalIn(kind="fraud", subject_kind="person", subject_ref=someone.ssn,
                            amount="10", facts="x"),
                 ProposalIn(kind="obstruction", subject_kind="institution", subject_ref=unit.uscc,
                            fund="medical_employee", facts="x")):
        with pytest.raises(InvalidInput) as refused:
            service.propose(db, INSPECTOR, data)
        assert refused.value.code == "penalty.fund" and refused.value.field == "fund"


def test_the_recovered_money_paid_in_is_booked_in_its_fund_and_the_fine_is_not(db):
    row = decided_fraud(db, person(db).ssn)
    back = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="3000"))
    fine = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="fine", amount="6000"))
    assert count(db, JournalEntry) == 0  # collected, not yet in the fund's account
    assert service.out(db, row)["payments"][0]["deposit_due"] == back.deposit_due
    service.record_deposit(db, ACCOUNTANT, row.id, back.id, DepositIn(reference="SR-1"))
    service.record_deposit(db, ACCOUNTANT, row.id, fine.id, DepositIn(reference="FM-1"))
    entry = db.execute(select(JournalEntry)).scalar_one()
    assert (entry.fund, entry.amount, entry.source) == ("pension_enterprise", 300_000,
                                                       f"penalty_payment:{back.id}")
    assert entry.entry_on == clock.today() and "SR-1" in entry.memo
    banks = ledger.banks(db)
    sums = ledger.totals(db, "pension_enterprise")
    assert sums[banks["income"]] == (300_000, 0)
    assert sums[ledger_rules.OTHER_INCOME] == (0, 300_000)
    shown = service.out(db, row)["payments"]
    assert shown[0]["entry_id"] == entry.id and shown[1]["entry_id"] is None
    # booking is idempotent on its source: a rerun of the booking books nothing more
    again = ledger.book_penalty_recovery(db, ACCOUNTANT, "pension_enterprise", 300_000,
                                         f"penalty_payment:{back.id}", "rerun", clock.today())
    assert again.id == entry.id and count(db, JournalEntry) == 1


def test_the_penalty_page_shows_the_fund_the_credit_record_the_deadline_and_the_voucher(
        client, sessions, make_user):
    with sessions() as db:
        row = decided_fraud(db, person(db).ssn)
        back = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="3000"))
        due = back.deposit_due
        service.record_deposit(db, ACCOUNTANT, row.id, back.id, DepositIn(reference="SR-9"))
        entry_id = db.execute(select(JournalEntry.id)).scalar_one()
        penalty_id = row.id
    make_user("ts_pinsp", "inspector")
    sign_in(client, "ts_pinsp")
    page = client.get(f"/oversight/penalties/{penalty_id}")
    assert page.status_code == 200
    assert '<dd id="fund">企业职工基本养老保险</dd>' in page.text and 'id="credit-record"' in page.text
    assert str(due) in page.text and f'href="/funds/entries/{entry_id}"' in page.text
    assert "罚款缴入财政罚没收入户，不计入社会保险基金" in page.text
