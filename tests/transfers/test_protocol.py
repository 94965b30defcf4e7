"""The protocol between two agencies through the services (old place on SQLite and PostgreSQL,
new place on its own SQLite file): pension, unemployment, refusals, replays and tampering."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from jingban.core import agency, clock
from jingban.funds.ledger.models import JournalEntry
from jingban.funds.ledger.rules import TRANSFER_EXPENSE, TRANSFER_INCOME
from jingban.records import service as records
from jingban.records.models import Contribution
from jingban.transfers import protocol, service
from jingban.transfers.models import FundMovement, TransferMessage
from jingban.transfers.schemas import TransferApply
from tests.transfers.helpers import (
    CLERK,
    NEW,
    OLD,
    balance,
    fresh_ssn,
    months,
    moving,
    person,
    pump,
    the_transfer,
    two_sides,
)


@pytest.fixture
def sides(sessions, tmp_path, monkeypatch):
    return two_sides(sessions, tmp_path, monkeypatch)


def _start(side, ssn, kind="pension_enterprise", direction="in", peer=None):
    with side.sessions() as db:
        return service.start(db, CLERK, ssn, TransferApply(
            kind=kind, direction=direction, peer_region=peer or (OLD if direction == "in" else NEW)))


def _confirm(side, transfer_id):
    with side.sessions() as db:
        return service.confirm(db, CLERK, transfer_id)


def _rights(side, ssn, insurance):
    with side.sessions() as db:
        found = records.rights(db, CLERK, ssn)
        return next((y for y in found["contribution_years"] if y["insurance"] == insurance), None)


def _pension_mover(old, new):
    ssn = fresh_ssn()
    person(old, ssn, history={"pension_enterprise": months(2022, 30)})  # 2022-01 … 2024-06
    person(new, ssn, history={"pension_enterprise": months(2026, 10)},
           enrolled=("pension_enterprise",))
    return ssn


def test_pension_transfer_applied_at_the_new_place(sides):
    old, new = sides
    ssn = _pension_mover(old, new)
    started = _start(new, ssn)
    assert started.role == "new" and started.step == "info_sheet"
    assert pump(old, new) == 2  # contact letter over, information sheet back
    sheet = the_transfer(new, ssn)
    assert sheet.step == "confirmation" and sheet.months == 30
    # account 30 × 640.00 = 19200.00 (with this year's interest so far); pooled 12 % × 30 ×
    # 8000.00 = 28800.00
    account = moving(1920000)
    assert (sheet.account_amount, sheet.pooled_amount, sheet.total_amount) == (
        account, 2880000, account + 2880000)
    _confirm(new, sheet.id)
    assert pump(old, new) == 3  # confirmation, funds, completion
    done_new, done_old = the_transfer(new, ssn), the_transfer(old, ssn)
    assert done_new.status == done_old.status == "completed"
    assert done_new.ref == done_old.ref and done_new.total_amount == done_old.total_amount
    for transfer in (done_new, done_old):
        assert [s.code for s in transfer.steps if s.done_on] == [
            "contact_letter", "info_sheet", "confirmation", "funds", "completion"]
        assert all(s.met for s in transfer.steps), [(s.code, s.due_on, s.done_on)
                                                    for s in transfer.steps]
    # the money left the old account and arrived in the new one; years add up
    assert balance(old, ssn) == 0
    assert balance(new, ssn) == 10 * 64000 + account
    years = _rights(new, ssn, "pension_enterprise")
    assert years["actual_months"] == 40
    with new.sessions() as db:
        moved_in = db.execute(select(FundMovement)).scalars().all()
    with old.sessions() as db:
        moved_out = db.execute(select(FundMovement)).scalars().all()
    assert [(m.direction, m.amount, m.account_amount) for m in moved_in] == [
        ("in", account + 2880000, account)]
    assert [(m.direction, m.amount, m.pooled_amount) for m in moved_out] == [
        ("out", account + 2880000, 2880000)]
    # each movement booked to the pension fund with its act, and marked posted (issue 10)
    for side, moved, account_code in ((new, moved_in, TRANSFER_INCOME),
                                      (old, moved_out, TRANSFER_EXPENSE)):
        assert [m.posted for m in moved] == [True]
        with side.sessions() as db:
            entry = db.execute(select(JournalEntry).where(
                JournalEntry.source == f"transfer:{moved[0].id}")).scalar_one()
            assert entry.fund == "pension_enterprise"
            assert sum(x.debit + x.credit for x in entry.lines if x.account == account_code) == \
                account + 2880000
            assert service.book_all_movements(db, CLERK) == 0


def test_a_transfer_due_in_an_unpublished_year_says_so(sides):
    """Applied on 2026-12-21, 15 working days run into 2027, whose holidays are not published:
    the limit is counted on weekdays and marked provisional on the transfer, the steps that
    share it, the API view and the notice (SPEC §13)."""
    old, new = sides
    ssn = _pension_mover(old, new)
    with clock.travel(dt.date(2026, 12, 21)):
        started = _start(new, ssn)
    assert f"{started.due_on}（暂定）前办结" in started.follow_up
    transfer = the_transfer(new, ssn)
    assert transfer.due_on.year == 2027 and transfer.due_provisional
    with new.sessions() as db:
        shown = service.view(db, db.get(type(transfer), transfer.id))
    assert shown["due_provisional"] is True
    assert all(s["provisional"] for s in shown["steps"] if s["wd"] is None)
    later = fresh_ssn()
    person(old, later, history={"pension_enterprise": months(2020, 12)})
    person(new, later, enrolled=("pension_enterprise",))
    with clock.travel(dt.date(2026, 6, 1)):
        _start(new, later)
    assert not the_transfer(new, later).due_provisional


def test_application_at_the_old_place_is_forwarded(sides):
    old, new = sides
    ssn = _pension_mover(old, new)
    started = _start(old, ssn, direction="out", peer=NEW)
    assert started.role == "old" and started.applied_at == "old"
    assert pump(old, new) == 3  # application, contact letter, information sheet
    at_new = the_transfer(new, ssn)
    assert at_new.applied_at == "old" and at_new.step == "confirmation"
    _confirm(new, at_new.id)
    pump(old, new)
    assert the_transfer(old, ssn).status == the_transfer(new, ssn).status == "completed"
    assert balance(new, ssn) == 10 * 64000 + moving(1920000)


def test_replayed_and_duplicate_messages_change_nothing(sides):
    old, new = sides
    ssn = _pension_mover(old, new)
    _start(new, ssn)
    pump(old, new)
    with new.sessions() as db:
        received = db.execute(select(TransferMessage).where(
            TransferMessage.direction == "in", TransferMessage.kind == "info_sheet")).scalar()
        envelope, first_ack = json.loads(received.envelope), json.loads(received.ack)
    with new.sessions() as db:
        status, answer = service.receive(db, copy.deepcopy(envelope))
    assert status == 200 and answer == first_ack
    with new.sessions() as db:
        assert db.execute(select(func.count()).select_from(TransferMessage).where(
            TransferMessage.direction == "in")).scalar() == 1
    assert the_transfer(new, ssn).step == "confirmation"
    # the old place's outbox message delivered again (a duplicate after a lost ack)
    with old.sessions() as db:
        sent = db.execute(select(TransferMessage).where(TransferMessage.direction == "out")).scalar()
        sent.status, sent.next_attempt_at = "pending", sent.created_at
        db.commit()
    assert pump(old, new) == 1
    assert the_transfer(new, ssn).step == "confirmation"


def _received_envelope(old, new, ssn):
    _start(new, ssn)
    with new.sessions() as db:
        sent = db.execute(select(TransferMessage).where(TransferMessage.direction == "out")).scalar()
        return json.loads(sent.envelope)


def _refused(side, envelope):
    with side.sessions() as db, pytest.raises(Exception) as caught:
        service.receive(db, envelope)
    return caught.value


def test_tampered_unknown_and_misaddressed_messages_are_refused(sides):
    old, new = sides
    ssn = _pension_mover(old, new)
    envelope = _received_envelope(old, new, ssn)
    tampered = copy.deepcopy(envelope)
    tampered["payload"]["ssn"] = fresh_ssn()
    error = _refused(old, tampered)
    assert error.code == "transfers.tampered" and "篡改" in error.message
    redigested = copy.deepcopy(tampered)
    redigested["digest"] = protocol.sm3(protocol.canonical(redigested["payload"]))
    assert _refused(old, redigested).code == "transfers.bad_signature"
    stranger = copy.deepcopy(envelope)
    stranger["from"] = "440305"
    error = _refused(old, stranger)
    assert error.code == "transfers.unknown_agency" and error.status == 403
    assert _refused(new, envelope).code == "transfers.wrong_agency"
    with old.sessions() as db:
        assert db.execute(select(func.count()).select_from(TransferMessage)).scalar() == 0
    pump(old, new)  # the genuine message still goes through
    assert the_transfer(old, ssn).step == "confirmation"


def test_unknown_person_is_refused_with_the_reason(sides):
    old, new = sides
    ssn = fresh_ssn()
    person(new, ssn, enrolled=("pension_enterprise",))
    _start(new, ssn)
    pump(old, new)
    refused = the_transfer(new, ssn)
    assert refused.status == "refused" and refused.outcome_code == "transfers.person_unknown"
    assert "没有社会保障号码" in refused.outcome
    with new.sessions() as db:
        assert db.execute(select(TransferMessage.status)).scalar() == "refused"


def _unemployment_mover(old, new, paid: int):
    ssn = fresh_ssn()
    person(old, ssn, history={"unemployment": months(2023, paid)})
    person(new, ssn, enrolled=("unemployment",))
    _start(new, ssn, kind="unemployment")
    pump(old, new)
    return ssn


def test_unemployment_under_one_year_moves_the_relationship_only(sides):
    old, new = sides
    ssn = _unemployment_mover(old, new, 8)
    transfer = the_transfer(new, ssn)
    assert transfer.total_amount == 0 and transfer.months == 8
    _confirm(new, transfer.id)
    assert the_transfer(new, ssn).status == "completed"
    pump(old, new)
    assert the_transfer(old, ssn).status == "completed"
    with old.sessions() as db:
        assert db.execute(select(func.count()).select_from(FundMovement)).scalar() == 0
    assert _rights(new, ssn, "unemployment")["actual_months"] == 8


def test_unemployment_over_one_year_moves_benefit_total_plus_half(sides):
    old, new = sides
    ssn = _unemployment_mover(old, new, 36)
    transfer = the_transfer(new, ssn)
    assert transfer.total_amount == 12 * 207000 * 3 // 2  # 37260.00 yuan
    _confirm(new, transfer.id)
    pending = the_transfer(new, ssn)
    # the relationship is in while the funds are on the way: benefits may be paid here
    assert pending.step == "funds" and pending.merged
    assert _rights(new, ssn, "unemployment")["actual_months"] == 36
    pump(old, new)
    assert the_transfer(new, ssn).status == the_transfer(old, ssn).status == "completed"
    with new.sessions() as db:
        assert db.execute(select(func.count()).select_from(Contribution)).scalar() == 36


def test_temporary_account_age_refuses_the_relationship(sides):
    old, new = sides
    ssn = fresh_ssn()
    person(new, ssn, birth=dt.date(1970, 1, 1), household=OLD, enrolled=("pension_enterprise",))
    with pytest.raises(Exception) as caught:
        _start(new, ssn)
    assert caught.value.code == "transfers.temporary_account"
    assert "临时基本养老保险缴费账户" in caught.value.message


def test_delivery_retries_when_the_peer_is_busy_or_down(sides, monkeypatch):
    old, new = sides
    ssn = _pension_mover(old, new)
    _start(new, ssn)
    monkeypatch.setenv("JINGBAN_TRANSFER_RETRY_BASE", "30")
    busy = {"error": {"code": "db.busy", "message": "系统繁忙", "field": None}}
    from jingban.transfers import batch

    counts = batch.deliver(new.sessions, sender=lambda _url, _env: (409, busy, "HTTP 409"))
    assert counts == {"pending": 1}
    counts = batch.deliver(new.sessions)  # not due yet: nothing is sent
    assert not counts
    with new.sessions() as db:
        message = db.execute(select(TransferMessage)).scalar()
        assert (message.attempts, message.status) == (1, "pending")
        message.next_attempt_at = message.created_at
        db.commit()
    down = batch.deliver(new.sessions, sender=lambda _url, _env: (None, None, "无法连接"))
    assert down == {"pending": 1}
    with new.sessions() as db:
        message = db.execute(select(TransferMessage)).scalar()
        assert message.attempts == 2 and "无法连接" in message.last_error
    assert [service.retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    monkeypatch.setenv("JINGBAN_TRANSFER_RETRY_MAX", "100")
    assert service.retry_delay(10) == 100


def test_refusal_by_the_new_place_reaches_the_old(sides):
    old, new = sides
    ssn = _pension_mover(old, new)
    _start(new, ssn)
    pump(old, new)
    with new.sessions() as db:
        service.refuse(db, CLERK, the_transfer(new, ssn).id, "信息表中的缴费单位与档案不符")
    pump(old, new)
    at_old = the_transfer(old, ssn)
    assert at_old.status == "refused" and "档案不符" in at_old.outcome
    # a later message about the refused transfer is refused and changes nothing
    with old.sessions() as db:
        sheet = json.loads(db.execute(select(TransferMessage.envelope).where(
            TransferMessage.kind == "info_sheet")).scalar())
    late = protocol.seal(protocol.signing_key(old.sessions.kw["info"]["signing_key"]),
                         "info_sheet", OLD, NEW, sheet["ref"], sheet["payload"])
    with new.sessions() as db:
        status, answer = service.receive(db, late)
    assert status == 422 and answer["error"]["code"] == "transfers.state"
    assert the_transfer(new, ssn).status == "refused"
    with new.sessions() as db, pytest.raises(Exception) as caught:
        service.confirm(db, CLERK, the_transfer(new, ssn).id)
    assert caught.value.code == "transfers.state"


def test_resident_pension_moves_the_whole_account_unless_receiving(sides):
    from jingban.benefits.common.models import Award
    from jingban.registration.models import Person

    old, new = sides
    ssn = fresh_ssn()
    person(old, ssn, history={"pension_resident": months(2018, 60)})
    person(new, ssn, enrolled=("pension_resident",))
    _start(new, ssn, kind="pension_resident")
    pump(old, new)
    transfer = the_transfer(new, ssn)
    assert (transfer.account_amount, transfer.pooled_amount) == (moving(60 * 64000), 0)
    _confirm(new, transfer.id)
    pump(old, new)
    assert the_transfer(new, ssn).status == "completed"
    assert balance(new, ssn, "pension_resident") == moving(60 * 64000)
    assert balance(old, ssn, "pension_resident") == 0
    receiving = fresh_ssn()
    person(old, receiving, history={"pension_resident": months(2018, 60)})
    with old.sessions() as db:
        pid = db.execute(select(Person.id).where(Person.ssn == receiving)).scalar()
        db.add(Award(person_id=pid, kind="pension_resident", status="active", start_period=202601,
                     monthly_amount=20000, decided_on=dt.date(2026, 1, 1), decided_by="t"))
        db.commit()
    person(new, receiving, enrolled=("pension_resident",))
    _start(new, receiving, kind="pension_resident")
    pump(old, new)
    refused = the_transfer(new, receiving)
    assert refused.status == "refused" and refused.outcome_code == "transfers.receiving"


def test_institution_to_enterprise_counts_the_pooled_part_since_the_reform(sides):
    old, new = sides
    ssn = fresh_ssn()
    person(old, ssn, history={"pension_institution": months(2014, 24)})  # 2014-01 … 2015-12
    person(new, ssn, enrolled=("pension_enterprise",))
    _start(new, ssn, kind="pension_cross")
    pump(old, new)
    transfer = the_transfer(new, ssn)
    assert transfer.pooled_amount == 15 * 96000  # 2014-10 … 2015-12: 12 % of 15 × 8000.00
    with new.sessions() as db:
        days = agency.calendar(db.info["calendar_dirs"]).workdays_between(
            transfer.applied_on, transfer.due_on)
    assert days == 45  # the cross-scheme deadline (R§16), not the 15 of a plain transfer
    assert all(s.wd is None and s.due_on == transfer.due_on for s in transfer.steps[:3])
    _confirm(new, transfer.id)
    pump(old, new)
    assert the_transfer(new, ssn).status == "completed"
    assert _rights(new, ssn, "pension_enterprise")["actual_months"] == 24


def test_employee_medical_years_add_up_without_funds(sides):
    old, new = sides
    ssn = fresh_ssn()
    person(old, ssn, history={"medical_employee": months(2021, 36)})
    person(new, ssn, history={"medical_employee": months(2026, 6)}, enrolled=("medical_employee",))
    _start(new, ssn, kind="medical_employee")
    pump(old, new)
    transfer = the_transfer(new, ssn)
    assert transfer.total_amount == 0 and [s.code for s in transfer.steps] == [
        "contact_letter", "info_sheet", "confirmation", "completion"]
    _confirm(new, transfer.id)
    pump(old, new)
    assert the_transfer(new, ssn).status == the_transfer(old, ssn).status == "completed"
    assert _rights(new, ssn, "medical_employee")["actual_months"] == 42
