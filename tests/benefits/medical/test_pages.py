"""Pages of medical and maternity benefits: the clerk enters invoices as lines, sees the split,
takes the claim in; the reviewer approves; the list, its Excel export and the decision PDF;
the maternity screen from pregnancy record to intake; the person's overview of every benefit
with the estimates before applying; the API's overview and previews."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from jingban.core import clock
from tests.benefits.medical.helpers import BANK, insured
from tests.benefits.portal_helpers import portal_user
from tests.benefits.stop_helpers import TODAY, payroll
from tests.web.helpers import approve, case_id_of, csrf, post, sign_in

API = "/api/v1"
LINES = ("ZY001,杭州市第一人民医院,2026-10-08,住院,J18.9,治疗费,甲,2000.00\n"
         "ZY001,杭州市第一人民医院,2026-10-08,住院,J18.9,头孢类药品,乙,1000.00\n"
         "ZY001,杭州市第一人民医院,2026-10-08,住院,J18.9,单人病房差价,丙,500.00")


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def test_clerk_enters_invoices_sees_the_split_and_the_claim_is_paid(client, make_user, sessions, login):
    make_user("clerk1", "clerk")
    make_user("rev1", "reviewer_1")
    ssn = insured(sessions)
    token = sign_in(client, "clerk1")
    form = {"ssn": ssn, "purpose": "illness", "bank_account": BANK, "invoices": LINES,
            "material.invoices": "on", "material.diagnosis": "on", "request_id": "m-1"}
    # The category split of test_worked_examples: fund 1,785.00 of 3,500.00.
    shown = post(client, "/benefits/medical", token, {**form, "action": "preview"})
    assert shown.status_code == 200 and 'id="medical-fund">1,785.00<' in shown.text
    bad = post(client, "/benefits/medical", token,
               {**form, "invoices": "ZY1,某医院,2026-10-01,住院", "action": "preview"})
    assert bad.status_code == 422 and "格式应为" in bad.text
    reply = post(client, "/benefits/medical", token, {**form, "action": "submit"}, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert approve(client, "rev1", case_id_of(reply), 1).status_code in (200, 303)
    payroll(sessions, 202612)
    sign_in(client, "clerk1")
    listing = client.get("/benefits/medical").text
    assert "1,785.00" in listing and "decision.pdf" in listing
    sheet = load_workbook(io.BytesIO(client.get("/benefits/medical/claims.xlsx").content)).active
    rows = list(sheet.values)
    assert rows[0][0] == "社会保障号码" and rows[1][0] == ssn and float(rows[1][7]) == 1785.0
    record = client.get(f"{API}/benefits/persons/{ssn}/medical", headers=login("clerk")).json()
    claim_id = record["claims"][0]["id"]
    document = client.get(f"/benefits/medical/claims/{claim_id}/decision.pdf")
    assert document.status_code == 200 and document.content.startswith(b"%PDF")
    overview = client.get(f"/persons/{ssn}/benefits").text
    assert "医疗费用手工报销（职工医保）" in overview and "已发放" in overview


def test_maternity_screen_pregnancy_estimate_and_intake(client, make_user, sessions):
    make_user("clerk2", "clerk")
    make_user("rev2", "reviewer_1")
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1), colleague_base=900000)
    portal_user(sessions, ssn, "p-mother")
    token = sign_in(client, "clerk2")
    query = f"/benefits/maternity?ssn={ssn}&birth_date=2026-10-20&babies=2&difficult_birth=1"
    assert "没有生育登记" in client.get(query).text
    reply = post(client, "/benefits/maternity/pregnancy", token, {"ssn": ssn, "expected_on": "2026-10-25"},
                 follow_redirects=False)
    assert reply.status_code == 303
    # Average 750000; 98 + 15 + 15 + 60 = 188 days; 25000 × 188 = 4700000 fen.
    screen = client.get(query)
    assert 'id="maternity-amount">47000.00<' in screen.text and 'id="maternity-days">188<' in screen.text
    # The woman sees the estimate before applying on her overview (single birth: 158 days).
    sign_in(client, "p-mother")
    mine = client.get("/my/benefits").text
    assert 'id="estimate-maternity-days">158<' in mine and "39500.00" in mine
    token = sign_in(client, "clerk2")
    reply = post(client, "/benefits/maternity", token,
                 {"ssn": ssn, "birth_date": "2026-10-20", "babies": "2", "difficult_birth": "1",
                  "bank_account": BANK, "material.medical_record": "on",
                  "request_id": "mat-1", "csrf_token": csrf(screen.text)}, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert approve(client, "rev2", case_id_of(reply), 1).status_code in (200, 303)
    sign_in(client, "clerk2")
    assert "47,000.00" in client.get("/benefits/maternity").text
    sheet = load_workbook(io.BytesIO(client.get("/benefits/maternity/awards.xlsx").content)).active
    assert list(sheet.values)[1][5] == 188
    sign_in(client, "p-mother")
    mine = client.get("/my/benefits").text
    assert "生育津贴" in mine and "47,000.00" in mine and "待发放" in mine


def test_the_api_overview_and_who_may_read_it(client, make_user, sessions, login):
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1))
    found = client.get(f"{API}/benefits/persons/{ssn}/overview", headers=login("clerk")).json()
    assert found["benefits"] == [] and found["maternity_estimate"] is None
    assert found["medical_year"][0] == {"fund": "medical_employee", "year": 2026, "paid": "0.00",
                                        "cap": "400000.00", "left": "400000.00"}
    assert found["unemployment_estimate"]["eligible"] is False
    refused = client.get(f"{API}/benefits/persons/{ssn}/overview", headers=login("agreement_manager"))
    assert refused.status_code == 403
    preview = client.post(f"{API}/benefits/medical/manual/preview", params={"ssn": ssn},
                          headers=login("clerk"), json={"bank_account": BANK, "invoices": [{
                              "invoice_no": "A1", "hospital": "医院", "service_on": "2026-10-01",
                              "inpatient": True, "diagnosis": "J18",
                              "lines": [{"item": "治疗", "category": "甲", "amount_fen": -5}]}]})
    assert preview.status_code == 422 and "票据金额应大于0" in preview.json()["error"]["message"]


def test_a_woman_registers_her_pregnancy_and_claims_online(client, make_user, sessions):
    make_user("rev3", "reviewer_1")
    ssn = insured(sessions, maternity_from=dt.date(2020, 1, 1), colleague_base=900000)
    portal_user(sessions, ssn, "p-online")
    token = sign_in(client, "p-online")
    mine = client.get("/my/benefits").text
    assert 'id="my-pregnancy"' in mine and 'id="estimate-maternity"' not in mine
    bad = post(client, "/my/benefits/pregnancy", token, {"expected_on": "2026-13-01"})
    assert bad.status_code == 422
    reply = post(client, "/my/benefits/pregnancy", token, {"expected_on": "2026-10-25"},
                 follow_redirects=False)
    assert reply.status_code == 303
    mine = client.get("/my/benefits").text
    assert 'id="estimate-maternity-days">158<' in mine and "/my/apply/BEN-MATERNITY" in mine
    reply = post(client, "/my/apply/BEN-MATERNITY", token,
                 {"birth_date": "2026-10-20", "babies": "2", "difficult_birth": "true",
                  "bank_account": BANK, "material.medical_record": "on", "request_id": "mat-online"},
                 follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert approve(client, "rev3", case_id_of(reply), 1).status_code in (200, 303)
    sign_in(client, "p-online")
    assert "47,000.00" in client.get("/my/benefits").text
