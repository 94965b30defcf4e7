"""Interest runs, deemed years and corrections through three review levels."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jingban.core import clock
from jingban.records import rules
from jingban.records.models import AccountEntry
from tests.conftest import error_of
from tests.records.helpers import collector_csv, make_world, pension_row, upload

API = "/api/v1"


@pytest.fixture
def world(sessions):
    return make_world(sessions)


@pytest.fixture
def acct(login):
    return login("accountant")


@pytest.fixture
def year_2024(client, acct, world):
    """Twelve months of 2024 for the employee, January posted twice by the collector."""
    rows = [pension_row(world, f"Y{m}", 202400 + m) for m in range(1, 13)]
    rows.append(pension_row(world, "Y1-again", 202401))
    reply = upload(client, acct, collector_csv(rows))
    assert reply.json()["posted"] == 13, reply.text
    return world


def run(client, headers, year):
    return client.post(f"{API}/accounts/interest-runs", json={"year": year}, headers=headers)


def test_interest_run_credits_once(client, acct, year_2024, sessions):
    first = run(client, acct, 2024)
    assert first.status_code == 201, first.text
    by_scheme = {r["scheme"]: r for r in first.json()}
    assert by_scheme["pension_enterprise"]["persons"] == 1
    assert by_scheme["pension_enterprise"]["rate"] == "0.0262"
    record = client.get(f"{API}/persons/{year_2024.employee}/rights", headers=acct).json()
    credited = 13 * 64000
    expected = rules.interest(0, credited, Decimal("0.0262"))
    assert record["accounts"] == [{
        "scheme": "pension_enterprise", "year": 2024, "opening": "0.00",
        "credited": f"{credited / 100:.2f}", "interest": f"{expected / 100:.2f}",
        "closing": f"{(credited + expected) / 100:.2f}", "rate": "0.0262"}]
    years = {y["insurance"]: y for y in record["contribution_years"]}
    assert years["pension_enterprise"]["actual_months"] == 12  # January paid twice counts once

    again = run(client, acct, 2024)
    assert again.status_code == 200 and all(r["repeat"] for r in again.json())
    with sessions() as db:
        interest = db.execute(select(func.count()).select_from(AccountEntry)
                              .where(AccountEntry.kind == "interest")).scalar()
    assert interest == 1


def test_interest_refuses_unpublished_or_open_years(client, acct, login, year_2024):
    err = error_of(run(client, acct, 2025))
    assert (err["code"], err["field"]) == ("policy.no_value", "year")
    assert "记账利率" in err["message"]
    assert error_of(run(client, acct, clock.today().year + 1))["code"] == "records.year_open"
    assert error_of(run(client, login("clerk"), 2024))["code"] == "auth.forbidden"


def test_interest_runs_in_year_order(client, acct, year_2024, sessions):
    with sessions() as db:
        person_id = db.execute(select(AccountEntry.person_id)).scalars().first()
        db.add(AccountEntry(person_id=person_id, scheme="pension_enterprise", year=2022,
                            kind="contribution", amount=100, posted_on=dt.date(2022, 5, 1)))
        db.commit()
    assert error_of(run(client, acct, 2024))["code"] == "records.interest_order"


@pytest.fixture
def staff(login):
    return {"clerk": login("clerk"), "r1": login("reviewer_1"), "r2": login("reviewer_2"),
            "r3": login("reviewer_3")}


def through_three_levels(client, staff, item, payload, materials):
    reply = client.post(f"{API}/cases", json={"item": item, "payload": payload,
                                              "materials": materials}, headers=staff["clerk"])
    assert reply.status_code == 201, reply.text
    case = reply.json()
    assert case["levels_required"] == 3
    for level in (1, 2, 3):
        decided = client.post(f"{API}/cases/{case['id']}/decisions",
                              json={"level": level, "decision": "approve", "reason": "同意"},
                              headers=staff[f"r{level}"])
        assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "completed"
    return decided.json()


def test_deemed_years_through_a_case(client, staff, acct, year_2024):
    ssn = year_2024.employee
    payload = {"ssn": ssn, "insurance": "pension_enterprise", "months": 60,
               "from_date": "1990-01-01", "to_date": "1994-12-31",
               "evidence": "人事档案：招工登记表（第3页）", "reason": "档案记载1990年参加工作"}
    missing = client.post(f"{API}/cases", json={"item": "REC-DEEMED-YEARS", "payload": payload},
                          headers=staff["clerk"]).json()
    assert missing["status"] == "awaiting_materials"
    case = through_three_levels(client, staff, "REC-DEEMED-YEARS", payload, ["personnel_file"])
    record = client.get(f"{API}/persons/{ssn}/rights", headers=acct).json()
    assert [d["case_id"] for d in record["deemed"]] == [case["id"]]
    years = {y["insurance"]: y for y in record["contribution_years"]}
    assert years["pension_enterprise"] == {"insurance": "pension_enterprise", "actual_months": 12,
                                           "deemed_months": 60, "total_months": 72,
                                           "total": "6年0个月"}
    too_late = {**payload, "from_date": "1996-01-01", "to_date": "1996-12-31", "months": 12,
                "insurance": "pension_institution"}
    refused = client.post(f"{API}/cases", json={"item": "REC-DEEMED-YEARS", "payload": too_late,
                                                "materials": ["personnel_file"]},
                          headers=staff["clerk"])
    assert error_of(refused)["code"] == "records.deemed_period"


def test_correction_keeps_original_and_reversal(client, staff, acct, year_2024):
    ssn = year_2024.employee
    before = client.get(f"{API}/persons/{ssn}/rights", headers=acct).json()
    target = next(c for c in before["contributions"] if c["period"] == 202403)
    payload = {"ssn": ssn, "contribution_id": target["id"], "reason": "征收机构退费更正"}
    case = through_three_levels(client, staff, "REC-CORRECTION", payload, ["correction_proof"])
    after = client.get(f"{API}/persons/{ssn}/rights", headers=acct).json()
    rows = {c["id"]: c for c in after["contributions"]}
    reversal = next(c for c in after["contributions"] if c["kind"] == "reversal")
    assert reversal["reverses_id"] == target["id"]
    assert rows[target["id"]]["reversed_by_id"] == reversal["id"]
    assert reversal["personal_amount"] == "-640.00"
    assert reversal["case_id"] == case["id"] and rows[target["id"]]["case_id"] is None
    years = {y["insurance"]: y["actual_months"] for y in after["contribution_years"]}
    assert years["pension_enterprise"] == 11
    balance = {b["scheme"]: b["balance"] for b in after["balances"]}
    assert balance["pension_enterprise"] == f"{12 * 640:.2f}"
    reversed_entry = next(e for e in after["entries"] if e["kind"] == "reversal")
    assert reversed_entry["amount"] == "-640.00" and reversed_entry["case_id"] == case["id"]

    twice = client.post(f"{API}/cases", json={"item": "REC-CORRECTION", "payload": payload,
                                              "materials": ["correction_proof"]},
                        headers=staff["clerk"])
    assert error_of(twice)["code"] == "records.already_reversed"


def test_rights_reads_are_logged(client, acct, world, sessions):
    from jingban.core.models import AccessLog

    client.get(f"{API}/persons/{world.employee}/rights", headers=acct)
    with sessions() as db:
        views = db.execute(select(AccessLog.view)).scalars().all()
    assert "rights" in views
