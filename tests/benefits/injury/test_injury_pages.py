"""Pages and endpoints of work-injury benefits: the clerk takes a recognition through the
item's form and the reviewer approves it; after the appraisal and the disability
determination the staff list, its Excel exports, the person's page, the decision PDF, the
API, and the person's own portal page show the benefits; an item before recognition shows
its reason in the form."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.benefits.injury.helpers import BANK, injured, recognised, recognition, relative, take
from tests.benefits.stop_helpers import TODAY, payroll
from tests.conftest import PASSWORD
from tests.web.helpers import approve, case_id_of, post, sign_in

API = "/api/v1"
NUMBER = "杭人社工认〔2026〕101号"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_recognition_by_form_then_the_lists_exports_pdf_api_and_portal(client, make_user, login, sessions):
    # 本人工资 600000; grade 3: grant 23 × 600000 = 13800000 fen (138,000.00); allowance
    # 80 % = 480000 (4,800.00) a month from 202610.
    make_user("clerk1", "clerk")
    make_user("rev1", "reviewer_1")
    make_user("rev2", "reviewer_2")
    ssn, unit = injured(sessions, base=600000, name="工伤页面甲")
    token = sign_in(client, "clerk1")
    screen = client.get("/benefits/injury").text
    assert "/cases/new/BEN-INJURY-RECOGNITION" in screen and "尚未登记工伤认定结论" in screen
    form = {"ssn": ssn, **recognition(NUMBER, unit), "kind": "injury", "request_id": "i-1",
            "material.injury_decision": "on"}
    reply = post(client, "/cases/new/BEN-INJURY-RECOGNITION", token, form, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert approve(client, "rev1", case_id_of(reply), 1).status_code in (200, 303)
    take(sessions, "BEN-INJURY-APPRAISAL-APPLY", ssn, {"decision_number": NUMBER, "applied_on": "2026-09-01"})
    take(sessions, "BEN-INJURY-APPRAISAL", ssn, {"decision_number": NUMBER, "conclusion_number": "JD-101",
                                                 "concluded_on": "2026-09-15", "grade": 3})
    take(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": NUMBER, "bank_account": BANK})
    payroll(sessions, 202610)
    sign_in(client, "clerk1")
    listing = client.get("/benefits/injury").text
    assert NUMBER in listing and "伤残津贴" in listing and "4,800.00/月" in listing
    assert "138,000.00" in listing
    awards = load_workbook(io.BytesIO(client.get("/benefits/injury/awards.xlsx").content)).active
    rows = sorted(list(awards.values)[1:], key=lambda r: r[2])
    assert [(r[0], r[2], float(r[4])) for r in rows] == [(ssn, "一次性伤残补助金", 138000.0),
                                                        (ssn, "伤残津贴", 4800.0)]
    sheet = load_workbook(io.BytesIO(client.get("/benefits/injury/recognitions.xlsx").content)).active
    assert list(sheet.values)[1][2] == NUMBER and float(list(sheet.values)[1][6]) == 6000.0
    record = client.get(f"/persons/{ssn}/injury").text
    assert "伤残3级" in record and "本人工资 × 80%" in record and "已发放" in record
    award_id = int(record.split("/benefits/injury/awards/")[1].split("/")[0])
    pdf = client.get(f"/benefits/injury/awards/{award_id}/decision.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    found = client.get(f"{API}/benefits/persons/{ssn}/injury", headers=login("clerk")).json()
    assert found["recognitions"][0]["grade"] == 3
    assert {(a["name"], a["amount"]) for a in found["awards"]} == {("一次性伤残补助金", "138000.00"),
                                                                   ("伤残津贴", "4800.00")}
    with sessions() as s:
        person = s.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(s, SYSTEM, "p-injured", PASSWORD, {"person"}, subject=f"person:{person.id}",
                    profile="fast")
    sign_in(client, "p-injured")
    mine = client.get("/my/injury").text
    assert "我的工伤保险待遇" in mine and "4,800.00 元/月" in mine and "申请劳动能力鉴定" in mine
    assert client.get(f"/persons/{ssn}/injury").status_code == 403


def test_an_item_before_recognition_shows_the_reason_in_the_form(client, make_user, sessions):
    make_user("clerk2", "clerk")
    ssn, _ = injured(sessions, base=600000, name="工伤页面乙")
    token = sign_in(client, "clerk2")
    reply = post(client, "/cases/new/BEN-INJURY-DISABILITY", token,
                 {"ssn": ssn, "decision_number": NUMBER, "bank_account": BANK, "work_arranged": "true",
                  "request_id": "i-2"})
    assert reply.status_code == 422 and "须先由社会保险行政部门认定工伤" in reply.text


def test_the_two_list_items_from_their_own_forms(client, make_user, sessions):
    # Reimbursement 甲 300.00 + 丙 50.50: the fund pays 30000 fen, the person 5050.
    # Death: 本人工资 600000, the spouse 40 % = 240000 fen (2,400.00) a month.
    make_user("clerk3", "clerk")
    make_user("rev1", "reviewer_1")
    make_user("rev2", "reviewer_2")
    ssn, unit = injured(sessions, base=600000, name="工伤页面丙")
    recognised(sessions, ssn, unit, NUMBER)
    spouse = relative(sessions, "配偶页面", dt.date(1983, 5, 5))
    token = sign_in(client, "clerk3")
    bad = post(client, "/benefits/injury/intake/medical", token,
               {"ssn": ssn, "decision_number": NUMBER, "invoice_number": "FP-PAGE-1",
                "treated_on": "2026-03-20", "bank_account": BANK, "lines": "300.00", "request_id": "m-0"})
    assert bad.status_code == 422 and "费用明细第1行应有2项" in bad.text
    reply = post(client, "/benefits/injury/intake/medical", token,
                 {"ssn": ssn, "decision_number": NUMBER, "invoice_number": "FP-PAGE-1",
                  "treated_on": "2026-03-20", "bank_account": BANK,
                  "lines": "300.00,甲,清创缝合\n50.50,丙,自费敷料", "request_id": "m-1",
                  "material.invoice": "on"},
                 follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert approve(client, "rev1", case_id_of(reply), 1).status_code in (200, 303)
    token = sign_in(client, "clerk3")
    reply = post(client, "/benefits/injury/intake/death", token,
                 {"ssn": ssn, "decision_number": NUMBER, "death_date": "2026-10-05", "payee_name": "配偶页面",
                  "bank_account": BANK, "dependants": f"{spouse},配偶,否,否,{BANK}", "request_id": "d-1"},
                 follow_redirects=False)
    assert reply.status_code == 303, reply.text
    case_id = case_id_of(reply)
    assert approve(client, "rev1", case_id, 1).status_code in (200, 303)
    assert approve(client, "rev2", case_id, 2).status_code in (200, 303)
    sign_in(client, "clerk3")
    listing = client.get("/benefits/injury").text
    assert "工伤医疗费（手工报销）" in listing and "300.00" in listing
    assert "供养亲属抚恤金" in listing and "2,400.00/月" in listing
