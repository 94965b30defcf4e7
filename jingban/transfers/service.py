"""Transfer acts (SPEC §5): start a transfer (the act of the TRF-* case items), receive the
peer agency's signed messages, the clerk's confirmation, delivery outcomes, and the reads.

The conversation, new place (转入地) ⇄ old place (转出地)::

    [application →]  contact_letter ←  info_sheet →  confirmation ←  funds →  completion ←

Each side keeps its own ``Transfer`` row (same ``ref``) with the steps and their sub-deadlines.
What a side can do from its own data it does on receipt (the old place answers a contact
letter with the information sheet, a confirmation with the fund transfer; the new place checks
the amount and closes on receipt of the funds). The new place's clerk confirms the sheet.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import uuid
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core import agency, audit, clock, locks
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, JingbanError, NotFound, PermissionDenied
from jingban.core.money import format_yuan
from jingban.core.workdays import due_label
from jingban.funds.ledger import service as ledger
from jingban.notices.service import notify
from jingban.records import service as records
from jingban.registration.models import Enrollment, Person
from jingban.registration.service import person_subject
from jingban.transfers import protocol, rules
from jingban.transfers.models import FundMovement, Transfer, TransferMessage, TransferStep
from jingban.transfers.schemas import PAYLOADS, TransferApply, TransferStart

audit.ACT_NAMES.update({
    "transfers.start": "受理关系转移接续", "transfers.receive": "接收经办机构转移报文",
    "transfers.confirm": "确认转移信息表", "transfers.refuse": "不予办理关系转移接续",
    "transfers.delivered": "转移报文送达", "transfers.retry": "转移报文暂未送达（将重试）",
})
MAX_ID = 2**31 - 1
TRANSIENT = {"db.busy", "db.conflict"}
FUND_KINDS = {"pension_enterprise", "pension_cross", "pension_resident", "unemployment"}


# --- helpers ------------------------------------------------------------------------------------

def subject(transfer: Transfer) -> str:
    return f"transfer:{transfer.ref}"


def _param(db: Session, name: str) -> Any:
    return agency.param(db, name, clock.today())


def _due(db: Session, start: dt.date, wd: int):
    return agency.due_date(db, start, wd)


def _key(db: Session):
    return protocol.signing_key(db.info.get("signing_key"))


def _person(db: Session, ssn: str, field: str = "ssn") -> Person:
    code = (ssn or "").strip().upper()
    found = db.execute(select(Person).where(Person.ssn == code)).scalar()
    if found is None:
        raise NotFound("transfers.person_unknown", f"本经办机构没有社会保障号码为 {code} 的参保人", field)
    return found


def _require_act(actor: Actor, permission: str) -> None:
    """Through an approved case the engine has checked the applicant; at the counter or API
    the clerk needs the permission."""
    require(actor, "cases.act" if actor.channel == "case" else permission)


def _new_transfer(db: Session, *, ref: str, kind: str, role: str, person: Person, old: str,
                  new: str, applied_at: str, applied_on: dt.date) -> Transfer:
    due = _due(db, applied_on, int(_param(db, "transfers.total_wd")[kind]))
    transfer = Transfer(ref=ref, kind=kind, role=role, person_id=person.id, ssn=person.ssn,
                        name=person.name, old_region=old, new_region=new, applied_at=applied_at,
                        applied_on=applied_on, status="open", step="contact_letter",
                        due_on=due.due, due_provisional=due.provisional)
    steps = rules.plan(_param(db, f"transfers.steps.{kind}"), kind)
    transfer.steps = [TransferStep(seq=i, code=s.code, side=s.side, wd=s.wd)
                      for i, s in enumerate(steps, 1)]
    _set_due(db, transfer, transfer.steps[0], applied_on)
    db.add(transfer)
    db.flush()
    return transfer


def _set_due(db: Session, transfer: Transfer, step: TransferStep, start: dt.date) -> None:
    if step.wd is None:
        step.due_on, step.provisional = transfer.due_on, transfer.due_provisional
    else:
        due = _due(db, start, step.wd)
        step.due_on, step.provisional = due.due, due.provisional


def _step(transfer: Transfer, code: str) -> TransferStep:
    for step in transfer.steps:
        if step.code == code:
            return step
    raise Conflict("transfers.step", f"该转移没有“{rules.STEP_NAMES.get(code, code)}”环节", "step")


def _done(db: Session, transfer: Transfer, code: str, note: str = "") -> None:
    """A step is done today; the next one's clock starts (from the day after)."""
    step, today = _step(transfer, code), clock.today()
    if step.done_on is not None:
        return
    step.done_on, step.note = today, note or step.note
    following = [s for s in transfer.steps if s.done_on is None]
    if following:
        transfer.step = following[0].code
        if following[0].due_on is None:
            _set_due(db, transfer, following[0], today)
    else:
        transfer.step, transfer.status, transfer.completed_on = "", "completed", today


def _queue(db: Session, transfer: Transfer, kind: str, payload: dict) -> TransferMessage:
    """Sign a message for the peer and keep it in the outbox until it is acknowledged."""
    mine = agency.region(db)
    peer = transfer.old_region if mine == transfer.new_region else transfer.new_region
    envelope = protocol.seal(_key(db), kind, mine, peer, transfer.ref, payload)
    message = TransferMessage(direction="out", message_id=envelope["message_id"],
                              peer_region=peer, kind=kind, ref=transfer.ref,
                              digest=envelope["digest"], envelope=json.dumps(envelope),
                              status="pending", next_attempt_at=clock.now())
    db.add(message)
    db.flush()
    return message


def _tell(db: Session, transfer: Transfer, message: str) -> None:
    """R§16: the person is told the progress at every step (portal notice and SMS)."""
    person = db.get(Person, transfer.person_id) if transfer.person_id else None
    notify(db, transfer.ssn, "transfer", f"【{rules.KINDS[transfer.kind]}】{message}",
                 phone=person.phone if person else "")


