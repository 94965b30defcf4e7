"""Unemployment benefits (失业保险金, R§24; 《社会保险法》第四十五条至第五十一条; 《失业保险条例》).

A claim is a case (BEN-UNEMPLOYMENT, 10 working days); its final approval runs
``determine_unemployment``, which records an Award of kind ``unemployment`` paid monthly by the
common payroll from the month of the unemployment registration through its last month
(``last_period``). Months the payroll has already run are decided as back pay (补发, ``run_id``
NULL) that the next run sends once.

Eligibility (第十四条): at least a year paid (the records' count of unemployment months), the
last employment ended not of the person's own will (the coded ``separation`` on the
enrollment), the unemployment registration made, no unemployment benefit in force and no
pension. Duration (第十七条): by the contribution years counted since the last benefit (缴费时间重新
计算), plus the months the last entitlement left undrawn, never above 24. The monthly amount is
the regional parameter, checked against the minimum living standard and the minimum wage.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, AwardEvent, Payment, PayrollRun
from jingban.benefits.pension import service as pension
from jingban.benefits.stops import service as stops
from jingban.benefits.unemployment import rules
from jingban.benefits.unemployment.schemas import (
    Line,
    RefusalIn,
    TrainingClaim,
    UnemploymentClaim,
    UnemploymentPreview,
)
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput
from jingban.core.excel import workbook
from jingban.core.money import format_yuan, to_yuan
from jingban.notices.service import notify
from jingban.records import service as records
from jingban.registration.models import Enrollment, Person
from jingban.registration.rules import SEPARATIONS
from jingban.registration.service import find_person, person_subject
from jingban.transfers import rules as transfer_rules
from jingban.transfers.models import Transfer

ITEM = "BEN-UNEMPLOYMENT"
MERGED_STEPS = ("funds", "completion")  # an open transfer in past its confirmation
KIND = rules.KIND
IN_FORCE = ("active", "suspended")
BASIS = ("《社会保险经办条例》第二十四条；《社会保险法》第四十五条至第四十八条；"
         "《失业保险条例》第十四条、第十七条、第十八条")
audit.ACT_NAMES.update({"benefits.determine_unemployment": "核定失业保险金",
                        "benefits.unemployment_refusal": "登记拒不接受推荐的工作或培训"})


@dataclass
class Determination:
    """Everything an unemployment determination rests on (amounts in fen, months)."""

    person: Person
    registration_date: dt.date | None
    problems: list[str] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    monthly: int = 0
    new_months: int = 0
    carried: int = 0
    months: int = 0
    start: int | None = None
    last: int | None = None
    inputs: dict = field(default_factory=dict)

    @property
    def total(self) -> int:
        return rules.total_benefit(self.monthly, self.months)


def _line(label: str, value: str, note: str = "") -> dict:
    return {"label": label, "value": value, "note": note}


def _yuan(fen: int) -> str:
    return f"{format_yuan(fen)}元"


def _label(period: int) -> str:
    return f"{period // 100}年{period % 100:02d}月"


# --- what earlier entitlements left --------------------------------------------------------------

def months_drawn(db: Session, award: Award) -> int:
    """Months of the award paid (regular or back pay) up to its last month: the months used."""
    stmt = select(func.count(func.distinct(Payment.period))).where(
        Payment.award_id == award.id, Payment.kind.in_(("regular", "back_pay")))
    if award.last_period is not None:
        stmt = stmt.where(Payment.period <= award.last_period)
    return int(db.execute(stmt).scalar() or 0)


def entitled_of(award: Award) -> int:
    return int(json.loads(award.breakdown or "{}").get("inputs", {}).get("months", 0))


def latest_award(db: Session, person_id: int) -> Award | None:
    return db.execute(select(Award).where(Award.person_id == person_id, Award.kind == KIND)
                      .order_by(Award.id.desc()).limit(1)).scalar()


def months_left(db: Session, award: Award | None) -> int:
    """The months an entitlement leaves undrawn (kept for a later claim, 第十七条)."""
    if award is None:
        return 0
    return max(entitled_of(award) - months_drawn(db, award), 0)


def carried_away(db: Session, award: Award) -> bool:
    """Whether the award stopped because the relationship was transferred out (转出): its
    months left moved with the funds and are the new place's now (R§16 解读)."""
    return db.execute(select(AwardEvent.id).where(
        AwardEvent.award_id == award.id, AwardEvent.kind == "stop",
        AwardEvent.reason == "transfer_out").limit(1)).first() is not None


