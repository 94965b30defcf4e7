"""Pages and endpoints of unemployment benefits: the person's estimate and online claim, the
reviewer's approval, the first payment, then the person's page with months used and left; the
clerk's claim screen, the list and its Excel export; a refused claim shows its reasons."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.benefits.portal_helpers import portal_user
from tests.benefits.stop_helpers import ACCOUNTANT, TODAY, payroll
from tests.benefits.unemployment.helpers import BANK, months, unemployed
from tests.conftest import PASSWORD
from tests.web.helpers import approve, case_id_of, person_url, post, sign_in

API = "/api/v1"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_a_claim_from_the_portal_to_its_first_payment(client, make_user, login, sessions):
    # 36 months paid → 12 months of 2,241.00 from 202610 (worked example 1 of test_unemployment).
    make_user("rev1", "reviewer_1")
    make_user("clerk1", "clerk")
    ssn = unemployed(sessions, periods=months(202310, 202609), name="失业丙")
    portal_user(sessions, ssn, "p-unemployed")
    token = sign_in(client, "p-unemployed")
    mine = client.get("/my/unemployment").text
    assert "尚无核定的失业保险金" in mine and "申领前预估" in mine
    assert 'id="unemployment-months">12<' in mine and "26892.00" in mine
    assert "/my/apply/BEN-UNEMPLOYMENT" in mine
    reply = post(client, "/my/apply/BEN-UNEMPLOYMENT", token,
                 {"registration_date": "2026-10-12", "bank_account": BANK, "request_id": "u-1"},
                 follow_redirects=False)
    assert reply.status_code == 303, reply.text
    case_id = case_id_of(reply)
    assert approve(client, "rev1", case_id, 1).status_code in (200, 303)
    payroll(sessions, 202610)
    sign_in(client, "p-unemployed")
    mine = client.get("/my/unemployment").text
    assert "2,241.00 元" in mine and "2026年10月" in mine
    assert "已领月数</dt><dd id=\"months-used-" in mine and ">1个月<" in mine and ">11个月" in mine
    assert "已发放" in mine
    assert client.get(f"/persons/{ssn}/unemployment").status_code == 403
    staff = login("clerk")
    found = client.get(f"{API}/benefits/persons/{ssn}/unemployment", headers=staff).json()
    assert (found["awards"][0]["used_months"], found["awards"][0]["left_months"]) == (1, 11)
    assert found["awards"][0]["payments"][0] == {"period": 202610, "kind": "regular",
                                                  "gross": "2241.00", "net": "2241.00", "sent": True}
    shown = client.get(f"{API}/benefits/unemployment/preview", headers=staff,
                       params={"ssn": ssn, "registration_date": "2026-10-12"}).json()
    assert shown["eligible"] is False and "已有正在领取的失业保险金" in shown["problems"][0]


def test_the_clerk_screen_the_list_and_its_export(client, make_user, sessions):
    make_user("clerk2", "clerk")
    make_user("rev2", "reviewer_1")
    ssn = unemployed(sessions, periods=months(201910, 202609), name="失业丁")  # 7 years: 18 months
    token = sign_in(client, "clerk2")
    screen = client.get(f"/benefits/unemployment?ssn={ssn}&registration_date=2026-10-12").text
    assert 'id="unemployment-months">18<' in screen and "40338.00" in screen
    assert "2026年10月至2028年03月" in screen
    reply = post(client, "/benefits/unemployment", token,
                 {"ssn": ssn, "registration_date": "2026-10-12", "bank_account": BANK,
                  "request_id": "u-2"}, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert approve(client, "rev2", case_id_of(reply), 1).status_code in (200, 303)
    sign_in(client, "clerk2")
    listing = client.get("/benefits/unemployment").text
    assert person_url(client, ssn, "/unemployment") in listing and "发放中" in listing
    sheet = load_workbook(io.BytesIO(client.get("/benefits/unemployment/awards.xlsx").content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("社会保障号码", "姓名", "起发月份")
    assert rows[1][0] == ssn and rows[1][4:7] == (18, 0, 18) and float(rows[1][8]) == 40338.0
    record = client.get(f"/persons/{ssn}/unemployment").text
    assert "核定明细" in record and "满5年不足10年18个月" in record
    link = record.split('href="/benefits/unemployment/awards/')[1].split('"')[0]
    printed = client.get(f"/benefits/unemployment/awards/{link}")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF-")


def test_a_resignation_shows_why_and_offers_no_intake(client, make_user, sessions):
    make_user("clerk3", "clerk")
    ssn = unemployed(sessions, periods=months(202310, 202609), separation="resigned")
    sign_in(client, "clerk3")
    screen = client.get(f"/benefits/unemployment?ssn={ssn}&registration_date=2026-10-12").text
    assert "不符合申领条件" in screen and "本人意愿中断就业" in screen
    assert 'id="unemployment-intake"' not in screen
    bad = client.get("/benefits/unemployment?ssn=" + ssn + "&registration_date=2026-13-01")
    assert bad.status_code == 200 and "YYYY-MM-DD" in bad.text


def test_the_accountant_runs_the_stabilisation_refunds_from_the_page(client, make_user, sessions):
    # One employer, 2 staff paying 60.00 a month all of 2025: 1,440.00 × 60 % = 864.00.
    from tests.benefits.unemployment.helpers import employer
    from tests.benefits.unemployment.test_stabilisation import _staff

    with sessions() as db:
        _staff(db, employer(db, "稳岗页面有限公司"), 2, months(202501, 202512))
        db.commit()
    make_user("acc9", "accountant")
    token = sign_in(client, "acc9")
    assert "/benefits/unemployment" in client.get("/benefits/payroll").text  # in the menu
    reply = post(client, "/benefits/unemployment/stabilisation", token, {"year": "2025"})
    assert reply.status_code == 200 and "已核定2025年度稳岗返还1户，合计864.00元" in reply.text
    assert "稳岗页面有限公司" in reply.text
    again = post(client, "/benefits/unemployment/stabilisation", token, {"year": "2025"})
    assert "已核定2025年度稳岗返还0户" in again.text
    bad = post(client, "/benefits/unemployment/stabilisation", token, {"year": "2026"})
    assert bad.status_code == 422 and "已结束的缴费年度" in bad.text
    sheet = load_workbook(io.BytesIO(client.get("/benefits/unemployment/stabilisation.xlsx").content)).active
    assert [r[2] for r in list(sheet.values)[1:]] == ["稳岗页面有限公司"]


def test_ending_an_enrollment_at_the_counter_records_the_end_reason(client, make_user, sessions):
    # The clerk ends the employer's unemployment enrollment choosing 劳动合同期满终止: the claim
    # then finds an involuntary end of employment.
    ssn = unemployed(sessions, periods=months(202310, 202609), active=True, name="减员甲")
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        enrollment_id = person.enrollments[0].id
    make_user("clerk4", "clerk")
    token = sign_in(client, "clerk4")
    page = client.get(f"/persons/{ssn}").text
    assert f'id="end-{enrollment_id}-separation"' in page and "劳动合同期满终止" in page
    reply = post(client, person_url(client, ssn, f"/enrollments/{enrollment_id}/end"), token,
                 {"end_date": "2026-09-30", "reason": "合同到期", "separation": "contract_expired"})
    assert reply.status_code == 200 and "终止就业原因：劳动合同期满终止" in reply.text
    screen = client.get(f"/benefits/unemployment?ssn={ssn}&registration_date=2026-10-12").text
    assert 'id="unemployment-intake"' in screen


def test_the_employer_sees_its_stabilisation_refund_on_its_portal(client, make_user, sessions):
    # 2 staff paying 60.00 a month all of 2025: 1,440.00 × 60 % = 864.00, shown to the employer.
    from jingban.benefits.unemployment import batch
    from tests.benefits.unemployment.helpers import employer
    from tests.benefits.unemployment.test_stabilisation import _staff

    with sessions() as db:
        mine, other = employer(db, "稳岗门户有限公司"), employer(db, "别家有限公司")
        _staff(db, mine, 2, months(202501, 202512))
        _staff(db, other, 1, months(202501, 202512))
        batch.stabilisation_refunds(db, ACCOUNTANT, 2025)
        create_user(db, SYSTEM, "unit_refund", PASSWORD, {"employer"},
                    subject=f"employer:{mine.id}", profile="fast")
        db.commit()
    sign_in(client, "unit_refund")
    page = client.get("/my/employer")
    assert page.status_code == 200
    part = page.text.split('id="stabilisation-refunds"')[1].split("</section>")[0]
    assert "2025" in part and "864.00" in part and "1,440.00" in part and "60%" in part
    assert "720.00" not in part and "432.00" not in part  # the other employer's refund