def _person_checks(db: Session, person: Person, kind: str, new_region: str) -> None:
    today = clock.today()
    if kind == "pension_enterprise" and rules.needs_temporary_account(
            person.sex, person.birth_date, today, person.household_region, new_region,
            _param(db, "transfers.temporary_account_age")):
        raise Conflict("transfers.temporary_account",
                       "男年满50周岁、女年满40周岁到非户籍所在省份就业的，基本养老保险关系保留在原参保地，"
                       "由新参保地建立临时基本养老保险缴费账户（国办发〔2009〕66号第五条），不办理关系转移",
                       "kind")
    if kind.startswith("pension") and (problem := rules.receiving_problem(kind,
                                                                          _receiving(db, person))):
        raise Conflict("transfers.receiving", problem, "kind")


def _receiving(db: Session, person: Person) -> bool:
    return _pensioners["receiving"](db, person.id)


# Whether a person already receives a basic pension: the benefits area builds on transfers and
# answers this (``use_pension_check``, called by jingban.wiring).
def _not_wired(db: Session, person_id: int) -> bool:
    raise RuntimeError("transfers.use_pension_check was not called: run jingban.wiring.install()")


_pensioners: dict[str, Callable[[Session, int], bool]] = {"receiving": _not_wired}


def use_pension_check(receiving: Callable[[Session, int], bool]) -> None:
    _pensioners["receiving"] = receiving


# The unemployment entitlement a person still has here — (months left, monthly amount in fen,
# months received) — from the benefits area's own awards, or None when no benefit was ever
# decided here (``use_unemployment_entitlement``, called by jingban.wiring). The information
# sheet then rests on the real figures, not on a number the applicant's clerk typed.
Entitlement = Callable[[Session, int], "tuple[int, int, int] | None"]
_entitlements: dict[str, Entitlement] = {"left": lambda db, person_id: None}


def use_unemployment_entitlement(left: Entitlement) -> None:
    _entitlements["left"] = left


# Once the new place has confirmed an unemployment transfer, the benefit this agency pays
# stops (its months left go with the funds); the benefits area answers (wiring).  # agrfin
UnemploymentStop = Callable[[Session, Actor, int, str], None]  # agrfin
_unemployment_stops: dict[str, UnemploymentStop] = {"stop": lambda db, actor, person_id, ref: None}  # agrfin


def use_unemployment_stop(stop: UnemploymentStop) -> None:  # agrfin
    _unemployment_stops["stop"] = stop  # agrfin


# --- starting a transfer (the act of the TRF-* case items) ----------------------------------------

@transactional
def start(db: Session, actor: Actor, ssn: str, data: TransferApply) -> Transfer:
    """受理: the person applied here, as the new place (``in``: the contact letter goes out
    at once) or as the old place (``out``: the application is forwarded to the new place)."""
    _require_act(actor, "transfers.start")
    if reason := rules.not_transferable(data.kind):
        raise InvalidInput("transfers.not_transferable", reason, "kind")
    person = _person(db, ssn)
    mine = agency.region(db)
    protocol.peer(data.peer_region, mine)
    new, old = (mine, data.peer_region) if data.direction == "in" else (data.peer_region, mine)
    if db.execute(select(Transfer.id).where(Transfer.person_id == person.id,
                                            Transfer.kind == data.kind,
                                            Transfer.status == "open")).first():
        raise Conflict("transfers.open_exists", "该参保人已有办理中的同类关系转移", "kind")
    if data.direction == "in":
        _person_checks(db, person, data.kind, new)
    else:
        _has_history(db, person, data.kind)
    today = clock.today()
    ref = f"{mine}{today:%Y%m%d}{uuid.uuid4().hex[:10].upper()}"
    role = "new" if data.direction == "in" else "old"
    transfer = _new_transfer(db, ref=ref, kind=data.kind, role=role, person=person, old=old,
                             new=new, applied_at=role, applied_on=today)
    transfer.case_id = _case_of(db, actor, person, rules.item_for(data.kind, data.direction))
    if role == "new":
        _send_contact_letter(db, transfer, data.received_months)
    else:
        _queue(db, transfer, "application",
               {**_identity(transfer), "received_months": data.received_months})
        _tell(db, transfer, f"已受理您的转出申请，已通知转入地经办机构（转移编号{ref}）。")
    audit.record(db, actor, "transfers.start", subject(transfer), after=snapshot(transfer),
                 related=person_subject(person))
    due = due_label(transfer.due_on, transfer.due_provisional)
    transfer.follow_up = (f"已向转出地发出联系函，关系转移接续办理中（转移编号{ref}），"
                          f"将于{due}前办结，办结后另行通知。" if role == "new" else
                          f"已通知转入地经办机构，关系转移接续办理中（转移编号{ref}），办结后另行通知。")
    return transfer


def _case_of(db: Session, actor: Actor, person: Person, item: str) -> int | None:
    """The application case whose approval (or intake check) runs this act."""
    if actor.channel != "case":
        return None
    return db.execute(select(Case.id).where(
        Case.subject == person_subject(person), Case.item_code == item,
        Case.status.in_(["in_review", "awaiting_materials"])).order_by(Case.id.desc())).scalar()


def _has_history(db: Session, person: Person, kind: str) -> None:
    """Something must be left to move: contributions, deemed months or a balance not yet
    carried away by an earlier transfer (国办发〔2009〕66号第四条: what moved is the new place's)."""
    history = records.transfer_history(db, person.id, rules.MOVES[kind],
                                       rules.ACCOUNT_SCHEME.get(kind))
    if not (history["contributions"] or history["deemed_months"] or history["balance"]):
        raise Conflict("transfers.no_history",
                       f"该参保人在本地没有可转出的{rules.KINDS[kind]}缴费记录（已转出的缴费记录和个人账户"
                       "不能再次转移，国办发〔2009〕66号第四条）", "kind")


