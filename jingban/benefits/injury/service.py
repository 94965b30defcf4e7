"""Work-injury benefits (工伤保险待遇, R§21–§22; 《工伤保险条例》第三十条至第三十九条、第六十四条).

Everything rests on a recognition (工伤认定) recorded from the administrative department's
decision (BEN-INJURY-RECOGNITION); every later item names that decision's number and is refused
without it. Each item is a case whose final approval runs one act here:

- the appraisal application and its conclusion (劳动能力鉴定: grade 1–10, nursing level);
- 停工留薪期 extension, recurrence (旧伤复发), assistive devices (辅助器具);
- the disability determination: the one-off grant (一次性伤残补助金), the monthly allowance
  (伤残津贴, grades 1–4, the fund), the nursing allowance (生活护理费);
- the one-off grants on ending employment (grades 5–10);
- death: funeral grant and one-off work-death grant to the claimant, a monthly pension to each
  dependant (供养亲属抚恤金), capped together at the deceased's wage;
- manual reimbursement of medical costs through the shared split (claims/split.py).

Each benefit is a common Award of an ``injury_*`` kind: monthly ones are paid by the common
payroll (back pay for months already run, as unemployment does), one-off ones wait as a single
payment (待发放) for the next run. The payroll books every payment to the injury fund
(common.rules.FUND_OF_KIND). Stops come through the common stops: death, imprisonment
(suspends), and for a dependant remarriage, adoption, and the age limit of 18 (batch).
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from jingban.agreements.claims import rules as claim_rules
from jingban.agreements.claims import settlement as claims_settlement
from jingban.agreements.claims import split as medical_split
from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.decision import remedies
from jingban.benefits.common.models import Award, AwardEvent, Payment, PayrollRun, StopReport
from jingban.benefits.injury import rules
from jingban.benefits.injury.models import InjuryEvent, Recognition
from jingban.benefits.injury.schemas import (
    AppraisalApplyIn,
    AppraisalIn,
    DeathIn,
    DependantStopIn,
    DeviceIn,
    DisabilityIn,
    EndingIn,
    ExtensionIn,
    RecognitionIn,
    RecurrenceIn,
    ReimbursementIn,
)
from jingban.benefits.recovery import service as recovery
from jingban.benefits.stops import service as stops
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.excel import workbook
from jingban.core.money import format_yuan
from jingban.core.privacy import mask_id  # sec15
from jingban.notices.service import notify
from jingban.records.models import Contribution
from jingban.registration import service as registration
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.service import find_person, person_subject

ITEMS = {"recognition": "BEN-INJURY-RECOGNITION", "appraisal_apply": "BEN-INJURY-APPRAISAL-APPLY",
         "appraisal": "BEN-INJURY-APPRAISAL", "extension": "BEN-INJURY-EXTENSION",
         "recurrence": "BEN-INJURY-RECURRENCE", "device": "BEN-INJURY-DEVICE",
         "disability": "BEN-INJURY-DISABILITY", "ending": "BEN-INJURY-ENDING",
         "death": "BEN-INJURY-DEATH", "medical": "BEN-INJURY-MEDICAL"}
KINDS = tuple(rules.KIND_NAMES)
IN_FORCE = ("active", "suspended")
BASIS = "《社会保险经办条例》第二十一条、第二十二条；《工伤保险条例》"
EVENT_NAMES = {"recognition": "工伤认定", "appraisal_applied": "申请劳动能力鉴定",
               "appraisal": "劳动能力鉴定结论", "extension": "停工留薪期延长",
               "recurrence": "旧伤复发", "device": "配置辅助器具", "ending": "终止劳动关系",
               "death": "因工死亡"}
STATUS_NAMES = {"active": "发放中", "suspended": "暂停", "stopped": "已终止", "replaced": "已重新核定"}
audit.ACT_NAMES.update({
    "benefits.record_injury_recognition": "登记工伤认定结论",
    "benefits.apply_injury_appraisal": "受理劳动能力鉴定申请",
    "benefits.record_injury_appraisal": "登记劳动能力鉴定结论",
    "benefits.extend_injury_leave": "停工留薪期延长",
    "benefits.record_injury_recurrence": "旧伤复发确认",
    "benefits.grant_injury_device": "核定辅助器具配置费用",
    "benefits.determine_injury_disability": "核定伤残待遇",
    "benefits.grant_injury_ending": "核定终止劳动关系一次性工伤医疗补助金",
    "benefits.determine_injury_death": "核定因工死亡待遇",
    "benefits.reimburse_injury_medical": "工伤医疗费手工报销",
    "benefits.stop_injury_dependant": "停发供养亲属抚恤金",
})


def _line(label: str, value: str, note: str = "") -> dict:
    return {"label": label, "value": value, "note": note}


def _yuan(fen: int) -> str:
    return f"{format_yuan(fen)}元"


def _label(period: int) -> str:
    return f"{period // 100}年{period % 100:02d}月"


def _require_case(actor: Actor) -> None:
    require(actor, "cases.act" if actor.channel == "case" else "cases.intake")


def _refuse(code: str, problems: list[str], field: str) -> None:
    if problems:
        raise InvalidInput(f"injury.{code}", "；".join(problems), field)


def _not_after_today(day: dt.date, name: str, field: str) -> None:
    if day > clock.today():
        raise InvalidInput("injury.future_date", f"{name}不能晚于今天", field)


# --- the recognition every item rests on -----------------------------------------------------------

def recognition_of(db: Session, person: Person, number: str, *, lock: bool = False) -> Recognition:
    """The person's recognition with this decision number; refused without one (an injury
    claim before recognition, 《工伤保险条例》第十七条)."""
    stmt = select(Recognition).where(Recognition.person_id == person.id,
                                     Recognition.decision_number == number)
    found = db.execute(stmt.with_for_update() if lock else stmt).scalar()
    if found is None:
        raise InvalidInput("injury.not_recognised",
                           f"该人员没有文号为“{number}”的工伤认定结论，须先由社会保险行政部门认定工伤并登记认定结论",
                           "payload.decision_number")
    return found


def _opened(db: Session, actor: Actor, ssn: str, number: str) -> tuple[Person, Recognition]:
    """What every item's act opens with: the case's right, the person and the recognition it
    rests on, both locked for the act."""
    _require_case(actor)
    person = find_person(db, ssn, lock=True)
    return person, recognition_of(db, person, number, lock=True)


def own_wage_of(db: Session, person: Person, injured: dt.date) -> dict:
    """本人工资 (第六十四条): the injury contribution bases of the 12 months before the injury
    month, averaged and bounded by the region's average monthly wage of the injury date."""
    bounds = agency.param(db, "injury.own_wage_bounds", injured)
    first = common_rules.shift_period(common_rules.period_of_date(injured), -int(bounds["months"]))
    before = common_rules.period_of_date(injured)
    reversal = aliased(Contribution)
    rows = db.execute(select(Contribution.period, func.sum(Contribution.base)).where(
        Contribution.person_id == person.id, Contribution.insurance == rules.INSURANCE,
        Contribution.kind == "posted", Contribution.period >= first, Contribution.period < before,
        ~exists().where(reversal.reverses_id == Contribution.id))
        .group_by(Contribution.period)).all()
    average_wage = agency.param(db, "contribution.average_monthly_wage", injured)
    wage, plain, applied = rules.own_wage([int(base) for _, base in rows], average_wage, bounds)
    return {"wage": wage, "plain": plain, "applied": applied, "months": len(rows),
            "average_wage": average_wage, "floor": bounds["floor"], "cap": bounds["cap"]}


