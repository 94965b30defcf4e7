"""The inbox's limits (issue 6): a body over the size limit is refused before parsing, a
message signed outside the freshness window is refused as stale or future-dated, and a
sender whose message went stale signs it again and it is applied exactly once."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from jingban.core import clock, policy
from jingban.core.errors import JingbanError
from jingban.transfers import batch, protocol, service
from jingban.transfers.models import TransferMessage
from jingban.transfers.schemas import TransferApply
from tests.conftest import error_of
from tests.transfers.helpers import CLERK, OLD, fresh_ssn, months, person, pump, to, two_sides
from tests.transfers.test_api_pages import here  # noqa: F401

REAL_NOW = clock.now


@pytest.fixture
def sides(sessions, tmp_path, monkeypatch):
    return two_sides(sessions, tmp_path, monkeypatch)


def _limits() -> dict:
    return policy.value("transfers.inbox", OLD, clock.today())


def _shift(monkeypatch, **delta) -> None:
    monkeypatch.setattr(clock, "now", lambda: REAL_NOW() + dt.timedelta(**delta))


def _letter(sides, monkeypatch, **delta) -> tuple[dict, str]:
    """A contact letter from the new place, signed ``delta`` from now; its person's ssn."""
    old, new = sides
    ssn = fresh_ssn()
    person(old, ssn, history={"pension_enterprise": months(2022, 30)})
    person(new, ssn, enrolled=("pension_enterprise",))
    with new.sessions() as db:
        service.start(db, CLERK, ssn, TransferApply(kind="pension_enterprise", direction="in",
                                                    peer_region=OLD))
        stored = json.loads(db.execute(select(TransferMessage.envelope).where(
            TransferMessage.kind == "contact_letter")).scalar())
    _shift(monkeypatch, **delta)
    key = protocol.signing_key(new.sessions.kw["info"]["signing_key"])
    envelope = protocol.reseal(key, stored)
    monkeypatch.setattr(clock, "now", REAL_NOW)
    return envelope, ssn


def _received(side) -> int:
    with side.sessions() as db:
        return db.execute(select(func.count()).select_from(TransferMessage).where(
            TransferMessage.direction == "in")).scalar()


def test_an_oversized_body_is_refused_before_parsing(client, here):  # noqa: F811
    too_big = b"{" + b" " * _limits()["max_body_bytes"] + b"}"  # valid JSON, one byte too long
    answer = client.post("/api/v1/transfers/inbox", content=too_big,
                         headers={"Content-Type": "application/json"})
    assert answer.status_code == 413 and error_of(answer)["code"] == "transfers.too_large"
    chunked = client.post("/api/v1/transfers/inbox", content=iter([too_big[:1000], too_big[1000:]]),
                          headers={"Content-Type": "application/json"})
    assert chunked.status_code == 413 and error_of(chunked)["code"] == "transfers.too_large"
    broken = client.post("/api/v1/transfers/inbox", content=b"{not json",
                         headers={"Content-Type": "application/json"})
    assert broken.status_code == 422
    assert (error_of(broken)["code"], error_of(broken)["field"]) == ("transfers.envelope", "body")
    assert error_of(client.post("/api/v1/transfers/inbox", json=[1]))["code"] == "transfers.envelope"


def test_a_message_older_than_the_window_is_refused_as_stale(sides, monkeypatch):
    old, _new = sides
    envelope, _ = _letter(sides, monkeypatch, hours=-(_limits()["max_age_hours"] + 1))
    with old.sessions() as db, pytest.raises(JingbanError) as refused:
        service.receive(db, envelope)
    assert (refused.value.code, refused.value.status, refused.value.field) == (
        "transfers.stale", 409, "sent_at")
    assert "重新签名" in refused.value.message and _received(old) == 0


def test_a_message_dated_in_the_future_is_refused(sides, monkeypatch):
    old, _new = sides
    envelope, _ = _letter(sides, monkeypatch, minutes=_limits()["max_future_minutes"] + 5)
    with old.sessions() as db, pytest.raises(JingbanError) as refused:
        service.receive(db, envelope)
    assert (refused.value.code, refused.value.status) == ("transfers.future_dated", 409)
    assert _received(old) == 0
    within, _ = _letter(sides, monkeypatch, minutes=_limits()["max_future_minutes"] - 1)
    with old.sessions() as db:
        assert service.receive(db, within)[0] == 200


def test_a_forged_sent_at_breaks_the_signature(sides, monkeypatch):
    old, _new = sides
    envelope, _ = _letter(sides, monkeypatch, hours=-(_limits()["max_age_hours"] + 1))
    envelope["sent_at"] = REAL_NOW().isoformat(timespec="seconds")
    with old.sessions() as db, pytest.raises(JingbanError) as refused:
        service.receive(db, envelope)
    assert refused.value.code == "transfers.bad_signature"


def test_a_stale_message_is_signed_again_and_applied_exactly_once(sides, monkeypatch):
    old, new = sides
    ssn = fresh_ssn()
    person(old, ssn, history={"pension_enterprise": months(2022, 30)})
    person(new, ssn, enrolled=("pension_enterprise",))
    with new.sessions() as db:
        service.start(db, CLERK, ssn, TransferApply(kind="pension_enterprise", direction="in",
                                                    peer_region=OLD))
    sent: list[dict] = []

    def held_two_days(url, envelope):  # a relay that sat on the message past the window
        sent.append(envelope)
        _shift(monkeypatch, days=2)
        return to(old)(url, envelope)

    assert batch.deliver(new.sessions, sender=held_two_days) == {"pending": 1}
    with new.sessions() as db:
        letter = db.execute(select(TransferMessage).where(
            TransferMessage.kind == "contact_letter")).scalar()
        assert letter.status == "pending" and "重新签名" in letter.last_error
        db.execute(TransferMessage.__table__.update().values(next_attempt_at=clock.now()))
        db.commit()
    assert _received(old) == 0

    def relay(url, envelope):
        sent.append(envelope)
        return to(old)(url, envelope)

    assert batch.deliver(new.sessions, sender=relay) == {"acked": 1}
    stale, fresh = sent
    assert fresh["message_id"] == stale["message_id"] and fresh["digest"] == stale["digest"]
    assert fresh["sent_at"] > stale["sent_at"]
    for again in (fresh, fresh):  # the fresh copy delivered again: the same acknowledgement
        with old.sessions() as db:
            status, answer = service.receive(db, again)
        assert status == 200 and answer["ack"]["status"] == "accepted"
    with old.sessions() as db:
        inbox = db.execute(select(TransferMessage.message_id).where(
            TransferMessage.direction == "in")).scalars().all()
        sheets = db.execute(select(func.count()).select_from(TransferMessage).where(
            TransferMessage.kind == "info_sheet")).scalar()
    assert inbox == [fresh["message_id"]] and sheets == 1
    with old.sessions() as db, pytest.raises(JingbanError) as refused:
        service.receive(db, stale)  # the old copy itself stays refused
    assert refused.value.code == "transfers.stale"
    pump(old, new)
    with new.sessions() as db:
        kinds = db.execute(select(TransferMessage.kind).where(
            TransferMessage.direction == "in")).scalars().all()
    assert kinds == ["info_sheet"]