def _identity(transfer: Transfer) -> dict:
    return {"kind": transfer.kind, "ssn": transfer.ssn, "name": transfer.name,
            "old_region": transfer.old_region, "new_region": transfer.new_region,
            "applied_at": transfer.applied_at, "applied_on": transfer.applied_on.isoformat()}


def _send_contact_letter(db: Session, transfer: Transfer, received_months: int = 0) -> None:
    _queue(db, transfer, "contact_letter",
           {**_identity(transfer), "received_months": received_months})
    _done(db, transfer, "contact_letter")
    due = due_label(transfer.due_on, transfer.due_provisional)
    _tell(db, transfer, f"转入地已审核并向转出地发出联系函（转移编号{transfer.ref}），"
                        f"全部手续将于{due}前办结。")


# --- receiving a message --------------------------------------------------------------------------

def _agency_actor(region: str) -> Actor:
    return Actor(f"agency:{region}", frozenset(), False, "feed")


@transactional
def receive(db: Session, envelope: dict) -> tuple[int, dict]:
    """接收: check the message, apply it once, answer with a signed acknowledgement.

    A replay or a duplicate of a message already received changes nothing and gets the same
    acknowledgement; a refused business act (unknown person, wrong state) is answered with a
    signed refusal the sender records. (HTTP status, answer)."""
    if not isinstance(envelope, dict):
        raise InvalidInput("transfers.envelope", "报文格式不正确", "body")
    # secops: the same message posted twice at once — the second waits and replays the answer
    locks.serialize(db, f"transfers.inbox:{envelope.get('from')}:{envelope.get('message_id')}")
    mine = agency.region(db)
    sender = protocol.open_envelope(envelope, mine)
    limits = _param(db, "transfers.inbox")
    protocol.check_fresh(envelope, clock.now(), dt.timedelta(hours=limits["max_age_hours"]),
                         dt.timedelta(minutes=limits["max_future_minutes"]))
    message_id = str(envelope.get("message_id") or "")[:64]
    earlier = db.execute(select(TransferMessage).where(
        TransferMessage.direction == "in", TransferMessage.peer_region == sender.region,
        TransferMessage.message_id == message_id)).scalar()
    if earlier is not None:
        if earlier.digest != envelope["digest"] or earlier.kind != envelope.get("kind"):
            raise Conflict("transfers.message_id_reused", "报文编号已用于另一份报文，拒绝接收", "message_id")
        return _answer(earlier)
    error = _apply(db, sender.region, envelope)
    ack = {"message_id": message_id, "from": mine, "to": sender.region,
           "status": "refused" if error else "accepted", "error": error.to_dict() if error else None,
           "received_at": clock.now().isoformat(timespec="seconds")}
    row = TransferMessage(direction="in", message_id=message_id, peer_region=sender.region,
                          kind=str(envelope.get("kind"))[:16], ref=str(envelope.get("ref"))[:48],
                          digest=envelope["digest"], envelope=json.dumps(envelope),
                          status=ack["status"],
                          ack=json.dumps(protocol.sign_ack(_key(db), ack)),
                          done_at=clock.now())
    db.add(row)
    db.flush()
    audit.record(db, _agency_actor(sender.region), "transfers.receive",
                 f"transfer:{row.ref}", after={"kind": row.kind, "message_id": message_id,
                                               "status": row.status, "error": ack["error"]})
    return _answer(row)


def max_body_bytes(db: Session) -> int:
    return int(_param(db, "transfers.inbox")["max_body_bytes"])


def _answer(row: TransferMessage) -> tuple[int, dict]:
    answer = json.loads(row.ack)
    if row.status == "refused":
        return 422, {"error": answer["ack"]["error"], **answer}
    return 200, answer


HANDLERS: dict[str, Any] = {}


def _apply(db: Session, sender: str, envelope: dict) -> JingbanError | None:
    """Run the message's act in a savepoint: a refusal leaves nothing behind but the answer."""
    handler = HANDLERS.get(str(envelope.get("kind")))
    if handler is None:
        return InvalidInput("transfers.kind", f"不支持的报文类型：{envelope.get('kind')}", "kind")
    savepoint = db.begin_nested()
    try:
        payload = _checked(str(envelope.get("kind")), envelope.get("payload"))
        handler(db, sender, str(envelope.get("ref")), payload)
        savepoint.commit()
        return None
    except JingbanError as exc:
        savepoint.rollback()
        return exc
    except (KeyError, TypeError, ValueError) as exc:
        savepoint.rollback()
        return InvalidInput("transfers.payload", f"报文内容缺少或有误：{exc}", "payload")


def _checked(kind: str, payload: Any) -> dict:
    """The step's payload, checked against its model (types, formats, ranges) — a wrong one
    is refused with the field named, before anything is touched."""
    if not isinstance(payload, dict):
        raise InvalidInput("transfers.payload", "报文内容格式不正确", "payload")
    try:
        return PAYLOADS[kind].model_validate(payload).model_dump(mode="json")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput("transfers.payload",
                           f"报文内容字段“{where}”缺失或类型、格式不正确",
                           f"payload.{where}" if where else "payload") from None


def _handler(kind: str):
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


def _mine(db: Session, ref: str, role: str, sender: str) -> Transfer:
    transfer = db.execute(select(Transfer).where(Transfer.ref == ref)).scalar()
    peer = None if transfer is None else (transfer.old_region if role == "new"
                                          else transfer.new_region)
    if transfer is None or transfer.role != role or peer != sender:
        raise NotFound("transfers.unknown_transfer", f"本经办机构没有编号为 {ref} 的转移业务", "ref")
    return transfer