def months_kept(db: Session, award: Award | None) -> int:
    """The months left that a later claim here carries over: none once they moved away."""
    if award is None or carried_away(db, award):
        return 0
    return months_left(db, award)


def _expired(award: Award, period: int) -> bool:
    """An award in force whose every month lies before ``period`` (领取期满)."""
    return award.status == "active" and award.last_period is not None and award.last_period < period


# --- eligibility and the amount ------------------------------------------------------------------

def transfer_in(db: Session, person: Person) -> Transfer | None:
    """The unemployment relationship transferred in here, once confirmed (its history merged),
    newest first — its funds may still be on the way."""
    return db.execute(select(Transfer).where(
        Transfer.person_id == person.id, Transfer.kind == "unemployment", Transfer.role == "new",
        or_(Transfer.status == "completed",
            (Transfer.status == "open") & Transfer.step.in_(MERGED_STEPS)))
        .order_by(Transfer.id.desc()).limit(1)).scalar()


def _separation_problem(code: str | None) -> str | None:
    if code is None:
        return "最后一次就业的终止原因未登记，请先由用人单位办理减员并登记终止就业原因"
    if not SEPARATIONS[code][1]:
        return (f"终止就业原因为“{SEPARATIONS[code][0]}”，属本人意愿中断就业，"
                "不能申领失业保险金（《失业保险条例》第十四条）")
    return None


def _employment_problems(db: Session, person: Person, registered: dt.date | None,
                         separation: str | None) -> list[str]:
    """The end of the last employment (第十四条第二项) and the registration date (第三项). A
    person whose relationship was transferred in has his last employment at the old place:
    its end reason is taken from the claim (终止或者解除劳动关系的证明)."""
    enrollments = list(db.execute(select(Enrollment).where(
        Enrollment.person_id == person.id, Enrollment.insurance == rules.INSURANCE)).scalars())
    if any(e.status == "active" for e in enrollments):
        return ["仍在参加失业保险（在职），未中断就业"]
    last = max(enrollments, key=lambda e: (e.end_date or dt.date.min, e.id)) if enrollments else None
    if last is None and transfer_in(db, person) is None:
        return ["未参加失业保险"]
    problem = _separation_problem(last.separation if last else separation)
    problems = [problem] if problem else []
    ended = last.end_date if last else None
    if registered is None:
        problems.append("未办理失业登记")
    elif ended and registered < ended:
        problems.append(f"失业登记日期{registered}早于终止就业日期{ended}")
    elif registered > clock.today():
        problems.append("失业登记日期不能晚于今天")
    return problems


def _award_problems(db: Session, person: Person, previous: Award | None, period: int) -> list[str]:
    problems = []
    if person.status != "active" or person.death_date is not None:
        problems.append("该人员已死亡")
    if previous is not None and previous.status in IN_FORCE and not _expired(previous, period):
        problems.append(f"已有正在领取的失业保险金（待遇编号{previous.id}），不能重复申领")
    if pension.receives_pension(db, person.id):
        problems.append("正在领取基本养老金，不能同时领取失业保险金（《社会保险法》第五十一条）")
    return problems


def determination(db: Session, person: Person, registered: dt.date | None,
                  separation: str | None = None) -> Determination:
    """Eligibility, duration and the monthly amount for a claim with this registration date
    (``separation``: the end reason at the old place, for a relationship transferred in)."""
    today = clock.today()
    found = Determination(person, registered)
    previous = latest_award(db, person.id)
    minimum = agency.param(db, "unemployment.min_paid_months", today)
    paid = records.paid_months(db, person.id, (rules.INSURANCE,))
    if paid < minimum:
        found.problems.append(f"失业前累计缴纳失业保险费{paid}个月，不满{minimum}个月（1年）")
    found.problems += _employment_problems(db, person, registered, separation)
    found.problems += _award_problems(db, person, previous, common_rules.period_of_date(today))
    _compute(db, found, previous, paid)
    _transfer_line(db, found)
    if not found.problems and found.months <= 0:
        found.problems.append("本次缴费年限不足1年且无前次未领完的期限，领取期限为0个月")
    return found


