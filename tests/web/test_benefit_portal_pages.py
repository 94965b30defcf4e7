"""Pages for survivor benefits and the reviewer's findings (issue 5): the survivor claim screen
and case, the portal's 待遇测算 and 我的消息, landing pages and menus per role, labels, month
display, references, stopped awards, the bank account message and the open debts list."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from jingban.benefits.stops import service as stops
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.benefits.pension_helpers import retiree
from tests.benefits.stop_helpers import CLERK, TODAY, add_award, payroll
from tests.benefits.test_claims import YEAR_2024
from tests.benefits.test_stops import feed
from tests.conftest import PASSWORD
from tests.web.helpers import approve, case_id_of, person_url, post, sign_in

BANK = "6217000010007770001"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _portal_user(sessions, username: str, ssn: str) -> None:
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(db, SYSTEM, username, PASSWORD, {"person"}, subject=f"person:{person.id}",
                    profile="fast")


def _died_on_the_feed(sessions) -> str:
    """A retiree paid 2026-01..2026-11 whose death on 2026-08-31 arrives on the feed."""
    ssn = retiree(sessions, birth=dt.date(1960, 3, 8), deemed=360, name="退休戊")
    add_award(sessions, ssn, kind="pension_enterprise", start=202601, monthly=412350)
    payroll(sessions, *range(202601, 202612))
    feed(sessions, "population", [{"event_id": "GA-PAGE-1", "event": "death", "citizen_id": ssn,
                                   "death_date": "2026-08-31"}])
    return ssn


def test_survivor_claim_screen_case_and_calculation(client, make_user, sessions):
    for name, role in (("clerk1", "clerk"), ("rev1", "reviewer_1"), ("rev2", "reviewer_2")):
        make_user(name, role)
    ssn = _died_on_the_feed(sessions)
    dependant = retiree(sessions, birth=dt.date(1963, 7, 9), sex="F", name="遗属丙")  # registered
    token = sign_in(client, "clerk1")
    listing = client.get("/benefits/survivors")
    survivor_link = f"/benefits/survivors?person={person_url(client, ssn).rsplit('/', 1)[1]}"  # secfix
    assert listing.status_code == 200 and survivor_link in listing.text  # secfix
    screen = client.get(f"/benefits/survivors?ssn={ssn}").text
    lines = screen.split('id="survivor-lines"')[1].split("</table>")[0]
    # 24 months × 6,433.00 + 2 × 6,433.00 = 167,258.00, less 12,370.50 owed = 154,887.50.
    assert "24个月" in lines and "12,866.00元" in lines and "154,392.00元" in lines
    assert 'id="survivor-net">154,887.50<' in screen
    bad = post(client, "/benefits/survivors", token, {
        "ssn": ssn, "applicant_name": "遗属丙", "applicant_id_number": dependant,
        "relationship": "spouse", "bank_account": "6217-0000", "request_id": "sv-0"})
    assert bad.status_code == 422 and bad.text.count("12–30位数字（") == 1
    reply = post(client, "/benefits/survivors", token, {
        "ssn": ssn, "applicant_name": "遗属丙", "applicant_id_number": dependant,
        "relationship": "spouse", "bank_account": BANK, "request_id": "sv-1",
        "material.relationship_proof": "on"}, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    case_id = case_id_of(reply)
    sign_in(client, "rev1")
    review = client.get(f"/cases/{case_id}").text
    assert 'id="case-calc-total">167,258.00<' in review and "抵扣多领待遇" in review
    assert "认领经办人" in review and "领取人</dt>" not in review and "认领本件" in review
    assert approve(client, "rev1", case_id, 1).status_code in (200, 303)
    assert approve(client, "rev2", case_id, 2).status_code in (200, 303)
    sign_in(client, "clerk1")
    done = client.get(f"/cases/{case_id}").text
    assert "遗属待遇结果" in done and 'id="case-calc-total">167,258.00<' in done
    awards = client.get("/benefits/survivors").text.split('id="survivor-awards"')[1]
    assert "遗属丙" in awards and "154,887.50" in awards and "2026年12月" in awards
    assert survivor_link not in client.get("/benefits/survivors").text  # secfix
    record = client.get(f"/persons/{ssn}/pension").text
    assert "一次性发放" in record and "领取遗属" in record
    _portal_user(sessions, "p-survivor", dependant)
    sign_in(client, "p-survivor")
    inbox = client.get("/my/messages").text.split('id="my-messages"')[1]
    decision = inbox.split("notice-survivor_award")[1].split("</li>")[0]
    assert "遗属待遇核定决定" in decision and "实发154,887.50元" in decision
    assert "2026年12月" in decision


def test_pension_case_shows_the_amount_inline(client, make_user, sessions):
    make_user("clerk1", "clerk")
    make_user("rev1", "reviewer_1")
    ssn = retiree(sessions, birth=dt.date(1964, 12, 10), periods=YEAR_2024, base=1487200,
                  deemed=180, balance=13_900_000, name="退休甲")
    token = sign_in(client, "clerk1")
    twice = post(client, "/benefits/pension/claim", token, {"ssn": ssn, "bank_account": "12ab",
                                                             "request_id": "r-0"})
    assert twice.status_code == 422
    assert twice.text.count("应为12–30位数字") == 1 and "字段格式不正确" not in twice.text
    reply = post(client, "/benefits/pension/claim", token,
                 {"ssn": ssn, "bank_account": "6217000010001234567", "request_id": "r-2"},
                 follow_redirects=False)
    case_id = case_id_of(reply)
    sign_in(client, "rev1")
    page = client.get(f"/cases/{case_id}").text
    assert 'id="case-calc-total">2226.94<' in page and "基础养老金" in page
    assert "2026年12月起发放" in page


def test_portal_estimate_prefilled_from_the_record(client, sessions):
    # A man born 1966-03: statutory age 60 + 4 months of delay (⌈15/4⌉) → 2026-07, minimum 15 years.
    ssn = retiree(sessions, birth=dt.date(1966, 3, 15), periods=YEAR_2024, base=1487200,
                  deemed=168, balance=8_000_000, name="参保乙")
    _portal_user(sessions, "p-est", ssn)
    sign_in(client, "p-est")
    nav = client.get("/my").text
    assert 'href="/my/estimate"' in nav and 'href="/my/messages"' in nav
    page = client.get("/my/estimate")
    assert page.status_code == 200
    assert 'id="est-age">60岁4个月' in page.text and 'id="est-month">2026年07月' in page.text
    assert 'id="est-min">180个月' in page.text
    assert 'name="contribution_months" type="number" value="180"' in page.text
    assert 'value="80000.00"' in page.text
    total = re.search(r'id="est-total">([\d.]+)<', page.text).group(1)
    assert float(total) > 0
    changed = client.get("/my/estimate", params={"contribution_months": "100"})
    assert "尚未满足最低缴费年限" in changed.text
    bad = client.get("/my/estimate", params={"retirement_month": "2027-13"})
    assert bad.status_code == 422 and "退休时间" in bad.text


def test_portal_inbox_with_stop_and_repayment_demand(client, sessions):
    ssn = retiree(sessions, birth=dt.date(1959, 1, 5), deemed=360, name="退休庚")
    add_award(sessions, ssn, kind="pension_enterprise", start=202601, monthly=300000)
    payroll(sessions, *range(202601, 202612))
    with sessions() as s:
        person = s.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        stops.report_event(s, CLERK, person, stops.applicable(s, person, "imprisonment"),
                           reason="imprisonment", event_date=dt.date(2026, 9, 10),
                           reported_on=TODAY, source="person", reporter_name="", phone="",
                           source_ref="", note="")
        s.commit()
    _portal_user(sessions, "p-inbox", ssn)
    sign_in(client, "p-inbox")
    inbox = client.get("/my/messages")
    assert inbox.status_code == 200 and "停发通知" in inbox.text and "暂停发放" in inbox.text
    demand = inbox.text.split("notice-recovery")[1].split("</li>")[0]
    assert "如何缴回" in demand and "社会保险基金收入户" in demand  # policy/330000 text
    assert "如何缴回" not in inbox.text.split("停发通知")[1].split("</li>")[0]


def test_landing_and_menu_per_role(client, make_user):
    for name, role in (("acc1", "accountant"), ("cash1", "cashier"), ("rev1", "reviewer_1"),
                       ("clerk1", "clerk"), ("data1", "data_admin")):
        make_user(name, role)
    sign_in(client, "acc1")
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/benefits/payroll"
    for name in ("acc1", "cash1", "rev1", "clerk1", "data1"):
        sign_in(client, name)
        page = client.get("/")
        assert page.status_code == 200, name
        nav = page.text.split('class="mainnav"')[1].split("</nav>")[0]
        for link in re.findall(r'href="([^"]+)"', nav):
            assert client.get(link).status_code == 200, (name, link)
        if name in ("acc1", "cash1"):
            assert "综合查询" not in nav


def test_stopped_before_start_months_and_refs(client, make_user, sessions):
    make_user("clerk1", "clerk")
    ssn = _died_on_the_feed(sessions)
    add_award(sessions, ssn, kind="pension_institution", start=202612, monthly=100000, last=202611)
    sign_in(client, "clerk1")
    record = client.get(f"/persons/{ssn}/pension").text
    assert "未发放即终止" in record and "badge award-unpaid" in record
    assert "发放至 202611" not in record and "发放至</dt><dd>202611" not in record
    assert "badge award-stopped" in record and "2026年08月" in record  # paid to the month of death
    assert "award_event:" not in record and "202609</td>" not in record
    debts = client.get("/benefits/debts").text
    assert "退休戊" in debts and "12,370.50" in debts  # listed without typing an SSN
    ledger = client.get(f"/benefits/debts?ssn={ssn}").text
    assert "待遇变更记录（第" in ledger or "责令退回" in ledger
    assert "award_event:" not in ledger and "payment:" not in ledger
    with sessions() as s:
        person_id = s.execute(select(Person.id).where(Person.ssn == ssn)).scalar_one()
    jump = client.get(f"/persons/id/{person_id}", follow_redirects=False)
    assert jump.status_code == 303 and jump.headers["location"] == person_url(client, ssn)
    assert client.get("/persons/id/999999").status_code == 404


def test_month_and_ref_filters():
    from jingban.web.display import month, ref

    assert month(202612) == month("2026-12") == month(dt.date(2026, 12, 1)) == "2026年12月"
    assert month(None) == "—" and month("abc") == "abc"
    assert str(ref("award_event:1")) == "待遇变更记录（第1号）"
    assert str(ref("person:2041")) == '<a href="/persons/id/2041">参保人（第2041号）</a>'
    assert str(ref("RCPT-<1>")) == "RCPT-&lt;1&gt;"
    from jingban.web.portal import notice_kind

    assert notice_kind("prereview:2027-11") == "退休预审通知"
    assert notice_kind("pension_award") == "待遇核定决定" and notice_kind("odd") == "通知"