def _wage_line(rec: Recognition, wage: dict | None = None) -> dict:
    note = "工伤前12个月平均月缴费工资；低于统筹地区职工平均工资60%按60%、高于300%按300%计算（第六十四条）"
    if rec.own_wage != rec.plain_wage:
        note = f"平均月缴费工资{_yuan(rec.plain_wage)}，" + note
    return _line("本人工资", _yuan(rec.own_wage), note)


def _insured_problem(db: Session, person: Person, employer: Employer, injured: dt.date) -> str | None:
    covered = db.execute(select(exists().where(
        Enrollment.person_id == person.id, Enrollment.employer_id == employer.id,
        Enrollment.insurance == rules.INSURANCE, Enrollment.start_date <= injured,
        (Enrollment.end_date.is_(None)) | (Enrollment.end_date >= injured)))).scalar()
    if not covered:
        return (f"受伤时该人员未由{employer.name}参加工伤保险，工伤保险待遇由用人单位支付"
                "（《工伤保险条例》第六十二条）")
    return None


@transactional
def record_recognition(db: Session, actor: Actor, ssn: str, data: RecognitionIn) -> Recognition:
    """登记工伤认定结论: the decision as received, with 本人工资 fixed from the records."""
    _require_case(actor)
    person = find_person(db, ssn, lock=True)
    if db.execute(select(Recognition.id).where(
            Recognition.decision_number == data.decision_number)).first():
        raise Conflict("injury.decision_duplicate", f"认定决定书文号“{data.decision_number}”已登记",
                       "payload.decision_number")
    employer = db.execute(select(Employer).where(Employer.uscc == data.employer_uscc)).scalar()
    if employer is None:
        raise NotFound("injury.employer", "没有该统一社会信用代码的参保单位", "payload.employer_uscc")
    problems = []
    if not data.injury_date <= data.decided_on <= clock.today():
        problems.append("认定决定日期须在受伤日期之后且不晚于今天")
    if problem := _insured_problem(db, person, employer, data.injury_date):
        problems.append(problem)
    problems += _leave_problems(db, data.injury_date, data.leave_until, "normal")
    _refuse("recognition", problems, "payload.injury_date")
    wage = own_wage_of(db, person, data.injury_date)
    if wage["months"] == 0:
        _refuse("recognition", ["受伤前12个月没有工伤保险缴费记录，不能确定本人工资"], "payload.injury_date")
    rec = Recognition(person_id=person.id, employer_id=employer.id,
                      decision_number=data.decision_number, decided_on=data.decided_on,
                      injury_date=data.injury_date, kind=data.kind, description=data.description,
                      own_wage=wage["wage"], plain_wage=wage["plain"], leave_until=data.leave_until,
                      case_id=actor.case_id, recorded_by=actor.username)
    db.add(rec)
    db.flush()
    audit.record(db, actor, "benefits.record_injury_recognition", person_subject(person),
                 after={**snapshot(rec), "wage": wage})
    return rec


def _leave_problems(db: Session, start: dt.date, until: dt.date | None, which: str) -> list[str]:
    """停工留薪期 (第三十三条): not before ``start``; at most 12 months, 24 with the extension."""
    if until is None:
        return []
    table = agency.param(db, "injury.leave_months", start)
    months = table["normal"] + (table["extension"] if which == "extended" else 0)
    limit = rules.leave_end_limit(start, months)
    if until < start:
        return ["停工留薪期截止日期不能早于受伤（复发）日期"]
    if until > limit:
        why = "一般不超过12个月" if which == "normal" else "延长不得超过12个月"
        return [f"停工留薪期最长至{limit}（{why}，《工伤保险条例》第三十三条）"]
    return []


def _event(db: Session, actor: Actor, rec: Recognition, kind: str, day: dt.date, **fields) -> InjuryEvent:
    detail = fields.pop("detail", {})
    event = InjuryEvent(recognition_id=rec.id, person_id=rec.person_id, kind=kind, event_date=day,
                        detail=json.dumps(detail, ensure_ascii=False), case_id=actor.case_id,
                        recorded_by=actor.username, **fields)
    db.add(event)
    db.flush()
    return event


def _events(db: Session, rec: Recognition, kind: str) -> list[InjuryEvent]:
    return list(db.execute(select(InjuryEvent).where(InjuryEvent.recognition_id == rec.id,
                                                     InjuryEvent.kind == kind)
                           .order_by(InjuryEvent.id)).scalars())


# --- appraisal (劳动能力鉴定, 第二十一条至第二十八条) ------------------------------------------------

@transactional
def apply_appraisal(db: Session, actor: Actor, ssn: str, data: AppraisalApplyIn) -> InjuryEvent:
    """劳动能力鉴定申请: recorded on the recognition and sent on to the committee."""
    person, rec = _opened(db, actor, ssn, data.decision_number)
    _not_after_today(data.applied_on, "申请日期", "payload.applied_on")
    if data.applied_on < rec.decided_on:
        raise InvalidInput("injury.applied_on", "劳动能力鉴定申请日期不能早于工伤认定日期",
                           "payload.applied_on")
    event = _event(db, actor, rec, "appraisal_applied", data.applied_on,
                   detail={"applicant": data.applicant, "note": data.note})
    audit.record(db, actor, "benefits.apply_injury_appraisal", person_subject(person), after=snapshot(event))
    return event


APPRAISAL_KINDS = {"first": "初次鉴定", "again": "再次鉴定（第二十六条）", "review": "复查鉴定（第二十八条）"}


def _appraisal_problems(db: Session, rec: Recognition, data: AppraisalIn) -> list[str]:
    """A first conclusion follows its application; a re-appraisal (再次鉴定 第二十六条, 复查鉴定
    第二十八条) an earlier conclusion, an application made after it (a review at least a year
    after it), and is not dated before it."""
    problems = [p for p in [rules.grade_problem(data.grade)] if p]
    applied, earlier = _events(db, rec, "appraisal_applied"), _events(db, rec, "appraisal")
    name = APPRAISAL_KINDS[data.kind]
    if data.kind == "first" and earlier:
        problems.append("该工伤已有劳动能力鉴定结论，应登记为再次鉴定或复查鉴定")
    elif data.kind != "first" and not earlier:
        problems.append(f"该工伤尚无劳动能力鉴定结论，不能登记{name}结论")
    elif earlier and data.concluded_on < earlier[-1].event_date:
        problems.append(f"{name}结论日期不能早于原鉴定结论日期{earlier[-1].event_date}")
    since = earlier[-1].event_date if earlier and data.kind != "first" else None
    if not applied or (since and applied[-1].event_date < since):
        problems.append(f"尚未受理{'劳动能力鉴定' if since is None else name}申请")
    elif data.concluded_on < applied[-1].event_date:
        problems.append("鉴定结论日期不能早于鉴定申请日期")
    elif data.kind == "review" and applied[-1].event_date < rules.review_from(since):
        problems.append(f"复查鉴定须自原鉴定结论作出之日（{since}）起1年后申请（第二十八条）")
    if data.concluded_on > clock.today():
        problems.append("鉴定结论日期不能晚于今天")
    return problems


