"""Review of issue 11: the common payroll is idempotent for every benefit kind (DESIGN: one
payment per award and month; SPEC §6). One recipient per kind — monthly awards in force from
202611 and one-off awards whose single payment waits (run NULL, 待发放) — then the 202611 run
twice, and a run that dies after its first person range then is run again: each award is paid
once, the unemployment fund's medical premium is written once, each fund is booked once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.benefits.common.models import Award, Payment, PayrollRun
from jingban.benefits.payroll import batch
from jingban.core import clock
from jingban.funds.ledger.models import JournalEntry
from jingban.records.models import Contribution
from jingban.registration.models import Person
from tests.benefits.stop_helpers import ACCOUNTANT, TODAY, crash_after_first_range
from tests.conftest import citizen_id

BANK = "6217000010001110001"
# kind → fen a month (monthly) or once (one-off)
MONTHLY = {"pension_enterprise": 300000, "unemployment": 224100, "injury_allowance": 450000,
           "injury_dependant": 115384, "injury_nursing": 231000, "survivor": 120000}
ONE_OFF = {"maternity": 4386673, "reimburse_employee": 187000, "training_subsidy": 150000,
           "injury_grant": 14400000, "injury_ending": 4800000, "injury_medical": 80000,
           "survivor_unemployment": 2241000, "injury_death": 116620000}
PERIOD = 202611


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _recipients(sessions) -> dict[str, int]:
    """One person per kind with its award; kind → award id."""
    found = {}
    with sessions() as db:
        for kind, amount in {**MONTHLY, **ONE_OFF}.items():
            ssn = citizen_id(dt.date(1970, 1, 1))
            person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=f"领取{kind}",
                            sex="M", birth_date=dt.date(1970, 1, 1), registered_on=dt.date(2000, 1, 1),
                            status="active")
            db.add(person)
            db.flush()
            once = kind in ONE_OFF
            award = Award(person_id=person.id, kind=kind, status="stopped" if once else "active",
                          start_period=PERIOD, last_period=PERIOD if once else None,
                          monthly_amount=amount, basic_amount=amount, decided_on=TODAY,
                          decided_by="test", bank_account=BANK, payee_name=person.name,
                          stop_reason="一次性支付" if once else "")
            db.add(award)
            db.flush()
            if once:
                db.add(Payment(award_id=award.id, person_id=person.id, period=PERIOD,
                               kind="regular", gross=amount, deduction=0, net=amount,
                               bank_account=BANK, paid_on=TODAY))
            found[kind] = award.id
        db.commit()
    return found


def _paid(sessions) -> dict[int, list[tuple[int, int, bool]]]:
    with sessions() as db:
        rows = db.execute(select(Payment.award_id, Payment.period, Payment.gross,
                                 Payment.run_id.is_not(None))).all()
    found: dict[int, list] = {}
    for award_id, period, gross, in_run in rows:
        found.setdefault(award_id, []).append((period, gross, in_run))
    return found


def _expected(awards: dict[str, int]) -> dict[int, list[tuple[int, int, bool]]]:
    return {awards[k]: [(PERIOD, amount, True)] for k, amount in {**MONTHLY, **ONE_OFF}.items()}


def _premiums_and_entries(sessions) -> tuple[int, int, int]:
    with sessions() as db:
        premiums = db.execute(select(func.count()).select_from(Contribution)
                              .where(Contribution.insurance == "medical_employee")).scalar()
        entries = db.execute(select(func.count()).select_from(JournalEntry)).scalar()
        sources = db.execute(select(func.count(JournalEntry.source.distinct()))).scalar()
    return premiums, entries, sources


def test_a_second_run_of_the_month_pays_nothing_twice(sessions):
    # 6 monthly + 8 one-off = 14 payments; gross 1440484 + 142864673 = 144305157 fen.
    awards = _recipients(sessions)
    with sessions() as db:
        run = batch.run_payroll(db, ACCOUNTANT, PERIOD, chunk=3)
        first = (run.id, run.payments, run.gross, run.bank_file_sha256)
    assert _paid(sessions) == _expected(awards)
    assert sum(MONTHLY.values()) + sum(ONE_OFF.values()) == 144305157
    assert first[2] == 144305157
    booked = _premiums_and_entries(sessions)
    assert booked[0] == 1  # the unemployed person's employee-medical premium for 202611
    with sessions() as db:
        again = batch.run_payroll(db, ACCOUNTANT, PERIOD, chunk=3)
        assert (again.id, again.payments, again.gross, again.bank_file_sha256) == first
    assert _paid(sessions) == _expected(awards)
    assert _premiums_and_entries(sessions) == booked
    # The next month pays the six monthly awards again, no one-off a second time.
    with sessions() as db:
        batch.run_payroll(db, ACCOUNTANT, 202612, chunk=3)
        periods = dict(db.execute(select(Payment.award_id, func.count()).group_by(Payment.award_id)).all())
    assert {k: periods[a] for k, a in awards.items()} == {
        **{k: 2 for k in MONTHLY}, **{k: 1 for k in ONE_OFF}}


def test_a_crash_between_ranges_then_a_rerun_pays_each_once(sessions, monkeypatch):
    awards = _recipients(sessions)
    real = batch.pay_range
    crash_after_first_range(monkeypatch)
    with sessions() as db, pytest.raises(RuntimeError):
        batch.run_payroll(db, ACCOUNTANT, PERIOD, chunk=3)
    paid = _paid(sessions)
    assert 0 < sum(len(v) for v in paid.values() if v[0][2]) < 14  # the first range only
    monkeypatch.setattr(batch, "pay_range", real)
    with sessions() as db:
        run = batch.run_payroll(db, ACCOUNTANT, PERIOD, chunk=3)
        assert (run.status, run.payments, run.gross) == ("completed", 14, 144305157)
        assert db.execute(select(func.count()).select_from(PayrollRun)).scalar() == 1
    assert _paid(sessions) == _expected(awards)
    premiums, entries, sources = _premiums_and_entries(sessions)
    assert premiums == 1 and entries == sources  # no ledger source booked twice
