"""Survivor benefits (遗属待遇, R§19; 人社部发〔2021〕18号): the claim as a case, hand-computed
amounts, the deceased's overpayment offset against the one-off payment (R§46), and the payment
made exactly once by the monthly payroll.

Zhejiang's last-year monthly per-capita disposable income in force in 2025–2026 (demo policy,
policy/330000/benefits.yaml): 6,433.00 yuan = 643300 fen. Funeral grant = 2 × that = 1286600.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from jingban.benefits.common.models import Award, Payment
from jingban.benefits.payroll import batch
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.benefits.survivor import service as survivors
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput
from jingban.notices.models import Notification
from jingban.registration.models import Person
from tests.benefits.payroll_helpers import confirm_payroll
from tests.benefits.pension_helpers import retiree
from tests.benefits.stop_helpers import ACCOUNTANT, CLERK, TODAY, add_award, payroll, through_review
from tests.conftest import citizen_id

INCOME = 643300
FUNERAL = 2 * INCOME
DEPENDANT = citizen_id(dt.date(1962, 4, 2))
BANK = "6217000010005550001"
UPLOADER = Actor("data1", frozenset({"data_admin"}), False, "api")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _die(sessions, ssn: str, day: dt.date) -> None:
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        person.death_date, person.status = day, "deceased"
        db.commit()


def _claim(ssn: str) -> dict:
    return {"ssn": ssn, "applicant_name": "遗属丙", "applicant_id_number": DEPENDANT,
            "relationship": "spouse", "bank_account": BANK, "phone": "13900000009"}


def _survivor(sessions, ssn: str) -> tuple[Award, list[Payment]]:
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        award = db.query(Award).filter(Award.person_id == person.id, Award.kind == "survivor").one()
        payments = db.query(Payment).filter(Payment.award_id == award.id).all()
        db.expunge_all()
        return award, payments


def _bank_lines(sessions, period: int) -> list[str]:
    with sessions() as db:
        confirm_payroll(db, period)
        return b"".join(batch.bank_file(db, ACCOUNTANT, period)).decode().splitlines()


def test_retiree_survivor_after_six_years_of_pension_paid_once(sessions):
    # 120 paid months + 240 deemed = 30 years: 9 + (30 − 15) = 24 months, the maximum.
    # Pension 2020-01 to death in 2025-12: 72 months = 6 full years → 24 − 6 = 18 months.
    ssn = retiree(sessions, birth=dt.date(1959, 5, 10),
                  periods=[y * 100 + m for y in range(2010, 2020) for m in range(1, 13)],
                  base=500000, deemed=240)
    add_award(sessions, ssn, kind="pension_enterprise", start=202001, monthly=300000, last=202512)
    _die(sessions, ssn, dt.date(2025, 12, 15))
    case = through_review(sessions, "BEN-SURVIVOR", _claim(ssn), provided=["relationship_proof"])
    assert case["status"] == "completed"
    award, payments = _survivor(sessions, ssn)
    inputs = json.loads(award.breakdown)["inputs"]
    assert (inputs["contribution_months"], inputs["pension_months_received"], inputs["months"]) \
        == (360, 72, 18)
    assert (inputs["funeral"], inputs["pension"]) == (1286600, 18 * 643300)  # 12,866.00 + 115,794.00
    assert award.monthly_amount == 12866000 and award.payee_name == "遗属丙"
    assert (award.start_period, award.last_period, award.bank_account) == (202612, 202612, BANK)
    assert [(p.period, p.gross, p.deduction, p.net, p.run_id) for p in payments] \
        == [(202612, 12866000, 0, 12866000, None)]
    with sessions() as db:
        notes = db.query(Notification).filter(Notification.recipient == DEPENDANT,
                                              Notification.kind == "survivor_award").all()
        assert len(notes) == 1 and "128,660.00元" in notes[0].message
    payroll(sessions, 202612)
    payroll(sessions, 202612)  # a rerun of the month
    _, payments = _survivor(sessions, ssn)
    assert len(payments) == 1 and payments[0].run_id is not None
    lines = [line for line in _bank_lines(sessions, 202612) if line.startswith(BANK)]
    assert lines == [f"{BANK},遗属丙,128660.00,202612,JB202612-{payments[0].id}"]


def test_under_five_years_capped_at_own_account_credits(sessions):
    # 36 months as an individual (灵活就业) at a base of 5,000 yuan, 8 % to the account:
    # 36 × 400.00 = 14,400.00. Uncapped: 12,866.00 + 3 × 6,433.00 = 32,165.00 → capped at
    # 14,400.00: the funeral grant whole, the survivor pension the rest (1,534.00).
    ssn = retiree(sessions, birth=dt.date(1985, 2, 3),
                  periods=[y * 100 + m for y in range(2022, 2025) for m in range(1, 13)],
                  base=500000, name="在职丁")
    _die(sessions, ssn, dt.date(2025, 6, 10))
    with sessions() as db:
        found = survivors.preview(db, CLERK, ssn)
        assert found.problems == []
        assert found.inputs["months"] == 3 and found.inputs["own_contributions"] == 1440000
        assert (found.funeral, found.pension, found.total) == (FUNERAL, 153400, 1440000)
        assert any(line["label"] == "不足5年封顶" for line in found.lines)


def test_death_on_the_feed_prompts_and_the_debt_is_offset_from_the_survivor_payment(sessions):
    # 30 deemed years; pension 4,123.50 a month from 2026-01, paid through 2026-11; the death
    # on 2026-08-31 arrives on the feed: 2026-09 to 2026-11 overpaid = 12,370.50 ordered back.
    ssn = retiree(sessions, birth=dt.date(1960, 3, 8), deemed=360, name="退休戊")
    add_award(sessions, ssn, kind="pension_enterprise", start=202601, monthly=412350)
    payroll(sessions, *range(202601, 202612))
    from tests.benefits.test_stops import feed

    _, outcome = feed(sessions, "population", [{"event_id": "GA-2026-SV1", "event": "death",
                                                "citizen_id": ssn, "death_date": "2026-08-31"}])
    assert "已提示可申领遗属待遇" in outcome[0][1]
    with sessions() as db:
        debt = db.query(Debt).one()
        assert debt.principal == 1237050
        listed = survivors.prompts(db, CLERK)
        assert [p.ssn for _, p in listed] == [ssn]
    # 24 months (30 years; 8 months of pension is not a full year): 12,866.00 + 154,392.00
    # = 167,258.00, less the 12,370.50 owed = 154,887.50 paid.
    through_review(sessions, "BEN-SURVIVOR", _claim(ssn), provided=["relationship_proof"])
    award, payments = _survivor(sessions, ssn)
    assert award.monthly_amount == 16725800
    assert [(p.gross, p.deduction, p.net) for p in payments] == [(16725800, 1237050, 15488750)]
    with sessions() as db:
        debt = db.query(Debt).one()
        entry = db.query(DebtEntry).filter(DebtEntry.kind == "deduction").one()
        assert (debt.status, entry.amount, entry.payment_id) == ("settled", -1237050, payments[0].id)
        assert survivors.prompts(db, CLERK) == []
    payroll(sessions, 202612)
    _, payments = _survivor(sessions, ssn)
    assert (payments[0].deduction, payments[0].net) == (1237050, 15488750)  # not deducted again
    assert any(line.startswith(f"{BANK},遗属丙,154887.50,") for line in _bank_lines(sessions, 202612))


def test_one_off_paid_once_when_the_month_had_been_run_already(sessions, monkeypatch):
    ssn = retiree(sessions, birth=dt.date(1958, 1, 1), deemed=300, name="退休己")
    _die(sessions, ssn, dt.date(2026, 10, 2))
    other = retiree(sessions, birth=dt.date(1966, 3, 1), deemed=200, name="退休辛")
    add_award(sessions, other, kind="pension_enterprise", start=202612, monthly=250000)
    payroll(sessions, 202612)  # the December run is made before the approval
    through_review(sessions, "BEN-SURVIVOR", _claim(ssn), provided=["relationship_proof"])
    _, payments = _survivor(sessions, ssn)
    assert payments[0].run_id is None  # waits for the next run
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 1, 6))
    payroll(sessions, 202612, 202701, 202701)
    _, payments = _survivor(sessions, ssn)
    assert len(payments) == 1
    with sessions() as db:
        run = batch.get_run(db, ACCOUNTANT, 202701)
        assert payments[0].run_id == run.id
    assert sum(line.startswith(BANK) for line in _bank_lines(sessions, 202701)) == 1
    assert not any(line.startswith(BANK) for line in _bank_lines(sessions, 202612))


def test_refused_when_not_dead_and_never_twice(sessions):
    ssn = retiree(sessions, birth=dt.date(1970, 1, 1), deemed=200, name="在世庚")
    with sessions() as db, pytest.raises(InvalidInput) as refused:
        cases.submit(db, CLERK, "BEN-SURVIVOR", _claim(ssn), provided=["relationship_proof"])
    assert refused.value.code == "survivor.not_eligible" and "未登记死亡" in refused.value.message
    _die(sessions, ssn, dt.date(2026, 9, 1))
    through_review(sessions, "BEN-SURVIVOR", _claim(ssn), provided=["relationship_proof"])
    with sessions() as db, pytest.raises(InvalidInput) as again:
        cases.submit(db, CLERK, "BEN-SURVIVOR", _claim(ssn), provided=["relationship_proof"])
    assert "已核定" in again.value.message
    with sessions() as db, pytest.raises(InvalidInput) as self_claim:
        cases.submit(db, CLERK, "BEN-SURVIVOR", {**_claim(ssn), "applicant_id_number": ssn})
    assert self_claim.value.field == "payload.applicant_id_number"
