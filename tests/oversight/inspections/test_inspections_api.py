"""Inspections over HTTP: file, conclude through the reviewers, hand over once the deadline has
passed, print the sheet, export the ledger; and the refusals as the documented error shape."""

from __future__ import annotations

from jingban.core import clock
from tests.conftest import error_of
from tests.oversight.inspections.helpers import BEFORE_HOLIDAY, employer

BASE = "/api/v1/oversight/inspections"


def approve(client, login, case_id: int, levels: int) -> dict:
    for level in range(1, levels + 1):
        reply = client.post(f"/api/v1/cases/{case_id}/decisions", headers=login(f"reviewer_{level}"),
                            json={"level": level, "decision": "approve", "reason": "同意"})
        assert reply.status_code == 200, reply.text
    return reply.json()


def test_inspection_through_to_the_handover(client, login, sessions):
    with sessions() as db:
        unit = employer(db)
    inspector = login("inspector")
    with clock.travel(BEFORE_HOLIDAY):
        made = client.post(BASE, headers=inspector, json={
            "subject_kind": "employer", "subject_ref": unit.uscc, "reason": "缴费基数明显偏低",
            "origin": "hit:7"})
        assert made.status_code == 201, made.text
        row = made.json()
        assert (row["status"], row["subject_name"], row["origin"]) == ("investigating", unit.name, "hit:7")
        assert row["case_number"].startswith("JB") and "第四十二条" in row["scope"]
        again = client.post(BASE, headers=inspector, json={
            "subject_kind": "employer", "subject_ref": unit.uscc, "reason": "重复", "origin": "hit:7"})
        assert again.status_code == 201 and again.json()["id"] == row["id"]
        url = f"{BASE}/{row['id']}"
        case = client.post(f"{url}/conclusion", headers=inspector, json={
            "findings": "少报缴费基数", "violation": True, "order_text": "补报并补缴",
            "correction_wd": 5})
        assert case.status_code == 201 and case.json()["item_code"] == "OVS-INSPECT-CONCLUDE"
        approve(client, login, case.json()["case_id"], 2)
        shown = client.get(url, headers=inspector).json()
        # 5 wd from 2026-09-23: 24, 28, 29, 30 Sep and 8 Oct
        assert (shown["status"], shown["correct_by"], shown["overdue"]) == ("ordered", "2026-10-08", False)
        early = client.post(f"{url}/handover", headers=inspector, json={"department": "hrss"})
        assert early.status_code == 409 and error_of(early)["code"] == "inspection.handover_not_due"
        assert client.get(f"{url}/handover.pdf", headers=inspector).status_code == 409
    with clock.travel("2026-10-09"):
        assert client.get(url, headers=inspector).json()["overdue"]
        handover = client.post(f"{url}/handover", headers=inspector,
                               json={"department": "healthcare", "note": "逾期未改正"})
        assert handover.status_code == 201, handover.text
        approve(client, login, handover.json()["case_id"], 1)
        shown = client.get(url, headers=inspector).json()
        assert (shown["status"], shown["department"]) == ("handed_over", "healthcare")
        sheet = client.get(f"{url}/handover.pdf", headers=inspector)
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    assert sheet.headers["content-type"] == "application/pdf"
    listing = client.get(BASE, headers=inspector, params={"status": "handed_over"})
    assert [x["id"] for x in listing.json()] == [row["id"]]
    sheet_xlsx = client.get(f"{BASE}.xlsx", headers=inspector)
    assert sheet_xlsx.status_code == 200 and sheet_xlsx.content.startswith(b"PK")
    supervisor = login("supervisor")  # reads, but never writes
    assert client.get(url, headers=supervisor).status_code == 200
    assert client.post(BASE, headers=supervisor, json={
        "subject_kind": "employer", "subject_ref": unit.uscc, "reason": "x"}).status_code == 403


def test_refusals(client, login, sessions):
    with sessions() as db:
        unit = employer(db)
    inspector = login("inspector")
    unknown = client.post(BASE, headers=inspector, json={
        "subject_kind": "person", "subject_ref": "330106199001010000", "reason": "核查"})
    assert unknown.status_code == 404 and error_of(unknown) == {
        "code": "inspection.subject_unknown", "field": "subject_ref",
        "message": "未找到个人 330106199001010000，不能对未登记的对象核查"}
    assert client.get(BASE, headers=inspector).json() == []
    bad_kind = client.post(BASE, headers=inspector, json={
        "subject_kind": "bank", "subject_ref": unit.uscc, "reason": "x"})
    assert bad_kind.status_code == 422 and error_of(bad_kind)["field"] == "subject_kind"
    assert error_of(client.get(f"{BASE}/99", headers=inspector))["code"] == "inspection.not_found"
    clerk = client.post(BASE, headers=login("clerk"), json={
        "subject_kind": "employer", "subject_ref": unit.uscc, "reason": "x"})
    assert clerk.status_code == 403 and error_of(clerk)["code"] == "auth.forbidden"
    plan = client.post(f"{BASE}/plans", headers=inspector, json={
        "name": "随机抽查", "subject_kind": "employer", "method": "random", "size": 1, "seed": 3,
        "reason": "抽查"})
    assert plan.status_code == 201 and plan.json()["inspections"][0]["subject_ref"] == unit.uscc
    plan_id = plan.json()["id"]
    assert client.get(f"{BASE}/plans/{plan_id}/redraw", headers=inspector).json() == [unit.uscc]
    assert [p["id"] for p in client.get(f"{BASE}/plans", headers=inspector).json()] == [plan_id]
    no_size = client.post(f"{BASE}/plans", headers=inspector, json={
        "name": "x", "subject_kind": "employer", "method": "random", "reason": "x"})
    assert no_size.status_code == 422 and error_of(no_size)["field"] == "size"
