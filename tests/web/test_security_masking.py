"""Masked screens (issue 15 item 1, as an assessor walks them): a clerk, who is not in
``PII_FULL``, sees no citizen ID, phone, bank account or address in full on any staff page of
registration, records and cases — the person and unit pages, their histories, the rights
record, the unit's staff list, a case's application and the search. (The roles that see a
kind in full are tested through the API in tests/registration/test_personal_data.py.)"""

import re

import pytest

from jingban.core import clock
from tests.conftest import employer_body, person_body
from tests.web.helpers import sign_in

API = "/api/v1"
PHONE, NEW_PHONE = "13912345678", "13698765432"
ADDRESS = "浙江省杭州市西湖区文三路99号"
UNIT_PHONE, NEW_UNIT_PHONE = "057188881234", "057188889999"
ACCOUNT, NEW_ACCOUNT = "6217000010007654321", "6217000010001112223"


@pytest.fixture
def world(client, login):
    clerk = login("clerk")
    person = client.post(f"{API}/persons", json=person_body(phone=PHONE, address=ADDRESS),
                         headers=clerk).json()
    unit = employer_body(phone=UNIT_PHONE, bank_account=ACCOUNT)
    assert client.post(f"{API}/employers", json=unit, headers=clerk).status_code == 201
    enrolled = client.post(f"{API}/persons/{person['ssn']}/enrollments", headers=clerk, json={
        "employer_uscc": unit["uscc"], "insurance": "pension_enterprise",
        "start_date": clock.today().isoformat(), "contribution_base": "6000.00"})
    assert enrolled.status_code == 201, enrolled.text
    changed = client.patch(f"{API}/persons/{person['ssn']}", headers=clerk,
                           json={"phone": NEW_PHONE, "reason": "更换手机号"})
    assert changed.status_code in (200, 202), changed.text
    case = client.patch(f"{API}/employers/{unit['uscc']}", headers=clerk, json={
        "reason": "单位变更联系方式", "phone": NEW_UNIT_PHONE, "bank_account": NEW_ACCOUNT})
    assert case.status_code == 202, case.text
    return {"ssn": person["ssn"], "uscc": unit["uscc"], "case": case.json()["id"],
            "name": unit["name"]}


def _pages(world) -> list[str]:
    ssn, uscc = world["ssn"], world["uscc"]
    return [f"/persons/{ssn}", f"/persons/{ssn}/history", f"/persons/{ssn}/rights",
            f"/employers/{uscc}", f"/employers/{uscc}/staff", f"/cases/{world['case']}",
            f"/search?q={world['name']}", f"/search?q={PHONE}"]


def _visible(html: str) -> str:
    """The page without the links and form targets (the SSN in URLs is a known gap)."""
    return re.sub(r'\s(href|action)="[^"]*"', "", html)


def test_a_clerk_sees_every_personal_value_masked(client, make_user, world):
    make_user("mask_clerk", "clerk")
    sign_in(client, "mask_clerk")
    secrets = (world["ssn"], PHONE, NEW_PHONE, ADDRESS, UNIT_PHONE, NEW_UNIT_PHONE, ACCOUNT,
               NEW_ACCOUNT)
    leaks = []
    for url in _pages(world):
        reply = client.get(url)
        assert reply.status_code == 200, (url, reply.text[:300])
        # the search page keeps the query the clerk typed in its box
        leaks += [(url, s) for s in secrets if s in _visible(reply.text) and s not in url]
    assert not leaks, "\n".join(map(str, leaks))
    assert world["ssn"][:4] + "*" * 10 + world["ssn"][-4:] in client.get(
        f"/persons/{world['ssn']}/rights").text



def test_the_api_masks_a_case_application_like_its_page(client, world, login):
    clerk = login("clerk")
    shown = client.get(f"{API}/cases/{world['case']}", headers=clerk)
    assert shown.status_code == 200
    assert NEW_UNIT_PHONE not in shown.text and NEW_ACCOUNT not in shown.text
    listed = client.get(f"{API}/cases", headers=clerk)
    assert NEW_UNIT_PHONE not in listed.text and NEW_ACCOUNT not in listed.text