def _due_now(transfer: Transfer, code: str) -> bool:
    """The state machine (rules.step_verdict): True to perform step ``code`` now; False for a
    step already done (a duplicate: the same acceptance, nothing changes); a step out of order,
    or any step of a refused transfer, is refused."""
    verdict = rules.step_verdict([(s.code, s.done_on is not None) for s in transfer.steps],
                                 code, _needs_funds(transfer))
    if verdict == rules.DUPLICATE and transfer.status != "refused":
        return False
    if verdict == rules.APPLY and transfer.status == "open":
        return True
    if transfer.status != "open":
        raise Conflict("transfers.state",
                       f"转移业务 {transfer.ref} 已{rules.STATUS[transfer.status]}，不再办理", "ref")
    awaited = rules.STEP_NAMES.get(transfer.step, transfer.step)
    raise Conflict("transfers.state", f"转移业务 {transfer.ref} 当前等待“{awaited}”，"
                                      f"不能办理“{rules.STEP_NAMES.get(code, code)}”", "kind")


def _named_person(db: Session, payload: dict) -> Person:
    person = _person(db, payload["ssn"])
    if person.name != payload["name"]:
        raise Conflict("transfers.person_mismatch",
                       f"社会保障号码 {person.ssn} 在本经办机构登记的姓名与来函不符", "name")
    return person


@_handler("application")
def _on_application(db: Session, sender: str, ref: str, payload: dict) -> None:
    """At the new place: the person applied at the old place; check and send the contact letter."""
    if payload["new_region"] != agency.region(db) or payload["old_region"] != sender:
        raise InvalidInput("transfers.regions", "转出地、转入地与报文收发机构不符", "new_region")
    known = db.execute(select(Transfer).where(Transfer.ref == ref)).scalar()
    if known is not None:
        if known.role != "new" or known.old_region != sender:
            raise Conflict("transfers.unknown_transfer", f"转移编号 {ref} 与本经办机构的业务不符", "ref")
        return  # the same application again: the contact letter has gone already
    person = _named_person(db, payload)
    kind = payload["kind"]
    _person_checks(db, person, kind, payload["new_region"])
    transfer = _new_transfer(db, ref=ref, kind=kind, role="new", person=person, old=sender,
                             new=payload["new_region"], applied_at="old",
                             applied_on=dt.date.fromisoformat(payload["applied_on"]))
    _send_contact_letter(db, transfer, int(payload["received_months"]))


@_handler("contact_letter")
def _on_contact_letter(db: Session, sender: str, ref: str, payload: dict) -> None:
    """At the old place: check the person and answer with the information sheet at once."""
    if payload["old_region"] != agency.region(db) or payload["new_region"] != sender:
        raise InvalidInput("transfers.regions", "转出地、转入地与报文收发机构不符", "old_region")
    person = _named_person(db, payload)
    kind = payload["kind"]
    transfer = db.execute(select(Transfer).where(Transfer.ref == ref)).scalar()
    if transfer is None:
        if kind.startswith("pension") and (problem := rules.receiving_problem(
                kind, _receiving(db, person))):
            raise Conflict("transfers.receiving", problem, "kind")
        _has_history(db, person, kind)
        transfer = _new_transfer(db, ref=ref, kind=kind, role="old", person=person,
                                 old=agency.region(db), new=sender, applied_at="new",
                                 applied_on=dt.date.fromisoformat(payload["applied_on"]))
    elif transfer.role != "old" or transfer.new_region != sender or transfer.kind != kind:
        raise Conflict("transfers.unknown_transfer", f"转移编号 {ref} 与本经办机构的业务不符", "ref")
    elif not _due_now(transfer, "contact_letter"):
        return
    else:
        _has_history(db, person, kind)
    _done(db, transfer, "contact_letter")
    sheet = information_sheet(db, person, kind, int(payload["received_months"]))
    _keep_sheet(transfer, sheet)
    _queue(db, transfer, "info_sheet", sheet)
    _done(db, transfer, "info_sheet")
    _tell(db, transfer, f"转出地已核对您的缴费信息并传送信息表（{sheet['months']}个月，"
                        f"转移金额{format_yuan(sheet['amount']['total'])}元）。")


def information_sheet(db: Session, person: Person, kind: str, received_months: int = 0) -> dict:
    """信息表: the contribution history, deemed months, account balance (with this year's
    interest up to this month, which moves with it) and what moves."""
    history = records.transfer_history(db, person.id, rules.MOVES[kind],
                                       rules.ACCOUNT_SCHEME.get(kind))
    periods = [c["period"] for c in history["contributions"]]
    if kind in ("pension_enterprise", "pension_cross", "pension_resident"):
        amount = rules.pension_amount(
            kind, history["balance"] + history["interest"],
            [(c["period"], c["base"] or 0) for c in history["contributions"]],
            _param(db, "transfers.pooled_fund_start"),
            Decimal(str(_param(db, "transfers.pooled_fund_rate"))))
    elif kind == "unemployment":
        amount = _unemployment_amount(db, person, history, periods, received_months)
    else:
        amount = rules.Amount(0, 0, 0, "只转移关系，缴费年限累计计算")
    return {**history, "kind": kind, "ssn": person.ssn, "name": person.name,
            "months": rules.months_count(periods),
            "amount": {"account": amount.account, "pooled": amount.pooled,
                       "total": amount.total, "basis": amount.basis}}


def _unemployment_amount(db: Session, person: Person, history: dict, periods: list[int],
                         received_months: int) -> rules.Amount:
    """失业保险费用: from this agency's own record of the person's benefit when it has one
    (the real months left and monthly amount), else by the months paid less the months the
    letter says were received elsewhere."""
    local = rules.months_count([c["period"] for c in history["contributions"] if c["local"]])
    extra = Decimal(str(_param(db, "transfers.unemployment.extra_share")))
    minimum = int(_param(db, "transfers.unemployment.min_months"))
    if (own := _entitlements["left"](db, person.id)) is not None:
        left, monthly, received = own
        return rules.entitlement_amount(left, monthly, received, extra, minimum, local)
    return rules.unemployment_amount(
        rules.months_count(periods), received_months,
        int(_param(db, "transfers.unemployment.monthly_benefit")),
        _param(db, "transfers.unemployment.benefit_months"), extra, minimum, local_months=local)


