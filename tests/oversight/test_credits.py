"""Credit records (R§45): recorded once per act and source, listed for oversight, refused
without the permission or with an unknown act."""

from __future__ import annotations

import pytest

from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, PermissionDenied
from jingban.oversight import service
from jingban.oversight.models import CreditRecord
from jingban.oversight.schemas import CreditIn

INSPECTOR = Actor("insp", frozenset({"inspector"}), False, "counter")
BODY = {"subject_kind": "employer", "subject_key": "91330106ma0000001x", "subject_name": "杭州某公司",
        "act": "refuse_enrollment", "description": "经责令改正仍未为职工办理参保登记",
        "source_ref": "JB2026112400000001"}


def test_record_once_and_list(sessions):
    with sessions() as db:
        first = service.record_credit(db, INSPECTOR, CreditIn(**BODY))
        again = service.record_credit(db, INSPECTOR, CreditIn(**BODY))
        assert first.id == again.id and first.subject_key == "91330106MA0000001X"
        assert "第四十五条" in first.basis and "第（一）项" in first.basis
    with sessions() as db:
        assert db.query(CreditRecord).count() == 1
        listed = service.credits(db, INSPECTOR, "employer", "91330106MA0000001X")
        assert [r.act for r in listed] == ["refuse_enrollment"]
        with pytest.raises(InvalidInput):
            service.record_credit(db, INSPECTOR, CreditIn(**{**BODY, "act": "jaywalking"}))
        with pytest.raises(PermissionDenied):
            service.credits(db, Actor("c", frozenset({"clerk"}), False, "counter"))


def test_credit_api(client, login):
    inspector = login("inspector")
    reply = client.post("/api/v1/oversight/credits", json=BODY, headers=inspector)
    assert reply.status_code == 201 and reply.json()["act_name"] == "未按照规定参加社会保险且拒不改正"
    listed = client.get("/api/v1/oversight/credits", params={"subject_kind": "employer"},
                        headers=login("supervisor"))
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert client.get("/api/v1/oversight/credits", headers=login("cashier")).status_code == 403
    bad = client.post("/api/v1/oversight/credits", json={**BODY, "subject_kind": "cat"},
                      headers=inspector)
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "subject_kind"
