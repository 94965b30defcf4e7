"""Complaint and report acts (举报投诉, R§51; Z-12(1)): intake, screening, notice to the reporter,
investigation, outcome, reward.

Not a case of the case engine: a case shows its applicant to every case reader and sends him
its notices, while the reporter's identity must stay with the complaint post. The complaint
keeps its own timeline, but its limits are counted by the same agency calendar
(``core.agency.due_date``: working days from the day after receipt, provisional past the
published years, re-dated by ``jingban calendar load``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import case as when
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.cases import parties
from jingban.cases.models import Case
from jingban.core import agency, audit, clock, ids
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import plain, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.core.excel import workbook
from jingban.core.money import parse_yuan
from jingban.notices.service import notify
from jingban.oversight.complaints import rules
from jingban.oversight.complaints.models import Complaint, ComplaintStep
from jingban.oversight.complaints.schemas import (
    ComplaintIn,
    ComplaintOut,
    CounterComplaintIn,
    InvestigationIn,
    NoticeIn,
    OutcomeIn,
    PortalComplaintIn,
    RewardIn,
    ScreeningIn,
)
from jingban.oversight.inspections import rules as inspection_rules
from jingban.oversight.inspections import service as inspections

PUBLIC = Actor("public", frozenset(), False, "web")  # the public form: no account, no role
# who a portal report is recorded as: never the account, which would name the reporter
ONLINE = Actor("portal-reporter", frozenset(), False, "web")
IDENTITY = ("reporter_name", "reporter_id_number", "reporter_phone", "reporter_email",
            "reporter_subject")
audit.ACT_NAMES.update({f"oversight.complaint_{action}": f"举报投诉{name}"
                        for action, name in rules.STEP_NAMES.items()})


# --- intake --------------------------------------------------------------------------------

@transactional
def receive(db: Session, actor: Actor, data: CounterComplaintIn) -> Complaint:
    """The complaint post takes a report at the counter or on the phone."""
    require(actor, "complaints.handle")
    reporter = _reporter_of(data)
    return _create(db, actor, data.channel, data, reporter, data.wants_notice)


@transactional
def receive_online(db: Session, actor: Actor, data: PortalComplaintIn) -> Complaint:
    """A signed-in person or unit reports online: real-name as the account, or anonymous."""
    require(actor, "complaints.report")
    reporter: dict = {}
    if not data.anonymous:
        party = parties.of(db, actor.subject)
        if party is None:
            raise PermissionDenied("complaint.no_subject", "当前账户未关联参保人或参保单位")
        reporter = {"reporter_name": party.name[:64], "reporter_id_number": party.key,
                    "reporter_phone": party.phone, "reporter_email": data.reporter_email,
                    "reporter_subject": actor.subject}
    return _create(db, ONLINE, "web", data, reporter, data.wants_notice and not data.anonymous)


@transactional
def receive_public(db: Session, data: ComplaintIn) -> Complaint:
    """Anyone reports through the public form, without an account."""
    return _create(db, PUBLIC, "public", data, _reporter_of(data), data.wants_notice)


def _reporter_of(data: ComplaintIn) -> dict:
    if data.anonymous:
        return {}
    number = data.reporter_id_number.upper()
    if number and not ids.is_valid_assigned_ssn(number):
        number = ids.parse_citizen_id(number, clock.today(), "reporter_id_number").number
    return {"reporter_name": data.reporter_name, "reporter_id_number": number,
            "reporter_phone": data.reporter_phone, "reporter_email": data.reporter_email}


def _create(db: Session, actor: Actor, channel: str, data, reporter: dict,
            wants_notice: bool) -> Complaint:
    if data.request_id and (earlier := db.execute(
            select(Complaint).where(Complaint.request_id == data.request_id)).scalar()):
        if (earlier.channel, earlier.received_by) != (channel, actor.username):
            raise Conflict("complaint.request_id", "该防重复提交编号已被使用", "request_id")
        return earlier
    ref, subject = _accused(db, data.accused_kind, data.accused_ref)
    today = clock.today()
    screening = _limit(db, today, "oversight.complaint_screening_wd")
    notice = None
    if rules.needs_notice(data.anonymous, wants_notice):
        notice = _limit(db, today, "oversight.complaint_notice_wd")
    row = Complaint(kind=data.kind, channel=channel, request_id=data.request_id,
                    anonymous=data.anonymous, wants_notice=notice is not None, **reporter,
                    accused_kind=data.accused_kind, accused_ref=ref,
                    accused_name=data.accused_name, accused_subject=subject, facts=data.facts,
                    received_on=today, received_by=actor.username,
                    screening_due=screening.due, notice_due=notice.due if notice else None,
                    due_provisional=screening.provisional or bool(notice and notice.provisional),
                    status="received")
    db.add(row)
    db.flush()
    row.number = f"TS{today:%Y%m%d}{row.id:08d}"
    _step(db, actor, row, "intake", f"渠道：{rules.CHANNELS[channel]}；"
                                    f"{'匿名' if row.anonymous else '实名'}{rules.KINDS[row.kind]}")
    return row


def _accused(db: Session, kind: str, ref: str) -> tuple[str, str | None]:
    """The accused's key, checked when its kind has one, and its subject when registered here
    (an unregistered unit can be reported too: not enrolling is what is reported)."""
    ref = ref.strip().upper()
    if not ref:
        return "", None
    if kind == "employer":
        ref = ids.validate_uscc(ref, "accused_ref")
    elif kind == "person" and not ids.is_valid_assigned_ssn(ref):
        ref = ids.parse_citizen_id(ref, clock.today(), "accused_ref").number
    field = {"employer": "uscc", "person": "ssn"}.get(kind)
    if field is None:
        return ref, None
    try:
        party = parties.find(db, field, ref)
    except NotFound:
        return ref, None
    return ref, party.subject if party else None


# --- screening, notice, investigation, outcome, reward --------------------------------------

@transactional
def screen(db: Session, actor: Actor, complaint_id: int, data: ScreeningIn) -> Complaint:
    """审查 within 5 wd: accepted, not accepted with a reason, or transferred to the competent
    department; after the limit only with the reason it is late (R§51 解读)."""
    require(actor, "complaints.handle")
    row = _locked(db, complaint_id)
    _expect(row, "received")
    today = clock.today()
    if problem := rules.late_problem(today, row.screening_due, data.late_reason, "审查",
                                     rules.SCREENING_BASIS):
        raise InvalidInput(*problem, "late_reason")
    if problem := rules.screening_problem(data.screening, data.reason, data.transferred_to):
        raise InvalidInput(*problem)
    row.screening, row.screening_reason = data.screening, data.reason
    row.transferred_to = data.transferred_to if data.screening == "transferred" else ""
    row.screened_on, row.screening_late_reason = today, data.late_reason
    row.status = data.screening
    note = rules.SCREENINGS[data.screening] + (f"：{data.reason}" if data.reason else "")
    if row.transferred_to:
        note += f"；移送至{row.transferred_to}"
    _step(db, actor, row, "screen", note + _late(data.late_reason), today <= row.screening_due)
    return row


@transactional
def tell_reporter(db: Session, actor: Actor, complaint_id: int, data: NoticeIn) -> Complaint:
    """告知实名举报人 the screening (acceptance, refusal with its reason, or where it was sent)
    within 10 wd of receipt (R§51 解读)."""
    require(actor, "complaints.handle")
    row = _locked(db, complaint_id)
    if row.notice_due is None:
        raise Conflict("complaint.no_notice", "匿名举报或未要求告知的举报无需告知", "complaint_id")
    if row.screening is None:
        raise Conflict("complaint.not_screened", "请先完成审查，再告知举报人受理情况", "complaint_id")
    if row.noticed_on is not None:
        raise Conflict("complaint.noticed", f"已于{row.noticed_on}告知举报人", "complaint_id")
    today = clock.today()
    if problem := rules.late_problem(today, row.notice_due, data.late_reason, "告知举报人",
                                     rules.NOTICE_BASIS):
        raise InvalidInput(*problem, "late_reason")
    if data.channel == "sms" and not row.reporter_phone:
        raise InvalidInput("complaint.no_phone", "举报人未留联系电话，不能短信告知", "channel")
    if data.channel == "email" and not row.reporter_email:
        raise InvalidInput("complaint.no_email", "举报人未留电子邮箱，不能邮件告知", "channel")
    row.noticed_on, row.notice_channel, row.notice_late_reason = today, data.channel, data.late_reason
    _tell(db, row, "complaint_screened", _screening_message(row), sms=data.channel == "sms")
    _step(db, actor, row, "notice", rules.NOTICE_CHANNELS[data.channel]
          + (f"；{data.note}" if data.note else "") + _late(data.late_reason),
          today <= row.notice_due)
    return row


def _screening_message(row: Complaint) -> str:
    head = f"您反映的{rules.KINDS[row.kind]}事项（编号{row.number}）"
    if row.screening == "accepted":
        return head + "已受理，我们将依法调查处理，并将处理结果告知您。"
    if row.screening == "transferred":
        return head + f"不属本机构管辖，已移送{row.transferred_to}处理。"
    return head + f"不予受理，理由：{row.screening_reason}。"


@transactional
def investigate(db: Session, actor: Actor, complaint_id: int, data: InvestigationIn) -> Complaint:
    """An accepted report goes to investigation, linked to the inspection case opened for it."""
    require(actor, "complaints.handle")
    row = _locked(db, complaint_id)
    _expect(row, "accepted")
    if data.inspection_case_id is not None and db.get(Case, data.inspection_case_id) is None:
        raise NotFound("complaint.inspection_unknown", f"未找到核查业务件 {data.inspection_case_id}",
                       "inspection_case_id")
    row.inspection_case_id, row.investigation_note = data.inspection_case_id, data.note
    row.status = "investigating"
    _step(db, actor, row, "investigate", data.note)
    return row


@transactional
def link_inspection(db: Session, actor: Actor, complaint_id: int, case_id: int) -> Complaint:
    """The inspection opened for a report under investigation (the lead's wiring calls this
    with the case ``inspections.service.open_inspection`` returned)."""
    require(actor, "complaints.handle")
    row = _locked(db, complaint_id)
    _expect(row, "investigating")
    if db.get(Case, case_id) is None:
        raise NotFound("complaint.inspection_unknown", f"未找到核查业务件 {case_id}", "inspection_case_id")
    row.inspection_case_id = case_id
    _step(db, actor, row, "investigate", f"关联核查业务件 {case_id}")
    return row


@transactional
def open_inspection(db: Session, actor: Actor, complaint_id: int) -> Case:
    """立案核查 in one step: the inspector files an inspection of the accused for an accepted
    report (which goes to investigation) and links it to the report; asked again, the same
    inspection. The inspection hears what was reported, never who reported it: the reporter's
    name, number, phone and mail are blotted out of the facts it is given."""
    require(actor, "oversight.inspect")
    row = _locked(db, complaint_id)
    if row.status not in ("accepted", "investigating") or (
            row.inspection_case_id and row.inspection_case_id != _inspection_case(db, row)):
        raise Conflict("complaint.inspection_status", "只有已受理、尚未关联其他核查的举报投诉可以立案核查",
                       "complaint_id")
    if row.accused_kind not in inspection_rules.SUBJECT_KINDS:
        raise InvalidInput("complaint.accused_kind", "被举报对象不是用人单位、个人或社会保险服务机构，"
                                                     "不能立案核查", "complaint_id")
    case = inspections.open_inspection(
        db, actor, subject_kind=row.accused_kind, subject_ref=row.accused_ref,
        reason=rules.inspection_reason(row.number, rules.KINDS[row.kind], row.facts,
                                       identity_of(row)),
        origin=complaint_origin(row))
    if row.inspection_case_id != case.id:
        row.inspection_case_id, row.status = case.id, "investigating"
        _step(db, actor, row, "investigate", f"立案核查，核查业务件 {case.number}")
    return case


def complaint_origin(row: Complaint) -> str:
    return f"complaint:{row.id}"


def _inspection_case(db: Session, row: Complaint) -> int | None:
    """The case of the inspection this report filed, if it filed one."""
    found = inspections.by_origin(db, complaint_origin(row))
    return found.case_id if found else None


@transactional
def conclude(db: Session, actor: Actor, complaint_id: int, data: OutcomeIn) -> Complaint:
    """办结 with the outcome and the confirmed amount; a real-name reporter is told the result
    (有案必查，有果必复, Z-12)."""
    require(actor, "complaints.handle")
    row = _locked(db, complaint_id)
    _expect(row, "investigating")
    row.outcome, row.outcome_note = data.outcome, data.note
    row.confirmed_fen = parse_yuan(data.confirmed_yuan, "confirmed_yuan")
    row.concluded_on, row.status = clock.today(), "concluded"
    _step(db, actor, row, "conclude", f"{rules.OUTCOMES[data.outcome]}：{data.note}")
    if row.wants_notice:
        _tell(db, row, "complaint_concluded", f"您反映的{rules.KINDS[row.kind]}事项（编号{row.number}）"
                                              f"已办结：{rules.OUTCOMES[data.outcome]}。{data.note}",
              sms=bool(row.reporter_phone))
    return row


@transactional
def pay_reward(db: Session, actor: Actor, complaint_id: int, data: RewardIn) -> Complaint:
    """举报奖励 for a confirmed real-name report, by the dated rule, paid once (Z-12(1))."""
    require(actor, "complaints.handle")
    row = _locked(db, complaint_id)
    if problem := rules.reward_problem(row.status, row.outcome, row.anonymous,
                                       row.reward_paid_on is not None):
        raise Conflict(*problem, "complaint_id")
    on = row.concluded_on
    row.reward_fen = rules.reward_fen(
        row.confirmed_fen, Decimal(str(agency.param(db, "oversight.complaint_reward_rate", on))),
        int(agency.param(db, "oversight.complaint_reward_min_fen", on)),
        int(agency.param(db, "oversight.complaint_reward_max_fen", on)))
    row.reward_paid_on, row.reward_reference = clock.today(), data.reference
    _step(db, actor, row, "reward", f"奖励{row.reward_fen / 100:.2f}元，凭证{data.reference}"
                                    + (f"；{data.note}" if data.note else ""))
    _tell(db, row, "complaint_reward", f"您的举报（编号{row.number}）经查证属实，奖励"
                                       f"{row.reward_fen / 100:.2f}元已发放。", sms=bool(row.reporter_phone))
    return row


# --- reads ------------------------------------------------------------------------------------

def get(db: Session, actor: Actor, complaint_id: int) -> Complaint:
    require(actor, "complaints.read")
    row = db.get(Complaint, complaint_id)
    if row is None:
        raise NotFound("complaint.not_found", f"未找到举报投诉 {complaint_id}", "complaint_id")
    return row


def listing(db: Session, actor: Actor, status: str | None = None,
            limit: int = 200) -> list[Complaint]:
    """Complaints, oldest screening due first among the open ones, then the newest."""
    require(actor, "complaints.read")
    stmt = select(Complaint)
    if status:
        stmt = stmt.where(Complaint.status == status)
    still_open = when((Complaint.status.in_(rules.OPEN), 0), else_=1)
    stmt = stmt.order_by(still_open, Complaint.screening_due, Complaint.id.desc())
    stmt = stmt.limit(max(1, min(limit, 1000)))
    return list(db.execute(stmt).scalars())


def mine(db: Session, actor: Actor) -> list[Complaint]:
    """A portal user's own real-name reports (never those about him)."""
    require(actor, "complaints.report")
    stmt = select(Complaint).where(Complaint.reporter_subject == actor.subject,
                                   Complaint.reporter_subject.is_not(None))
    return list(db.execute(stmt.order_by(Complaint.id.desc())).scalars())