@transactional
def record_appraisal(db: Session, actor: Actor, ssn: str, data: AppraisalIn) -> InjuryEvent:
    """劳动能力鉴定结论: the grade and nursing level become the recognition's current ones; a
    re-appraisal re-determines what was decided on the earlier grade (redetermine)."""
    person, rec = _opened(db, actor, ssn, data.decision_number)
    _refuse("appraisal", _appraisal_problems(db, rec, data), "payload.grade")
    before = {"grade": rec.grade, "nursing_level": rec.nursing_level}
    event = _event(db, actor, rec, "appraisal", data.concluded_on,
                   document_number=data.conclusion_number, grade=data.grade,
                   nursing_level=data.nursing_level or None,
                   detail={"kind": data.kind, "before": before})
    rec.grade, rec.nursing_level = data.grade, data.nursing_level or None
    db.flush()
    changed = redetermine(db, actor, person, rec) if data.kind != "first" else {}
    audit.record(db, actor, "benefits.record_injury_appraisal", person_subject(person),
                 before=before, after={**snapshot(event), "redetermined": changed})
    return event


# --- 停工留薪期 and recurrence (第三十三条、第三十八条) ------------------------------------------------

@transactional
def extend_leave(db: Session, actor: Actor, ssn: str, data: ExtensionIn) -> InjuryEvent:
    """停工留薪期延长, confirmed by the committee: later than the current end, at most 12
    months more (24 from the injury in all)."""
    person, rec = _opened(db, actor, ssn, data.decision_number)
    problems = [] if rec.leave_until else ["认定时未登记停工留薪期，不能延长"]
    if rec.leave_until and data.leave_until <= rec.leave_until:
        problems.append(f"延长后的截止日期须晚于现停工留薪期截止日期{rec.leave_until}")
    start = _leave_start(db, rec)
    problems += _leave_problems(db, start, data.leave_until, "extended")
    _refuse("extension", problems, "payload.leave_until")
    event = _event(db, actor, rec, "extension", clock.today(), document_number=data.confirmation_number,
                   leave_until=data.leave_until, detail={"before": str(rec.leave_until)})
    rec.leave_until = data.leave_until
    db.flush()
    audit.record(db, actor, "benefits.extend_injury_leave", person_subject(person), after=snapshot(event))
    return event


def _leave_start(db: Session, rec: Recognition) -> dt.date:
    """Where the current 停工留薪期 began: the injury, or the latest recurrence."""
    recurred = _events(db, rec, "recurrence")
    return recurred[-1].event_date if recurred else rec.injury_date


@transactional
def record_recurrence(db: Session, actor: Actor, ssn: str, data: RecurrenceIn) -> InjuryEvent:
    """旧伤复发: treatment and a new 停工留薪期 (第三十八条 → 第三十条、第三十三条)."""
    person, rec = _opened(db, actor, ssn, data.decision_number)
    problems = []
    if not rec.injury_date < data.recurred_on <= clock.today():
        problems.append("复发日期须在受伤日期之后且不晚于今天")
    else:
        problems += _leave_problems(db, data.recurred_on, data.leave_until, "normal")
    _refuse("recurrence", problems, "payload.recurred_on")
    event = _event(db, actor, rec, "recurrence", data.recurred_on,
                   document_number=data.confirmation_number, leave_until=data.leave_until)
    rec.leave_until = data.leave_until
    db.flush()
    audit.record(db, actor, "benefits.record_injury_recurrence", person_subject(person),
                 after=snapshot(event))
    return event


# --- awards: one-off and monthly, on the common tables ---------------------------------------------

def _breakdown(lines: list[dict], inputs: dict) -> str:
    return json.dumps({"lines": lines, "inputs": inputs}, ensure_ascii=False)


def _one_off(db: Session, actor: Actor, person: Person, kind: str, amount: int, *, lines: list[dict],
             inputs: dict, basis: str, payee: str, bank: str) -> Award:
    """A one-off award (stopped at once: nothing monthly follows) and its single payment, sent
    by the next payroll run (待发放)."""
    period = common_rules.next_period(common_rules.period_of_date(clock.today()))
    lines = [*lines, _line("发放月份", _label(period), "核定次月随待遇发放一次性发放")]
    award = Award(person_id=person.id, kind=kind, case_id=actor.case_id, status="stopped",
                  stop_reason="一次性发放", start_period=period, last_period=period,
                  monthly_amount=amount, basic_amount=amount, breakdown=_breakdown(lines, inputs),
                  basis=basis, payee_name=payee, bank_account=bank, decided_on=clock.today(),
                  decided_by=actor.username)
    db.add(award)
    db.flush()
    db.add(Payment(award_id=award.id, person_id=person.id, period=period, kind="regular",
                   gross=amount, deduction=0, net=amount, bank_account=bank, paid_on=clock.today()))
    db.flush()
    return award


def _monthly(db: Session, actor: Actor, person: Person, kind: str, amount: int, start: int, *,
             lines: list[dict], inputs: dict, basis: str, payee: str, bank: str,
             replaces: Award | None = None, paid: dict[int, int] | None = None) -> Award:
    """A monthly award from ``start`` (open-ended: paid until a stop), with back pay for the
    months the payroll has already run. Replacing an award, a month ``paid`` under it is
    settled by the difference: more is paid once (adjustment), less is ordered back."""
    if db.execute(select(Award.id).where(Award.person_id == person.id, Award.kind == kind,
                                         Award.status.in_(IN_FORCE))).first():
        raise Conflict("injury.in_force",
                       f"{person.name}已有正在发放的{rules.KIND_NAMES[kind]}，不能重复核定", "ssn")
    award = Award(person_id=person.id, kind=kind, case_id=actor.case_id, status="active",
                  start_period=start, last_period=None, monthly_amount=amount, basic_amount=amount,
                  breakdown=_breakdown(lines, inputs), basis=basis, payee_name=payee,
                  bank_account=bank, decided_on=clock.today(), decided_by=actor.username,
                  replaces_id=replaces.id if replaces else None)
    db.add(award)
    db.flush()
    latest = _latest_run(db)
    period, months = start, []
    while latest is not None and period <= latest:
        months.append(period)
        period = common_rules.next_period(period)
    paid = paid or {}
    owed = [(p, amount - paid.get(p, 0), "adjustment" if p in paid else "back_pay") for p in months]
    db.add_all(Payment(run_id=None, award_id=award.id, person_id=person.id, period=p, kind=kind_paid,
                       gross=due, deduction=0, net=due, bank_account=bank, paid_on=clock.today())
               for p, due, kind_paid in owed if due > 0)
    db.flush()
    _order_back(db, actor, person, award, [(p, -due) for p, due, _ in owed if due < 0])
    return award


def _latest_run(db: Session) -> int | None:
    return db.execute(select(func.max(PayrollRun.period))).scalar()


def _order_back(db: Session, actor: Actor, person: Person, award: Award, less: list[tuple[int, int]]) -> None:
    """Months paid above what a re-determination found: ordered back (R§46), recovered like
    any overpayment."""
    if less:
        recovery.order_difference(db, actor, person, award, [p for p, _ in less], sum(d for _, d in less))


