import datetime as dt

import pytest

from jingban.core.errors import InvalidInput
from jingban.core.workdays import Calendar, parse_schedule

SCHEDULE_2027 = """
year: 2027
reference: 国务院办公厅关于2027年部分节假日安排的通知（测试用）
holidays: [2027-01-01, 2027-01-02, 2027-01-03]
workdays: []
"""


def test_national_day_and_make_up_workday_2026():
    # Received 2026-09-30; 10-01..07 are holidays, Saturday 10-10 is a make-up workday.
    due = Calendar(()).add_workdays(dt.date(2026, 9, 30), 10)
    assert due.due == dt.date(2026, 10, 20)
    assert not due.provisional


def test_count_starts_the_day_after_receipt():
    assert Calendar(()).add_workdays(dt.date(2026, 11, 23), 1).due == dt.date(2026, 11, 24)
    assert Calendar(()).add_workdays(dt.date(2026, 11, 27), 1).due == dt.date(2026, 11, 30)


def test_unknown_year_falls_back_to_weekdays_marked_provisional():
    due = Calendar(()).add_workdays(dt.date(2026, 12, 24), 10)
    assert due == due.__class__(dt.date(2027, 1, 7), True)


def test_loaded_year_file_is_used_and_not_provisional(tmp_path):
    (tmp_path / "2027.yaml").write_text(SCHEDULE_2027, encoding="utf-8")
    due = Calendar((tmp_path,)).add_workdays(dt.date(2026, 12, 24), 10)
    assert due.due == dt.date(2027, 1, 8)
    assert not due.provisional


@pytest.mark.parametrize("text,code", [
    ("year: 2027\nholidays: [2027-01-01]\n", "calendar.reference"),
    ("year: 2027\nreference: x\nholidays: [2026-12-31]\n", "calendar.year"),
    ("year: 2027\nreference: x\nworkdays: [2027-01-04]\n", "calendar.workday"),
    ("year: 2027\nreference: x\nholidays: [2027-01-02]\nworkdays: [2027-01-02]\n",
     "calendar.overlap"),
    ("not: [valid", "calendar.invalid"),
])
def test_bad_calendar_files_are_refused(text, code):
    with pytest.raises(InvalidInput) as err:
        parse_schedule(text)
    assert err.value.code == code


def test_workday_limit_must_be_positive():
    with pytest.raises(InvalidInput):
        Calendar(()).add_workdays(dt.date(2026, 1, 5), 0)


def test_due_endpoint(client, login):
    reply = client.get("/api/v1/workdays/due", params={"received": "2026-09-30", "days": 10},
                       headers=login("clerk"))
    assert reply.json() == {"due": "2026-10-20", "provisional": False}
    reply = client.get("/api/v1/workdays/due", params={"received": "2026-12-24", "days": 10},
                       headers=login("clerk"))
    assert reply.json() == {"due": "2027-01-07", "provisional": True}


def test_due_endpoint_uses_loaded_calendar(client, login, settings):
    settings.calendar_dirs[0].mkdir(parents=True, exist_ok=True)
    (settings.calendar_dirs[0] / "2027.yaml").write_text(SCHEDULE_2027, encoding="utf-8")
    reply = client.get("/api/v1/workdays/due", params={"received": "2026-12-24", "days": 10},
                       headers=login("clerk"))
    assert reply.json() == {"due": "2027-01-08", "provisional": False}
