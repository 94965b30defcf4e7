"""Independent review of issue 12: concrete cases whose figures were worked out by hand (in the
comments) and checked against what the services compute — the penalty ranges (R§55, R§57), the
deadline for paying recovered money in (Z-13(1)) across National Day 2026 and a Spring Festival
2027, the complaint clock (R§51), the reconsideration and litigation limits (行政复议法 §20,
行政诉讼法 §45, §46), the booking of recovered money, and the dishonesty list's periods."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from jingban.core import clock
from jingban.core.errors import Conflict, InvalidInput
from jingban.funds.ledger import rules as ledger_rules
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry, JournalLine
from jingban.oversight.challenges import rules as challenge_rules
from jingban.oversight.challenges import service as challenges
from jingban.oversight.complaints import service as complaints
from jingban.oversight.dishonesty import service as dishonesty
from jingban.oversight.dishonesty.models import DishonestyListing
from jingban.oversight.penalties import service
from jingban.oversight.penalties.models import Penalty
from jingban.oversight.penalties.schemas import DecisionIn, DepositIn, FundIn, PaymentIn, ProposalIn
from tests.oversight.complaints.test_complaints import OFFICER, report
from tests.oversight.dishonesty.test_lifecycle import CLERK as OFFICER_CLERK
from tests.oversight.dishonesty.test_lifecycle import INSPECTOR as LISTER
from tests.oversight.dishonesty.test_lifecycle import approve as approve_listing
from tests.oversight.dishonesty.test_lifecycle import person_with_credits
from tests.oversight.dishonesty.test_lifecycle import propose as propose_listing
from tests.oversight.inspections.helpers import INSPECTOR, approve, count, employer, person
from tests.oversight.penalties.test_penalties import ACCOUNTANT


def fraud(db, amount: str) -> Penalty:
    return service.propose(db, INSPECTOR, ProposalIn(
        kind="fraud", subject_kind="person", subject_ref=person(db).ssn, amount=amount,
        fund="unemployment", facts="隐瞒再就业事实冒领失业保险金"))


def decided(db, row: Penalty, fine: str) -> Penalty:
    approve(db, service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine=fine, reason="按情节")).id, 3)
    db.refresh(row)
    return row


# --- R§55 and R§57 --------------------------------------------------------------------------

def test_fraud_range_is_two_to_five_times_the_amount_to_the_fen(db):
    # 1 234.57 yuan = 123 457 fen; 2x = 246 914 fen (2 469.14 yuan), 5x = 617 285 fen (6 172.85 yuan)
    row = fraud(db, "1234.57")
    assert (row.amount, row.range_low, row.range_high) == (123_457, 246_914, 617_285)
    assert service.out(db, row)["range_label"] == "2,469.14元至6,172.85元"
    for fine in ("2469.13", "6172.86"):  # one fen below 2x, one fen above 5x
        with pytest.raises(InvalidInput) as refused:
            service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine=fine, reason="x"))
        assert (refused.value.code, refused.value.field) == ("penalty.out_of_range", "fine")
        db.rollback()
    assert db.get(Penalty, row.id).status == "proposed"
    done = decided(db, row, "6172.85")  # the top of the range is allowed
    assert (done.fine, done.status) == (617_285, "decided")
    # what the decision makes payable: 123 457 fen back to the fund and the 617 285 fen fine
    assert service.out(db, done)["owed"] == {"recovered": 123_457, "fine": 617_285}


def test_obstruction_range_is_10000_to_50000_yuan(db):
    # 10 000 yuan = 1 000 000 fen; 50 000 yuan = 5 000 000 fen, whatever the facts
    row = service.propose(db, INSPECTOR, ProposalIn(
        kind="obstruction", subject_kind="institution", subject_ref=employer(db, "某定点药店").uscc,
        facts="拒绝提供进销存账目"))
    assert (row.range_low, row.range_high) == (1_000_000, 5_000_000)
    for fine in ("9999.99", "50000.01"):
        with pytest.raises(InvalidInput):
            service.submit_decision(db, INSPECTOR, row.id, DecisionIn(fine=fine, reason="x"))
        db.rollback()
    assert decided(db, row, "10000").fine == 1_000_000  # the bottom of the range is allowed


# --- Z-13(1): 10 working days to pay recovered money in ---------------------------------------

def test_deposit_deadline_over_national_day_2026(db):
    # Collected Wed 2026-09-30. Oct 1-7 are holidays, Sat Oct 10 a make-up workday:
    # Oct 8 (1), 9 (2), 10 (3), 12 (4), 13 (5), 14 (6), 15 (7), 16 (8), 19 (9), 20 (10).
    with clock.travel("2026-09-30"):
        row = decided(db, fraud(db, "800"), "1600")
        paid = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="800"))
    assert (paid.deposit_due, paid.due_provisional) == (dt.date(2026, 10, 20), False)
    with clock.travel("2026-10-21"):  # the day after the deadline, not yet paid in
        assert service.out(db, row)["payments"][0]["overdue"]


def test_deposit_deadline_over_a_spring_festival_2027(db, tmp_path):
    # A 2027 schedule planted for the test: Sat 6 to Sun 14 Feb off. Collected Wed 2027-02-03:
    # Feb 4 (1), 5 (2), 15 (3), 16 (4), 17 (5), 18 (6), 19 (7), 22 (8), 23 (9), 24 (10).
    (tmp_path / "calendar").mkdir(exist_ok=True)
    (tmp_path / "calendar" / "2027.yaml").write_text(
        "year: 2027\nreference: 国务院办公厅关于2027年部分节假日安排的通知（测试用）\n"
        "holidays: [2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12]\n"
        "workdays: []\n", encoding="utf-8")
    with clock.travel("2027-02-03"):
        row = decided(db, fraud(db, "500"), "1000")
        paid = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="fine", amount="1000"))
    assert (paid.deposit_due, paid.due_provisional) == (dt.date(2027, 2, 24), False)


# --- the booking of recovered money ----------------------------------------------------------

def test_recovered_money_booked_dr_income_account_cr_other_income_to_the_fen(db):
    # 1 234.57 yuan obtained; two collections of 1 000.00 and 234.57 yuan; only the recovered
    # money is booked (Dr the fund's income account, Cr other income), 123 457 fen in all;
    # the fine (2 469.14 yuan) goes to the fiscal penalty account and is not booked.
    row = decided(db, fraud(db, "1234.57"), "2469.14")
    first = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="1000"))
    second = service.record_payment(db, ACCOUNTANT, row.id,
                                    PaymentIn(part="recovered", amount="234.57"))
    fine = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="fine", amount="2469.14"))
    with pytest.raises(InvalidInput):  # nothing more is owed back: 0.01 yuan too much
        service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="0.01"))
    db.rollback()
    for n, payment in enumerate((first, second, fine)):
        service.record_deposit(db, ACCOUNTANT, row.id, payment.id, DepositIn(reference=f"P{n}"))
    entries = db.execute(select(JournalEntry).order_by(JournalEntry.id)).scalars().all()
    assert [(e.fund, e.amount) for e in entries] == [("unemployment", 100_000),
                                                      ("unemployment", 23_457)]
    banks = ledger.banks(db)
    lines = db.execute(select(JournalLine.account, JournalLine.debit, JournalLine.credit)
                       .where(JournalLine.entry_id == entries[1].id)
                       .order_by(JournalLine.id)).all()
    assert [tuple(x) for x in lines] == [(banks["income"], 23_457, 0),
                                         (ledger_rules.OTHER_INCOME, 0, 23_457)]
    sums = ledger.totals(db, "unemployment")
    assert sums[banks["income"]] == (123_457, 0) and sums[ledger_rules.OTHER_INCOME] == (0, 123_457)


def test_a_penalty_without_its_fund_is_refused_clearly_until_staff_set_it(db):
    """A fraud recorded before migration 0035 has no fund: collecting its recovered money is
    refused with the way out, the inspector names the fund once, then it is booked there."""
    row = decided(db, fraud(db, "300"), "600")
    row.fund = None  # as a penalty written before 0035 reads
    db.commit()
    with pytest.raises(Conflict) as refused:
        service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="300"))
    assert (refused.value.code, refused.value.field) == ("penalty.no_fund", "fund")
    assert "补记" in refused.value.message
    db.rollback()
    with pytest.raises(ValidationError):  # a named insurance fund only
        FundIn(fund="nonsense", reason="x")
    fixed = service.set_fund(db, INSPECTOR, row.id, FundIn(fund="unemployment", reason="原决定书所载"))
    assert fixed.fund == "unemployment"
    with pytest.raises(Conflict) as again:
        service.set_fund(db, INSPECTOR, row.id, FundIn(fund="pension_enterprise", reason="改"))
    assert again.value.code == "penalty.fund_set"
    db.rollback()
    paid = service.record_payment(db, ACCOUNTANT, row.id, PaymentIn(part="recovered", amount="300"))
    service.record_deposit(db, ACCOUNTANT, row.id, paid.id, DepositIn(reference="SR"))
    assert db.execute(select(JournalEntry.fund, JournalEntry.amount)).one() == ("unemployment", 30_000)
    assert count(db, JournalEntry) == 1


# --- R§51: the complaint clock ---------------------------------------------------------------

def test_complaint_clock_before_mid_autumn_and_national_day(sessions):
    # Received Thu 2026-09-24. Fri 25 Sep (Mid-Autumn) and 1-7 Oct are holidays, Sat 10 Oct a
    # make-up workday. Screening 5 wd: 28 (1), 29 (2), 30 (3), Oct 8 (4), 9 (5) -> 2026-10-09.
    # Notice 10 wd: then Oct 10 (6), 12 (7), 13 (8), 14 (9), 15 (10) -> 2026-10-15.
    with clock.travel("2026-09-24T09:00:00+08:00"), sessions() as db:
        row = complaints.receive(db, OFFICER, report())
        assert (row.screening_due, row.notice_due, row.due_provisional) == (
            dt.date(2026, 10, 9), dt.date(2026, 10, 15), False)


# --- R§52: the filing limits -----------------------------------------------------------------

def test_filing_limits_by_hand(db):
    # reconsideration: known 2026-06-01 + 60 days = 2026-07-31 (Fri, a working day)
    assert challenges.filing_due(db, "reconsideration", dt.date(2026, 6, 1)) == dt.date(2026, 7, 31)
    # known 2026-08-02 + 60 days = 2026-10-01, National Day: the next working day, 2026-10-08
    assert challenges.filing_due(db, "reconsideration", dt.date(2026, 8, 2)) == dt.date(2026, 10, 8)
    # lawsuit: known 2026-03-31 + 6 months = 2026-09-30 (Wed)
    assert challenges.filing_due(db, "litigation", dt.date(2026, 3, 31)) == dt.date(2026, 9, 30)
    # after a reconsideration decision received 2026-09-24: + 15 days = 2026-10-09 (Fri)
    after = "litigation_after_reconsideration"
    assert challenges.filing_due(db, after, dt.date(2026, 9, 24)) == dt.date(2026, 10, 9)
    # received 2026-09-16: + 15 days = 2026-10-01, a holiday -> 2026-10-08
    assert challenges.filing_due(db, after, dt.date(2026, 9, 16)) == dt.date(2026, 10, 8)
    assert challenge_rules.limit_of("litigation", ("reconsideration", "upheld")) == after
    assert challenge_rules.limit_of("litigation", ("reconsideration", "revoked")) == "litigation"
    assert challenge_rules.limit_of("litigation", None) == "litigation"
    assert challenge_rules.limit_of("reconsideration", ("reconsideration", "upheld")) == \
        "reconsideration"
    assert "第四十五条" in challenge_rules.LIMIT_BASIS[after]


# --- the serious-dishonesty list -------------------------------------------------------------

def test_dishonesty_periods_by_hand(sessions):
    # Noticed Thu 2026-09-24: 5 wd to state one's case -> 2026-10-09 (as the complaint clock).
    # Decided and listed on Mon 2026-10-12: listed until 2029-10-12 (36 months), repair from
    # 2027-10-12 (12 months).
    with clock.travel("2026-09-24"), sessions() as db:
        listing = propose_listing(db, person_with_credits(db, "fraud"))
        dishonesty.serve_notice(db, LISTER, listing.id)
        assert listing.statement_due == dt.date(2026, 10, 9)
        listing_id = listing.id
    with clock.travel("2026-10-09"), sessions() as db, pytest.raises(Conflict) as early:
        dishonesty.submit_decision(db, LISTER, listing_id, "期满")
    assert early.value.code == "dishonesty.statement_period"
    with clock.travel("2026-10-12"), sessions() as db:
        approve_listing(db, dishonesty.submit_decision(db, LISTER, listing_id, "期满无申辩").id)
        db.expire_all()
        row = db.get(DishonestyListing, listing_id)
        assert (row.status, row.listed_on, row.listed_until, row.repair_from) == (
            "listed", dt.date(2026, 10, 12), dt.date(2029, 10, 12), dt.date(2027, 10, 12))
    with clock.travel("2029-10-11"), sessions() as db, pytest.raises(Conflict) as removal:
        dishonesty.remove(db, LISTER, listing_id)
    assert removal.value.code == "dishonesty.removal_early" and "2029-10-12" in removal.value.message
    with clock.travel("2027-10-11"), sessions() as db, pytest.raises(Conflict) as repair:
        dishonesty.apply_repair(db, OFFICER_CLERK, listing_id, "已退回", ["correction_proof"])
    assert repair.value.code == "dishonesty.repair_early" and "2027-10-12" in repair.value.message
    with clock.travel("2027-10-12"), sessions() as db:
        case = dishonesty.apply_repair(db, OFFICER_CLERK, listing_id, "已全额退回", ["correction_proof"])
        approve_listing(db, case.id)
        db.expire_all()
        assert db.get(DishonestyListing, listing_id).status == "repaired"
