"""Survivor benefits of a person who dies while receiving unemployment benefit (R§19 解读（二）;
《社会保险法》第四十九条; 《失业保险条例》第二十条): the unemployment fund pays a funeral grant and
a survivor pension by the local rule for employees who die in service — policy
``unemployment.survivor``, independent of the person's pension contribution years and without
the pension fund's cap at the person's own contributions under 5 years (issue 11 item 2).

Demo values: funeral grant 2 × and survivor pension 6 months of the province's monthly
disposable income of the year before death (policy/330000/benefits.yaml, 2025: 6,433.00 =
643300 fen). Today is 2026-11-24; receiving from 202610, each dies 2026-11-05.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jingban.benefits.common.models import Award
from jingban.benefits.survivor import rules
from jingban.core import clock
from jingban.registration.models import Person
from tests.benefits.stop_helpers import TODAY, payroll, through_review
from tests.benefits.unemployment.helpers import months, unemployed
from tests.benefits.unemployment.test_unemployment import _claim
from tests.conftest import citizen_id


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _died_receiving(sessions, pension: list[int], event: str) -> dict:
    """Receiving, paid for 202610, dead 2026-11-05 on the population feed, the spouse's claim
    approved; the survivor award's breakdown inputs and amount."""
    from tests.benefits.test_stops import feed

    ssn = unemployed(sessions, periods=months(202310, 202609), pension=pension, name=f"失业{event}")
    _claim(sessions, ssn)
    payroll(sessions, 202610)
    feed(sessions, "population", [{"event_id": event, "event": "death", "citizen_id": ssn,
                                   "death_date": "2026-11-05"}])
    case = through_review(sessions, "BEN-SURVIVOR", {
        "ssn": ssn, "applicant_name": "遗属", "applicant_id_number": citizen_id(dt.date(1986, 3, 4)),
        "relationship": "spouse", "bank_account": "6217000010005550019", "phone": ""},
        provided=["relationship_proof"])
    assert case["status"] == "completed", case
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        award = db.query(Award).filter(Award.person_id == person.id,
                                       Award.kind == "survivor_unemployment").one()
        return {**json.loads(award.breakdown)["inputs"], "amount": award.monthly_amount}


def test_no_pension_years_still_gives_the_full_survivor_benefits(sessions):
    # Never in the pension insurance (0 pension months). The pension fund's rule would give
    # 3 months capped at own contributions 0 → 0. The unemployment fund's rule: funeral
    # 2 × 643300 = 1286600; pension 6 × 643300 = 3859800; total 5146400 fen (51,464.00).
    found = _died_receiving(sessions, [], "GA-S-1")
    assert (found["contribution_months"], found["months"], found["own_contributions"]) == (0, 6, None)
    assert (found["funeral"], found["pension"], found["amount"]) == (1286600, 3859800, 5146400)


def test_under_five_pension_years_is_not_capped_at_own_contributions(sessions):
    # 24 pension months (202410–202609), own contributions 24 × 480.00 = 11,520.00. The pension
    # fund's rule: 3 months, 2 × 6,433.00 + 3 × 6,433.00 = 32,165.00 capped at 11,520.00. The
    # unemployment fund's: the same 1286600 + 3859800 = 5146400 fen as with none.
    found = _died_receiving(sessions, months(202410, 202609), "GA-S-2")
    assert (found["contribution_months"], found["funeral"], found["pension"], found["amount"]) == (
        24, 1286600, 3859800, 5146400)


def test_the_rule_reads_only_the_income_and_the_table():
    # 6,000.00 income, a region's 3 × and 12 months: 1800000 and 7200000 fen.
    assert rules.unemployed_survivor_benefits(600000, {"funeral_multiple": 3, "pension_months": 12}) == (
        1800000, 7200000)