def _transfer_line(db: Session, found: Determination) -> None:
    """A relationship transferred in counts in full while its funds are on the way: the new
    place pays (人社厅发〔2021〕85号; transfers.rules.may_pay_while_pending)."""
    moved = transfer_in(db, found.person)
    if moved is None or moved.status != "open":
        return
    if transfer_rules.may_pay_while_pending(moved.kind, relationship_in=True):
        found.lines.append(_line("失业保险关系转入", f"费用划转中（{moved.ref}）",
                                 "关系已转入，缴费年限累计计算；费用未到账不影响享受失业保险待遇"))


def _counted_months(db: Session, person: Person, previous: Award | None) -> tuple[int, int | None]:
    """(contribution months counted for this claim, the month after which they count):
    all of them for a first claim; since the last benefit's last month drawn otherwise."""
    if previous is None:
        return records.contribution_months(db, [person.id], (rules.INSURANCE,))[person.id], None
    drawn = db.execute(select(func.max(Payment.period)).where(
        Payment.award_id == previous.id)).scalar() or previous.start_period
    after = min(drawn, previous.last_period or drawn)
    return records.paid_months(db, person.id, (rules.INSURANCE,), after=after), after


def _compute(db: Session, found: Determination, previous: Award | None, paid: int) -> None:
    person, day = found.person, found.registration_date or clock.today()
    table = agency.param(db, "unemployment.duration_months", day)
    counted, after = _counted_months(db, person, previous)
    found.new_months = rules.duration_months(counted, table)
    found.carried = months_kept(db, previous)
    found.months = rules.entitled_months(found.new_months, found.carried, table)
    found.monthly = agency.param(db, "unemployment.monthly_benefit", day)
    living = agency.param(db, "unemployment.minimum_living", day)
    wage = agency.param(db, "unemployment.minimum_wage", day)
    if problem := rules.amount_problem(found.monthly, living, wage):
        found.problems.append(problem)
    if found.registration_date is not None and found.months > 0:
        found.start = common_rules.period_of_date(found.registration_date)
        found.last = rules.last_period(found.start, found.months)
    years, rest = divmod(counted, common_rules.MONTHS)
    since = f"前次失业保险金{_label(after)}之后重新计算" if after else "首次申领，累计计算"
    found.lines = [
        _line("累计缴纳失业保险费", f"{paid}个月", "用人单位和本人均已缴费的月数"),
        _line("计算期限的缴费时间", f"{counted}个月（{years}年{rest}个月）", since),
        _line("本次缴费年限对应期限", f"{found.new_months}个月",
              "满1年不足5年12个月；满5年不足10年18个月；10年以上24个月"),
        _line("前次未领完并入", f"{found.carried}个月", "与前次应领而未领的期限合并计算"),
        _line("领取期限", f"{found.months}个月", f"合并后最长{table['max']}个月"),
        _line("失业保险金月标准", _yuan(found.monthly),
              f"最低生活保障标准{_yuan(living)}至最低工资标准{_yuan(wage)}之间"),
        _line("应领总额", _yuan(found.total), f"{_yuan(found.monthly)} × {found.months}个月"),
    ]
    if found.start is not None:
        found.lines.append(_line("发放月份", f"{_label(found.start)}至{_label(found.last)}",
                                 "自失业登记之日起按月发放"))
    found.inputs = {"registration_date": day.isoformat(), "paid_months": paid,
                    "counted_months": counted, "counted_after": after,
                    "new_months": found.new_months, "carried_months": found.carried,
                    "months": found.months, "monthly": found.monthly,
                    "minimum_living": living, "minimum_wage": wage,
                    "previous_award": previous.id if previous else None}


# --- reads ---------------------------------------------------------------------------------------