def _awards_on(db: Session, rec: Recognition, kind: str, statuses: tuple[str, ...] = ()) -> list[Award]:
    """The awards of ``kind`` decided on this recognition (of those statuses), oldest first."""
    stmt = select(Award).where(Award.kind == kind).order_by(Award.id)
    if statuses:
        stmt = stmt.where(Award.status.in_(statuses)).with_for_update()
    return [award for award in db.execute(stmt).scalars()
            if json.loads(award.breakdown or "{}").get("inputs", {}).get("recognition_id") == rec.id]


def _awarded(db: Session, rec: Recognition, kind: str) -> Award | None:
    """An award of ``kind`` already decided on this recognition."""
    return next(iter(_awards_on(db, rec, kind)), None)


def _tell(db: Session, person: Person, kind: str, text: str) -> None:
    notify(db, person.ssn, kind, text, phone=person.phone)


# --- 伤残待遇 (第三十四条至第三十七条) --------------------------------------------------------------

def disability(db: Session, rec: Recognition, work_arranged: bool) -> dict:
    """The disability determination on the latest appraisal: the grant, the allowance and the
    nursing allowance, every figure written out (fen)."""
    appraisal = _events(db, rec, "appraisal")
    if rec.grade is None or not appraisal:
        raise InvalidInput("injury.no_appraisal", "尚无劳动能力鉴定结论，不能核定伤残待遇",
                           "payload.decision_number")
    day, grade, wage = appraisal[-1].event_date, rec.grade, rec.own_wage
    months = agency.param(db, "injury.disability_grant_months", day)
    shares = agency.param(db, "injury.allowance_share", day)
    found = {"grade": grade, "concluded_on": day, "grant": rules.disability_grant(wage, grade, months),
             "allowance": 0, "employer_allowance": 0, "nursing": 0,
             "start": common_rules.next_period(common_rules.period_of_date(day))}
    lines = [_line("伤残等级", f"{grade}级", f"劳动能力鉴定结论（{appraisal[-1].document_number}，{day}）"),
             _wage_line(rec),
             _line("一次性伤残补助金", _yuan(found["grant"]),
                   f"本人工资 × {months[grade]}个月（第三十五条至第三十七条）")]
    if grade in rules.FUND_ALLOWANCE_GRADES:
        found["allowance"] = _fund_allowance(db, wage, grade, day, shares, found["start"], lines)
    elif grade in rules.EMPLOYER_ALLOWANCE_GRADES and not work_arranged:
        found["employer_allowance"] = rules.allowance(wage, grade, shares)
        lines.append(_line("伤残津贴（月，用人单位支付）", _yuan(found["employer_allowance"]),
                           f"本人工资 × {Decimal(str(shares[grade])) * 100:.0f}%；难以安排工作的，"
                           "由用人单位按月发给（第三十六条），不由基金支付"))
    if rec.nursing_level:
        average = agency.param(db, "contribution.average_monthly_wage", day)
        nursing_shares = agency.param(db, "injury.nursing_share", day)
        found["nursing"] = rules.nursing(average, rec.nursing_level, nursing_shares)
        share = Decimal(str(nursing_shares[rec.nursing_level])) * 100
        lines.append(_line("生活护理费（月）", _yuan(found["nursing"]),
                           f"{rules.NURSING_LEVELS[rec.nursing_level]}：统筹地区上年度职工月平均工资"
                           f"{_yuan(average)} × {share:.0f}%（第三十四条）"))
    found["lines"] = lines
    return found


def _fund_allowance(db: Session, wage: int, grade: int, day: dt.date, shares: dict, start: int,
                    lines: list[dict]) -> int:
    """伤残津贴 of grades 1–4 from the fund, topped up to the local minimum wage (the region's
    dated ``unemployment.minimum_wage``, the one unemployment uses; 第三十五条)."""
    plain = rules.allowance(wage, grade, shares)
    minimum = agency.param(db, "unemployment.minimum_wage", day)
    amount, top_up = rules.allowance_floor(plain, minimum)
    note = (f"本人工资 × {Decimal(str(shares[grade])) * 100:.0f}%，工伤保险基金按月支付，"
            f"自{_label(start)}起（第三十五条）")
    if top_up:
        note = (f"本人工资 × {Decimal(str(shares[grade])) * 100:.0f}% = {_yuan(plain)}，低于当地最低工资标准"
                f"{_yuan(minimum)}，由工伤保险基金补足差额{_yuan(top_up)}；按月支付，自{_label(start)}起（第三十五条）")
    lines.append(_line("伤残津贴（月）", _yuan(amount), note))
    return amount


def _monthly_parts(found: dict) -> list[tuple[str, int, str]]:
    """(kind, monthly amount, basis) of what a disability determination pays monthly."""
    return [(rules.ALLOWANCE, found["allowance"], BASIS + "第三十五条"),
            (rules.NURSING, found["nursing"], BASIS + "第三十四条")]


@transactional
def determine_disability(db: Session, actor: Actor, ssn: str, data: DisabilityIn) -> Award:
    """核定伤残待遇: the grant (one-off), and, by grade, the monthly allowance and nursing."""
    person, rec = _opened(db, actor, ssn, data.decision_number)
    if _awarded(db, rec, rules.GRANT):
        raise Conflict("injury.granted", "该工伤已核定一次性伤残补助金，不能重复核定",
                       "payload.decision_number")
    found = disability(db, rec, data.work_arranged)
    inputs = {"recognition_id": rec.id, "grade": found["grade"], "own_wage": rec.own_wage,
              "nursing_level": rec.nursing_level, "work_arranged": data.work_arranged}
    basis = BASIS + "第三十五条至第三十七条"
    grant = _one_off(db, actor, person, rules.GRANT, found["grant"], lines=found["lines"],
                     inputs={**inputs, "amount": found["grant"]}, basis=basis, payee=person.name,
                     bank=data.bank_account)
    monthly = _monthly_parts(found)
    for kind, amount, kind_basis in monthly:
        if amount:
            _monthly(db, actor, person, kind, amount, found["start"], lines=found["lines"],
                     inputs={**inputs, "amount": amount}, basis=kind_basis, payee=person.name,
                     bank=data.bank_account)
    parts = [f"一次性伤残补助金{_yuan(found['grant'])}"]
    since = _label(found["start"])
    parts += [f"{rules.KIND_NAMES[k]}每月{_yuan(a)}（自{since}起）" for k, a, _ in monthly if a]
    _tell(db, person, "injury_disability",
          f"您的伤残待遇已核定（伤残{found['grade']}级）：" + "，".join(parts) + f"。依据：{basis}。")
    audit.record(db, actor, "benefits.determine_injury_disability", person_subject(person),
                 after={**snapshot(grant), "allowance": found["allowance"], "nursing": found["nursing"]})
    return grant


# --- 再次鉴定、复查鉴定 (第二十六条、第二十八条): the awards follow the new grade ----------------------

