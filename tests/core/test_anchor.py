"""The anchored chain head: a cut-off tail is found, ranges verify, the anchor cannot be forged."""

import dataclasses
import json

import pytest
from sqlalchemy import text

from jingban.core import anchor, audit, chain
from jingban.core.actor import SYSTEM
from jingban.core.db import make_sessionmaker


@pytest.fixture
def anchored(engine, settings, sessions, tmp_path):
    """Sessions that anchor the head after each commit, as the server's and the CLI's do."""
    path = tmp_path / "audit-anchor.json"
    return make_sessionmaker(engine, dataclasses.replace(settings, audit_anchor=path)), path


def _events(make, n):
    with make() as db:
        for i in range(n):
            audit.record(db, SYSTEM, "test.act", f"thing:{i}", after={"v": i})
            db.commit()  # one commit each: the anchor follows every one


def _cut_tail(db, keep):
    """What a tamperer with SQL access does: drop the last events and set the head back."""
    db.execute(text("DELETE FROM audit_event WHERE id > :k"), {"k": keep})
    db.execute(text("UPDATE audit_head SET seq = :k, hash = (SELECT hash FROM audit_event "
                    "WHERE id = :k)"), {"k": keep})
    db.commit()


def test_anchor_follows_each_commit(anchored, settings):
    make, path = anchored
    _events(make, 4)
    stored = anchor.read(path, settings.secret_key)
    with make() as db:
        assert stored.seq == 4 and stored.hash == db.get(audit.AuditEvent, 4).hash
        assert audit.verify(db) == audit.Verdict(True, 4, anchored=4)


def test_cut_off_tail_is_found_only_with_the_anchor(anchored):
    make, _path = anchored
    _events(make, 5)
    with make() as db:
        _cut_tail(db, 3)
        verdict = audit.verify(db)
        assert (verdict.ok, verdict.broken_at, verdict.anchored) == (False, 4, 5)
        assert "截断" in verdict.problem
        assert chain.verify(db.connection()).ok  # without the anchor the shorter chain holds


def test_rolled_back_events_never_reach_the_anchor(anchored, settings):
    make, path = anchored
    _events(make, 2)
    with make() as db:
        audit.record(db, SYSTEM, "test.act", "thing:x")
        db.rollback()
        audit.record(db, SYSTEM, "test.act", "thing:y")
        with db.begin_nested():
            audit.record(db, SYSTEM, "test.act", "thing:z")
            db.flush()
        db.commit()
        assert anchor.read(path, settings.secret_key).seq == 4
        assert audit.verify(db).ok


def test_forged_or_missing_anchor_fails(anchored, settings):
    make, path = anchored
    _events(make, 3)
    body = json.loads(path.read_text())
    path.write_text(json.dumps({**body, "seq": 2}))
    with make() as db:
        verdict = audit.verify(db)
        assert not verdict.ok and "签名不符" in verdict.problem
        path.unlink()
        assert "缺失" in audit.verify(db).problem
        anchor.write(path, settings.secret_key, 3, db.get(audit.AuditEvent, 3).hash)
        assert audit.verify(db).ok


def test_anchor_only_moves_forward(tmp_path):
    path = tmp_path / "a.json"
    assert anchor.write(path, "k", 5, "h5")
    assert not anchor.write(path, "k", 4, "h4")
    assert anchor.read(path, "k").seq == 5
    assert anchor.write(path, "k", 4, "h4", force=True) and anchor.read(path, "k").seq == 4
    with pytest.raises(anchor.AnchorError):
        anchor.read(path, "another key")


def test_a_range_verifies_alone(db):
    for i in range(10):
        audit.record(db, SYSTEM, "test.act", f"thing:{i}")
    db.commit()
    assert audit.verify(db, 4, 7) == audit.Verdict(True, 4)
    db.execute(text("UPDATE audit_event SET reason = 'x' WHERE id = 9"))
    db.commit()
    assert audit.verify(db, 4, 8).ok
    assert (audit.verify(db, 8, 10).broken_at, audit.verify(db, 8).broken_at) == (9, 9)
    db.execute(text("DELETE FROM audit_event WHERE id = 5"))
    db.commit()
    assert audit.verify(db, 6, 8).broken_at == 5  # the range cannot start after a hole
    assert audit.verify(db, 2, 7).broken_at == 5


def test_parallel_walk_matches_the_single_one(db, database_url, backend):
    if backend != "postgresql":
        pytest.skip("parallel verification runs against PostgreSQL")
    for i in range(25):
        audit.record(db, SYSTEM, "test.act", f"thing:{i}")
    db.commit()
    assert chain.split(1, 25, 3) == [(1, 9), (10, 18), (19, 25)]
    assert chain.verify_parallel(database_url, 3) == audit.Verdict(True, 25)
    db.execute(text("UPDATE audit_event SET actor = 'x' WHERE id = 14"))
    db.commit()
    verdict = chain.verify_parallel(database_url, 3)
    assert (verdict.ok, verdict.broken_at, verdict.checked) == (False, 14, 13)
    assert chain.verify_parallel(database_url, 2, 1, 12).ok
