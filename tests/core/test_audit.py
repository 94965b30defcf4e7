from sqlalchemy import text

from jingban.core import audit
from jingban.core.actor import SYSTEM
from jingban.core.models import AccessLog
from tests.conftest import employer_body


def _events(db, n):
    for i in range(n):
        audit.record(db, SYSTEM, "test.act", f"thing:{i}", before={"v": i}, after={"v": i + 1},
                     reason="测试")
    db.commit()


def test_intact_chain_verifies(db):
    _events(db, 5)
    assert audit.verify(db) == audit.Verdict(True, 5)


def test_edited_event_is_found(db):
    _events(db, 5)
    db.execute(text("UPDATE audit_event SET after = :v WHERE id = 3"), {"v": '{"v":99}'})
    db.commit()
    verdict = audit.verify(db)
    assert (verdict.ok, verdict.broken_at) == (False, 3)


def test_rehashed_edit_breaks_the_next_link(db):
    _events(db, 5)
    event = db.get(audit.AuditEvent, 2)
    event.reason = "篡改"
    event.hash = audit._digest(event)
    db.commit()
    verdict = audit.verify(db)
    assert (verdict.ok, verdict.broken_at) == (False, 3)


def test_deleted_event_is_found(db):
    _events(db, 5)
    db.execute(text("DELETE FROM audit_event WHERE id = 4"))
    db.commit()
    verdict = audit.verify(db)
    assert (verdict.ok, verdict.broken_at) == (False, 4)


def test_deleted_last_event_is_found(db):
    _events(db, 3)
    db.execute(text("DELETE FROM audit_event WHERE id = 3"))
    db.commit()
    assert not audit.verify(db).ok


def test_every_registration_act_is_chained(client, login, db):
    h = login("clerk")
    body = employer_body()
    client.post("/api/v1/employers", json=body, headers=h)
    case = client.patch(f"/api/v1/employers/{body['uscc']}",
                        json={"reason": "迁址", "address": "新址"}, headers=h).json()
    client.post(f"/api/v1/cases/{case['id']}/decisions", json={"level": 1, "decision": "approve"},
                headers=login("reviewer_1"))
    acts = [e.act for e in db.query(audit.AuditEvent).order_by(audit.AuditEvent.id)]
    assert [a for a in acts if a.startswith("registration.")] == [
        "registration.register_employer", "registration.change_employer"]
    assert "cases.intake" in acts and "cases.approve" in acts
    reply = client.get("/api/v1/audit/verify", headers=login("inspector"))
    assert reply.json()["ok"] is True
    assert client.get("/api/v1/audit/verify", headers=h).status_code == 403


def test_a_read_logged_after_another_writer_committed_is_written(sessions):
    """SQLite cannot upgrade a read snapshot once another writer has committed ("database is
    locked"); the read log is then written again on a fresh snapshot, never a 500."""
    reader, writer = sessions(), sessions()
    try:
        assert reader.execute(text("SELECT count(*) FROM access_log")).scalar() == 0
        writer.add(AccessLog(actor="other", subject="person:2", view="rights"))
        writer.commit()
        audit.log_access(reader, SYSTEM, "person:1", "rights")
        subjects = writer.execute(text("SELECT subject FROM access_log")).scalars().all()
        assert sorted(subjects) == ["person:1", "person:2"]
    finally:
        reader.close()
        writer.close()
