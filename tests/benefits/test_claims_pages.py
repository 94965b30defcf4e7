"""Pages: the clerk's claim screen with the calculation, review, the payroll screen and bank
file, and the person's own pension page (我的养老金)."""

import datetime as dt

from sqlalchemy import select

from jingban.benefits.common import rules
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.benefits.payroll_helpers import confirm_payroll
from tests.benefits.pension_helpers import retiree
from tests.benefits.test_claims import YEAR_2024
from tests.conftest import PASSWORD
from tests.web.helpers import (
    approve,
    case_id_of,
    person_url,  # secfix
    post,
    sign_in,
)


def test_claim_review_payroll_and_portal_pages(client, make_user, sessions, db):
    for name, role in (("clerk1", "clerk"), ("rev1", "reviewer_1"), ("rev2", "reviewer_2"),
                       ("acc1", "accountant")):
        make_user(name, role)
    ssn = retiree(sessions, birth=dt.date(1964, 12, 10), periods=YEAR_2024, base=1487200,
                  deemed=180, balance=13_900_000, name="退休甲")
    token = sign_in(client, "clerk1")
    listing = client.get("/benefits/prereview?month=2024-12").text
    assert f"/benefits/pension/claim?person={person_url(client, ssn).rsplit('/', 1)[1]}" in listing  # secfix
    screen = client.get(f"/benefits/pension/claim?ssn={ssn}")
    assert screen.status_code == 200
    assert "2226.94" in screen.text and "1.0625" in screen.text and "7900.75元" in screen.text
    missing = post(client, "/benefits/pension/claim", token, {"ssn": ssn, "request_id": "r-1"})
    assert missing.status_code == 422 and "社会保障卡金融账户账号" in missing.text
    reply = post(client, "/benefits/pension/claim", token,
                 {"ssn": ssn, "bank_account": "6217000010001234567", "request_id": "r-2"},
                 follow_redirects=False)
    assert reply.status_code == 303, reply.text
    case_id = case_id_of(reply)
    assert "查看养老金核定测算" in client.get(f"/cases/{case_id}").text
    assert approve(client, "rev1", case_id, 1).status_code in (200, 303)
    assert approve(client, "rev2", case_id, 2).status_code in (200, 303)

    today = clock.today()
    period = rules.next_period(rules.period_of(today.year, today.month))
    token = sign_in(client, "acc1")
    run = post(client, "/benefits/payroll", token, {"period": str(period)}, follow_redirects=False)
    assert run.status_code == 303, run.text
    waiting = client.get(run.headers["location"]).text
    assert "2,226.94" in waiting and f"payroll-{period}.csv" not in waiting  # cashier first
    with sessions() as s:
        assert confirm_payroll(s, period) == 1
        s.commit()
    summary = client.get(run.headers["location"]).text
    assert f"payroll-{period}.csv" in summary
    bank = client.get(f"/benefits/payroll/{period}/bank-file")
    assert bank.status_code == 200 and "6217000010001234567,退休甲,2226.94" in bank.text
    bad = post(client, "/benefits/payroll", token, {"period": "2027x"})
    assert bad.status_code == 422 and "YYYYMM" in bad.text

    with sessions() as s:
        person = s.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(s, SYSTEM, "p-retiree", PASSWORD, {"person"}, subject=f"person:{person.id}",
                    profile="fast")
    sign_in(client, "p-retiree")
    mine = client.get("/my/pension")
    assert mine.status_code == 200
    assert "2,226.94 元" in mine.text and "个人账户养老金" in mine.text
    assert f"{period // 100}年{period % 100:02d}月" in mine.text
    assert client.get(f"/persons/{ssn}/pension").status_code == 403


def test_ineligible_claim_screen_shows_reasons(client, make_user, sessions):
    make_user("clerk2", "clerk")
    ssn = retiree(sessions, birth=dt.date(1975, 1, 5), sex="F", category="female_50",
                  periods=YEAR_2024, base=743600, name="退休乙")
    sign_in(client, "clerk2")
    screen = client.get(f"/benefits/pension/claim?ssn={ssn}").text
    assert "不符合领取条件" in screen and "最低须180个月" in screen
    assert 'id="claim-submit" disabled' in screen
    unknown = client.get("/benefits/pension/claim?ssn=NOPE")
    assert unknown.status_code == 200 and "未找到社会保障号码" in unknown.text