def redetermine(db: Session, actor: Actor, person: Person, rec: Recognition) -> dict:
    """A re-appraisal's grade and nursing level re-determine, from the month after its
    conclusion, the monthly allowance (grades 1–4) and the nursing allowance decided on the
    earlier one: the old award ends with the conclusion's month (its months kept), a new one
    follows, a month already paid is settled by the difference and never paid twice; a grade
    leaving 1–4 (or no nursing level) only ends it, one entering starts it. Where the region
    pays it, the difference of the one-off grant. Before the disability determination there
    is nothing to re-determine: it will use the latest conclusion."""
    grant = _awarded(db, rec, rules.GRANT)
    if grant is None:
        return {}
    arranged = json.loads(grant.breakdown)["inputs"].get("work_arranged", True)
    found = disability(db, rec, arranged)
    inputs = {"recognition_id": rec.id, "grade": found["grade"], "own_wage": rec.own_wage,
              "nursing_level": rec.nursing_level, "work_arranged": arranged, "reappraisal": True}
    changed = {}
    for kind, amount, basis in _monthly_parts(found):
        old = next(iter(_awards_on(db, rec, kind, IN_FORCE)), None)
        if (old.monthly_amount if old else 0) == amount or (kind == rules.ALLOWANCE and _retired(db, person)):
            continue
        changed[kind] = _replace_monthly(db, actor, person, old, kind, amount, found,
                                         {**inputs, "amount": amount}, basis, grant.bank_account)
    if difference := _grant_difference(db, actor, person, rec, found, inputs, grant.bank_account):
        changed[rules.GRANT] = difference
    if changed:
        _tell(db, person, "injury_reappraisal", _reappraisal_text(found, changed))
    return changed


def _retired(db: Session, person: Person) -> bool:
    """On a basic pension the allowance has stopped (第三十五条第二款, on_pension): a new grade
    does not start it again."""
    return db.execute(select(Award.id).where(Award.person_id == person.id, Award.kind.like("pension%"),
                                             Award.status.in_(IN_FORCE))).first() is not None


def _end_award(db: Session, old: Award, start: int, reason: str, replaced: bool) -> dict[int, int]:
    """The old award ends with the month before ``start``: months up to then the payroll has
    not run wait as payments for the next run (due on the old grade); returns what was paid
    under it for ``start`` and later, per month."""
    if old.status != "active":
        raise Conflict("injury.award_suspended",
                       f"{rules.KIND_NAMES[old.kind]}暂停发放期间不能重新核定，请先恢复发放", "ssn")
    last, latest = common_rules.previous_period(start), _latest_run(db)
    period = old.start_period if latest is None else max(old.start_period, common_rules.next_period(latest))
    while period <= last:
        due = select(Payment.id).where(Payment.award_id == old.id, Payment.period == period)
        if not db.execute(due).first():
            db.add(Payment(run_id=None, award_id=old.id, person_id=old.person_id, period=period,
                           kind="regular", gross=old.monthly_amount, deduction=0, net=old.monthly_amount,
                           bank_account=old.bank_account, paid_on=clock.today()))
        period = common_rules.next_period(period)
    paid = db.execute(select(Payment.period, func.sum(Payment.gross)).where(
        Payment.award_id == old.id, Payment.period >= start).group_by(Payment.period)).all()
    old.status = "replaced" if replaced else "stopped"
    old.last_period, old.stop_reason = last, reason[:200]
    db.flush()
    return {int(p): int(gross) for p, gross in paid}


def _replace_monthly(db: Session, actor: Actor, person: Person, old: Award | None, kind: str, amount: int,
                     found: dict, inputs: dict, basis: str, bank: str) -> dict:
    start, name = found["start"], rules.KIND_NAMES[kind]
    before = old.monthly_amount if old else 0
    reason = (f"劳动能力再次（复查）鉴定为伤残{found['grade']}级，自{_label(start)}起"
              + (f"{name}调整为每月{_yuan(amount)}" if amount else f"停发{name}"))
    paid = _end_award(db, old, start, reason, bool(amount)) if old else {}
    if not amount:
        _order_back(db, actor, person, old, sorted(paid.items()))
        return {"before": before, "after": 0, "from": start}
    line = _line(f"重新核定{name}", f"{_yuan(before)} → {_yuan(amount)}/月",
                 f"{reason}；自{_label(start)}起已按原标准发放的月份补发差额或责令退回多发差额")
    _monthly(db, actor, person, kind, amount, start, lines=[*found["lines"], line], inputs=inputs,
             basis=basis, payee=person.name, bank=old.bank_account if old else bank, replaces=old, paid=paid)
    return {"before": before, "after": amount, "from": start}


def _grant_difference(db: Session, actor: Actor, person: Person, rec: Recognition, found: dict,
                      inputs: dict, bank: str) -> int:
    """一次性伤残补助金差额 where the region's dated parameter says it is paid."""
    if not agency.param(db, "injury.reappraisal_grant_difference", found["concluded_on"]):
        return 0
    granted = sum(a.monthly_amount for a in _awards_on(db, rec, rules.GRANT))
    difference = rules.grant_difference(found["grant"], granted)
    if difference:
        lines = [*found["lines"], _line("已核发一次性伤残补助金", _yuan(granted)),
                 _line("补发差额", _yuan(difference),
                       "按新伤残等级计算的补助金减去已核发的补助金（只补不退）")]
        _one_off(db, actor, person, rules.GRANT, difference, lines=lines,
                 inputs={**inputs, "amount": difference, "granted": granted},
                 basis=BASIS + "第二十六条、第二十八条、第三十五条至第三十七条", payee=person.name, bank=bank)
    return difference


def _reappraisal_text(found: dict, changed: dict) -> str:
    parts = [f"{rules.KIND_NAMES[k]}自{_label(c['from'])}起" + (f"调整为每月{_yuan(c['after'])}" if c["after"]
                                                             else "停发")
             for k, c in changed.items() if k != rules.GRANT]
    if rules.GRANT in changed:
        parts.append(f"补发一次性伤残补助金差额{_yuan(changed[rules.GRANT])}")
    return (f"您的劳动能力鉴定结论已变更为伤残{found['grade']}级，工伤保险待遇已重新核定："
            + "，".join(parts) + "。")


@transactional
def grant_ending(db: Session, actor: Actor, ssn: str, data: EndingIn) -> Award:
    """一次性工伤医疗补助金 (the fund) on ending employment, grades 5–10; the employment grant
    (一次性伤残就业补助金) is the employer's and stated in the decision (第三十六条、第三十七条)."""
    person, rec = _opened(db, actor, ssn, data.decision_number)
    problems = []
    if rec.grade is None:
        problems.append("尚无劳动能力鉴定结论")
    elif rec.grade not in rules.ENDING_GRADES:
        problems.append(f"伤残{rec.grade}级不适用终止劳动关系一次性补助金（限五级至十级）")
    if not rec.injury_date <= data.ended_on <= clock.today():
        problems.append("终止劳动关系日期须在受伤日期之后且不晚于今天")
    if _awarded(db, rec, rules.ENDING):
        problems.append("该工伤已核定一次性工伤医疗补助金")
    _refuse("ending", problems, "payload.ended_on")
    table = agency.param(db, "injury.ending_grant_months", data.ended_on)
    medical, employment = rules.ending_grants(rec.own_wage, rec.grade, table)
    lines = [_line("伤残等级", f"{rec.grade}级"), _wage_line(rec),
             _line("一次性工伤医疗补助金", _yuan(medical),
                   f"本人工资 × {table['medical'][rec.grade]}个月，工伤保险基金支付"),
             _line("一次性伤残就业补助金（用人单位支付）", _yuan(employment),
                   f"本人工资 × {table['employment'][rec.grade]}个月，由用人单位支付，不由基金支付"),
             _line("终止劳动关系日期", str(data.ended_on))]
    _event(db, actor, rec, "ending", data.ended_on, amount=medical,
           detail={"medical": medical, "employment": employment})
    award = _one_off(db, actor, person, rules.ENDING, medical, lines=lines,
                     inputs={"recognition_id": rec.id, "grade": rec.grade, "own_wage": rec.own_wage,
                             "ended_on": str(data.ended_on), "amount": medical,
                             "employment_grant": employment},
                     basis=BASIS + "第三十六条第二款、第三十七条", payee=person.name, bank=data.bank_account)
    _tell(db, person, "injury_ending", f"您的一次性工伤医疗补助金已核定：{_yuan(medical)}；"
          f"一次性伤残就业补助金{_yuan(employment)}由用人单位支付。")
    audit.record(db, actor, "benefits.grant_injury_ending", person_subject(person), after=snapshot(award))
    return award