def present(actor: Actor, row: Complaint) -> ComplaintOut:
    """The complaint as this user may see it: the reporter only for the complaint post."""
    out = ComplaintOut.model_validate(row).model_copy(
        update={"status_name": rules.STATUSES[row.status], "number": row.number or ""})
    if can(actor, "complaints.identity") or (actor.subject and actor.subject == row.reporter_subject):
        return out.model_copy(update={"identity_shown": True})
    hidden = {name: None for name in IDENTITY if name in ComplaintOut.model_fields}
    return out.model_copy(update={**hidden, "facts": rules.blot(row.facts, identity_of(row))})


def identity_of(row: Complaint) -> list[str]:
    """What names the reporter: his name, number, phone and mail."""
    return [row.reporter_name, row.reporter_id_number, row.reporter_phone, row.reporter_email]


def limits(db: Session) -> dict[str, int]:
    """Today's limits in working days, for the pages to state (R§51 解读)."""
    today = clock.today()
    return {"screening": int(agency.param(db, "oversight.complaint_screening_wd", today)),
            "notice": int(agency.param(db, "oversight.complaint_notice_wd", today))}


def overdue(row: Complaint, today: dt.date) -> list[str]:
    """The limits this complaint has passed without the step being done."""
    late = []
    if row.screened_on is None and today > row.screening_due:
        late.append("审查超期")
    if row.notice_due is not None and row.noticed_on is None and today > row.notice_due:
        late.append("告知超期")
    return late


