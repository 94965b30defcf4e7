"""Batches: bad rows refused alone, exactly-once processing, repeats, permissions, bad files."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput
from jingban.models import metadata
from jingban.registration import service as registration
from jingban.registration.models import Employer
from jingban.sharing import rules, service
from tests.conftest import REGION, citizen_id, error_of, uscc
from tests.sharing.helpers import employer_csv, population_json, upload


def setup_row(event_id: str, code: str, **overrides) -> dict:
    row = {"event_id": event_id, "action": "setup", "uscc": code, "name": f"共享单位{event_id}",
           "kind": "enterprise", "region": REGION, "effective_date": "2024-01-15"}
    row.update(overrides)
    return row


def bad_check_digit(code: str) -> str:
    return code[:-1] + ("1" if code[-1] != "1" else "2")


def row_counts(sessions) -> dict[str, int]:
    with sessions() as session:
        return {t.name: session.execute(select(func.count()).select_from(t)).scalar()
                for t in metadata.sorted_tables}


def test_bad_rows_are_refused_alone(client, login):
    h = login("data_admin")
    good_a, good_b, late = uscc(), uscc(), uscc()
    content = employer_csv([
        setup_row("E-1", good_a),
        setup_row("E-2", bad_check_digit(uscc())),
        setup_row("E-3", uscc(), name=""),
        setup_row("E-4", late, effective_date="2023-02-30"),
        setup_row("E-5", good_b),
    ])
    reply = upload(client, h, "employer", content)
    assert reply.status_code == 201, reply.text
    body = reply.json()
    assert (body["total"], body["processed"], body["rejected"]) == (5, 2, 3)
    assert [(r["line"], r["code"], r["field"]) for r in body["rejected_rows"]] == [
        (3, "uscc.check_digit", "uscc"),
        (4, "validation.missing", "name"),
        (5, "validation.date_invalid", "effective_date")]
    assert all("\u4e00" <= r["message"][0] <= "\u9fff" for r in body["rejected_rows"])
    assert body["rejected_rows"][1]["message"].startswith("单位名称")
    for code in (good_a, good_b):
        assert client.get(f"/api/v1/employers/{code}", headers=h).status_code == 200
    assert error_of(client.get(f"/api/v1/employers/{late}", headers=h))["code"] == \
        "employer.not_found"

    people = population_json([
        {"event": "birth", "citizen_id": bad_check_digit(citizen_id()), "name": "甲"},
        {"event": "birth", "citizen_id": citizen_id(dt.date(2023, 1, 2)), "name": "乙"},
        {"event": "birth", "citizen_id": citizen_id(dt.date(2023, 1, 3))},
        {"event": "funeral", "citizen_id": citizen_id()},
        "not an object",
    ])
    body = upload(client, h, "population", people, "p.json").json()
    assert (body["processed"], body["rejected"]) == (1, 4)
    assert [(r["code"], r["field"]) for r in body["rejected_rows"]] == [
        ("id.check_digit", "citizen_id"), ("validation.missing", "name"),
        ("validation.literal_error", "event"), ("sharing.record", None)]
    assert client.get("/api/v1/audit/verify", headers=login("inspector")).json()["ok"]


def test_refused_record_leaves_nothing_half_written(client, login, sessions, monkeypatch):
    """A record refused after registration already wrote is rolled back to its SAVEPOINT."""
    real = service.EMPLOYER_ACTIONS["setup"]

    def fails_late(db, actor, event):
        outcome = real(db, actor, event)
        if event.name.endswith("坏"):
            raise InvalidInput("test.late", "处理后期失败", None)
        return outcome

    monkeypatch.setitem(service.EMPLOYER_ACTIONS, "setup", fails_late)
    h = login("data_admin")
    broken, fine = uscc(), uscc()
    content = employer_csv([setup_row("L-1", broken, name="单位坏"), setup_row("L-2", fine)])
    body = upload(client, h, "employer", content).json()
    assert (body["processed"], body["rejected"]) == (1, 1)
    assert client.get(f"/api/v1/employers/{broken}", headers=h).status_code == 404
    assert client.get(f"/api/v1/employers/{fine}", headers=h).status_code == 200
    with sessions() as db:
        assert len(registration.history(db, _reader(), f"employer:{_id(db, fine)}")) == 1
    verdict = client.get("/api/v1/audit/verify", headers=login("inspector")).json()
    assert verdict["ok"], verdict


def _reader() -> Actor:
    return Actor("t", frozenset({"clerk"}))


def _id(db, code: str) -> int:
    return db.execute(select(Employer.id).where(Employer.uscc == code)).scalar()


def test_identical_file_twice_changes_nothing(client, login, sessions):
    h = login("data_admin")
    content = employer_csv([setup_row("R-1", uscc()), setup_row("R-2", bad_check_digit(uscc()))])
    first = upload(client, h, "employer", content)
    assert first.status_code == 201, first.text
    before = row_counts(sessions)
    again = upload(client, h, "employer", content, "renamed.csv")
    assert again.status_code == 200, again.text
    assert again.json()["repeat"] is True
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["rejected_rows"] == first.json()["rejected_rows"]
    assert row_counts(sessions) == before
    assert before["feed_batch"] == 1 and before["feed_record"] == 2


def test_already_processed_event_is_duplicate(client, login):
    h = login("data_admin")
    code = uscc()
    first = upload(client, h, "employer", employer_csv([setup_row("D-1", code)])).json()
    assert first["processed"] == 1
    no_id = {"action": "change", "uscc": code, "address": "新地址1号"}
    second = employer_csv([setup_row("D-1", code), no_id, no_id,
                           {"event_id": "D-2", "action": "change", "uscc": code,
                            "legal_rep": "赵六"}])
    body = upload(client, h, "employer", second).json()
    assert (body["processed"], body["duplicate"]) == (2, 2), body
    records = client.get(f"/api/v1/sharing/batches/{body['id']}", headers=h).json()["records"]
    assert [r["status"] for r in records] == ["duplicate", "processed", "duplicate", "processed"]
    assert records[1]["idem_key"] == records[2]["idem_key"] != "D-2"
    history = client.get(f"/api/v1/employers/{code}/history", headers=h).json()
    assert [e["act"] for e in history].count("registration.register_employer") == 1
    assert len(history) == 3


def test_rejected_event_can_be_sent_again_corrected(client, login):
    h = login("data_admin")
    code = uscc()
    body = upload(client, h, "employer",
                  employer_csv([setup_row("C-1", code, region="999999")])).json()
    assert body["rejected_rows"][0]["code"] == "region.unknown"
    body = upload(client, h, "employer", employer_csv([setup_row("C-1", code)])).json()
    assert body["processed"] == 1


def test_permissions(client, login):
    content = employer_csv([setup_row("P-1", uscc())])
    assert error_of(upload(client, login("clerk"), "employer", content))["code"] == \
        "auth.forbidden"
    inspector = login("inspector")
    assert upload(client, inspector, "employer", content).status_code == 403
    assert client.get("/api/v1/sharing/batches", headers=inspector).json() == []
    assert client.get("/api/v1/sharing/batches", headers=login("clerk")).status_code == 403
    assert error_of(client.get("/api/v1/sharing/batches/999", headers=inspector))["code"] == \
        "sharing.batch_not_found"
    assert upload(client, login("data_admin"), "employer", content).status_code == 201
    listed = client.get("/api/v1/sharing/batches", headers=inspector).json()
    assert [(b["kind"], b["uploaded_by"]) for b in listed] == [("employer", "u_data_admin")]


def test_unreadable_files_are_refused_whole(client, login, monkeypatch):
    h = login("data_admin")
    header_only = b"event_id,action,uscc\r\n"
    cases = [
        (b'[{"event": "birth", "citizen_id": ', "sharing.file"),
        (b'{"event": "birth"}', "sharing.file"),
        (b"", "sharing.file"),
        (header_only, "sharing.file"),
        (f"S-1,setup,{uscc()}\r\n".encode(), "sharing.file"),
        ("event_id,action,uscc,颜色\r\nS-1,setup,X,红\r\n".encode(), "sharing.file"),
        ("event_id,action,uscc,name\r\nS-1,setup,X,杭州单位\r\n".encode("gbk"), "sharing.file"),
    ]
    for content, code in cases:
        err = error_of(upload(client, h, "employer", content))
        assert (err["code"], err["field"]) == (code, "file"), (content, err)
    err = error_of(upload(client, h, "pension", employer_csv([setup_row("K-1", uscc())])))
    assert err["field"] == "kind"
    monkeypatch.setattr(rules, "MAX_FILE_BYTES", 100)
    err = error_of(upload(client, h, "employer", employer_csv([setup_row("K-2", uscc())] * 3)))
    assert "MB" in err["message"]
    assert client.get("/api/v1/sharing/batches", headers=h).json() == []


def test_batch_event_in_audit_chain(client, login, sessions):
    h = login("data_admin")
    body = upload(client, h, "employer", employer_csv([setup_row("A-1", uscc())])).json()
    with sessions() as db:
        events = registration.history(db, _reader(), f"feed_batch:{body['id']}")
    assert len(events) == 1
    assert (events[0]["act"], events[0]["channel"]) == ("sharing.receive_batch", "api")
    assert events[0]["act_name"] == "接收共享数据文件"
    assert events[0]["changes"]["processed"] == [None, 1]


def test_unstorable_characters_never_cause_a_server_error(client, login):
    h = login("data_admin")
    content = (b'[{"event": "birth", "citizen_id": "1\\u0000", "name": "a"},'
               b' {"event": "birth", "citizen_id": "2", "name": "\\ud800"},'
               b' {"event": "birth", "citizen_id": "3", "\\u0000": "x"}]')
    reply = upload(client, h, "population", content, "bad\x00name.json")
    assert reply.status_code == 201, reply.text
    assert [r["code"] for r in reply.json()["rejected_rows"]] == ["sharing.record"] * 3
    assert "\x00" not in reply.json()["filename"]
    assert service.safe_filename("C:\\导出\\a\x00b.csv") == "ab.csv"
    long_key = b'[{"event": "birth", "citizen_id": "4", "' + b"k" * 300 + b'": 1}]'
    reply = upload(client, h, "population", long_key, "long.json")
    assert reply.status_code == 201, reply.text
    assert len(reply.json()["rejected_rows"][0]["field"]) == 64
    err = error_of(upload(client, h, "employer", b"action,uscc\nsetup,X\x00\n"))
    assert err["code"] == "sharing.file"
