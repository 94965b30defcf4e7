"""The reviewer's findings on transfers (issue 6): history moves once, each step once and in
order, interest stops at the transfer, a month counts once, 4xx answers are retried,
unemployment counts the old place's own months, typed payloads, the case notice."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jingban.cases.models import Case
from jingban.core import clock
from jingban.notices.models import Notification
from jingban.records import batch as records_batch
from jingban.records import service as records
from jingban.records.models import AccountEntry, AccountYear, Contribution
from jingban.registration.models import Person
from jingban.transfers import protocol, rules, service
from jingban.transfers.models import TransferMessage
from jingban.transfers.schemas import TransferApply
from tests.transfers.helpers import (
    CLERK,
    NEW,
    OLD,
    _employer,
    balance,
    fresh_ssn,
    months,
    person,
    pump,
    the_transfer,
    two_sides,
)
from tests.transfers.test_api_pages import _apply, _approve, _mover, here  # noqa: F401


@pytest.fixture
def sides(sessions, tmp_path, monkeypatch):
    return two_sides(sessions, tmp_path, monkeypatch)


def _start(side, ssn, kind="pension_enterprise", direction="in", peer=None, **extra):
    with side.sessions() as db:
        return service.start(db, CLERK, ssn, TransferApply(
            kind=kind, direction=direction, peer_region=peer or (OLD if direction == "in" else NEW),
            **extra))


def _confirm(side, transfer_id):
    with side.sessions() as db:
        return service.confirm(db, CLERK, transfer_id)


def _mover_of(old, new, history=None):
    ssn = fresh_ssn()
    person(old, ssn, history=history or {"pension_enterprise": months(2022, 30)})
    person(new, ssn, enrolled=("pension_enterprise",))
    return ssn


def _done(old, new, ssn, kind="pension_enterprise", **extra):
    _start(new, ssn, kind=kind, **extra)
    pump(old, new)
    _confirm(new, the_transfer(new, ssn).id)
    pump(old, new)


def _signed_by_new(new, kind, ref, payload):
    return protocol.seal(protocol.signing_key(new.sessions.kw["info"]["signing_key"]), kind,
                         NEW, OLD, ref, payload)


def _years(side, ssn, insurance="pension_enterprise"):
    with side.sessions() as db:
        found = records.rights(db, CLERK, ssn)
    line = next((y for y in found["contribution_years"] if y["insurance"] == insurance), None)
    return found, (line["actual_months"] if line else 0)


def test_history_moves_once_and_is_marked_on_both_sides(sides):
    old, new = sides
    ssn = _mover_of(old, new)
    _done(old, new, ssn)
    first = the_transfer(old, ssn)
    assert first.status == "completed"
    # a second transfer finds nothing left: at the old place and through a new contact letter
    with pytest.raises(Exception) as refused:
        _start(old, ssn, direction="out", peer=NEW)
    assert refused.value.code == "transfers.no_history"
    assert "国办发〔2009〕66号第四条" in refused.value.message
    # the old place: rows marked, moved months no longer counted, the transfer line shown
    record, counted = _years(old, ssn)
    assert counted == 0
    marked = [c for c, _, _ in record["contributions"] if c.transfer_out_ref == first.ref]
    assert len(marked) == 30 and all("已转出" in record["contribution_notes"][c.id] for c in marked)
    assert [(t["direction"], t["months"], t["peer_region"]) for t in record["transfers"]] == [
        ("out", 30, NEW)]
    # the new place: merged rows say where they came from, not "个人缴费"
    record, counted = _years(new, ssn)
    assert counted == 30
    shown = [(c.transfer_in_ref, label) for c, label, _ in record["contributions"]]
    assert all(ref == first.ref and label.startswith(f"转入（自{OLD}") for ref, label in shown)


def test_rights_proof_at_the_old_place_certifies_only_what_stays(sides):
    from jingban.records import proofs

    old, new = sides
    ssn = _mover_of(old, new)
    _done(old, new, ssn)
    with old.sessions() as db:
        who = db.execute(select(Person).where(Person.ssn == ssn)).scalar()
        facts = proofs.rights_facts(db, [(who.id, who.name, who.ssn)], None, clock.now())[who.id]
        proof = proofs.issue_proof(db, CLERK, ssn, "rights")
        pdf = proofs.render_pdf(proof)
    assert facts["years"] == [] and all(c["actual_months"] == 0
                                        for c in facts["contribution_years"])
    assert [(t["direction_name"], t["months"]) for t in facts["transfers"]] == [("转出", 30)]
    assert pdf.startswith(b"%PDF")


def test_a_duplicate_contact_letter_changes_nothing(sides):
    old, new = sides
    ssn = _mover_of(old, new)
    _start(new, ssn)
    with new.sessions() as db:
        letter = json.loads(db.execute(select(TransferMessage.envelope).where(
            TransferMessage.kind == "contact_letter")).scalar())
    midway = _signed_by_new(new, "contact_letter", letter["ref"], letter["payload"])
    pump(old, new)
    with old.sessions() as db:
        status, answer = service.receive(db, midway)  # a new message id, the same letter
    assert status == 200 and answer["ack"]["status"] == "accepted"
    with old.sessions() as db:
        sheets = db.execute(select(func.count()).select_from(TransferMessage).where(
            TransferMessage.kind == "info_sheet")).scalar()
    assert sheets == 1
    _confirm(new, the_transfer(new, ssn).id)
    pump(old, new)
    done = the_transfer(old, ssn)
    assert done.status == "completed"
    again = _signed_by_new(new, "contact_letter", letter["ref"], letter["payload"])
    with old.sessions() as db:
        status, _ = service.receive(db, again)
        outbox = db.execute(select(func.count()).select_from(TransferMessage).where(
            TransferMessage.direction == "out")).scalar()
    after = the_transfer(old, ssn)
    assert status == 200 and outbox == 2  # the sheet and the funds, nothing more
    assert (after.status, after.total_amount, after.account_amount) == (
        "completed", done.total_amount, done.account_amount)


def test_a_step_out_of_order_is_refused(sides):
    old, new = sides
    ssn = _mover_of(old, new)
    _start(new, ssn)
    pump(old, new)
    ref = the_transfer(new, ssn).ref
    early = _signed_by_new(new, "completion", ref, {"months": 1, "total": 1})
    with old.sessions() as db:
        status, answer = service.receive(db, early)
    assert status == 422 and answer["error"]["code"] == "transfers.state"
    assert "确认信息表" in answer["error"]["message"]
    at_old = the_transfer(old, ssn)
    assert at_old.step == "confirmation" and at_old.status == "open"
    assert [s.code for s in at_old.steps if s.done_on] == ["contact_letter", "info_sheet"]


def test_step_verdicts():
    steps = [("contact_letter", True), ("info_sheet", True), ("confirmation", False),
             ("funds", False), ("completion", False)]
    assert rules.step_verdict(steps, "info_sheet", True) == rules.DUPLICATE
    assert rules.step_verdict(steps, "confirmation", True) == rules.APPLY
    assert rules.step_verdict(steps, "completion", False) == rules.OUT_OF_ORDER
    steps[2] = ("confirmation", True)
    assert rules.step_verdict(steps, "completion", False) == rules.APPLY  # nothing to move
    assert rules.step_verdict(steps, "completion", True) == rules.OUT_OF_ORDER
    assert rules.step_verdict(steps, "refusal", True) == rules.OUT_OF_ORDER


def test_interest_stops_at_the_transfer_and_moves_with_the_balance(sides, monkeypatch):
    old, new = sides
    monkeypatch.setattr(clock, "today", lambda: dt.date(2026, 4, 15))
    # 2025-01 … 2026-03 at 640.00 a month: opening 7680.00, three credits in 2026
    ssn = _mover_of(old, new, {"pension_enterprise": months(2025, 15)})
    _done(old, new, ssn)
    # by hand, at 2.62 % (2024's rate: 2025's and 2026's are not published):
    # (7680.00 × 3 + 640.00 × (3 + 2 + 1)) × 0.0262 / 12 = 58.688 → 58.69
    assert the_transfer(new, ssn).account_amount == 768000 + 3 * 64000 + 5869
    assert balance(old, ssn) == 0 and balance(new, ssn) == 965869
    for side in (old, new):
        with side.sessions() as db:
            records_batch.credit_interest(db, "pension_enterprise", 2026, Decimal("0.0262"),
                                          dt.date(2027, 1, 5))
            db.commit()
    assert balance(old, ssn) == 0  # nothing earns after the account left
    # the new place: 9658.69 from April, 9 of 12 months: × 0.0262 × 9 / 12 = 189.79
    assert balance(new, ssn) == 965869 + 18979
    with old.sessions() as db:
        statement = db.execute(select(AccountYear).join(Person, Person.id == AccountYear.person_id)
                               .where(Person.ssn == ssn, AccountYear.year == 2026)).scalar()
        kinds = db.execute(select(AccountEntry.kind, AccountEntry.amount, AccountEntry.period)
                           .join(Person, Person.id == AccountEntry.person_id)
                           .where(Person.ssn == ssn,
                                  AccountEntry.kind.in_(["interest_moved", "transfer_out"]))
                           .order_by(AccountEntry.id)).all()
    assert (statement.opening, statement.interest, statement.closing) == (768000, 0, 0)
    assert kinds == [("interest_moved", 5869, 202604), ("transfer_out", -965869, 202604)]


def test_a_month_paid_twice_counts_once_in_the_pooled_fund(sides):
    assert rules.pooled_fund([(202201, 800000), (202201, 500000), (202202, 600000)], 199801,
                             Decimal("0.12")) == 168000  # 12 % × (8000.00 + 6000.00)
    old, new = sides
    ssn = _mover_of(old, new, {"pension_enterprise": months(2022, 12)})
    with old.sessions() as db:
        who = db.execute(select(Person).where(Person.ssn == ssn)).scalar()
        employer = _employer(db, OLD)
        db.flush()
        for period in months(2022, 12):  # a second employer reports the same months
            db.add(Contribution(record_id=f"X{ssn}{period}", person_id=who.id,
                                employer_id=employer.id, insurance="pension_enterprise",
                                period=period, base=800000, employer_amount=128000,
                                personal_amount=64000, account_amount=0,
                                paid_on=dt.date(2023, 1, 1), kind="posted"))
        db.commit()
    _start(new, ssn)
    pump(old, new)
    transfer = the_transfer(new, ssn)
    assert (transfer.months, transfer.pooled_amount) == (12, 12 * 96000)


def test_an_answer_without_acknowledgement_is_retried(sides):
    old, new = sides
    ssn = _mover_of(old, new)
    _start(new, ssn)
    with new.sessions() as db:
        letter = db.execute(select(TransferMessage).where(
            TransferMessage.kind == "contact_letter")).scalar()
    for status, code, text in ((403, "transfers.unknown_agency", "未知经办机构"),
                               (401, "transfers.bad_signature", "签名无效")):
        with new.sessions() as db:
            service.record_delivery(db, letter.id, status,
                                    {"error": {"code": code, "message": text}})
        with new.sessions() as db:
            kept = db.get(TransferMessage, letter.id)
            assert kept.status == "pending" and kept.next_attempt_at is not None
            assert f"HTTP {status}" in kept.last_error and text in kept.last_error
    assert the_transfer(new, ssn).status == "open"
    with new.sessions() as db:  # the peer catches up: the retry is delivered
        db.execute(TransferMessage.__table__.update().values(next_attempt_at=clock.now()))
        db.commit()
    pump(old, new)
    with new.sessions() as db:
        kept = db.get(TransferMessage, letter.id)
    assert (kept.status, kept.last_error) == ("acked", "")
    assert the_transfer(new, ssn).step == "confirmation"


def _unemployed(old, new, local, merged=0):
    ssn = fresh_ssn()
    person(old, ssn, history={"unemployment": months(2024, local)})
    person(new, ssn, enrolled=("unemployment",))
    if merged:
        with old.sessions() as db:
            who = db.execute(select(Person).where(Person.ssn == ssn)).scalar()
            for period in months(2020, merged):
                db.add(Contribution(record_id=f"TRFX{ssn}-{period}", person_id=who.id,
                                    insurance="unemployment", period=period, base=800000,
                                    employer_amount=4000, personal_amount=4000,
                                    paid_on=dt.date(2022, 1, 1), kind="posted",
                                    transfer_in_ref=f"X{ssn}"))
            db.commit()
    return ssn


def test_unemployment_counts_months_received_and_only_the_old_places_own(sides):
    old, new = sides
    full, fewer = _unemployed(old, new, 36), _unemployed(old, new, 36)
    _start(new, full, kind="unemployment")
    _start(new, fewer, kind="unemployment", received_months=3)
    pump(old, new)
    with new.sessions() as db:
        monthly = int(service._param(db, "transfers.unemployment.monthly_benefit"))
    gap = the_transfer(new, full).total_amount - the_transfer(new, fewer).total_amount
    assert gap == 3 * monthly + 3 * monthly // 2  # 3 months fewer, and half of them more
    # 6 months here and 24 merged from an earlier place: under one year at the old place
    merged = _unemployed(old, new, 6, merged=24)
    _start(new, merged, kind="unemployment")
    pump(old, new)
    sheet = the_transfer(new, merged)
    assert (sheet.months, sheet.total_amount) == (30, 0)
    assert "不满12个月" in json.loads(sheet.info)["amount"]["basis"]
    with pytest.raises(Exception) as wrong:
        TransferApply(kind="unemployment", direction="in", peer_region=OLD, received_months=25)
    assert "received_months" in str(wrong.value)
    with pytest.raises(Exception) as wrong:
        TransferApply(kind="pension_enterprise", direction="in", peer_region=OLD, received_months=2)
    assert "仅在失业保险关系转移时填写" in str(wrong.value)


@pytest.mark.parametrize("payload, field", [
    ({"ssn": 123}, "payload.ssn"), ({"applied_on": "2026-13-01"}, "payload.applied_on"),
    ({"kind": ["x"]}, "payload.kind"), ({"received_months": "3"}, "payload.received_months")])
def test_a_wrongly_typed_payload_is_refused_by_field(sides, payload, field):
    old, new = sides
    ssn = _mover_of(old, new)
    letter = {"kind": "pension_enterprise", "ssn": ssn, "name": "王转移", "old_region": OLD,
              "new_region": NEW, "applied_at": "new", "applied_on": "2026-01-01", **payload}
    with old.sessions() as db:
        status, answer = service.receive(db, _signed_by_new(new, "contact_letter",
                                                            "R" + fresh_ssn(), letter))
    assert status == 422 and answer["error"]["code"] == "transfers.payload"
    assert answer["error"]["field"] == field and "报文内容字段" in answer["error"]["message"]
    assert the_transfer(old, ssn) is None


def test_case_approval_says_the_transfer_has_started(client, login, here, db):  # noqa: F811
    ssn = _mover(here)
    case = _apply(client, login("clerk"), ssn).json()
    _approve(client, login, case["case_id"])
    db.rollback()
    notices = db.execute(select(Notification.message).where(
        Notification.case_id == case["case_id"])).scalars().all()
    assert notices and not any("已办结" in n for n in notices)
    assert any("办理中" in n and "转移编号" in n for n in notices)
    assert "办理中" in db.get(Case, case["case_id"]).outcome


def test_a_region_of_the_wrong_type_is_named_plainly(sides):
    old, new = sides
    envelope = _signed_by_new(new, "contact_letter", "R1", {})
    with old.sessions() as db, pytest.raises(Exception) as refused:
        service.receive(db, {**envelope, "from": [NEW]})
    assert "[" not in refused.value.message and "格式不正确" in refused.value.message


def test_rights_page_shows_moved_rows_and_the_transfers(sides, client, make_user):
    from tests.web.helpers import sign_in

    old, new = sides
    ssn = _mover_of(old, new)
    _done(old, new, ssn)
    ref = the_transfer(old, ssn).ref
    sign_in(client, make_user("clerk_moved", "clerk"))
    html = client.get(f"/persons/{ssn}/rights").text
    rows = html.split('id="rights-contributions"')[1].split("</section>")[0]
    assert rows.count(f"已转出（转移编号{ref}，转往{NEW}") == 30 and "正常" not in rows
    moved = html.split('id="rights-transfers"')[1].split("</section>")[0]
    assert "关系转移接续" in html and ref in moved and NEW in moved
    assert all(text in moved for text in (rules.KINDS["pension_enterprise"], "转出", "已办结"))