def _keep_sheet(transfer: Transfer, sheet: dict) -> None:
    transfer.info = json.dumps(sheet, ensure_ascii=False)
    transfer.months, transfer.deemed_months = int(sheet["months"]), int(sheet["deemed_months"])
    amount = sheet["amount"]
    transfer.account_amount, transfer.pooled_amount = int(amount["account"]), int(amount["pooled"])
    transfer.total_amount = int(amount["total"])
    if transfer.total_amount == 0 or transfer.kind not in FUND_KINDS:
        for step in transfer.steps:
            if step.code == "funds" and step.done_on is None:
                step.wd, step.note = None, "无需划转资金"


@_handler("info_sheet")
def _on_info_sheet(db: Session, sender: str, ref: str, payload: dict) -> None:
    transfer = _mine(db, ref, "new", sender)
    if transfer.ssn != payload["ssn"] or transfer.kind != payload["kind"]:
        raise Conflict("transfers.sheet_mismatch", "信息表中的参保人或险种与联系函不符", "ssn")
    if not _due_now(transfer, "info_sheet"):
        return
    _keep_sheet(transfer, payload)
    _done(db, transfer, "info_sheet")
    _tell(db, transfer, "已收到转出地的信息表，转入地正在审核确认。")


@_handler("confirmation")
def _on_confirmation(db: Session, sender: str, ref: str, payload: dict) -> None:
    """At the old place: the new place confirmed; transfer the funds (within the step's limit,
    here at once) or, with nothing to move, wait for the completion."""
    transfer = _mine(db, ref, "old", sender)
    if not _due_now(transfer, "confirmation"):
        return
    _done(db, transfer, "confirmation")
    _carry_away(db, transfer)
    if transfer.kind == "unemployment":  # agrfin
        _unemployment_stops["stop"](db, _agency_actor(agency.region(db)), transfer.person_id,  # agrfin
                                    transfer.ref)  # agrfin
    if _needs_funds(transfer):
        _move_funds(db, transfer, "out")
        _queue(db, transfer, "funds", {"amount": {"account": transfer.account_amount,
                                                  "pooled": transfer.pooled_amount,
                                                  "total": transfer.total_amount}})
        _done(db, transfer, "funds")
        _tell(db, transfer, f"转出地已办理基金划转 {format_yuan(transfer.total_amount)} 元。")
    else:
        _tell(db, transfer, "转入地已确认，转出地无需划转资金。")


def _carry_away(db: Session, transfer: Transfer) -> None:
    """The relationship is the new place's now: the rows of the sheet are marked as moved
    (they stop counting here and cannot move again) and the account balance leaves."""
    sheet = json.loads(transfer.info)
    moves = _needs_funds(transfer)
    records.transfer_out(db, _agency_actor(agency.region(db)), db.get(Person, transfer.person_id),
                         transfer.ref, [int(c["id"]) for c in sheet["contributions"] if c.get("id")],
                         [int(i) for i in sheet.get("deemed_ids", [])],
                         rules.ACCOUNT_SCHEME.get(transfer.kind),
                         transfer.account_amount if moves else 0,
                         int(sheet.get("interest", 0)) if moves and transfer.account_amount else 0)


def _needs_funds(transfer: Transfer) -> bool:
    return any(s.code == "funds" for s in transfer.steps) and transfer.total_amount > 0


def _move_funds(db: Session, transfer: Transfer, direction: str) -> None:
    peer = transfer.new_region if direction == "out" else transfer.old_region
    movement = FundMovement(transfer_id=transfer.id, insurance=rules.MOVES[transfer.kind][0],
                            direction=direction, account_amount=transfer.account_amount,
                            pooled_amount=transfer.pooled_amount, amount=transfer.total_amount,
                            peer_region=peer, recorded_on=clock.today())
    db.add(movement)
    db.flush()
    _post(db, _agency_actor(agency.region(db)), movement, transfer.ref)


def _post(db: Session, actor: Actor, movement: FundMovement, ref: str) -> None:
    """转移基金 booked to the insurance's fund (SPEC §9), in the movement's transaction."""
    way = "转出至" if movement.direction == "out" else "转入自"
    ledger.book_transfer(db, actor, movement.insurance,
                         movement.direction, movement.amount, f"transfer:{movement.id}",
                         f"关系转移{way} {movement.peer_region}（{ref}）基金 "
                         f"{format_yuan(movement.amount)} 元")
    movement.posted = True
    db.flush()


def book_all_movements(db: Session, actor: Actor) -> int:
    """Back-fill: fund movements written before the ledger existed (``posted`` false), each
    booked and marked posted in one transaction; a second run finds none."""
    waiting = db.execute(select(FundMovement.id).where(FundMovement.posted.is_(False))
                         .order_by(FundMovement.id)).scalars().all()
    for movement_id in waiting:
        _post_one(db, actor, movement_id)
    return len(waiting)


@transactional
def _post_one(db: Session, actor: Actor, movement_id: int) -> None:
    movement = db.get(FundMovement, movement_id, with_for_update=True)
    if not movement.posted:
        _post(db, actor, movement, db.get(Transfer, movement.transfer_id).ref)


