"""The unemployment transfer (R§16 解读; 人社厅发〔2021〕85号) with the benefit paid here: the old
place's information sheet moves the real entitlement left (the award's months and amount, not
a number typed at the new place) plus half of it; a relationship transferred in counts in full
at the new place while its funds are still on the way."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from jingban.benefits.common.models import Award, AwardEvent
from jingban.benefits.unemployment import service as unemployment
from jingban.core import clock
from jingban.records.models import Contribution
from jingban.registration.models import Person
from jingban.transfers import rules
from jingban.transfers.models import Transfer
from tests.benefits.stop_helpers import CLERK, TODAY, payroll, through_review
from tests.benefits.unemployment.helpers import MONTHLY, claim, months, unemployed
from tests.transfers.helpers import NEW, OLD, person, pump, the_transfer, two_sides
from tests.transfers.test_review_fixes import _confirm, _start


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_the_information_sheet_moves_the_entitlement_left_and_half_of_it(sessions, tmp_path,
                                                                         monkeypatch):
    # 36 months paid here → 12 months of 2,241.00 from 202610; 202610 and 202611 paid: 10 left.
    # Funds = 10 × 224100 = 2241000 + 50 % = 1120500 → 3361500 fen (33,615.00 yuan), whatever
    # the new place's clerk typed (5 months received: ignored, this agency's record is used).
    old, new = two_sides(sessions, tmp_path, monkeypatch)
    ssn = unemployed(sessions, periods=months(202310, 202609))
    case = through_review(sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim()})
    assert case["status"] == "completed"
    payroll(sessions, 202610, 202611)
    with sessions() as db:
        assert unemployment.remaining_entitlement(
            db, db.query(Person).filter(Person.ssn == ssn).one().id) == (10, MONTHLY, 2)
    person(new, ssn, name="失业甲", birth=dt.date(1985, 6, 1), enrolled=("unemployment",))
    _start(new, ssn, kind="unemployment", received_months=5)
    pump(old, new)
    moved = the_transfer(new, ssn)
    assert moved.step == "confirmation"
    assert moved.total_amount == 3361500
    basis = json.loads(moved.info)["amount"]["basis"]
    assert "已领取失业保险金2个月，尚可领取10个月" in basis and "2241.00元" in basis
    assert OLD != NEW


def test_under_a_year_at_the_old_place_moves_no_funds_even_with_a_record():
    assert rules.entitlement_amount(10, MONTHLY, 2, Decimal("0.5"), 12, 11).total == 0
    # 12 local months: 10 × 224100 × 1.5 = 3361500
    assert rules.entitlement_amount(10, MONTHLY, 2, Decimal("0.5"), 12, 12).total == 3361500


def test_a_relationship_transferred_in_is_paid_while_its_funds_are_pending(sessions):
    # Nothing paid here: 40 months merged in from the old place by a transfer whose funds are
    # still due (step "funds"). 40 months = 3 years 4 months → 12 months from 202610; the
    # end of employment at the old place (contract expired) comes with the claim.
    ssn = unemployed(sessions, periods=[])
    with sessions() as db:
        who = db.query(Person).filter(Person.ssn == ssn).one()
        db.query(type(who.enrollments[0])).filter_by(person_id=who.id).delete()
        db.add_all(Contribution(record_id=f"TRF-U-{p}", person_id=who.id, insurance="unemployment",
                                period=p, base=600000, employer_amount=3000, personal_amount=3000,
                                paid_on=dt.date(2026, 10, 5), transfer_in_ref="TRF-310104-U1")
                   for p in months(202306, 202609))
        db.add(Transfer(ref="TRF-310104-U1", kind="unemployment", role="new", person_id=who.id,
                        ssn=ssn, name=who.name, old_region="310104", new_region="330106",
                        applied_at="new", applied_on=dt.date(2026, 10, 8), status="open",
                        step="funds", due_on=dt.date(2026, 11, 30)))
        db.commit()
    with sessions() as db:
        shown = unemployment.preview(db, CLERK, ssn, dt.date(2026, 10, 12))
    assert "最后一次就业的终止原因未登记" in shown.problems[0]
    with sessions() as db:
        shown = unemployment.preview(db, CLERK, ssn, dt.date(2026, 10, 12), "contract_expired")
    assert (shown.eligible, shown.months, shown.total) == (True, 12, "26892.00")
    assert any(line.label == "失业保险关系转入" and "费用划转中" in line.value for line in shown.lines)
    case = through_review(sessions, "BEN-UNEMPLOYMENT",
                          {"ssn": ssn, **claim(), "separation": "contract_expired"})
    assert case["status"] == "completed"
    with sessions() as db:
        award = db.query(Award).filter(Award.kind == "unemployment").one()
        assert (award.start_period, award.last_period) == (202610, 202709)



def test_the_new_places_confirmation_stops_the_benefit_here_with_the_months_kept(
        sessions, tmp_path, monkeypatch):
    # 36 months paid → 12 months from 202610; 202610 and 202611 paid. Confirmed on 2026-11-24:
    # stopped from 202612, last month 202611, 12 − 2 = 10 months left (they move with the funds).
    old, new = two_sides(sessions, tmp_path, monkeypatch)
    ssn = unemployed(sessions, periods=months(202310, 202609))
    assert through_review(sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim()})["status"] == "completed"
    payroll(sessions, 202610, 202611)
    person(new, ssn, name="失业甲", birth=dt.date(1985, 6, 1), enrolled=("unemployment",))
    _start(new, ssn, kind="unemployment")
    pump(old, new)
    with sessions() as db:
        award = db.query(Award).filter(Award.kind == "unemployment").one()
        assert award.status == "active"  # not before the new place confirms
    _confirm(new, the_transfer(new, ssn).id)
    pump(old, new)
    with sessions() as db:
        award = db.query(Award).filter(Award.kind == "unemployment").one()
        assert (award.status, award.last_period, award.stop_reason) == (
            "stopped", 202611, "失业保险关系转出本统筹地区")
        event = db.query(AwardEvent).filter(AwardEvent.award_id == award.id).one()
        assert (event.reason, event.effective_period) == ("transfer_out", 202612)
        assert unemployment.months_left(db, award) == 10