def export_xlsx(db: Session, actor: Actor, status: str | None = None) -> tuple[bytes, str]:
    """The list as a sheet. An export leaves the system, so it never names the reporter — not
    even for the complaint post (R§51; Z-11)."""
    rows = listing(db, actor, status, limit=1000)
    today = clock.today()
    headers = ["编号", "类别", "渠道", "实名/匿名", "被举报对象", "对象代码", "接收日期", "审查时限",
               "告知时限", "状态", "审查结论", "处理结果", "查实金额（元）", "奖励（元）", "超期"]
    body = [[r.number, rules.KINDS[r.kind], rules.CHANNELS[r.channel],
             "匿名" if r.anonymous else "实名" + rules.HIDDEN, r.accused_name, r.accused_ref,
             r.received_on, r.screening_due, r.notice_due or "", rules.STATUSES[r.status],
             rules.SCREENINGS.get(r.screening or "", ""), rules.OUTCOMES.get(r.outcome or "", ""),
             r.confirmed_fen, r.reward_fen or 0, "、".join(overdue(r, today))] for r in rows]
    return workbook("举报投诉", headers, body, money=(12, 13)), f"举报投诉_{today:%Y%m%d}.xlsx"


def redate_provisional(db: Session, actor: Actor) -> int:
    """Open limits counted over a then-unpublished year, counted again once it is published
    (``jingban calendar load``); each moved date is recorded."""
    rows = db.execute(select(Complaint).where(Complaint.due_provisional.is_(True),
                                              Complaint.status.in_(rules.OPEN))).scalars()
    changed = 0
    for row in rows:
        before = {"screening_due": plain(row.screening_due), "notice_due": plain(row.notice_due)}
        screening = _limit(db, row.received_on, "oversight.complaint_screening_wd")
        notice = _limit(db, row.received_on, "oversight.complaint_notice_wd") \
            if row.notice_due else None
        row.screening_due = screening.due
        row.notice_due = notice.due if notice else None
        row.due_provisional = screening.provisional or bool(notice and notice.provisional)
        after = {"screening_due": plain(row.screening_due), "notice_due": plain(row.notice_due)}
        if after != before:
            audit.record(db, actor, "calendar.redate", f"complaint:{row.id}", before=before,
                         after=after)
            changed += 1
    return changed