@_handler("funds")
def _on_funds(db: Session, sender: str, ref: str, payload: dict) -> None:
    """At the new place: check the amount against the sheet, take the history in, close."""
    transfer = _mine(db, ref, "new", sender)
    if not _due_now(transfer, "funds"):
        return
    got = payload["amount"]
    if int(got["total"]) != transfer.total_amount or int(got["account"]) != transfer.account_amount:
        raise Conflict("transfers.amount_mismatch",
                       f"划转金额 {format_yuan(int(got['total']))} 元与信息表所列 "
                       f"{format_yuan(transfer.total_amount)} 元不符，请转出地核实", "amount")
    _done(db, transfer, "funds")
    _move_funds(db, transfer, "in")
    _merge(db, transfer)
    _complete(db, transfer)


def _merge(db: Session, transfer: Transfer) -> None:
    """年限累计计算: the sheet's history joins this agency's record of the person (once)."""
    if transfer.merged:
        return
    sheet = json.loads(transfer.info)
    person = db.get(Person, transfer.person_id)
    scheme = rules.ACCOUNT_SCHEME.get(transfer.kind)
    records.merge_transferred(db, _agency_actor(transfer.old_region), person, transfer.ref,
                              _receiving_insurance(db, transfer), sheet["contributions"],
                              int(sheet["deemed_months"]), scheme,
                              transfer.account_amount if _needs_funds(transfer) else 0)
    transfer.merged = True


def _receiving_insurance(db: Session, transfer: Transfer) -> str:
    if transfer.kind != "pension_cross":
        return rules.MOVES[transfer.kind][0]
    active = db.execute(select(Enrollment.insurance).where(
        Enrollment.person_id == transfer.person_id, Enrollment.status == "active",
        Enrollment.insurance.in_(["pension_enterprise", "pension_institution"]))).scalar()
    return active or "pension_enterprise"


def _complete(db: Session, transfer: Transfer) -> None:
    _done(db, transfer, "completion")
    _queue(db, transfer, "completion", {"months": transfer.months,
                                        "total": transfer.total_amount})
    _tell(db, transfer, f"关系转移接续已办结：转入缴费{transfer.months}个月"
                        f"（视同{transfer.deemed_months}个月），金额{format_yuan(transfer.total_amount)}元。")


@_handler("completion")
def _on_completion(db: Session, sender: str, ref: str, payload: dict) -> None:
    transfer = _mine(db, ref, "old", sender)
    if not _due_now(transfer, "completion"):
        return
    _skip_funds(transfer)
    _done(db, transfer, "completion")
    _tell(db, transfer, "转入地已办结，您的关系转移接续已完成。")


@_handler("refusal")
def _on_refusal(db: Session, sender: str, ref: str, payload: dict) -> None:
    transfer = db.execute(select(Transfer).where(Transfer.ref == ref)).scalar()
    if transfer is None or sender not in (transfer.old_region, transfer.new_region):
        raise NotFound("transfers.unknown_transfer", f"本经办机构没有编号为 {ref} 的转移业务", "ref")
    _refused(db, transfer, str(payload["code"])[:64], str(payload["message"]))


def _refused(db: Session, transfer: Transfer, code: str, message: str) -> None:
    if transfer.status != "open":
        return
    transfer.status, transfer.outcome_code, transfer.outcome = "refused", code, message
    transfer.completed_on = clock.today()
    _tell(db, transfer, f"关系转移接续不予办理：{message}")


# --- the new place's clerk ------------------------------------------------------------------------

def _locked(db: Session, transfer_id: int) -> Transfer:
    found = None
    if 0 < transfer_id <= MAX_ID:
        found = db.execute(select(Transfer).where(Transfer.id == transfer_id)
                           .with_for_update()).scalar()
    if found is None:
        raise NotFound("transfers.not_found", f"未找到转移业务 {transfer_id}", "transfer_id")
    return found


@transactional
def confirm(db: Session, actor: Actor, transfer_id: int) -> Transfer:
    """确认信息表 (new place, 4 wd): the relationship is taken in; with nothing to move the
    transfer closes now, otherwise the old place transfers the funds."""
    require(actor, "transfers.confirm")
    transfer = _locked(db, transfer_id)
    if transfer.role != "new" or transfer.status != "open" or transfer.step != "confirmation":
        raise Conflict("transfers.state", "该转移当前不在待本机构确认信息表的环节", "transfer_id")
    before = snapshot(transfer)
    _queue(db, transfer, "confirmation", {"confirmed_by": actor.username})
    _done(db, transfer, "confirmation")
    if transfer.kind == "unemployment" or not _needs_funds(transfer):
        _merge(db, transfer)
    if _needs_funds(transfer):
        _tell(db, transfer, "转入地已确认信息表，等待转出地划转资金。" +
              ("失业保险关系已转入，费用划转期间不影响在本地享受失业保险待遇。"
               if transfer.kind == "unemployment" else ""))
    else:
        _skip_funds(transfer)
        _complete(db, transfer)
    audit.record(db, actor, "transfers.confirm", subject(transfer), before=before,
                 after=snapshot(transfer))
    return transfer


def _skip_funds(transfer: Transfer) -> None:
    for step in transfer.steps:
        if step.code == "funds" and step.done_on is None:
            step.done_on, step.note = clock.today(), "无需划转资金"


@transactional
def refuse(db: Session, actor: Actor, transfer_id: int, reason: str) -> Transfer:
    """不予办理 (either side, while open), with the reason sent to the peer and the person."""
    require(actor, "transfers.confirm")
    transfer = _locked(db, transfer_id)
    if transfer.status != "open":
        raise Conflict("transfers.state", "该转移已结束", "transfer_id")
    if not (reason or "").strip():
        raise InvalidInput("transfers.reason", "不予办理须说明理由", "reason")
    before = snapshot(transfer)
    _queue(db, transfer, "refusal", {"code": "transfers.refused_by_agency", "message": reason})
    _refused(db, transfer, "transfers.refused_by_agency", reason)
    audit.record(db, actor, "transfers.refuse", subject(transfer), before=before,
                 after=snapshot(transfer), reason=reason)
    return transfer


