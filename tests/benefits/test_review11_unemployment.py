"""Review of issue 11, unemployment (R§24; 《失业保险条例》第十四条、第十五条、第十七条): the worked
examples recomputed by hand, the months carried away by a transfer, and the stops from the
feeds keeping the months left.

Demo policy (policy/330000/unemployment.yaml, policy/national/unemployment.yaml): 224100 fen a
month (2,490.00 × 90 % = 2,241.00 yuan); duration by full contribution years: 1–4 → 12 months,
5–9 → 18, 10+ → 24; merged with an earlier entitlement's months left, never above 24.
Today 2026-11-24; employment ended 2026-09-30, registration 2026-10-12 (payment from 202610).
"""

from __future__ import annotations

import datetime as dt

import pytest

from jingban.benefits.common.models import Award, AwardEvent, Payment
from jingban.benefits.unemployment import service as unemployment
from jingban.benefits.unemployment.schemas import RefusalIn
from jingban.core import clock
from jingban.records.models import Contribution
from jingban.registration.models import Enrollment, Person
from jingban.registration.rules import exclusive_key
from jingban.transfers.service import _agency_actor
from tests.benefits.stop_helpers import CLERK, TODAY, payroll, through_review
from tests.benefits.unemployment.helpers import (
    MONTHLY,
    claim,
    earlier_award,
    employer,
    months,
    unemployed,
)

REG = dt.date(2026, 10, 12)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _preview(sessions, ssn: str, day: dt.date = REG):
    with sessions() as db:
        return unemployment.preview(db, CLERK, ssn, day)


def _person_id(db, ssn: str) -> int:
    return db.query(Person).filter(Person.ssn == ssn).one().id


