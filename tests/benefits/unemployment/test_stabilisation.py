"""稳岗返还 (人社部发〔2024〕40号): employers that laid nobody off last year get back a share of
the unemployment contributions they and their staff paid that year — 60 % for small, medium
and micro enterprises, 30 % for large ones (demo threshold 1,000 insured) — decided once a
year, booked to the unemployment fund."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jingban.benefits.unemployment import batch
from jingban.benefits.unemployment.models import StabilisationRefund
from jingban.core import clock
from jingban.core.errors import InvalidInput
from jingban.funds.ledger.models import JournalEntry, JournalLine
from jingban.records.models import Contribution
from jingban.registration.models import Enrollment, Person
from jingban.registration.rules import exclusive_key
from tests.benefits.stop_helpers import ACCOUNTANT, TODAY
from tests.benefits.unemployment.helpers import employer, months
from tests.conftest import citizen_id_of


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _staff(db, unit, count: int, periods: list[int], ended: tuple[dt.date, str] | None = None):
    """``count`` persons paying 30.00 + 30.00 a month in ``periods``; the first one's
    enrollment ended on ``ended`` for a reason, if given."""
    for number in range(count):
        ssn = citizen_id_of("F", dt.date(1990, 1, 1))
        person = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=f"职工{number}", sex="F",
                        birth_date=dt.date(1990, 1, 1), registered_on=dt.date(2015, 1, 1),
                        status="active")
        db.add(person)
        db.flush()
        end = ended if number == 0 else None
        db.add(Enrollment(person_id=person.id, employer_id=unit.id, insurance="unemployment",
                          exclusive_key=exclusive_key("unemployment", unit.id),
                          start_date=dt.date(2015, 1, 1), status="ended" if end else "active",
                          end_date=end[0] if end else None, separation=end[1] if end else None))
        db.add_all(Contribution(person_id=person.id, employer_id=unit.id, insurance="unemployment",
                                period=p, base=600000, employer_amount=3000, personal_amount=3000,
                                paid_on=dt.date(p // 100, p % 100, 15)) for p in periods)


def test_employers_that_laid_nobody_off_get_sixty_percent_back_once(sessions):
    with sessions() as db:
        kept = employer(db, "稳岗甲有限公司")  # 3 staff, all of 2025: 3 × 12 × 60.00 = 2,160.00
        _staff(db, kept, 3, months(202501, 202512))
        expired = employer(db, "稳岗乙有限公司")  # a contract ran out in June: not a lay-off
        _staff(db, expired, 2, months(202501, 202506), ended=(dt.date(2025, 6, 30), "contract_expired"))
        fired = employer(db, "裁员丙有限公司")  # dismissed someone in 2025: nothing
        _staff(db, fired, 2, months(202501, 202512), ended=(dt.date(2025, 9, 30), "dismissed"))
        db.commit()
        kept_id, expired_id = kept.id, expired.id
    with sessions() as db:
        made = batch.stabilisation_refunds(db, ACCOUNTANT, 2025)
    # 甲: 216000 × 0.6 = 129600 (1,296.00); 乙: 2 × 6 × 6000 = 72000 × 0.6 = 43200 (432.00).
    assert sorted((r.employer_id, r.contributions, r.amount, r.size) for r in made) == sorted(
        [(kept_id, 216000, 129600, "small"), (expired_id, 72000, 43200, "small")])
    with sessions() as db:
        assert batch.stabilisation_refunds(db, ACCOUNTANT, 2025) == []  # a rerun decides none
    with sessions() as db:
        assert db.query(StabilisationRefund).count() == 2
        expense = db.execute(select(JournalEntry.fund, JournalLine.debit).join(JournalLine).where(
            JournalEntry.source.like("stabilisation:2025:%"), JournalLine.account == 5001)).all()
        assert expense == [("unemployment", 172800)]
        sheet = load_workbook(io.BytesIO(batch.refunds_xlsx(db, ACCOUNTANT, 2025))).active
        rows = list(sheet.values)
        assert rows[0][0] == "缴费年度" and {r[2] for r in rows[1:]} == {"稳岗甲有限公司", "稳岗乙有限公司"}


def test_a_year_not_yet_over_or_without_a_rate_is_refused(sessions):
    with sessions() as db, pytest.raises(InvalidInput) as caught:
        batch.stabilisation_refunds(db, ACCOUNTANT, 2026)
    assert "已结束的缴费年度" in caught.value.message
    from jingban.core.errors import PolicyError

    with sessions() as db, pytest.raises(PolicyError):
        batch.stabilisation_refunds(db, ACCOUNTANT, 2023)  # no rate in force for 2023