def _limit(db: Session, received: dt.date, name: str):
    """A limit of the working days the policy sets on the day of receipt (R§51 解读)."""
    return agency.due_date(db, received, int(agency.param(db, name, received)))


# --- shared steps -------------------------------------------------------------------------------

def _locked(db: Session, complaint_id: int) -> Complaint:
    found = db.execute(select(Complaint).where(Complaint.id == complaint_id).with_for_update()
                       ).scalar()
    if found is None:
        raise NotFound("complaint.not_found", f"未找到举报投诉 {complaint_id}", "complaint_id")
    db.refresh(found)
    return found


def _expect(row: Complaint, status: str) -> None:
    if row.status != status:
        raise Conflict("complaint.status", f"该举报投诉当前状态为“{rules.STATUSES[row.status]}”，"
                                           "不能办理此操作", "complaint_id")


def _late(reason: str) -> str:
    return f"；超期原因：{reason}" if reason else ""


def _step(db: Session, actor: Actor, row: Complaint, action: str, note: str,
          on_time: bool | None = None) -> None:
    """A timeline line and its audit event — neither ever names the reporter."""
    row.steps.append(ComplaintStep(actor=actor.username, action=action, note=note,
                                   on_time=on_time))
    db.flush()
    after = {"number": row.number, "status": row.status, "accused": row.accused_ref or
             row.accused_name, "screening_due": plain(row.screening_due), "on_time": on_time}
    audit.record(db, actor, f"oversight.complaint_{action}", f"complaint:{row.id}", after=after,
                 reason=note)


def _tell(db: Session, row: Complaint, kind: str, message: str, *, sms: bool) -> None:
    """A real-name reporter's notice: in his portal when he filed there, by SMS when asked."""
    if row.anonymous:
        return
    recipient = row.reporter_id_number or f"complaint:{row.number}"
    notify(db, recipient, kind, message, phone=row.reporter_phone if sms else "")