# --- 辅助器具 (第三十二条) -----------------------------------------------------------------------------

@transactional
def grant_device(db: Session, actor: Actor, ssn: str, data: DeviceIn) -> Award:
    """辅助器具配置费用: as charged, up to the catalogue's limit."""
    person, rec = _opened(db, actor, ssn, data.decision_number)
    catalogue = agency.param(db, "injury.device_limits", clock.today())
    if data.device not in catalogue:
        raise InvalidInput("injury.device", f"辅助器具目录中没有编码“{data.device}”", "payload.device")
    name, limit = catalogue[data.device][0], int(catalogue[data.device][1])
    paid = rules.device_payment(data.price, limit)
    lines = [_line("辅助器具", name, f"确认书{data.confirmation_number}"),
             _line("配置费用", _yuan(data.price)), _line("目录限额", _yuan(limit)),
             _line("基金支付", _yuan(paid), "限额内据实支付，超出部分个人负担（第三十二条）")]
    _event(db, actor, rec, "device", clock.today(), document_number=data.confirmation_number,
           amount=paid, detail={"device": data.device, "price": data.price})
    award = _one_off(db, actor, person, rules.DEVICE, paid, lines=lines,
                     inputs={"recognition_id": rec.id, "device": data.device, "price": data.price,
                             "limit": limit, "amount": paid},
                     basis=BASIS + "第三十二条", payee=person.name, bank=data.bank_account)
    audit.record(db, actor, "benefits.grant_injury_device", person_subject(person), after=snapshot(award))
    return award


# --- 工伤医疗费手工报销 (第三十条; R§22, 20 wd) --------------------------------------------------------

def _fund_paid_this_year(db: Session, person: Person, year: int) -> int:
    """What the fund paid for the person's treatments of ``year`` (the annual limit): the
    institutions' claims settled directly with the injury fund and the earlier reimbursements."""
    paid = claims_settlement.direct_paid(db, rules.FUND, person.id, year)
    for award in db.execute(select(Award).where(Award.person_id == person.id,
                                                Award.kind == rules.MEDICAL)).scalars():
        if json.loads(award.breakdown).get("inputs", {}).get("treated_on", "")[:4] == str(year):
            paid += award.monthly_amount
    return paid


def _review_problems(db: Session, person: Person, data: ReimbursementIn) -> list[str]:
    """The checks a manual claim shares: the medical manual reimbursement's on each line (the
    filing window, a believable amount) and the claim review rule of direct settlement that
    reads a person's invoice (Z-6(6)2: no service after the recorded death)."""
    today = clock.today()
    window = agency.param(db, "medical.manual.claim_window_months", today)
    max_line = agency.param(db, "medical.manual.max_line_fen", today)
    problems = [p for x in data.lines for p in claim_rules.invoice_problems(
        data.treated_on, today, window, x.amount, max_line)]
    lines = tuple(claim_rules.Line(n, x.name, data.treated_on, 1, x.amount, x.amount)
                  for n, x in enumerate(data.lines))
    claim = claim_rules.Claim(0, 0, person.id, False, data.treated_on, data.treated_on, lines)
    if claim_rules.after_death(claim, claim_rules.Person(person.sex, person.birth_date, person.death_date)):
        problems.append(f"就诊日期{data.treated_on}在登记的死亡日期{person.death_date}之后（{claim_rules.RULES['after_death']}）")
    return list(dict.fromkeys(problems))


def reimbursement(db: Session, person: Person, data: ReimbursementIn) -> medical_split.Split:
    """The split of the bill by the shared split with the injury fund's parameters, as direct
    settlement splits an institution's injury claim: no deductible, no co-payment, 甲乙类 in
    full within the injury catalogue, 丙类 the person's (第三十条)."""
    params = medical_split.params_of(lambda name: agency.param(db, name, data.treated_on), rules.FUND)
    lines = [medical_split.BillLine(x.amount, x.category) for x in data.lines]
    return medical_split.split(lines, params, _fund_paid_this_year(db, person, data.treated_on.year))


@transactional
def reimburse_medical(db: Session, actor: Actor, ssn: str, data: ReimbursementIn) -> Award:
    person, rec = _opened(db, actor, ssn, data.decision_number)
    problems = []
    if not rec.injury_date <= data.treated_on <= clock.today():
        problems.append("就诊日期须在受伤日期之后且不晚于今天")
    for award in db.execute(select(Award).where(Award.person_id == person.id,
                                                Award.kind == rules.MEDICAL)).scalars():
        if json.loads(award.breakdown).get("inputs", {}).get("invoice_number") == data.invoice_number:
            problems.append(f"票据“{data.invoice_number}”已报销")
    problems += _review_problems(db, person, data)
    _refuse("medical", problems, "payload.treated_on")
    found = reimbursement(db, person, data)
    if found.fund_fen <= 0:
        _refuse("medical", ["按工伤保险目录分割后无基金支付金额"], "payload.lines")
    lines = [_line("医疗费用总额", _yuan(found.total_fen), f"票据{data.invoice_number}，{data.treated_on}"),
             _line("目录外（全自费）", _yuan(found.out_of_scope_fen), "工伤保险诊疗项目、药品目录外费用"),
             _line("乙类先行自付", _yuan(found.first_self_pay_fen)),
             _line("政策范围内费用", _yuan(found.in_policy_fen), "无起付线、无共付（第三十条）"),
             _line("超过年度限额", _yuan(found.over_cap_fen)),
             _line("工伤保险基金支付", _yuan(found.fund_fen)),
             _line("个人负担", _yuan(found.person_fen))]
    award = _one_off(db, actor, person, rules.MEDICAL, found.fund_fen, lines=lines,
                     inputs={"recognition_id": rec.id, "invoice_number": data.invoice_number,
                             "treated_on": str(data.treated_on), "split": found.as_dict(),
                             "amount": found.fund_fen},
                     basis=BASIS + "第三十条", payee=person.name, bank=data.bank_account)
    _tell(db, person, "injury_medical", f"您的工伤医疗费已审核：总额{_yuan(found.total_fen)}，"
          f"基金支付{_yuan(found.fund_fen)}，于{_label(award.start_period)}发放。")
    audit.record(db, actor, "benefits.reimburse_injury_medical", person_subject(person),
                 after=snapshot(award))
    return award


# --- 因工死亡 (第三十九条) ------------------------------------------------------------------------------

