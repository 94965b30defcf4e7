"""Registration through the API: every endpoint, and the bad inputs the issue lists."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.core import clock, privacy  # secaudit
from jingban.core.models import AccessLog, AuditEvent
from jingban.registration.models import Employer, Enrollment, Person
from tests.conftest import citizen_id, employer_body, error_of, person_body

API = "/api/v1"
START = clock.today().replace(day=1).isoformat()


def count(db, model) -> int:
    db.rollback()  # end the test session's read snapshot
    return db.execute(select(func.count()).select_from(model)).scalar()


@pytest.fixture
def clerk(login):
    return login("clerk")


@pytest.fixture
def employer(client, clerk):
    body = employer_body(registered_on="2020-01-01")
    assert client.post(f"{API}/employers", json=body, headers=clerk).status_code == 201
    return body["uscc"]


@pytest.fixture
def person(client, clerk):
    reply = client.post(f"{API}/persons", json=person_body(), headers=clerk)
    assert reply.status_code == 201, reply.text
    return reply.json()["ssn"]


@pytest.fixture
def approve(client, login):
    """Take a case through all its review levels with three different reviewers."""
    reviewers = [login("reviewer_1"), login("reviewer_2"), login("reviewer_3")]

    def run(case: dict) -> dict:
        assert case["status"] == "in_review", case
        for level in range(case["levels_done"] + 1, case["levels_required"] + 1):
            reply = client.post(f"{API}/cases/{case['id']}/decisions",
                                json={"level": level, "decision": "approve", "reason": "同意"},
                                headers=reviewers[level - 1])
            if reply.status_code != 200:
                return reply.json()
            case = reply.json()
        return case

    return run


def enroll(client, headers, ssn, insurance, employer=None, base="6000.00", start=START):
    body = {"insurance": insurance, "start_date": start, "employer_uscc": employer,
            "contribution_base": base}
    return client.post(f"{API}/persons/{ssn}/enrollments", json=body, headers=headers)


# --- employers -------------------------------------------------------------------------------

def test_register_and_read_employer(client, clerk):
    body = employer_body(uscc=employer_body()["uscc"].lower())
    reply = client.post(f"{API}/employers", json=body, headers=clerk)
    assert reply.status_code == 201
    got = client.get(f"{API}/employers/{body['uscc'].upper()}", headers=clerk).json()
    assert (got["uscc"], got["status"], got["name"]) == (body["uscc"].upper(), "active", body["name"])


@pytest.mark.parametrize("override,code,field", [
    ({"uscc": "91330106MA2H3K4L5X"}, "uscc.check_digit", "uscc"),
    ({"uscc": "ABC"}, "uscc.format", "uscc"),
    ({"region": "999999"}, "region.unknown", "region"),
    ({"kind": "company"}, "validation.literal_error", "kind"),
    ({"name": ""}, "validation.string_too_short", "name"),
    ({"injury_risk_class": 9}, "validation.less_than_equal", "injury_risk_class"),
    ({"registered_on": "2099-01-01"}, "employer.registered_on", "registered_on"),
])
def test_bad_employer_input(client, clerk, db, override, code, field):
    before = count(db, AuditEvent)
    err = error_of(client.post(f"{API}/employers", json=employer_body(**override), headers=clerk))
    assert (err["code"], err["field"]) == (code, field)
    assert count(db, Employer) == 0 and count(db, AuditEvent) == before


def test_missing_field_and_duplicate_employer(client, clerk, employer, db):
    body = employer_body()
    del body["name"]
    err = error_of(client.post(f"{API}/employers", json=body, headers=clerk))
    assert (err["code"], err["field"]) == ("validation.missing", "name")
    dup = employer_body(uscc=employer)
    reply = client.post(f"{API}/employers", json=dup, headers=clerk)
    assert reply.status_code == 409 and error_of(reply)["code"] == "employer.exists"
    assert count(db, Employer) == 1


def test_unknown_employer_and_non_json(client, clerk):
    reply = client.get(f"{API}/employers/91330106MA0000000X", headers=clerk)
    assert reply.status_code == 404 and error_of(reply)["code"] == "employer.not_found"
    reply = client.post(f"{API}/employers", content=b"{not json",
                        headers={**clerk, "Content-Type": "application/json"})
    assert error_of(reply)["code"] == "validation.json_invalid"


def test_only_clerks_register(client, login):
    reply = client.post(f"{API}/employers", json=employer_body(), headers=login("reviewer_1"))
    assert reply.status_code == 403 and error_of(reply)["code"] == "auth.forbidden"
    reply = client.post(f"{API}/employers", json=employer_body(), headers=login("accountant"))
    assert reply.status_code == 403


def test_change_employer_keeps_history(client, clerk, employer, approve):
    reply = client.patch(f"{API}/employers/{employer}",
                         json={"reason": "单位迁址", "address": "杭州市西湖区新址8号"}, headers=clerk)
    assert reply.status_code == 202 and reply.json()["item"] == "REG-EMPLOYER-CHANGE"
    assert client.get(f"{API}/employers/{employer}", headers=clerk).json()["address"] != \
        "杭州市西湖区新址8号"
    assert approve(reply.json())["status"] == "completed"
    assert client.get(f"{API}/employers/{employer}", headers=clerk).json()["address"] == \
        "杭州市西湖区新址8号"
    history = client.get(f"{API}/employers/{employer}/history", headers=clerk).json()
    assert "cases.intake" in [h["act"] for h in history]  # the case's steps show too
    history = [h for h in history if h["act"].startswith("registration.")]
    assert [h["act"] for h in history] == ["registration.register_employer",
                                           "registration.change_employer"]
    change = history[1]
    assert change["reason"] == "单位迁址" and change["actor"] == "u_reviewer_1"
    assert change["channel"] == "case"
    assert change["changes"]["address"] == ["杭州市西湖区文三路1号", "杭州市西湖区新址8号"]
    assert change["act_name"] == "单位登记信息变更"


def test_change_needs_reason_and_a_change(client, clerk, employer):
    err = error_of(client.patch(f"{API}/employers/{employer}", json={"address": "x"}, headers=clerk))
    assert err["field"] == "reason"
    err = error_of(client.patch(f"{API}/employers/{employer}",
                                json={"reason": "r", "address": "杭州市西湖区文三路1号"}, headers=clerk))
    assert err["code"] == "employer.no_change"  # refused at intake, no case left behind


def test_cancel_refused_while_arrears(client, clerk, employer, login, db, approve):
    accountant = login("accountant")
    reply = client.post(f"{API}/employers/{employer}/liabilities",
                        json={"kind": "arrears", "amount": "1234.56", "period": 202609},
                        headers=accountant)
    assert reply.status_code == 201 and reply.json()["amount"] == "1234.56"
    liability = reply.json()["id"]
    before = count(db, AuditEvent)
    reply = client.post(f"{API}/employers/{employer}/cancel", json={"reason": "歇业"}, headers=clerk)
    err = error_of(reply)  # refused at intake: the act is tried and undone
    assert reply.status_code == 409 and err["code"] == "employer.liabilities"
    assert "1234.56" in err["message"]
    assert count(db, AuditEvent) == before
    assert client.get(f"{API}/employers/{employer}", headers=clerk).json()["status"] == "active"
    client.post(f"{API}/employers/{employer}/liabilities/{liability}/settle",
                json={"reason": "已缴清"}, headers=accountant)
    reply = client.post(f"{API}/employers/{employer}/cancel", json={"reason": "歇业"}, headers=clerk)
    assert reply.status_code == 202 and reply.json()["levels_required"] == 2
    assert approve(reply.json())["status"] == "completed"
    assert client.get(f"{API}/employers/{employer}", headers=clerk).json()["status"] == "cancelled"
    reply = client.post(f"{API}/employers/{employer}/cancel", json={"reason": "歇业"}, headers=clerk)
    assert error_of(reply)["code"] == "employer.cancelled"


def test_cancel_refused_while_staff_enrolled(client, clerk, employer, person):
    assert enroll(client, clerk, person, "injury", employer).status_code == 201
    reply = client.post(f"{API}/employers/{employer}/cancel", json={"reason": "歇业"}, headers=clerk)
    assert error_of(reply)["code"] == "employer.active_staff"


def test_liability_amount_must_be_exact_fen(client, employer, login):
    reply = client.post(f"{API}/employers/{employer}/liabilities",
                        json={"kind": "fine", "amount": "10.001"}, headers=login("accountant"))
    assert error_of(reply)["code"] == "money.precision"


# --- persons -----------------------------------------------------------------------------------

def test_register_person_from_citizen_id(client, clerk):
    number = citizen_id(dt.date(1985, 3, 9))
    reply = client.post(f"{API}/persons", json=person_body(id_number=number), headers=clerk)
    got = reply.json()
    assert got["ssn"] == number and got["birth_date"] == "1985-03-09"
    assert got["sex"] == ("M" if int(number[16]) % 2 else "F")


@pytest.mark.parametrize("number,code", [
    ("330106199005061231", "id.check_digit"),
    ("330106199002301234", "id.birth_date"),
    ("330106209901011234", "id.birth_future"),
    ("999999199005061234", "id.area_code"),
])
def test_bad_citizen_ids_write_nothing(client, clerk, db, number, code):
    if code != "id.check_digit":  # give the number a right check digit so only `code` is wrong
        from stdnum.cn import ric
        number = number[:17] + ric.calc_check_digit(number)
    err = error_of(client.post(f"{API}/persons", json=person_body(id_number=number), headers=clerk))
    assert (err["code"], err["field"]) == (code, "id_number")
    assert count(db, Person) == 0


def test_duplicate_person(client, clerk, person, db):
    reply = client.post(f"{API}/persons", json=person_body(id_number=person), headers=clerk)
    assert reply.status_code == 409 and error_of(reply)["code"] == "person.exists"
    assert count(db, Person) == 1


def test_foreigners_get_distinct_assigned_ssns(client, clerk):
    body = {"id_type": "foreign", "id_number": "X1234567", "name": "John Smith", "sex": "M",
            "birth_date": "1980-02-03", "nationality": "USA"}
    first = client.post(f"{API}/persons", json=body, headers=clerk).json()["ssn"]
    second = client.post(f"{API}/persons", json={**body, "id_number": "X7654321"},
                         headers=clerk).json()["ssn"]
    assert first.startswith("USA330106") and second.startswith("USA330106") and first != second
    again = client.post(f"{API}/persons", json=body, headers=clerk)
    assert error_of(again)["code"] == "person.exists"
    hk = client.post(f"{API}/persons", json={**body, "id_type": "hmt", "id_number": "H1234567",
                                             "nationality": "HKG"}, headers=clerk).json()
    assert hk["ssn"].startswith("HKG330106")


@pytest.mark.parametrize("override,code,field", [
    ({"birth_date": None}, "person.birth_date", "birth_date"),
    ({"sex": None}, "person.sex", "sex"),
    ({"nationality": "CHN"}, "person.nationality", "nationality"),
    ({"birth_date": "2999-01-01"}, "person.birth_future", "birth_date"),
])
def test_bad_foreigner_input(client, clerk, override, code, field):
    body = {"id_type": "foreign", "id_number": "P998877", "name": "Anna", "sex": "F",
            "birth_date": "1991-01-01", "nationality": "DEU", **override}
    err = error_of(client.post(f"{API}/persons", json=body, headers=clerk))
    assert (err["code"], err["field"]) == (code, field)


def test_read_person_is_logged(client, clerk, person, db):
    before = count(db, AccessLog)
    got = client.get(f"{API}/persons/{person}", headers=clerk).json()
    assert got["ssn"] == person and got["status"] == "active"
    assert count(db, AccessLog) == before + 1
    assert error_of(client.get(f"{API}/persons/330106199005060000", headers=clerk))["code"] == \
        "person.not_found"


def test_change_person(client, clerk, person):
    reply = client.patch(f"{API}/persons/{person}",
                         json={"reason": "户口迁移", "household_region": "110105"}, headers=clerk)
    assert reply.json()["household_region"] == "110105"
    err = error_of(client.patch(f"{API}/persons/{person}",
                                json={"reason": "x", "household_region": "000000"}, headers=clerk))
    assert err["code"] == "region.unknown" and err["field"] == "household_region"


# --- enrollments -------------------------------------------------------------------------------

def test_enroll_through_employer_and_history(client, clerk, employer, person):
    reply = enroll(client, clerk, person, "pension_enterprise", employer, base="6000")
    assert reply.status_code == 201, reply.text
    got = reply.json()
    assert (got["employer_uscc"], got["contribution_base"], got["status"]) == (
        employer, "6000.00", "active")
    history = client.get(f"{API}/persons/{person}/history", headers=clerk).json()
    history = [h for h in history if h["act"].startswith("registration.")]
    assert [h["act"] for h in history] == ["registration.register_person", "registration.enroll"]
    assert history[1]["changes"]["insurance"] == [None, "pension_enterprise"]
    employer_history = client.get(f"{API}/employers/{employer}/history", headers=clerk).json()
    assert employer_history[-1]["act"] == "registration.enroll"


def test_duplicate_active_enrollment_refused(client, clerk, employer, person, db):
    assert enroll(client, clerk, person, "pension_enterprise", employer).status_code == 201
    reply = enroll(client, clerk, person, "pension_resident", None, base=None)
    assert reply.status_code == 409 and error_of(reply)["code"] == "enrollment.duplicate"
    reply = enroll(client, clerk, person, "pension_enterprise", employer)
    assert error_of(reply)["code"] == "enrollment.duplicate"
    assert count(db, Enrollment) == 1


def test_injury_with_two_employers_is_allowed(client, clerk, employer, person):
    other = employer_body(registered_on="2020-01-01")
    client.post(f"{API}/employers", json=other, headers=clerk)
    assert enroll(client, clerk, person, "injury", employer).status_code == 201
    assert enroll(client, clerk, person, "injury", other["uscc"]).status_code == 201
    assert error_of(enroll(client, clerk, person, "injury", employer))["code"] == \
        "enrollment.duplicate"


@pytest.mark.parametrize("insurance,with_employer,base,code", [
    ("pension_enterprise", True, "100.00", "enrollment.base_range"),
    ("pension_enterprise", True, "99999.00", "enrollment.base_range"),
    ("pension_enterprise", True, None, "enrollment.base_required"),
    ("pension_enterprise", True, "6000.001", "money.precision"),
    ("pension_resident", False, "6000", "enrollment.base_not_applicable"),
    ("unemployment", False, "6000", "enrollment.route"),
    ("pension_institution", True, "6000", "enrollment.route"),
])
def test_bad_enrollments(client, clerk, employer, person, db, insurance, with_employer, base, code):
    reply = enroll(client, clerk, person, insurance, employer if with_employer else None, base=base)
    assert error_of(reply)["code"] == code
    assert count(db, Enrollment) == 0


def test_enrollment_start_date_limits(client, clerk, employer, person):
    err = error_of(enroll(client, clerk, person, "maternity", employer, start="2001-01-01"))
    assert (err["code"], err["field"]) == ("enrollment.start_date", "start_date")


def test_end_then_enroll_again(client, clerk, employer, person):
    first = enroll(client, clerk, person, "unemployment", employer).json()
    reply = client.post(f"{API}/persons/{person}/enrollments/{first['id']}/end",
                        json={"end_date": "2000-01-01", "reason": "离职"}, headers=clerk)
    assert error_of(reply)["code"] == "enrollment.end_date"
    reply = client.post(f"{API}/persons/{person}/enrollments/{first['id']}/end",
                        json={"end_date": START, "reason": "离职"}, headers=clerk)
    assert reply.json()["status"] == "ended"
    reply = client.post(f"{API}/persons/{person}/enrollments/{first['id']}/end",
                        json={"end_date": START, "reason": "离职"}, headers=clerk)
    assert error_of(reply)["code"] == "enrollment.ended"
    assert enroll(client, clerk, person, "unemployment", employer).status_code == 201


def test_simultaneous_duplicate_enrollments_one_wins(sessions, client, clerk, employer, person):
    """The partial unique index holds even when two clerks submit at the same moment."""
    from concurrent.futures import ThreadPoolExecutor

    from jingban.core.actor import Actor
    from jingban.core.errors import Conflict
    from jingban.registration import service
    from jingban.registration.schemas import EnrollmentCreate

    actor = Actor("u_clerk", frozenset({"clerk"}))
    data = EnrollmentCreate(insurance="maternity", employer_uscc=employer,
                            start_date=dt.date.fromisoformat(START), contribution_base="6000")

    def attempt(_):
        with sessions() as session:
            try:
                service.enroll(session, actor, person, data)
                return "ok"
            except Conflict:
                return "conflict"

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(attempt, range(4)))
    assert results.count("ok") == 1 and results.count("conflict") == 3


# --- cards -------------------------------------------------------------------------------------

def test_card_lifecycle(client, clerk, person):
    url = f"{API}/persons/{person}/cards"
    card = client.post(url, json={"kind": "ss_card", "number": "A0000001"}, headers=clerk).json()
    assert card["status"] == "applied"
    dup = client.post(url, json={"kind": "ss_card", "number": "A0000002"}, headers=clerk)
    assert error_of(dup)["code"] == "card.exists"
    for status in ["issued", "active", "lost"]:
        reply = client.post(f"{url}/{card['id']}/status", json={"status": status, "reason": "办理"},
                            headers=clerk)
        assert reply.json()["status"] == status
    bad = client.post(f"{url}/{card['id']}/status", json={"status": "issued", "reason": "x"},
                      headers=clerk)
    assert error_of(bad)["code"] == "card.transition"
    no_number = client.post(f"{url}/{card['id']}/status", json={"status": "replaced", "reason": "补卡"},
                            headers=clerk)
    assert error_of(no_number)["code"] == "card.new_number"
    client.post(f"{url}/{card['id']}/status",
                json={"status": "replaced", "reason": "补卡", "new_number": "A0000009"}, headers=clerk)
    cards = client.get(f"{API}/persons/{person}", headers=clerk).json()["cards"]
    assert [(c["number"], c["status"]) for c in cards] == [("A0000001", "replaced"),
                                                         ("A0000009", "applied")]
    assert cards[1]["replaces_id"] == card["id"]
    evoucher = client.post(url, json={"kind": "medical_evoucher", "number": "E1"}, headers=clerk)
    assert evoucher.status_code == 201


def test_search(client, clerk, employer, person):
    found = client.get(f"{API}/search", params={"q": employer}, headers=clerk).json()
    assert [e["uscc"] for e in found["employers"]] == [employer]
    found = client.get(f"{API}/search", params={"q": person}, headers=clerk).json()
    assert [p["ssn"] for p in found["persons"]] == [person]
    assert error_of(client.get(f"{API}/search", params={"q": ""}, headers=clerk))["field"] == "q"


def test_person_cancel_and_correction_are_cases(client, clerk, person, approve):
    reply = client.post(f"{API}/persons/{person}/cancel", json={"reason": "出境定居"}, headers=clerk)
    case = reply.json()
    assert reply.status_code == 202 and case["status"] == "awaiting_materials"
    case = client.post(f"{API}/cases/{case['id']}/materials", json={"codes": ["cancel_proof"]},
                       headers=clerk).json()
    assert approve(case)["status"] == "completed"
    assert client.get(f"{API}/persons/{person}", headers=clerk).json()["status"] == "cancelled"


def test_id_correction_changes_the_ssn_and_keeps_the_original(client, clerk, person, approve):
    corrected = citizen_id(dt.date(1990, 5, 7))
    reply = client.post(f"{API}/persons/{person}/corrections",
                        json={"id_number": corrected, "reason": "公安机关更正出生日期",
                              "materials": ["id_document"]}, headers=clerk)
    assert reply.status_code == 202 and reply.json()["levels_required"] == 3
    assert approve(reply.json())["status"] == "completed"
    got = client.get(f"{API}/persons/{corrected}", headers=clerk).json()
    assert (got["ssn"], got["birth_date"]) == (corrected, "1990-05-07")
    history = client.get(f"{API}/persons/{corrected}/history", headers=clerk).json()
    fix = [h for h in history if h["act"] == "registration.correct_identity"][0]
    masked = [privacy.mask_id(person), privacy.mask_id(corrected)]  # secaudit: as on the page
    assert fix["changes"]["ssn"] == masked
    assert error_of(client.get(f"{API}/persons/{person}", headers=clerk))["code"] == "person.not_found"


def test_request_id_header_makes_registration_idempotent(client, clerk, db):
    body = person_body()
    headers = {**clerk, "X-Request-Id": "counter-7-0001"}
    first = client.post(f"{API}/persons", json=body, headers=headers)
    second = client.post(f"{API}/persons", json=body, headers=headers)
    assert first.json()["ssn"] == second.json()["ssn"] and count(db, Person) == 1
