"""Due dates counted into a year whose holidays are not yet published (SPEC §13): a
verification task and an order to repay, made in late December 2026, fall in 2027 on plain
weekdays; the rows, the API, the pages and the notices all say the date is provisional."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jingban.benefits.recovery.models import Debt
from jingban.benefits.verification import service as verification
from jingban.benefits.verification.schemas import TaskIn
from jingban.core import agency, clock
from jingban.core.actor import SYSTEM
from jingban.core.models import AuditEvent
from jingban.notices.models import Notification
from jingban.registration.models import Person
from tests.benefits.stop_helpers import CLERK, payroll, recipient, through_review
from tests.conftest import uscc
from tests.web.helpers import sign_in

DECEMBER = dt.date(2026, 12, 21)  # 20 and 30 working days later lie in 2027
JUNE = dt.date(2026, 6, 1)  # the same counts stay inside the published 2026 calendar


def _debt_after_a_late_death_report(sessions) -> Debt:
    ssn, _ = recipient(sessions, monthly=300000, start=202601)
    payroll(sessions, *range(202601, 202606))
    through_review(sessions, "BEN-STOP-REPORT", {"ssn": ssn, "reason": "death",
                                                 "event_date": "2026-02-10", "reporter": "relative",
                                                 "reporter_name": "李家属"})
    with sessions() as db:
        return db.execute(select(Debt)).scalar_one()


def _task(sessions):
    ssn, _ = recipient(sessions, monthly=300000, start=202601, decided_on=dt.date(2024, 1, 5),
                       name="核验人")
    with sessions() as db:
        return verification.entrust(db, CLERK, ssn, TaskIn(agent_kind="third_party",
                                                           agent_key=uscc(),
                                                           agent_name="社区服务中心"))


def _ordered_on(sessions, day: dt.date):
    """A debt and a verification task made on ``day``, and the notices sent."""
    with clock.travel(day):
        debt, task = _debt_after_a_late_death_report(sessions), _task(sessions)
    with sessions() as db:
        return debt, task, [n.message for n in db.execute(select(Notification)).scalars()]


def test_december_orders_are_due_provisionally_in_2027(client, login, make_user, sessions):
    debt, task, texts = _ordered_on(sessions, DECEMBER)
    assert (debt.due_on.year, debt.due_provisional) == (2027, True)
    assert (task.due_on.year, task.due_provisional) == (2027, True)
    with clock.travel(DECEMBER):
        assert any(f"请于{debt.due_on}（暂定）前一次性退回" in t for t in texts)
        assert any(f"请于{task.due_on}（暂定）前反馈核实结果" in t for t in texts)

        staff = login("clerk")
        with sessions() as db:
            ssn = db.get(Person, debt.person_id).ssn
        ledger = client.get(f"/api/v1/benefits/recovery/{ssn}", headers=staff)
        assert ledger.json()["debts"][0]["due_provisional"] is True
        tasks = client.get("/api/v1/benefits/verification/tasks", headers=staff).json()
        assert [t["due_provisional"] for t in tasks] == [True]

        make_user("pclerk", "clerk")
        sign_in(client, "pclerk")
        assert f"{debt.due_on}（暂定）" in client.get("/benefits/debts").text
        assert f"{task.due_on}（暂定）" in client.get("/benefits/verification").text


def test_june_orders_are_due_on_the_published_calendar(sessions):
    debt, task, texts = _ordered_on(sessions, JUNE)
    assert (debt.due_on.year, debt.due_provisional) == (2026, False)
    assert (task.due_on.year, task.due_provisional) == (2026, False)
    assert not any("（暂定）" in t for t in texts)



PUBLISHED_2027 = """\
year: 2027
reference: 国务院办公厅关于2027年部分节假日安排的通知（测试用）
holidays: [2027-01-01, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12]
workdays: [2027-02-06, 2027-02-20]
"""


def test_publishing_the_year_counts_the_provisional_dates_again(sessions, settings):
    """New Year's Day 2027, a Friday counted as a working day while 2027 was unpublished, is a
    holiday once the schedule is loaded: each open provisional date moves one working day on
    (the debt's 30 working days from 21 Dec end on 2 Feb, the task's 20 on 19 Jan)."""
    debt, task, _ = _ordered_on(sessions, DECEMBER)
    assert (debt.due_on, task.due_on) == (dt.date(2027, 2, 1), dt.date(2027, 1, 18))
    (settings.calendar_dirs[0]).mkdir(parents=True, exist_ok=True)
    (settings.calendar_dirs[0] / "2027.yaml").write_text(PUBLISHED_2027, encoding="utf-8")
    with sessions() as db:
        moved = agency.redate_provisional(db, SYSTEM)
    assert moved["recovery"] == 1 and moved["verification"] == 1
    with sessions() as db:
        debt, task = db.get(Debt, debt.id), db.get(type(task), task.id)
        assert (debt.due_on, debt.due_provisional) == (dt.date(2027, 2, 2), False)
        assert (task.due_on, task.due_provisional) == (dt.date(2027, 1, 19), False)
        redated = db.execute(select(AuditEvent).where(AuditEvent.act == "calendar.redate")).scalars()
        assert {e.subject for e in redated} >= {f"benefit_debt:{debt.id}",
                                                 f"{type(task).__tablename__}:{task.id}"}
        assert agency.redate_provisional(db, SYSTEM)["recovery"] == 0  # a rerun moves nothing