def _preview_of(found: Determination) -> UnemploymentPreview:
    return UnemploymentPreview(
        ssn=found.person.ssn, name=found.person.name, eligible=not found.problems,
        problems=found.problems, monthly=str(to_yuan(found.monthly)), months=found.months,
        new_months=found.new_months, carried_months=found.carried,
        total=str(to_yuan(found.total)), start_period=found.start, last_period=found.last,
        lines=[Line(**x) for x in found.lines], basis=BASIS)


def preview(db: Session, actor: Actor, ssn: str, registration_date: dt.date | None = None,
            separation: str | None = None) -> UnemploymentPreview:
    """What a determination made today would say (staff's claim screen, the person's own
    estimate); no writes. Staff reads are logged (查询留痕)."""
    person = find_person(db, ssn)
    subject = person_subject(person)
    if actor.subject != subject:
        require(actor, "benefits.read")
        audit.log_access(db, actor, subject, "unemployment_preview")
    return _preview_of(determination(db, person, registration_date or clock.today(), separation))


# --- the act (final approval of BEN-UNEMPLOYMENT) ------------------------------------------------

def _require_case(actor: Actor) -> None:
    require(actor, "cases.act" if actor.channel == "case" else "cases.intake")


@transactional
def determine_unemployment(db: Session, actor: Actor, ssn: str,
                           data: UnemploymentClaim) -> Award:
    """核定失业保险金: refused with every reason at once; otherwise the award, any back pay for
    months already run, and the decision notice."""
    _require_case(actor)
    person = find_person(db, ssn, lock=True)
    found = determination(db, person, data.registration_date, data.separation)
    if found.problems:
        raise InvalidInput("unemployment.not_eligible", "不符合领取失业保险金的条件：" +
                           "；".join(found.problems), "payload.registration_date")
    _close_expired(db, person)
    award = Award(person_id=person.id, kind=KIND, case_id=actor.case_id, status="active",
                  start_period=found.start, last_period=found.last,
                  monthly_amount=found.monthly, basic_amount=found.monthly,
                  breakdown=json.dumps({"lines": found.lines, "inputs": found.inputs},
                                       ensure_ascii=False),
                  basis=BASIS, payee_name=person.name, bank_account=data.bank_account,
                  decided_on=clock.today(), decided_by=actor.username)
    db.add(award)
    db.flush()
    back = _back_pay(db, award)
    _tell(db, person, award, found, back)
    audit.record(db, actor, "benefits.determine_unemployment", person_subject(person),
                 after={**snapshot(award), "back_pay_months": back})
    return award


def _close_expired(db: Session, person: Person) -> None:
    """An earlier award whose months are all past leaves the in-force set (领取期满)."""
    period = common_rules.period_of_date(clock.today())
    for award in db.execute(select(Award).where(Award.person_id == person.id, Award.kind == KIND,
                                                Award.status == "active")).scalars():
        if _expired(award, period):
            award.status, award.stop_reason = "stopped", "领取期满"
    db.flush()


def _back_pay(db: Session, award: Award) -> list[int]:
    """补发: the award's months the payroll has run already, each once, waiting for the next run."""
    latest = db.execute(select(func.max(PayrollRun.period))).scalar()
    if latest is None:
        return []
    months, period = [], award.start_period
    while period <= min(latest, award.last_period):
        months.append(period)
        period = common_rules.next_period(period)
    today = clock.today()
    db.add_all(Payment(run_id=None, award_id=award.id, person_id=award.person_id, period=p,
                       kind="back_pay", gross=award.monthly_amount, deduction=0,
                       net=award.monthly_amount, bank_account=award.bank_account, paid_on=today)
               for p in months)
    db.flush()
    return months


def _tell(db: Session, person: Person, award: Award, found: Determination,
          back: list[int]) -> None:
    extra = f"，其中{len(back)}个月随下次发放补发" if back else ""
    notify(db, person.ssn, "unemployment_award",
           f"您的失业保险金已核定：每月{_yuan(award.monthly_amount)}，领取期限{found.months}个月"
           f"（含前次未领完{found.carried}个月），自{_label(award.start_period)}起至"
           f"{_label(award.last_period)}按月发放{extra}；领取期间由失业保险基金代缴职工基本医疗保险费。"
           f"依据：{BASIS}。", phone=person.phone)