# --- delivery outcomes ----------------------------------------------------------------------------

def retry_delay(attempts: int) -> float:
    """Exponential backoff between attempts (seconds), capped; settings, not law."""
    base = float(os.environ.get("JINGBAN_TRANSFER_RETRY_BASE", "30"))
    cap = float(os.environ.get("JINGBAN_TRANSFER_RETRY_MAX", "3600"))
    return min(base * 2 ** max(attempts - 1, 0), cap)


@transactional
def record_delivery(db: Session, message_pk: int, status: int | None, answer: dict | None,
                    error: str = "") -> TransferMessage:
    """What came of one delivery attempt: acknowledged, refused by the peer (the transfer is
    refused with the peer's reason), rejected as a message, or to be retried later."""
    message = db.execute(select(TransferMessage).where(TransferMessage.id == message_pk)
                         .with_for_update()).scalar()
    if message is None or message.status != "pending":
        return message
    actor = _agency_actor(message.peer_region)
    outcome = _outcome(message, status, answer)
    message.attempts += 1
    if outcome is None:
        message.last_error = (error or _why(status, answer))[:500]
        message.next_attempt_at = clock.now() + dt.timedelta(seconds=retry_delay(message.attempts))
        audit.record(db, actor, "transfers.retry", f"transfer:{message.ref}",
                     after={"message_id": message.message_id, "attempts": message.attempts,
                            "error": message.last_error})
        return message
    message.status, message.ack = outcome[0], json.dumps(answer, ensure_ascii=False)
    message.next_attempt_at, message.done_at, message.last_error = None, clock.now(), ""
    transfer = db.execute(select(Transfer).where(Transfer.ref == message.ref)).scalar()
    if message.status in ("refused", "rejected"):
        err = outcome[1] or {}
        message.last_error = str(err.get("message", ""))[:500]
        if transfer is not None and message.kind != "refusal":
            _refused(db, transfer, str(err.get("code", ""))[:64],
                     f"对方经办机构不予办理：{err.get('message', '')}")
    audit.record(db, actor, "transfers.delivered", f"transfer:{message.ref}",
                 after={"message_id": message.message_id, "kind": message.kind,
                        "status": message.status, "attempts": message.attempts})
    return message


def _outcome(message: TransferMessage, status: int | None,
             answer: dict | None) -> tuple[str, dict | None] | None:
    """(acked|refused|rejected, error) or None to retry."""
    if status is None or status >= 500 or status == 429 or not isinstance(answer, dict):
        return None
    error = answer.get("error")
    if isinstance(error, dict) and error.get("code") in TRANSIENT:
        return None  # the peer was busy writing (a concurrent act): the next attempt will do
    if status in (200, 422) and "ack" in answer:
        try:
            ack = protocol.verify_ack(protocol.agency(message.peer_region), answer,
                                      message.message_id)
        except JingbanError:
            return None  # an answer we cannot trust is no acknowledgement: try again later
        return ("acked", None) if ack["status"] == "accepted" else ("refused", ack.get("error"))
    # Any other answer (403 unknown agency, 401 bad signature — a directory or key not yet
    # updated at the peer —, 400, 404) is no decision on the act: only a signed refusal ends
    # a transfer. The message stays in the outbox, retried with backoff, its last error shown.
    return None


def _why(status: int | None, answer: dict | None) -> str:
    """The last delivery error as the outbox shows it (retried)."""
    error = answer.get("error") if isinstance(answer, dict) else None
    said = error.get("message", "") if isinstance(error, dict) else ""
    if status is None:
        return "对方经办机构无法连接"
    return f"HTTP {status}" + (f"：{said}" if said else "") + "（未获对方签名确认，将重试）"


def due_count(db: Session) -> int:
    return db.execute(select(func.count()).select_from(TransferMessage).where(
        TransferMessage.direction == "out", TransferMessage.status == "pending",
        TransferMessage.next_attempt_at <= clock.now())).scalar()


def outgoing(db: Session, message_pk: int) -> tuple[dict, str]:
    """An outbox message as this attempt sends it — signed again with a fresh sent_at, same
    message id and payload (the peer's idempotency holds) — and the peer's region."""
    message = db.get(TransferMessage, message_pk)
    return protocol.reseal(_key(db), json.loads(message.envelope)), message.peer_region


def due_messages(db: Session, limit: int = 50) -> list[int]:
    """Claim up to ``limit`` outbox messages due for delivery (a short lease keeps a parallel
    deliverer off them); their ids."""
    locks.serialize(db, "transfers.outbox_claim")  # secops: two deliverers claim one after another
    now = clock.now()
    rows = db.execute(select(TransferMessage.id, TransferMessage.next_attempt_at).where(
        TransferMessage.direction == "out", TransferMessage.status == "pending",
        TransferMessage.next_attempt_at <= now).order_by(TransferMessage.id).limit(limit)).all()
    claimed = []
    for pk, at in rows:
        done = db.execute(update(TransferMessage).where(
            TransferMessage.id == pk, TransferMessage.next_attempt_at == at)
            .values(next_attempt_at=now + dt.timedelta(seconds=60)))
        if done.rowcount:
            claimed.append(pk)
    db.commit()
    return claimed


# --- reads ----------------------------------------------------------------------------------------

def get(db: Session, actor: Actor, transfer_id: int) -> Transfer:
    found = db.get(Transfer, transfer_id) if 0 < transfer_id <= MAX_ID else None
    if found is None:
        raise NotFound("transfers.not_found", f"未找到转移业务 {transfer_id}", "transfer_id")
    if actor.subject != f"person:{found.person_id}":
        require(actor, "transfers.read")
    return found