def _worked_again(sessions, ssn: str, periods: list[int], ended: dt.date) -> None:
    """A new employment here with unemployment paid in ``periods``, ended by the employer."""
    with sessions() as db:
        pid = _person_id(db, ssn)
        unit = employer(db, "杭州复审再就业有限公司")
        db.add(Enrollment(person_id=pid, employer_id=unit.id, insurance="unemployment",
                          exclusive_key=exclusive_key("unemployment", unit.id),
                          start_date=dt.date(periods[0] // 100, periods[0] % 100, 1),
                          contribution_base=600000, status="ended", end_date=ended,
                          end_reason="合同到期", separation="contract_expired"))
        db.add_all(Contribution(person_id=pid, employer_id=unit.id, insurance="unemployment",
                                period=p, base=600000, employer_amount=3000, personal_amount=3000,
                                paid_on=dt.date(p // 100, p % 100, 15)) for p in periods)
        db.commit()


# --- fix A: months carried away by a transfer are the new place's ------------------------------

def test_months_carried_away_by_a_transfer_are_not_carried_over_again_here(sessions, monkeypatch):
    # 36 months paid (202310–202609) → 12 months from 202610; 202610, 202611 paid → 10 left.
    # The new place confirms the transfer on 2026-11-24: stopped from 202612, the 10 months
    # move with the funds (10 × 224100 × 1.5). Back here later: 12 months paid 202702–202801,
    # contract expired 2028-01-31, registered 2028-02-10. 第十七条: 12 months counted since
    # the last benefit → 12 months; the 10 left are the new place's, so carried 0 → 12 months
    # (not 12 + 10 = 22), 202802–202901, 12 × 224100 = 2689200 fen.
    ssn = unemployed(sessions, periods=months(202310, 202609))
    assert through_review(sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim()})["status"] == "completed"
    payroll(sessions, 202610, 202611)
    with sessions() as db:
        unemployment.stop_on_transfer(db, _agency_actor("330106"), _person_id(db, ssn), "TRF-R11")
        db.commit()
        award = db.query(Award).filter(Award.kind == "unemployment").one()
        assert (award.status, award.last_period) == ("stopped", 202611)
        assert unemployment.months_left(db, award) == 10  # what moved with the funds
        assert unemployment.months_kept(db, award) == 0  # what stays here
    _worked_again(sessions, ssn, months(202702, 202801), dt.date(2028, 1, 31))
    later = dt.date(2028, 2, 10)
    monkeypatch.setattr(clock, "today", lambda: later)
    shown = _preview(sessions, ssn, later)
    assert shown.eligible, shown.problems
    assert (shown.new_months, shown.carried_months, shown.months) == (12, 0, 12)
    assert (shown.start_period, shown.last_period, shown.total) == (202802, 202901, "26892.00")
    with sessions() as db:
        # The transfer hook asks again (a second transfer): 12 months, not 22.
        assert unemployment.remaining_entitlement(db, _person_id(db, ssn))[0] == 12
        row = unemployment.record_of(db, CLERK, ssn)["awards"][0]
        assert (row["entitled"], row["used"], row["left"]) == (12, 2, 0)


def test_months_left_by_a_reemployment_stop_are_still_carried_over(sessions, monkeypatch):
    # The same history stopped by re-employment (not a transfer): the 10 months stay here,
    # 12 + 10 = 22 months (≤ 24), 202802–202911, 22 × 224100 = 4930200 fen.
    ssn = unemployed(sessions, periods=months(202310, 202609))
    earlier_award(sessions, ssn, start=202610, entitled=12, drawn=2)
    _worked_again(sessions, ssn, months(202702, 202801), dt.date(2028, 1, 31))
    later = dt.date(2028, 2, 10)
    monkeypatch.setattr(clock, "today", lambda: later)
    shown = _preview(sessions, ssn, later)
    assert (shown.new_months, shown.carried_months, shown.months) == (12, 10, 22)
    assert (shown.last_period, shown.total) == (202911, "49302.00")
    assert MONTHLY * 22 == 4930200


# --- duration bands at their edges, the carry-over and the 24-month cap (第十七条) ---------------

@pytest.mark.parametrize(("first", "counted", "expected"), [
    (202510, 12, 12),   # 202510–202609: exactly 1 year → 12 months
    (202111, 59, 12),   # 4 years 11 months: still "1 to under 5" → 12
    (202110, 60, 18),   # exactly 5 years → 18
    (201611, 119, 18),  # 9 years 11 months → 18
    (201610, 120, 24),  # exactly 10 years → 24
])
def test_duration_bands_at_their_edges(sessions, first, counted, expected):
    ssn = unemployed(sessions, periods=months(first, 202609))
    shown = _preview(sessions, ssn)
    assert shown.eligible, shown.problems
    assert (shown.new_months, shown.carried_months, shown.months) == (expected, 0, expected)
    # 202610 + (expected − 1) months; total 224100 × expected.
    last = {12: 202709, 18: 202803, 24: 202809}[expected]
    assert (shown.start_period, shown.last_period) == (202610, last)
    assert shown.total == f"{MONTHLY * expected // 100}.00"
    assert any(line.value.startswith(f"{counted}个月") for line in shown.lines)


@pytest.mark.parametrize(("first", "new", "merged", "last"), [
    (202110, 18, 24, 202809),   # 18 + 10 = 28 → capped at 24: 202610–202809, 5378400 fen
    (201610, 24, 24, 202809),   # 24 + 10 = 34 → 24
    (202111, 12, 22, 202807),   # 12 + 10 = 22 (under the cap): 202610–202807, 4930200 fen
])
def test_carry_over_of_unused_months_never_above_24(sessions, first, new, merged, last):
    # An earlier benefit of 12 months from 201501, 2 drawn (201501, 201502), stopped by
    # re-employment: 10 months left. Contributions counted again after 201502 (重新计算).
    ssn = unemployed(sessions, periods=months(first, 202609))
    earlier_award(sessions, ssn, start=201501, entitled=12, drawn=2)
    shown = _preview(sessions, ssn)
    assert shown.eligible, shown.problems
    assert (shown.new_months, shown.carried_months, shown.months) == (new, 10, merged)
    assert (shown.last_period, shown.total) == (last, f"{MONTHLY * merged // 100}.00")


def test_the_monthly_amount_is_the_policy_files(sessions):
    # policy/330000/unemployment.yaml from 2023-12-01: 224100; 131000 ≤ 224100 ≤ 249000.
    ssn = unemployed(sessions, periods=months(202310, 202609))
    shown = _preview(sessions, ssn)
    assert shown.monthly == "2241.00"
    amount = next(line for line in shown.lines if line.label == "失业保险金月标准")
    assert "1,310.00元" in amount.note and "2,490.00元" in amount.note


# --- stops from the feeds keep the months left (《社会保险法》第五十一条; 第十七条) ---------------------

def _receiving(sessions) -> tuple[str, int]:
    """12 months from 202610 (36 paid), 202610 and 202611 paid: (SSN, award id)."""
    ssn = unemployed(sessions, periods=months(202310, 202609))
    assert through_review(sessions, "BEN-UNEMPLOYMENT", {"ssn": ssn, **claim()})["status"] == "completed"
    payroll(sessions, 202610, 202611)
    with sessions() as db:
        return ssn, db.query(Award).filter(Award.kind == "unemployment").one().id


def _stopped_with_ten_kept(sessions, award_id: int, reason: str) -> None:
    # Event in 202611 → stopped from 202612 (the month after), last month 202611: 2 drawn,
    # 12 − 2 = 10 months kept; the December run pays the award nothing.
    payroll(sessions, 202612)
    with sessions() as db:
        award = db.get(Award, award_id)
        assert (award.status, award.last_period) == ("stopped", 202611)
        stop = db.query(AwardEvent).filter(AwardEvent.award_id == award_id,
                                           AwardEvent.kind == "stop").one()
        assert (stop.reason, stop.effective_period) == (reason, 202612)
        assert unemployment.months_drawn(db, award) == 2
        assert unemployment.months_kept(db, award) == 10
        assert db.query(Payment).filter(Payment.award_id == award_id).count() == 2


@pytest.mark.parametrize(("kind", "row"), [
    ("employment", {"event_id": "JY-1", "event": "reemployment", "event_date": "2026-11-05"}),
    ("employment", {"event_id": "RW-1", "event": "enlistment", "event_date": "2026-11-05"}),
    ("exit", {"event_id": "CJ-1", "event": "emigration", "event_date": "2026-11-05"}),
    ("population", {"event_id": "GA-1", "event": "death", "death_date": "2026-11-05"}),
])
def test_a_stop_on_a_feed_keeps_the_months_left(sessions, kind, row):
    from tests.benefits.test_stops import feed

    ssn, award_id = _receiving(sessions)
    first, rows = feed(sessions, kind, [{**row, "citizen_id": ssn}])
    assert rows[0][0] == "processed" and "已停发待遇1项" in rows[0][1], rows
    # The same record again (in another file): one stop only (``.one()`` below).
    second, again = feed(sessions, kind, [{**row, "citizen_id": ssn}, {**row, "event_id": "X-2",
                                                                     "citizen_id": "x"}])
    assert second != first and again[0][0] == "duplicate", again
    _stopped_with_ten_kept(sessions, award_id, row["event"])


def test_a_pension_start_keeps_the_months_left(sessions):
    # A basic pension from 202612: the unemployment benefit stops from 202612 (day before
    # 2026-11-30 falls in 202611 → from the month after).
    ssn, award_id = _receiving(sessions)
    with sessions() as db:
        pension = Award(person_id=_person_id(db, ssn), kind="pension_enterprise", status="active",
                        start_period=202612, monthly_amount=300000, decided_on=TODAY,
                        decided_by="test")
        db.add(pension)
        db.flush()
        unemployment.stop_on_pension(db, CLERK, pension)
        db.commit()
    with sessions() as db:
        db.query(Award).filter(Award.kind == "pension_enterprise").delete()
        db.commit()
    _stopped_with_ten_kept(sessions, award_id, "pension_start")


def test_refusing_work_twice_keeps_the_months_left_and_a_later_claim_carries_them(
        sessions, monkeypatch):
    ssn, award_id = _receiving(sessions)
    for day, note in ((dt.date(2026, 10, 20), "拒绝推荐的仓储岗位"), (dt.date(2026, 11, 18), "拒绝培训")):
        with sessions() as db:
            unemployment.record_refusal(db, CLERK, ssn, RefusalIn(refused_on=day, note=note))
    _stopped_with_ten_kept(sessions, award_id, "refused_work")
    # Back to work 202702–202801 (12 months), ended 2028-01-31, registered 2028-02-10:
    # 12 new + 10 kept = 22 months, 202802–202911.
    _worked_again(sessions, ssn, months(202702, 202801), dt.date(2028, 1, 31))
    later = dt.date(2028, 2, 10)
    monkeypatch.setattr(clock, "today", lambda: later)
    shown = _preview(sessions, ssn, later)
    assert (shown.new_months, shown.carried_months, shown.months, shown.last_period) == \
        (12, 10, 22, 202911)


def test_contributions_carried_away_by_a_transfer_count_no_more_here(sessions, monkeypatch):
    # 36 months paid here (202310–202609), then the relationship moved away (transfer
    # TRF-R12: the rows are marked transfer_out_ref, 国办发〔2009〕66号第四条 — the new place's).
    # Back here for 6 months (202702–202707), ended 2027-07-31, registered 2027-08-10: only
    # 6 months paid here, under the year of 第十四条 → refused (not 42 months → 12 months).
    ssn = unemployed(sessions, periods=months(202310, 202609))
    with sessions() as db:
        db.query(Contribution).filter(Contribution.person_id == _person_id(db, ssn))\
            .update({"transfer_out_ref": "TRF-R12"})
        db.commit()
    _worked_again(sessions, ssn, months(202702, 202707), dt.date(2027, 7, 31))
    later = dt.date(2027, 8, 10)
    monkeypatch.setattr(clock, "today", lambda: later)
    shown = _preview(sessions, ssn, later)
    assert not shown.eligible
    assert any("累计缴纳失业保险费6个月" in p for p in shown.problems), shown.problems
