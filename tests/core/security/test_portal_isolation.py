"""Another person's or employer's data through the portal (issue 15, bad input): a portal user
who names someone else's SSN, USCC or case — in any GET endpoint of the API, or on a page —
gets 403 or 404, never the data."""

import re

import pytest
from sqlalchemy import select

from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Employer, Person
from tests.conftest import PASSWORD, employer_body, person_body
from tests.core.security.test_bad_tokens import PUBLIC, operations
from tests.web.helpers import csrf

API = "/api/v1"
OTHER_NAME = "隔壁老李"


def _portal(client, db, username: str, role: str, subject: str) -> dict:
    create_user(db, SYSTEM, username, PASSWORD, {role}, subject=subject, profile="fast")
    reply = client.post(f"{API}/auth/token", data={"username": username, "password": PASSWORD})
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


@pytest.fixture
def world(client, login, db):
    clerk = login("clerk")
    me = client.post(f"{API}/persons", json=person_body(name="本人张"), headers=clerk).json()
    other = client.post(f"{API}/persons", json=person_body(name=OTHER_NAME), headers=clerk).json()
    mine_unit = client.post(f"{API}/employers", json=employer_body(), headers=clerk).json()
    other_unit = client.post(f"{API}/employers", json=employer_body(name="别家有限公司"),
                             headers=clerk).json()
    case = client.post(f"{API}/cases", headers=clerk, json={
        "item": "REG-PERSON-CORRECT", "materials": ["id_document"],
        "payload": {"ssn": other["ssn"], "name": "李某某", "reason": "公安机关更正姓名"}}).json()
    person_id = db.execute(select(Person.id).where(Person.ssn == me["ssn"])).scalar()
    unit_id = db.execute(select(Employer.id).where(Employer.uscc == mine_unit["uscc"])).scalar()
    return {"person": _portal(client, db, "portal_zhang", "person", f"person:{person_id}"),
            "employer": _portal(client, db, "portal_unit", "employer", f"employer:{unit_id}"),
            "ssn": other["ssn"], "uscc": other_unit["uscc"], "case_id": str(case["id"])}


def _urls(app, world) -> list[str]:
    """Every GET endpoint with a path parameter, pointed at the other party's records."""
    fill = {"ssn": world["ssn"], "uscc": world["uscc"], "case_id": world["case_id"],
            "period": "202611", "year": "2026"}
    urls = []
    for method, path, _ in operations(app):
        if method != "get" or "{" not in path or (method, path) in PUBLIC:
            continue
        urls.append(re.sub(r"\{([^}]+)\}", lambda m: fill.get(m.group(1), "1"), path))
    return urls


@pytest.mark.parametrize("role", ["person", "employer"])
def test_no_api_endpoint_hands_over_another_partys_data(client, app, world, role):
    urls = _urls(app, world)
    assert len(urls) > 30
    leaks = []
    for url in urls:
        reply = client.get(url, headers=world[role])
        if reply.status_code not in (403, 404) or OTHER_NAME in reply.text \
                or world["ssn"] in reply.text:
            leaks.append((url, reply.status_code, reply.text[:100]))
    assert not leaks, leaks


def test_pages_refuse_another_persons_case(client, world, sessions):
    token = csrf(client.get("/login").text)
    client.post("/login", data={"username": "portal_zhang", "password": PASSWORD,
                                "csrf_token": token})
    for url in (f"/cases/{world['case_id']}", f"/persons/{world['ssn']}",
                f"/employers/{world['uscc']}", f"/persons/{world['ssn']}/history"):
        reply = client.get(url, follow_redirects=False)
        assert reply.status_code in (403, 404), (url, reply.status_code)
        assert OTHER_NAME not in reply.text, url
        shown = reply.text.replace(f'value="{url}"', "")  # the page's own address, echoed
        assert world["ssn"] not in shown, url