# --- a person's unemployment benefit (staff, or the person himself) ------------------------------

def record_of(db: Session, actor: Actor, ssn: str) -> dict:
    """Awards with breakdown, months used and left, payments and stop events, newest first."""
    person = find_person(db, ssn)
    subject = person_subject(person)
    if actor.subject != subject:
        require(actor, "benefits.read")
        audit.log_access(db, actor, subject, "unemployment")
    awards = list(db.execute(select(Award).where(Award.person_id == person.id, Award.kind == KIND)
                             .order_by(Award.id.desc())).scalars())
    rows = []
    for award in awards:
        used = months_drawn(db, award)
        payments = list(db.execute(select(Payment).where(Payment.award_id == award.id)
                                   .order_by(Payment.period.desc())).scalars())
        events = list(db.execute(select(AwardEvent).where(AwardEvent.award_id == award.id)
                                 .order_by(AwardEvent.id)).scalars())
        rows.append({"award": award, "lines": json.loads(award.breakdown).get("lines", []),
                     "entitled": entitled_of(award), "used": used,
                     "left": months_kept(db, award), "payments": payments,
                     "events": events})
    subsidies = [(a, json.loads(a.breakdown).get("lines", []),
                  db.execute(select(Payment).where(Payment.award_id == a.id)).scalars().first())
                 for a in sorted(_subsidies(db, person), key=lambda a: -a.id)]
    return {"person": person, "awards": rows, "subsidies": subsidies}


# --- stops (R§25; 《社会保险法》第五十一条): the months left are kept for a later claim -------------

def _in_force(db: Session, person: Person) -> list[Award]:
    return stops.applicable(db, person, "reemployment")


def stop_on_enrollment(db: Session, actor: Actor, enrollment: Enrollment) -> None:
    """A new enrollment through an employer is a new employment (重新就业): the person's
    unemployment benefit stops from the month after it starts. Called by registration."""
    if enrollment.employer_id is None:
        return
    person = db.get(Person, enrollment.person_id)
    awards = _in_force(db, person)
    if not awards:
        return
    employer = enrollment.employer.name if enrollment.employer else ""
    stops.report_event(db, actor, person, awards, reason="reemployment",
                       event_date=enrollment.start_date, reported_on=clock.today(),
                       source="employer", reporter_name=employer, phone="",
                       source_ref=f"enrollment:{enrollment.id}", note="新的参保登记（重新就业）")


