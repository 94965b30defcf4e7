"""The list's API: refusals answer with the documented error shape and write nothing; the
supervisor reads the entries and the credit history."""

from __future__ import annotations

from sqlalchemy import select

from jingban.core.models import AccessLog
from tests.conftest import error_of
from tests.oversight.dishonesty.test_lifecycle import person_with_credits

API = "/api/v1/oversight/dishonesty"


def test_api_proposal_notice_and_refusals(client, login, sessions):
    with sessions() as db:
        ssn = person_with_credits(db, "overpayment_refused", "overpayment_agreement_breach")
    inspector, supervisor = login("inspector"), login("supervisor")
    bad = client.post(API, json={"subject_kind": "cat", "subject_key": ssn, "reason": "x"},
                      headers=inspector)
    assert bad.status_code == 422 and error_of(bad)["field"] == "subject_kind"
    made = client.post(API, json={"subject_kind": "person", "subject_key": ssn.lower(),
                                  "reason": "拒不退回"}, headers=inspector)
    assert made.status_code == 201 and made.json()["status_name"] == "拟列入（待告知）"
    listing = made.json()["id"]
    refused = client.post(f"{API}/{listing}/decision", json={"reason": "直接列入"}, headers=inspector)
    assert refused.status_code == 409 and error_of(refused)["code"] == "dishonesty.no_notice"
    noticed = client.post(f"{API}/{listing}/notice", headers=inspector)
    assert noticed.status_code == 200 and noticed.json()["statement_due"]
    again = client.post(f"{API}/{listing}/notice", headers=inspector)
    assert again.status_code == 409 and error_of(again)["code"] == "dishonesty.status"
    early = client.post(f"{API}/{listing}/removal", headers=inspector)
    assert error_of(early)["code"] == "dishonesty.status"
    assert client.get(f"{API}/999999", headers=inspector).status_code == 404
    shown = client.get(API, params={"status": "noticed"}, headers=supervisor)
    assert [x["id"] for x in shown.json()] == [listing]
    steps = [x["step"] for x in client.get(f"{API}/{listing}/history", headers=supervisor).json()]
    assert steps == ["credit_record", "credit_record", "proposed", "noticed"]
    assert client.get(API, headers=login("cashier")).status_code == 403
    with sessions() as db:  # 查询留痕 of each staff look at the entry
        views = db.scalars(select(AccessLog.view).where(AccessLog.actor == "u_supervisor")).all()
        assert views == ["dishonesty.entry"]