def listing(db: Session, actor: Actor, status: str | None = None,
            overdue: bool = False) -> list[Transfer]:
    require(actor, "transfers.read")
    stmt = select(Transfer).order_by(Transfer.id.desc()).limit(500)
    if status:
        stmt = stmt.where(Transfer.status == status)
    found = list(db.execute(stmt).scalars())
    return [t for t in found if is_overdue(t)] if overdue else found


def is_overdue(transfer: Transfer, today: dt.date | None = None) -> bool:
    """An open transfer whose awaited step is past its sub-deadline."""
    today = today or clock.today()
    if transfer.status != "open":
        return False
    step = next((s for s in transfer.steps if s.code == transfer.step), None)
    return bool(step and step.due_on and step.due_on < today)


def mine(db: Session, actor: Actor) -> list[Transfer]:
    """The portal person's own transfers."""
    if not actor.subject or not actor.subject.startswith("person:"):
        raise PermissionDenied("transfers.person_only", "仅参保人本人可查看自己的转移进度")
    person_id = int(actor.subject.split(":", 1)[1])
    return list(db.execute(select(Transfer).where(Transfer.person_id == person_id)
                           .order_by(Transfer.id.desc())).scalars())


def messages(db: Session, transfer: Transfer) -> list[TransferMessage]:
    return list(db.execute(select(TransferMessage).where(TransferMessage.ref == transfer.ref)
                           .order_by(TransferMessage.id)).scalars())


def movements(db: Session, transfer: Transfer) -> list[FundMovement]:
    return list(db.execute(select(FundMovement).where(FundMovement.transfer_id == transfer.id)
                           .order_by(FundMovement.id)).scalars())


def outbox_counts(db: Session) -> dict[str, int]:
    rows = db.execute(select(TransferMessage.status, func.count()).where(
        TransferMessage.direction == "out").group_by(TransferMessage.status)).all()
    return {status: int(n) for status, n in rows}


def view(db: Session, transfer: Transfer) -> dict[str, Any]:
    """A transfer as the API shows it (amounts in fen)."""
    return {
        "id": transfer.id, "ref": transfer.ref, "kind": transfer.kind,
        "kind_name": rules.KINDS[transfer.kind], "role": transfer.role, "ssn": transfer.ssn,
        "name": transfer.name, "old_region": transfer.old_region,
        "new_region": transfer.new_region, "applied_at": transfer.applied_at,
        "applied_on": transfer.applied_on, "status": transfer.status, "step": transfer.step,
        "due_on": transfer.due_on, "due_provisional": transfer.due_provisional,
        "overdue": is_overdue(transfer), "months": transfer.months,
        "deemed_months": transfer.deemed_months, "account_amount": transfer.account_amount,
        "pooled_amount": transfer.pooled_amount, "total_amount": transfer.total_amount,
        "merged": transfer.merged, "outcome_code": transfer.outcome_code,
        "outcome": transfer.outcome, "completed_on": transfer.completed_on,
        "steps": [{"code": s.code, "name": rules.STEP_NAMES.get(s.code, s.code), "side": s.side,
                   "wd": s.wd, "due_on": s.due_on, "provisional": s.provisional,
                   "done_on": s.done_on, "met": s.met, "note": s.note} for s in transfer.steps],
        "movements": [{"insurance": m.insurance, "direction": m.direction, "amount": m.amount,
                       "account_amount": m.account_amount, "pooled_amount": m.pooled_amount,
                       "recorded_on": m.recorded_on} for m in movements(db, transfer)],
    }


# --- applying through the case engine -------------------------------------------------------------

def apply(db: Session, actor: Actor, data: TransferStart, *, request_id: str | None = None):
    """A transfer application as a case of its catalog item (受理 → review → the act above);
    work injury and maternity are refused at once with the reason."""
    if reason := rules.not_transferable(data.kind):
        raise InvalidInput("transfers.not_transferable", reason, "kind")
    item = rules.item_for(data.kind, data.direction)
    payload = data.model_dump()
    return cases.submit(db, actor, item, payload, request_id=request_id)


def act_for(kinds: set[str], direction: str | None = None):
    """The case act of one TRF-* item: the kinds (and direction) that item covers."""

    def run(db: Session, actor: Actor, ssn: str, data: TransferApply) -> Transfer:
        if data.kind not in kinds:
            raise InvalidInput("transfers.item_kind", "所选险种与申请事项不符", "payload.kind")
        if direction and data.direction != direction:
            raise InvalidInput("transfers.item_direction", "转入/转出方向与申请事项不符",
                               "payload.direction")
        return start(db, actor, ssn, data)

    return run


# --- what a rights record says about transfers (records.use_transfers, by jingban.wiring) ------

def transfer_lines(db: Session, person_ids: list[int],
                   completed_only: bool = False) -> dict[int, list[dict[str, Any]]]:
    """The persons' relationship transfers as their rights record states them (R§16)."""
    stmt = select(Transfer).where(Transfer.person_id.in_(person_ids)).order_by(Transfer.id)
    if completed_only:
        stmt = stmt.where(Transfer.status == "completed")
    lines: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for t in db.execute(stmt).scalars():
        out = t.role == "old"
        lines[t.person_id].append({
            "ref": t.ref, "kind": t.kind, "direction": "out" if out else "in",
            "direction_name": "转出" if out else "转入",
            "peer_region": t.new_region if out else t.old_region, "status": t.status,
            "months": t.months, "deemed_months": t.deemed_months, "amount": t.total_amount,
            "completed_on": t.completed_on.isoformat() if t.completed_on else None})
    return lines


def redate_provisional(db: Session, actor: Actor) -> int:
    """Open transfers whose overall limit was counted over an unpublished year."""
    rows = db.execute(select(Transfer).where(Transfer.due_provisional.is_(True),
                                             Transfer.status == "open")).scalars()
    return agency.redate(db, actor, list(rows), lambda t: (
        t.applied_on, int(_param(db, "transfers.total_wd")[t.kind])))