def _dependant_problem(db: Session, dependant: Person, relationship: str, unable: bool,
                       died: dt.date) -> str | None:
    limit = agency.param(db, "injury.child_age_limit", died)
    if dependant.status != "active":
        return f"供养亲属{dependant.name}已死亡或已注销"
    if relationship in rules.MINOR_RELATIONSHIPS and not unable and \
            rules.age_limit_day(dependant.birth_date, limit) <= clock.today():
        return f"供养亲属{dependant.name}已年满{limit}周岁且未完全丧失劳动能力，不能享受供养亲属抚恤金"
    if db.execute(select(Award.id).where(Award.person_id == dependant.id, Award.kind == rules.DEPENDANT,
                                         Award.status.in_(IN_FORCE))).first():
        return f"供养亲属{dependant.name}已在领取供养亲属抚恤金"
    return None


def death(db: Session, rec: Recognition, data: DeathIn) -> dict:
    """Funeral grant, one-off work-death grant and each dependant's pension (fen)."""
    died = data.death_date
    average = agency.param(db, "contribution.average_monthly_wage", died)
    funeral_months = agency.param(db, "injury.funeral_months", died)
    income = agency.param(db, "injury.national_disposable_income", died)
    multiple = agency.param(db, "injury.death_grant_multiple", died)
    shares = agency.param(db, "injury.dependant_share", died)
    funeral, grant = rules.funeral_grant(average, funeral_months), rules.death_grant(income, multiple)
    pensions, capped = rules.dependant_pensions(
        rec.own_wage, [(d.relationship, d.orphan_or_alone) for d in data.dependants], shares)
    lines = [_line("死亡日期", str(died)), _wage_line(rec),
             _line("丧葬补助金", _yuan(funeral),
                   f"统筹地区上年度职工月平均工资{_yuan(average)} × {funeral_months}个月"),
             _line("一次性工亡补助金", _yuan(grant),
                   f"上一年度全国城镇居民人均可支配收入{_yuan(income)} × {multiple}")]
    for d, amount in zip(data.dependants, pensions, strict=True):
        share = rules.dependant_share(d.relationship, d.orphan_or_alone, shares) * 100
        lines.append(_line(f"供养亲属抚恤金（{rules.RELATIONSHIPS[d.relationship]}）", f"{_yuan(amount)}/月",
                           f"本人工资 × {share:.0f}%{'（孤儿或孤寡老人+10%）' if d.orphan_or_alone else ''}"))
    if capped:
        lines.append(_line("抚恤金合计封顶", _yuan(sum(pensions)),
                           f"各供养亲属抚恤金之和不高于本人工资{_yuan(rec.own_wage)}，按比例核减（分以下舍去）"))
    return {"funeral": funeral, "grant": grant, "pensions": pensions, "capped": capped, "lines": lines,
            "start": common_rules.next_period(common_rules.period_of_date(died))}


@transactional
def determine_death(db: Session, actor: Actor, ssn: str, data: DeathIn) -> Award:
    """核定因工死亡待遇: the death recorded (and the person's benefits stopped) if not yet, the
    grants to the claimant, a monthly pension to each dependant from the month after death."""
    person, rec = _opened(db, actor, ssn, data.decision_number)
    problems = []
    if not rec.injury_date <= data.death_date <= clock.today():
        problems.append("死亡日期须在受伤日期之后且不晚于今天")
    if _awarded(db, rec, rules.DEATH):
        problems.append("该工伤的因工死亡待遇已核定")
    dependants = []
    for d in data.dependants:
        dependant = find_person(db, d.ssn, lock=True)
        if dependant.id == person.id:
            problems.append("供养亲属不能是死者本人")
        elif problem := _dependant_problem(db, dependant, d.relationship, d.unable_to_work, data.death_date):
            problems.append(problem)
        dependants.append(dependant)
    if len({d.id for d in dependants}) != len(dependants):
        problems.append("供养亲属重复")
    _refuse("death", problems, "payload.death_date")
    _record_death(db, actor, person, data.death_date)
    found = death(db, rec, data)
    rec.died_on = data.death_date
    inputs = {"recognition_id": rec.id, "own_wage": rec.own_wage, "death_date": str(data.death_date),
              "funeral": found["funeral"], "grant": found["grant"], "capped": found["capped"]}
    basis = BASIS + "第三十九条"
    award = _one_off(db, actor, person, rules.DEATH, found["funeral"] + found["grant"], lines=found["lines"],
                     inputs={**inputs, "amount": found["funeral"] + found["grant"]}, basis=basis,
                     payee=data.payee_name, bank=data.bank_account)
    for d, dependant, amount in zip(data.dependants, dependants, found["pensions"], strict=True):
        _monthly(db, actor, dependant, rules.DEPENDANT, amount, found["start"], lines=found["lines"],
                 inputs={**inputs, "deceased_id": person.id, "relationship": d.relationship,
                         "orphan_or_alone": d.orphan_or_alone, "unable_to_work": d.unable_to_work,
                         "amount": amount},
                 basis=basis, payee=dependant.name, bank=d.bank_account)
        _tell(db, dependant, "injury_dependant",
              f"{person.name}因工死亡，您的供养亲属抚恤金已核定：每月{_yuan(amount)}，"
              f"自{_label(found['start'])}起按月发放。依据：{basis}。")
    audit.record(db, actor, "benefits.determine_injury_death", person_subject(person),
                 after={**snapshot(award), "pensions": found["pensions"]})
    return award


def _record_death(db: Session, actor: Actor, person: Person, died: dt.date) -> None:
    """The death into the registration and the deceased's own awards stopped (common stops)."""
    if person.death_date is None:
        registration.record_death(db, actor, person.ssn, died, "因工死亡（工伤认定）")
    awards = stops.applicable(db, person, "death")
    if awards:
        stops.report_event(db, actor, person, awards, reason="death", event_date=died,
                           reported_on=clock.today(), source="case", reporter_name="因工死亡待遇核定",
                           phone="", source_ref=f"injury:{person.id}", note="因工死亡")


# --- a dependant's pension stops (劳社部令第18号 第四条) --------------------------------------------

@transactional
def stop_dependant(db: Session, actor: Actor, ssn: str, data: DependantStopIn) -> StopReport:
    """再婚、被他人收养: the dependant's pension stops from the month after the event."""
    require(actor, "benefits.stop")
    person = find_person(db, ssn, lock=True)
    _not_after_today(data.event_date, "事由发生日期", "event_date")
    awards = stops.applicable(db, person, data.reason)
    if not awards:
        raise Conflict("injury.no_dependant_award", "该人员没有正在领取的供养亲属抚恤金", "ssn")
    report = stops.report_event(db, actor, person, awards, reason=data.reason, event_date=data.event_date,
                                reported_on=clock.today(), source="case", reporter_name="",
                                phone="", source_ref="", note=data.note)
    audit.record(db, actor, "benefits.stop_injury_dependant", person_subject(person), after=snapshot(report))
    return report


# --- retirement (第三十五条第二款) ------------------------------------------------------------------

