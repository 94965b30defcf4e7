"""Pre-retirement review (D§18): who reaches the statutory age in a month, what is missing."""

import datetime as dt

from sqlalchemy import func, select

from jingban.benefits.common import rules
from jingban.benefits.pension import rules as pension_rules
from jingban.core import clock, policy
from jingban.notices.models import Notification
from tests.conftest import citizen_id_of, employer_body, error_of, person_body

API = "/api/v1"


def _enrolled(client, clerk, uscc, birth, sex="F", **extra):
    body = person_body(id_number=citizen_id_of(sex, birth), **extra)
    ssn = client.post(f"{API}/persons", json=body, headers=clerk).json()["ssn"]
    start = clock.today().replace(day=1).isoformat()
    reply = client.post(f"{API}/persons/{ssn}/enrollments", headers=clerk, json={
        "insurance": "pension_enterprise", "employer_uscc": uscc, "start_date": start,
        "contribution_base": "6000"})
    assert reply.status_code == 201, reply.text
    return ssn


def test_list_by_category_and_missing_items(client, login, db):
    clerk = login("clerk")
    employer = employer_body(registered_on="2020-01-01")
    client.post(f"{API}/employers", json=employer, headers=clerk)
    # A woman on the original-50 rule born 1976-06 retires at 50y9m in 2027-03; on the
    # original-55 rule at 56y8m in 2033-02; a man born 1966-11 at 60y6m (n = 23) in 2027-05.
    woman = _enrolled(client, clerk, employer["uscc"], dt.date(1976, 6, 10),
                      retirement_category="female_50")
    unknown = _enrolled(client, clerk, employer["uscc"], dt.date(1976, 6, 20))
    cadre = _enrolled(client, clerk, employer["uscc"], dt.date(1976, 6, 20),
                      retirement_category="female_55")
    man = _enrolled(client, clerk, employer["uscc"], dt.date(1966, 11, 2), sex="M")
    listing = client.get(f"{API}/benefits/prereview", params={"month": "2027-03"},
                         headers=clerk).json()
    rows = {r["ssn"]: r for r in listing["persons"]}
    assert listing["min_contribution_months"] == 180
    assert set(rows) == {woman, unknown}
    assert all(any("缴费年限不足" in m for m in r["missing"]) for r in rows.values())
    assert any("退休人员类别" in m for m in rows[unknown]["missing"])
    assert not any("退休人员类别" in m for m in rows[woman]["missing"])
    may = client.get(f"{API}/benefits/prereview", params={"month": "2027-05"},
                     headers=clerk).json()
    assert man in {r["ssn"] for r in may["persons"]} and cadre not in rows


def _twelve_ahead() -> tuple[dt.date, str]:
    """A female_50 birth month whose retirement month lies 12+ months after today, and it."""
    today = clock.today()
    schedule = policy.value("retirement.schedule", "330106", today)["female_50"]
    earliest = rules.add_months(today.year, today.month, 12)
    for back in range(24):
        year, month = rules.add_months(today.year - 50, today.month, back - 12)
        due = pension_rules.retirement(year, month, schedule)
        if (due.year, due.month) >= earliest:
            return dt.date(year, month, 10), due.label
    raise AssertionError("no cohort found")


def test_notices_once_per_person_and_month(client, login, db):
    clerk = login("clerk")
    employer = employer_body(registered_on="2020-01-01")
    client.post(f"{API}/employers", json=employer, headers=clerk)
    birth, month = _twelve_ahead()
    ssn = _enrolled(client, clerk, employer["uscc"], birth, retirement_category="female_50")
    sent = client.post(f"{API}/benefits/prereview/notices", params={"month": month},
                       headers=clerk).json()
    assert sent["notified"] >= 1
    again = client.post(f"{API}/benefits/prereview/notices", params={"month": month},
                        headers=clerk).json()
    assert again["notified"] == 0
    db.rollback()
    kinds = db.execute(select(Notification.recipient, func.count())
                       .where(Notification.kind == f"prereview:{month}")
                       .group_by(Notification.recipient)).all()
    assert dict(kinds)[ssn] == 1 and dict(kinds)[employer["uscc"]] >= 1


def test_notices_only_twelve_months_ahead_but_any_month_listed(client, login, db):
    """D§18: the notice is sent when the person is 12 months from the statutory age; a nearer
    or past month is refused in Chinese (nothing sent), while its list may still be read."""
    clerk = login("clerk")
    employer = employer_body(registered_on="2020-01-01")
    client.post(f"{API}/employers", json=employer, headers=clerk)
    # Born 1976-06 on the original-50 rule: retires 2027-03, less than 12 months away.
    ssn = _enrolled(client, clerk, employer["uscc"], dt.date(1976, 6, 10),
                    retirement_category="female_50")
    today = clock.today()
    for month in ("2020-01", "2027-03", f"{today.year:04d}-{today.month:02d}"):
        err = error_of(client.post(f"{API}/benefits/prereview/notices", params={"month": month},
                                   headers=clerk))
        assert err["code"] == "prereview.notice_month" and "12个月" in err["message"], month
    listing = client.get(f"{API}/benefits/prereview", params={"month": "2027-03"},
                         headers=clerk).json()
    assert ssn in {row["ssn"] for row in listing["persons"]}
    assert client.get(f"{API}/benefits/prereview", params={"month": "2020-01"},
                      headers=clerk).status_code == 200
    db.rollback()
    assert db.execute(select(func.count()).select_from(Notification)
                      .where(Notification.kind.like("prereview:%"))).scalar() == 0


def test_category_must_match_sex_and_month_format(client, login):
    clerk = login("clerk")
    body = person_body(id_number=citizen_id_of("M", dt.date(1970, 1, 1)), retirement_category="female_55")
    err = error_of(client.post(f"{API}/persons", json=body, headers=clerk))
    assert (err["code"], err["field"]) == ("person.retirement_category", "retirement_category")
    woman = client.post(f"{API}/persons", json=person_body(id_number=citizen_id_of("F", dt.date(1970, 1, 1))),
                        headers=clerk).json()
    assert woman["retirement_category"] is None
    err = error_of(client.get(f"{API}/benefits/prereview", params={"month": "2027-13"},
                              headers=clerk))
    assert err["code"] == "prereview.month"
    assert error_of(client.post(f"{API}/benefits/prereview/notices",
                                headers=login("reviewer_1")))["code"] == "auth.forbidden"
