"""Stopping, suspending and resuming awards (R§25, R§26).

A stopping event reaches the agency as a report by the person, the employer or relatives
(BEN-STOP-REPORT, checked by a reviewer), from a department's feed (death, imprisonment), or as
the conclusion of an investigation. Death and loss of eligibility stop an award from the month
after the event; imprisonment suspends it. Whatever was already paid for the months no longer
due is ordered back (recovery). A suspension ends only through the high-risk item BEN-RESUME,
which decides the back payment (补发) of the suspended months that are due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, AwardEvent, Payment, PayrollRun, StopReport
from jingban.benefits.recovery import service as recovery
from jingban.benefits.stops import rules
from jingban.benefits.stops.models import SharedFact
from jingban.benefits.stops.schemas import ResumeIn, StopReportIn
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput
from jingban.core.money import format_yuan
from jingban.notices.service import notify
from jingban.registration import service as registration
from jingban.registration.models import Person
from jingban.registration.service import find_person, person_subject

audit.ACT_NAMES.update({
    "benefits.record_stop": "停发（暂停）待遇",
    "benefits.resume_award": "恢复发放待遇并决定补发",
    "benefits.shared_fact": "接收待遇资格比对信息",
})

IN_FORCE = ("active", "suspended")
AWARD_KINDS = {"pension_enterprise": "企业职工基本养老金", "pension_institution": "机关事业单位基本养老金",
               "pension_resident": "城乡居民养老保险待遇", "survivor": "遗属待遇",
               "survivor_unemployment": "遗属待遇（失业保险基金）",
               "unemployment": "失业保险金", "injury": "工伤保险待遇"}
AWARD_KINDS.update({"injury_grant": "一次性伤残补助金", "injury_allowance": "伤残津贴",  # injury
                    "injury_nursing": "生活护理费", "injury_ending": "一次性工伤医疗补助金",  # injury
                    "injury_death": "丧葬补助金及一次性工亡补助金",  # injury
                    "injury_dependant": "供养亲属抚恤金", "injury_device": "辅助器具配置费用",  # injury
                    "injury_medical": "工伤医疗费"})  # injury
SOURCES = {"person": "本人", "employer": "用人单位", "relative": "亲属", "feed": "共享数据",
           "verification": "资格核验", "case": "业务件"}
FEED_NAMES = {"population": "公安机关人口信息", "judicial": "司法行政机关在押服刑信息",
              "exit": "出入境管理机关信息", "employment": "公共就业服务机构就业登记与兵役机关入伍信息"}
DEATHS = common_rules.DEATH_REASONS
DIRECT = (*DEATHS, "imprisonment")  # shared facts that stop or suspend at once (SPEC §12)

# Who is told that an award was resumed, in the same transaction: (db, award id, today).
# Verification closes its open hits about the suspension (registered by jingban.wiring).
ResumedListener = Callable[[Session, int, dt.date], None]
_RESUMED: list[ResumedListener] = []


def on_resumed(listener: ResumedListener) -> None:
    """Call ``listener`` whenever an award is resumed (idempotent)."""
    if listener not in _RESUMED:
        _RESUMED.append(listener)


def _require(actor: Actor) -> None:
    """A clerk takes the report (and the engine's review checks it); a feed and an approved
    case act on their own word."""
    by_channel = {"feed": "sharing.upload", "case": "cases.act"}
    require(actor, by_channel.get(actor.channel, "benefits.stop"))




def kind_name(kind: str) -> str:
    return AWARD_KINDS.get(kind, kind)


# --- stopping and suspending -----------------------------------------------------------------

@transactional
def record_stop(db: Session, actor: Actor, ssn: str, data: StopReportIn) -> StopReport:
    """停发事由报告 (R§25): record who reported what and whether within the 20 working days,
    then stop or suspend the person's awards it concerns and order back any overpayment. A
    reported death is also recorded in the person's registration."""
    _require(actor)
    person = find_person(db, ssn)
    today = clock.today()
    reported = data.reported_on or today
    if not person.birth_date <= data.event_date <= today:
        raise InvalidInput("stop.event_date", "事由发生日期须在出生日期之后且不晚于今天", "event_date")
    if not data.event_date <= reported <= today:
        raise InvalidInput("stop.reported_on", "报告日期须在事由发生日期与今天之间", "reported_on")
    awards = applicable(db, person, data.reason)
    if not awards:
        raise Conflict("stop.no_award", "该参保人没有因该事由可停发或暂停的在发待遇", "ssn")
    if data.reason in DEATHS and person.status == "active":
        registration.record_death(db, actor, person.ssn, data.event_date,
                                  f"{SOURCES[data.reporter]}报告死亡（停发事由报告）")
    return report_event(db, actor, person, awards, reason=data.reason, event_date=data.event_date,
                   reported_on=reported, source=data.reporter, reporter_name=data.reporter_name,
                   phone=data.reporter_phone, source_ref="", note=data.note)


def applicable(db: Session, person: Person, reason: str) -> list[Award]:
    """The person's awards in force that this event stops or suspends, locked."""
    action = common_rules.STOP_REASONS[reason][0]
    rows = db.execute(select(Award).where(Award.person_id == person.id,
                                          Award.status.in_(IN_FORCE))
                      .order_by(Award.id).with_for_update()).scalars()
    return [a for a in rows if rules.stop_applies(reason, a.kind)
            and not (action == "suspend" and a.status == "suspended")]


def report_event(db: Session, actor: Actor, person: Person, awards: list[Award], *, reason: str,
            event_date: dt.date, reported_on: dt.date, source: str, reporter_name: str,
            phone: str, source_ref: str, note: str) -> StopReport:
    due = agency.due_date(db, event_date,
                          agency.param(db, "benefits.stop.report_wd", event_date))
    report = StopReport(person_id=person.id, reason=reason, event_date=event_date,
                        reported_on=reported_on, report_due_on=due.due,
                        due_provisional=due.provisional, late=reported_on > due.due,
                        source=source, reporter_name=reporter_name, reporter_phone=phone,
                        source_ref=source_ref, note=note, recorded_by=actor.username)
    db.add(report)
    db.flush()
    events = [_change(db, actor, person, award, report) for award in awards]
    report.awards = len(events)
    report.overpaid = sum(debt.principal for _, debt in events if debt is not None)
    action, name = common_rules.STOP_REASONS[reason]
    start = rules.effective_period(event_date)
    kinds = "、".join(kind_name(a.kind) for a in awards)
    whose = "其" if reason in DEATHS else "您的"
    message = (f"因{name}（{event_date}），{whose}{kinds}自{start // 100}年{start % 100}月起"
               f"{'停发' if action == 'stop' else '暂停发放'}（《社会保险经办条例》第二十五条）。")
    recovery.tell(db, person, "stop", message, phone)
    audit.record(db, actor, "benefits.record_stop", person_subject(person),
                 after={**snapshot(report), "events": [e.id for e, _ in events]},
                 reason=f"{name}（{SOURCES.get(source, source)}报告）")
    return report


def _change(db: Session, actor: Actor, person: Person, award: Award, report: StopReport):
    action, name = common_rules.STOP_REASONS[report.reason]
    start = rules.effective_period(report.event_date)
    if action == "stop":
        last = common_rules.shift_period(start, -1)
        award.status, award.stop_reason = "stopped", name
        award.last_period = min(last, award.last_period) if award.last_period else last
    else:
        award.status = "suspended"
    event = AwardEvent(award_id=award.id, kind=action, reason=report.reason,
                       event_date=report.event_date, effective_period=start,
                       source=report.source, source_ref=f"stop_report:{report.id}",
                       reported_on=report.reported_on, note=report.note[:300],
                       recorded_by=actor.username)
    db.add(event)
    db.flush()
    paid = db.execute(select(Payment.period, Payment.gross)
                      .where(Payment.award_id == award.id, Payment.period >= start)).all()
    months, total = rules.overpaid([(p, g) for p, g in paid], start)
    debt = None
    if total > 0:
        debt = recovery.order_overpayment(db, actor, person, award, event, months, total,
                                          report.reporter_phone)
    return event, debt


# --- facts from the departments' feeds ----------------------------------------------------------

@transactional
def receive_fact(db: Session, actor: Actor, *, kind: str, ssn: str, name: str,
                 fact_date: dt.date, source: str, source_ref: str) -> str:
    """One shared record (R§8, R§26): kept for the matching run; a death stops and an
    imprisonment suspends the person's awards at once. Returns what it did, for the feed's
    evidence row. The same source record twice changes nothing."""
    _require(actor)
    if db.execute(select(SharedFact.id).where(SharedFact.source == source,
                                              SharedFact.source_ref == source_ref)).first():
        return "该比对信息此前已接收"
    today = clock.today()
    fact = SharedFact(kind=kind, ssn=ssn, name=name or "", fact_date=fact_date, source=source,
                      source_ref=source_ref, received_on=today)
    db.add(fact)
    db.flush()
    audit.record(db, actor, "benefits.shared_fact", f"shared_fact:{fact.id}", after=snapshot(fact))
    person = db.execute(select(Person).where(Person.ssn == ssn)).scalar()
    if person is None:
        return "本地无该人员的待遇记录，已存入资格比对信息"
    if kind not in DIRECT and kind not in common_rules.UNEMPLOYMENT_STOPS:
        return "已存入资格比对信息，待资格比对核实"
    awards = applicable(db, person, kind)
    if not awards and kind not in DIRECT:  # emigration: a pension is verified, not stopped
        return "已存入资格比对信息，待资格比对核实"
    if not awards:
        return "该人员没有可停发或暂停的在发待遇，已存入资格比对信息"
    report = report_event(db, actor, person, awards, reason=kind, event_date=fact_date,
                     reported_on=today, source="feed", reporter_name=FEED_NAMES.get(source, source),
                     phone="", source_ref=f"{source}:{source_ref}"[:64], note="")
    action = "停发" if common_rules.STOP_REASONS[kind][0] == "stop" else "暂停发放"
    owed = f"，多发{format_yuan(report.overpaid)}元已责令退回" if report.overpaid else ""
    return f"已{action}待遇{report.awards}项{owed}"


# --- resuming (BEN-RESUME, three levels) --------------------------------------------------------

@transactional
def resume_award(db: Session, actor: Actor, ssn: str, data: ResumeIn) -> Person:
    """恢复发放 after a release or a wrong match, through an approved high-risk case, with
    the back-payment decision: the suspended months that are due are paid once as ``back_pay``
    payments (never a month that has a payment)."""
    _require(actor)
    person = find_person(db, ssn)
    today = clock.today()
    if data.event_date > today:
        raise InvalidInput("resume.event_date", "释放或核实日期不能晚于今天", "event_date")
    awards = db.execute(select(Award).where(Award.person_id == person.id,
                                            Award.status == "suspended")
                        .order_by(Award.id).with_for_update()).scalars().all()
    if not awards:
        raise Conflict("resume.not_suspended", "该参保人没有暂停发放的待遇", "ssn")
    done = [_resume(db, actor, award, data, today) for award in awards]
    months = sum(len(m) for m in done)
    total = sum(a.monthly_amount * len(m) for a, m in zip(awards, done, strict=True))
    back = f"，补发{months}个月共{format_yuan(total)}元" if months else ""
    why = rules.RESUME_REASONS[data.reason]
    notify(db, person.ssn, "resume", f"经审核，您暂停发放的待遇已恢复发放（{why}）{back}。",
           phone=person.phone)
    audit.record(db, actor, "benefits.resume_award", person_subject(person),
                 after={"awards": [a.id for a in awards], "back_pay": [list(m) for m in done],
                        "reason": data.reason}, reason=data.note or rules.RESUME_REASONS[data.reason])
    return person


def _resume(db: Session, actor: Actor, award: Award, data: ResumeIn, today: dt.date) -> list[int]:
    suspension = db.execute(select(AwardEvent).where(AwardEvent.award_id == award.id,
                                                     AwardEvent.kind == "suspend")
                            .order_by(AwardEvent.id.desc()).limit(1)).scalar()
    if suspension is None:
        raise Conflict("resume.no_suspension", "未找到该待遇的暂停记录", "ssn")
    if data.event_date < suspension.event_date:
        raise InvalidInput("resume.event_date",
                           f"释放或核实日期不能早于暂停事由发生日期（{suspension.event_date}）", "event_date")
    start = rules.resume_period(data.reason, suspension.effective_period, data.event_date)
    award.status = "active"
    db.add(AwardEvent(award_id=award.id, kind="resume", reason=data.reason,
                      event_date=data.event_date, effective_period=start, source="case",
                      source_ref=f"award_event:{suspension.id}", reported_on=today,
                      note=data.note[:300], recorded_by=actor.username))
    if data.reason == "wrong_match":
        recovery.cancel_for_event(db, actor, award.id, suspension.id, "暂停依据的比对信息有误")
    for listener in _RESUMED:
        listener(db, award.id, today)
    db.flush()
    return _back_pay(db, award, start, today) if data.back_pay else []


def paid_through(db: Session, today: dt.date) -> int:
    """The last month whose payroll is behind us: this month once its run is completed,
    else the month before (the coming run pays this month)."""
    current = common_rules.period_of_date(today)
    done = db.execute(select(PayrollRun.id).where(PayrollRun.period == current,
                                                  PayrollRun.status == "completed")).first()
    return current if done else common_rules.shift_period(current, -1)


def _back_pay(db: Session, award: Award, start: int, today: dt.date) -> list[int]:
    through = paid_through(db, today)
    if award.last_period:
        through = min(through, award.last_period)
    paid = set(db.execute(select(Payment.period).where(Payment.award_id == award.id,
                                                       Payment.period >= start)).scalars())
    months = rules.back_pay_periods(max(start, award.start_period), through, paid)
    db.add_all(Payment(run_id=None, award_id=award.id, person_id=award.person_id, period=period,
                       kind="back_pay", gross=award.monthly_amount, deduction=0,
                       net=award.monthly_amount, bank_account=award.bank_account, paid_on=today)
               for period in months)
    db.flush()
    return months


# --- reads ---------------------------------------------------------------------------------------

def reports(db: Session, actor: Actor, ssn: str | None = None, limit: int = 100) -> list[StopReport]:
    """停发事由报告, newest first (of one person when ``ssn`` is given)."""
    require(actor, "benefits.read")
    stmt = select(StopReport)
    if ssn:
        stmt = stmt.where(StopReport.person_id == find_person(db, ssn).id)
    return list(db.execute(stmt.order_by(StopReport.id.desc()).limit(max(1, min(limit, 500))))
                .scalars())


def events(db: Session, actor: Actor, ssn: str) -> list[tuple[AwardEvent, Award]]:
    """Every stop, suspension and resumption of a person's awards, oldest first."""
    person = find_person(db, ssn)
    if actor.subject != person_subject(person):
        require(actor, "benefits.read")
    return list(db.execute(select(AwardEvent, Award).join(Award, Award.id == AwardEvent.award_id)
                           .where(Award.person_id == person.id).order_by(AwardEvent.id)).all())


def redate_provisional(db: Session, actor: Actor) -> int:
    """Stop reports whose reporting deadline was counted over an unpublished year; whether a
    report was late follows the published deadline."""
    rows = list(db.execute(select(StopReport).where(StopReport.due_provisional.is_(True))).scalars())
    changed = agency.redate(db, actor, rows, lambda r: (
        r.event_date, agency.param(db, "benefits.stop.report_wd", r.event_date)), "report_due_on")
    for report in rows:
        report.late = report.reported_on > report.report_due_on
    return changed