def stop_on_pension(db: Session, actor: Actor, pension_award: Award) -> None:
    """A basic pension determined (享受基本养老保险待遇) ends the unemployment benefit from the
    pension's first month. Called by the pension determination."""
    person = db.get(Person, pension_award.person_id)
    awards = _in_force(db, person)
    if not awards:
        return
    start = pension_award.start_period
    day_before = dt.date(start // 100, start % 100, 1) - dt.timedelta(days=1)
    stops.report_event(db, actor, person, awards, reason="pension_start", event_date=day_before,
                       reported_on=clock.today(), source="case", reporter_name="养老保险待遇核定",
                       phone="", source_ref=f"award:{pension_award.id}", note="按月领取基本养老金")


def stop_on_transfer(db: Session, actor: Actor, person_id: int, ref: str) -> None:
    """转出 (R§16 解读): the new place confirmed the unemployment transfer, so the benefit paid
    here stops from the month after; the months left are kept on the award (and moved with
    the funds). Called by transfers at the confirmation."""
    person = db.get(Person, person_id)
    awards = _in_force(db, person)
    if not awards:
        return
    stops.report_event(db, actor, person, awards, reason="transfer_out", event_date=clock.today(),
                       reported_on=clock.today(), source="case", reporter_name="失业保险关系转移",
                       phone="", source_ref=f"transfer:{ref}", note=f"失业保险关系转出（{ref}）")


@transactional
def record_refusal(db: Session, actor: Actor, ssn: str, data: RefusalIn) -> AwardEvent:
    """无正当理由拒不接受推荐的适当工作或培训: each refusal is recorded on the award; the second
    stops it (《失业保险条例》第十五条第五项；《失业保险金申领发放办法》第十七条)."""
    require(actor, "benefits.stop")
    person = find_person(db, ssn, lock=True)
    awards = _in_force(db, person)
    if not awards:
        raise Conflict("unemployment.no_award", "该人员没有正在领取的失业保险金", "ssn")
    if not data.refused_on <= clock.today():
        raise InvalidInput("unemployment.refused_on", "拒绝日期不能晚于今天", "refused_on")
    award = awards[0]
    event = AwardEvent(award_id=award.id, kind="refusal", reason="refused_work",
                       event_date=data.refused_on,
                       effective_period=common_rules.period_of_date(data.refused_on),
                       source="case", source_ref="", reported_on=clock.today(),
                       note=data.note[:300], recorded_by=actor.username)
    db.add(event)
    db.flush()
    audit.record(db, actor, "benefits.unemployment_refusal", person_subject(person),
                 after=snapshot(event))
    refusals = db.execute(select(func.count()).where(
        AwardEvent.award_id == award.id, AwardEvent.kind == "refusal")).scalar()
    if refusals >= rules.REFUSALS_TO_STOP:
        stops.report_event(db, actor, person, awards, reason="refused_work",
                           event_date=data.refused_on, reported_on=clock.today(), source="case",
                           reporter_name="公共就业服务机构", phone="",
                           source_ref=f"refusal:{event.id}", note=data.note)
    return event


# --- the staff's list of unemployment benefits ------------------------------------------------------

STATUS_NAMES = {"active": "发放中", "suspended": "暂停", "stopped": "已终止", "replaced": "已重新核定"}


def awards(db: Session, actor: Actor, limit: int = 200) -> list[dict]:
    """Unemployment benefits determined, newest first, with months entitled, used and left
    (staff, and the fund's accountant who runs their payroll)."""
    if not can(actor, "benefits.payroll_read"):
        require(actor, "benefits.read")
    rows = db.execute(select(Award, Person).join(Person, Person.id == Award.person_id)
                      .where(Award.kind == KIND).order_by(Award.id.desc()).limit(limit)).all()
    found = []
    for award, person in rows:
        used = months_drawn(db, award)
        found.append({"award": award, "person": person, "entitled": entitled_of(award),
                      "used": used, "left": months_kept(db, award),
                      "status": STATUS_NAMES.get(award.status, award.status)})
    return found


def awards_xlsx(db: Session, actor: Actor) -> bytes:
    """The list above as a sheet (money in yuan)."""
    rows = [(r["person"].ssn, r["person"].name, r["award"].start_period, r["award"].last_period,
             r["entitled"], r["used"], r["left"], r["award"].monthly_amount,
             r["award"].monthly_amount * r["entitled"], r["status"], r["award"].stop_reason,
             r["award"].decided_on.isoformat())
            for r in awards(db, actor, limit=100_000)]
    return workbook("失业保险金", ["社会保障号码", "姓名", "起发月份", "最后发放月份", "领取期限（月）",
                                  "已领月数", "剩余月数", "月标准（元）", "应领总额（元）", "状态",
                                  "终止原因", "核定日期"], rows, money=(7, 8))


# --- for the unemployment transfer (transfers asks through its hook) ---------------------------------

def remaining_entitlement(db: Session, person_id: int) -> tuple[int, int, int] | None:
    """(months left, monthly amount, months received) of a person who had an unemployment
    benefit here, or None: while receiving, the months the award has left; after it, the
    months a claim today would give (the recount since it plus what it left, 第十七条)."""
    previous = latest_award(db, person_id)
    if previous is None:
        return None
    received = months_drawn(db, previous)
    period = common_rules.period_of_date(clock.today())
    if previous.status in IN_FORCE and not _expired(previous, period):
        return months_left(db, previous), previous.monthly_amount, received
    person = db.get(Person, person_id)
    table = agency.param(db, "unemployment.duration_months", clock.today())
    counted, _ = _counted_months(db, person, previous)
    months = rules.entitled_months(rules.duration_months(counted, table),
                                   months_kept(db, previous), table)
    return months, agency.param(db, "unemployment.monthly_benefit", clock.today()), received


# --- 技能提升补贴 (BEN-TRAINING, 10 wd; 人社部发〔2017〕40号) -------------------------------------

TRAINING_ITEM = "BEN-TRAINING"
TRAINING_BASIS = ("《社会保险经办条例》第二十四条；《人力资源社会保障部 财政部关于失业保险支持参保职工"
                  "提升职业技能有关问题的通知》（人社部发〔2017〕40号）；人社厅发〔2019〕94号")
audit.ACT_NAMES["benefits.grant_training_subsidy"] = "核发技能提升补贴"


def _subsidies(db: Session, person: Person) -> list[Award]:
    return list(db.execute(select(Award).where(Award.person_id == person.id,
                                               Award.kind == rules.TRAINING_KIND)).scalars())


def training_problems(db: Session, person: Person, data: TrainingClaim) -> list[str]:
    """Eligibility for the subsidy on this certificate, every reason at once."""
    today = clock.today()
    earlier = _subsidies(db, person)
    same = any(json.loads(a.breakdown).get("inputs", {}).get("certificate_number")
               == data.certificate_number for a in earlier)
    this_year = sum(1 for a in earlier if a.decided_on.year == today.year)
    return rules.training_problems(
        records.paid_months(db, person.id, (rules.INSURANCE,)),
        agency.param(db, "unemployment.training_min_paid_months", today), data.issued_on, today,
        agency.param(db, "unemployment.training_window_months", today), same, this_year,
        agency.param(db, "unemployment.training_per_year", today))


@transactional
def grant_training_subsidy(db: Session, actor: Actor, ssn: str, data: TrainingClaim) -> Award:
    """核发技能提升补贴 on final approval of BEN-TRAINING: a one-off award paid once by the next
    payroll (its payment waits, 待发放), from the unemployment fund."""
    _require_case(actor)
    person = find_person(db, ssn, lock=True)
    if problems := training_problems(db, person, data):
        raise InvalidInput("unemployment.training", "不符合申领技能提升补贴的条件：" + "；".join(problems),
                           "payload.issued_on")
    award = _training_award(db, actor, person, data)
    db.add(Payment(award_id=award.id, person_id=person.id, period=award.start_period,
                   kind="regular", gross=award.monthly_amount, deduction=0,
                   net=award.monthly_amount, bank_account=data.bank_account, paid_on=clock.today()))
    db.flush()
    level = rules.LEVELS[data.certificate_level]
    notify(db, person.ssn, "training_subsidy",
           f"您的技能提升补贴已核定：{_yuan(award.monthly_amount)}（{data.occupation}{level}证书），"
           f"于{_label(award.start_period)}发放至您的银行账户。依据：{TRAINING_BASIS}。",
           phone=person.phone)
    audit.record(db, actor, "benefits.grant_training_subsidy", person_subject(person),
                 after=snapshot(award))
    return award


def _training_award(db: Session, actor: Actor, person: Person, data: TrainingClaim) -> Award:
    """The one-off award (status stopped at once: nothing monthly follows), paid next month."""
    amount = int(agency.param(db, "unemployment.training_subsidy",
                              data.issued_on)[data.certificate_level])
    today = clock.today()
    period = common_rules.next_period(common_rules.period_of_date(today))
    level = rules.LEVELS[data.certificate_level]
    lines = [_line("证书", f"{data.occupation}（{level}）",
                   f"编号{data.certificate_number}，{data.issued_on}核发"),
             _line("补贴标准", _yuan(amount), f"按证书等级{level}"),
             _line("发放月份", _label(period), "核定次月随待遇发放一次性发放")]
    inputs = {"certificate_number": data.certificate_number, "level": data.certificate_level,
              "occupation": data.occupation, "issued_on": data.issued_on.isoformat(),
              "amount": amount}
    award = Award(person_id=person.id, kind=rules.TRAINING_KIND, case_id=actor.case_id,
                  status="stopped", stop_reason="一次性发放", start_period=period,
                  last_period=period, monthly_amount=amount,
                  breakdown=json.dumps({"lines": lines, "inputs": inputs}, ensure_ascii=False),
                  basis=TRAINING_BASIS, payee_name=person.name, bank_account=data.bank_account,
                  decided_on=today, decided_by=actor.username)
    db.add(award)
    db.flush()
    return award
