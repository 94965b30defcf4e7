"""The collector's file through the API: posting, refusals with code and field, encodings,
repeats and duplicates, arrears that block an employer's cancellation until paid."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.records.models import AccountEntry, Contribution
from jingban.registration.models import Liability
from tests.conftest import citizen_id, error_of
from tests.records.helpers import (
    collector_csv,
    collector_json,
    make_world,
    pension_row,
    upload,
)


@pytest.fixture
def world(sessions):
    return make_world(sessions)


@pytest.fixture
def acct(login):
    return login("accountant")


def count(sessions, model) -> int:
    with sessions() as db:
        return db.execute(select(func.count()).select_from(model)).scalar()


def good_rows(w) -> list[dict]:
    return [
        pension_row(w, "G1", 202401), pension_row(w, "G2", 202402),
        {**pension_row(w, "G3", 202401), "insurance": "unemployment", "employer_amount": "40.00",
         "personal_amount": "40.00"},
        {**pension_row(w, "G4", 202401), "insurance": "injury", "employer_amount": "16.00",
         "personal_amount": "0"},
        {**pension_row(w, "G5", 202401), "uscc": "", "ssn": w.flexible, "employer_amount": "0",
         "personal_amount": "1600.00"},
        {**pension_row(w, "G6", 202401), "uscc": "", "ssn": w.resident, "base": "",
         "insurance": "pension_resident", "employer_amount": "0", "personal_amount": "500.00"},
    ]


def test_good_rows_are_posted_and_credited(client, acct, world):
    reply = upload(client, acct, collector_csv(good_rows(world), bom=True))
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["total"], body["posted"], body["rejected"], body["problems"]) == (6, 6, 0, [])
    employee = client.get(f"/api/v1/persons/{world.employee}/rights", headers=acct).json()
    assert {b["scheme"]: b["balance"] for b in employee["balances"]} == {
        "pension_enterprise": "1280.00"}
    years = {y["insurance"]: y["actual_months"] for y in employee["contribution_years"]}
    assert years == {"pension_enterprise": 2, "unemployment": 1, "injury": 1}
    flexible = client.get(f"/api/v1/persons/{world.flexible}/rights", headers=acct).json()
    assert flexible["balances"] == [{"scheme": "pension_enterprise", "balance": "640.00"}]
    resident = client.get(f"/api/v1/persons/{world.resident}/rights", headers=acct).json()
    assert resident["balances"] == [{"scheme": "pension_resident", "balance": "560.00"}]
    assert sorted(e["kind"] for e in resident["entries"]) == ["contribution", "subsidy"]


def test_each_bad_row_is_reported_with_code_and_field(client, acct, world):
    w = world
    rows = [
        pension_row(w, "B1", 202401, ssn=citizen_id()),
        pension_row(w, "B2", 202401, uscc="91330106MA99999999"),
        pension_row(w, "B3", 202312),
        {**pension_row(w, "B4", 202401), "period": "2024-01"},
        pension_row(w, "B5", 209901),
        pension_row(w, "B6", 202401, base="1000.00", employer_amount="160.00",
                    personal_amount="80.00"),
        pension_row(w, "B7", 202401, employer_amount="-1280.00"),
        pension_row(w, "B8", 202401, personal_amount="六百四十"),
        pension_row(w, "B9", 202401, personal_amount="640.001"),
        pension_row(w, "B10", 202401, employer_amount="1200.00"),
        pension_row(w, "B11", 202401, personal_amount="600.00"),
        pension_row(w, "B12", 202401, insurance="pension_other"),
        pension_row(w, "", 202401),
        pension_row(w, "B14", 202401, paid_on="2024-02-30"),
        {**pension_row(w, "B15", 202401), "uscc": "", "ssn": w.resident, "base": "3000",
         "insurance": "pension_resident", "employer_amount": "0", "personal_amount": "500.00"},
        pension_row(w, "B16", 202403),
        pension_row(w, "B16", 202404),
    ]
    reply = upload(client, acct, collector_csv(rows))
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["total"], body["posted"], body["rejected"], body["duplicate"]) == (17, 1, 15, 1)
    got = [(p["line"], p["code"], p["field"]) for p in body["problems"]]
    assert got == [
        (2, "person.not_found", "ssn"), (3, "employer.not_found", "uscc"),
        (4, "records.not_enrolled", "insurance"), (5, "records.period_format", "period"),
        (6, "records.period_future", "period"), (7, "records.base_range", "base"),
        (8, "money.negative", "employer_amount"), (9, "money.invalid", "personal_amount"),
        (10, "money.precision", "personal_amount"),
        (11, "records.employer_amount", "employer_amount"),
        (12, "records.personal_amount", "personal_amount"),
        (13, "records.insurance", "insurance"), (14, "validation.missing", "record_id"),
        (15, "validation.date_invalid", "paid_on"), (16, "records.base_not_applicable", "base"),
        (18, "records.duplicate", "record_id")]
    assert all("\u4e00" <= p["message"][0] <= "\u9fff" for p in body["problems"])
    detail = client.get(f"/api/v1/contributions/imports/{body['id']}", headers=acct).json()
    assert detail["rows"][0]["raw"].startswith("B1,")
    assert detail["rows"][-1]["status"] == "duplicate"


def test_gbk_json_and_refused_encodings(client, acct, world):
    rows = [pension_row(world, "K1", 202401, insurance="企业职工基本养老保险")]
    reply = upload(client, acct, collector_csv(rows, encoding="gbk"))
    assert reply.status_code == 201, reply.text
    assert (reply.json()["encoding"], reply.json()["posted"]) == ("gbk", 1)
    compact = collector_json([pension_row(world, "J1", 202402), pension_row(world, "J2", 202499),
                              pension_row(world, "J3", 202403, base=8000)], indent=None)
    reply = upload(client, acct, compact, "c.json")
    assert reply.json()["posted"] == 2, reply.text
    assert [(p["line"], p["code"]) for p in reply.json()["problems"]] == [
        (2, "records.period_format")]
    latin = collector_csv([pension_row(world, "L1", 202403)]).replace(b"L1", "Lé".encode("latin-1"))
    err = error_of(upload(client, acct, latin))
    assert (err["code"], err["field"]) == ("records.file", "file")
    assert "UTF-8" in err["message"] and "GBK" in err["message"]
    err = error_of(upload(client, acct, b"record_id,foo\n1,2\n"))
    assert err["code"] == "records.file"


def test_same_file_twice_posts_once(client, acct, world, sessions):
    content = collector_csv([pension_row(world, "S1", 202401)])
    first = upload(client, acct, content)
    again = upload(client, acct, content)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["repeat"]
    # one timestamp, said the same way both times: UTC with its zone
    assert again.json()["received_at"] == first.json()["received_at"]
    assert dt.datetime.fromisoformat(first.json()["received_at"]).utcoffset() == dt.timedelta(0)
    other = upload(client, acct, collector_csv([pension_row(world, "S1", 202401),
                                                pension_row(world, "S2", 202402)]))
    assert (other.json()["posted"], other.json()["duplicate"]) == (1, 1)
    assert count(sessions, Contribution) == 2
    assert count(sessions, AccountEntry) == 2


def test_only_the_accountant_imports(client, login, world):
    err = error_of(upload(client, login("clerk"), collector_csv([pension_row(world, "P", 202401)])))
    assert err["code"] == "auth.forbidden"


def test_arrears_block_cancellation_until_paid(client, acct, login, world, sessions):
    due = pension_row(world, "A1", 202402, paid_on="")
    reply = upload(client, acct, collector_csv([due, pension_row(world, "A0", 202401)]))
    assert (reply.json()["arrears"], reply.json()["posted"]) == (1, 1), reply.text
    listed = client.get(f"/api/v1/employers/{world.uscc}/arrears", headers=acct).json()
    assert [(a["ssn"], a["period"], a["total"]) for a in listed] == [
        (world.employee, 202402, "1920.00")]
    exported = client.get(f"/api/v1/employers/{world.uscc}/arrears?format=csv", headers=acct)
    assert exported.headers["content-type"].startswith("text/csv")
    assert exported.text.lstrip("\ufeff").splitlines()[1].startswith(f"A1,{world.uscc},")
    again = upload(client, acct, collector_csv([{**due, "record_id": "A1-bis"}]))
    assert again.json()["problems"][0]["code"] == "records.arrears_exists"

    clerk = login("clerk")
    refused = client.post(f"/api/v1/employers/{world.uscc}/cancel",
                          json={"reason": "歇业"}, headers=clerk)
    assert error_of(refused)["code"] == "employer.liabilities"

    paid = upload(client, acct, collector_csv([pension_row(world, "A2", 202402)]))
    assert paid.json()["posted"] == 1
    assert client.get(f"/api/v1/employers/{world.uscc}/arrears", headers=acct).json() == []
    with sessions() as db:
        assert db.execute(select(func.count()).select_from(Liability)
                          .where(Liability.settled_at.is_(None))).scalar() == 0
    still = client.post(f"/api/v1/employers/{world.uscc}/cancel", json={"reason": "歇业"},
                        headers=clerk)
    assert error_of(still)["code"] == "employer.active_staff"


def test_partial_payment_refreshes_the_liability(client, acct, world, sessions):
    rows = [pension_row(world, "P1", 202402, paid_on=""),
            {**pension_row(world, "P2", 202402, paid_on=""), "insurance": "unemployment",
             "employer_amount": "40.00", "personal_amount": "40.00"}]
    upload(client, acct, collector_csv(rows))
    upload(client, acct, collector_csv([pension_row(world, "P3", 202402)]))
    with sessions() as db:
        open_ = db.execute(select(Liability.amount).where(Liability.settled_at.is_(None))).all()
    assert open_ == [(8000,)]


def test_staff_view(client, acct, world):
    upload(client, acct, collector_csv([pension_row(world, "V1", 202401)]))
    staff = client.get(f"/api/v1/employers/{world.uscc}/staff", headers=acct).json()
    assert [(s["ssn"], s["contribution_base"], s["last_paid_period"]) for s in staff] == [
        (world.employee, "8000.00", 202401)]