def on_pension(db: Session, actor: Actor, pension_award: Award) -> None:
    """A basic pension determined: the allowance (grades 1–4) stops from the pension's first
    month; when the pension is lower, the fund pays the difference monthly (基本养老保险待遇低于
    伤残津贴的，由工伤保险基金补足差额). Called by the pension determination."""
    person = db.get(Person, pension_award.person_id)
    awards = stops.applicable(db, person, "pension_start")
    allowance = next((a for a in awards if a.kind == rules.ALLOWANCE), None)
    if allowance is None:
        return
    start = pension_award.start_period
    day_before = dt.date(start // 100, start % 100, 1) - dt.timedelta(days=1)
    stops.report_event(db, actor, person, [allowance], reason="pension_start", event_date=day_before,
                       reported_on=clock.today(), source="case", reporter_name="养老保险待遇核定",
                       phone="", source_ref=f"award:{pension_award.id}", note="按月领取基本养老金")
    difference = allowance.monthly_amount - pension_award.monthly_amount
    if difference <= 0:
        return
    inputs = {**json.loads(allowance.breakdown).get("inputs", {}), "amount": difference,
              "pension_award": pension_award.id, "allowance_before": allowance.monthly_amount}
    lines = [_line("伤残津贴", _yuan(allowance.monthly_amount)),
             _line("基本养老金", _yuan(pension_award.monthly_amount), f"自{_label(start)}起按月领取"),
             _line("工伤保险基金补足差额", _yuan(difference),
                   "基本养老保险待遇低于伤残津贴的，由工伤保险基金补足差额")]
    _monthly(db, actor, person, rules.ALLOWANCE, difference, start, lines=lines, inputs=inputs,
             basis=BASIS + "第三十五条第二款", payee=person.name, bank=allowance.bank_account)


# --- reads -----------------------------------------------------------------------------------------

def _may_read(db: Session, actor: Actor, person: Person, what: str) -> None:
    if actor.subject != person_subject(person):
        require(actor, "benefits.read")
        audit.log_access(db, actor, person_subject(person), what)


def record_of(db: Session, actor: Actor, ssn: str) -> dict:
    """A person's recognitions with their events, and every injury award paid to him (his own
    or as a dependant) with breakdown, payments and stop events, newest first."""
    person = find_person(db, ssn)
    _may_read(db, actor, person, "injury")
    recognitions = [(rec, list(db.execute(select(InjuryEvent).where(InjuryEvent.recognition_id == rec.id)
                                          .order_by(InjuryEvent.id)).scalars()))
                    for rec in db.execute(select(Recognition).where(Recognition.person_id == person.id)
                                          .order_by(Recognition.id.desc())).scalars()]
    awards = []
    for award in db.execute(select(Award).where(Award.person_id == person.id, Award.kind.in_(KINDS))
                            .order_by(Award.id.desc())).scalars():
        awards.append({"award": award, "name": rules.KIND_NAMES[award.kind],
                       "lines": json.loads(award.breakdown).get("lines", []),
                       "payments": list(db.execute(select(Payment).where(Payment.award_id == award.id)
                                                   .order_by(Payment.period.desc())).scalars()),
                       "events": list(db.execute(select(AwardEvent).where(AwardEvent.award_id == award.id)
                                                 .order_by(AwardEvent.id)).scalars())})
    return {"person": person, "recognitions": recognitions, "awards": awards}


def awards(db: Session, actor: Actor, limit: int = 200) -> list[dict]:
    """Injury benefits decided, newest first (staff, and the accountant who pays them)."""
    if not can(actor, "benefits.payroll_read"):
        require(actor, "benefits.read")
    rows = db.execute(select(Award, Person).join(Person, Person.id == Award.person_id)
                      .where(Award.kind.in_(KINDS)).order_by(Award.id.desc()).limit(limit)).all()
    return [{"award": a, "person": p, "name": rules.KIND_NAMES[a.kind],
             "monthly": a.kind in rules.MONTHLY_KINDS,
             "status": (STATUS_NAMES.get(a.status, a.status) if a.kind in rules.MONTHLY_KINDS
                        else "一次性发放")}
            for a, p in rows]


def awards_xlsx(db: Session, actor: Actor) -> bytes:
    rows = [(r["person"].ssn, r["person"].name, r["name"], "按月" if r["monthly"] else "一次性",
             r["award"].monthly_amount, r["award"].start_period, r["award"].payee_name, r["status"],
             r["award"].stop_reason if r["monthly"] else "", r["award"].decided_on.isoformat())
            for r in awards(db, actor, limit=100_000)]
    return workbook("工伤保险待遇", ["社会保障号码", "姓名", "待遇项目", "发放方式", "金额（元）", "起发月份",
                                  "领取人", "状态", "终止原因", "核定日期"], rows, money=(4,))


def recognitions(db: Session, actor: Actor, limit: int = 200) -> list[tuple[Recognition, Person]]:
    if not can(actor, "benefits.payroll_read"):
        require(actor, "benefits.read")
    return list(db.execute(select(Recognition, Person).join(Person, Person.id == Recognition.person_id)
                           .order_by(Recognition.id.desc()).limit(limit)).all())


def recognitions_xlsx(db: Session, actor: Actor) -> bytes:
    rows = [(p.ssn, p.name, r.decision_number, r.decided_on.isoformat(), r.injury_date.isoformat(),
             rules.RECOGNITION_KINDS[r.kind], r.own_wage, r.grade or "", r.nursing_level or "",
             str(r.leave_until or ""), str(r.died_on or ""))
            for r, p in recognitions(db, actor, limit=100_000)]
    return workbook("工伤认定", ["社会保障号码", "姓名", "认定决定书文号", "认定日期", "受伤日期",
                              "认定结论", "本人工资（元）", "伤残等级", "护理等级", "停工留薪期至",
                              "死亡日期"], rows, money=(6,))


def award_of(db: Session, actor: Actor, award_id: int) -> tuple[Award, Person]:
    award = db.get(Award, award_id)
    if award is None or award.kind not in KINDS:
        raise NotFound("injury.award", "没有该工伤保险待遇", "award_id")
    person = db.get(Person, award.person_id)
    _may_read(db, actor, person, "injury_decision")
    return award, person


def decision_pdf(db: Session, actor: Actor, award_id: int) -> bytes:
    """工伤保险待遇核定决定书: the award's lines, basis and the right to object."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    from jingban.core import pdf

    award, person = award_of(db, actor, award_id)
    style = pdf.styles()
    name = rules.KIND_NAMES[award.kind]
    how = "按月发放" if award.kind in rules.MONTHLY_KINDS else "一次性发放"
    lines = json.loads(award.breakdown).get("lines", [])
    masked = mask_id(person.ssn)
    flow = [Paragraph("社会保险经办机构", style["small"]),
            Paragraph("工伤保险待遇核定决定书", style["title"]), Spacer(1, 3 * mm),
            Paragraph(f"{person.name}（社会保障号码 {masked}）：", style["body"]),
            Paragraph(f"经核定，{name}{_yuan(award.monthly_amount)}，{how}，自{_label(award.start_period)}起"
                      f"发放至领取人{award.payee_name}的社会保障卡金融账户。", style["body"]),
            Spacer(1, 3 * mm),
            pdf.table(["项目", "金额或内容", "说明"], [(x["label"], x["value"], x["note"]) for x in lines],
                      [44 * mm, 36 * mm, 94 * mm]),
            Spacer(1, 3 * mm),
            Paragraph(f"依据：{award.basis}。", style["small"]),
            Paragraph(remedies(db), style["small"]),
            Paragraph(f"核定日期：{award.decided_on}　　经办人：{award.decided_by}", style["small"])]
    return pdf.document(flow, title=f"工伤保险待遇核定决定书 {name}", subject=f"injury-{award.id}")
