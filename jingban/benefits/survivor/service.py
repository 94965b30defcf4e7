"""Survivor benefits (遗属待遇: 丧葬补助金 + 抚恤金, R§19; 人社部发〔2021〕18号).

A claim is a case (BEN-SURVIVOR) taken from the dependant; final approval runs
``determine_survivor``, which records a one-off Award of kind ``survivor`` on the deceased's
person id (payee: the dependant, with the dependant's bank account) and its single Payment for
the month after approval, waiting (``run_id`` NULL, 待发放) for the next payroll run to carry it
in the bank file — so it is paid exactly once, even when that month's run has already been made.
The payroll's INSERT … SELECT skips it (the award + month key exists) and its deduction step
skips it (the offset is already on it).

Any open overpayment debt of the deceased (R§46) is offset against it: the interpretation of
R§46 names 一次性遗属待遇 among the later benefits recovery may be taken from, and the share of
the payment that may be offset is the policy ``benefits.recovery.survivor_offset_ratio``.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, Payment
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.benefits.survivor import rules
from jingban.benefits.survivor.schemas import RELATIONSHIPS, SurvivorClaim
from jingban.cases.models import Case
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import InvalidInput
from jingban.core.money import format_yuan, round_fen
from jingban.core.privacy import mask_id  # sec15
from jingban.notices.models import Notification
from jingban.notices.service import notify
from jingban.records import service as records
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.service import find_person, person_subject

ITEM = "BEN-SURVIVOR"
KIND = "survivor"
# 失业保险条例第二十条: who dies while receiving unemployment benefit — the same grant and
# pension as for an employee (参照当地对在职职工的规定), paid by the unemployment fund; the
# dependants take one of the two, never both (《社会保险法》第四十九条).
UNEMPLOYMENT_KIND = "survivor_unemployment"
KINDS = (KIND, UNEMPLOYMENT_KIND)
UNEMPLOYMENT_BASIS = ("；《失业保险条例》第二十条（领取失业保险金期间死亡，参照在职职工的规定，"
                      "由失业保险基金支付丧葬补助金和抚恤金）")
PROMPT_KIND = "survivor:"  # + person id: one prompt per deceased person
AGENCY_RECIPIENT = "agency"  # the agency's own work list (经办待办)
DEBTS_OPEN = ("open", "agreement", "defaulted")
BASIS = ("《社会保险经办条例》第十九条；人社部发〔2021〕18号《企业职工基本养老保险遗属待遇暂行办法》"
         "第一条至第三条；《社会保险经办条例》第四十六条及其解读（多领待遇可从一次性遗属待遇中抵扣）")
audit.ACT_NAMES.update({"benefits.determine_survivor": "核定遗属待遇",
                        "benefits.survivor_prompt": "提示申领遗属待遇"})


@dataclass
class Calculation:
    """What a survivor determination made today would be (amounts in fen)."""

    person: Person
    problems: list[str]
    lines: list[dict] = field(default_factory=list)
    funeral: int = 0
    pension: int = 0
    offset: int = 0
    debts: list[tuple[Debt, int, int]] = field(default_factory=list)  # (debt, offset, balance)
    inputs: dict = field(default_factory=dict)
    kind: str = KIND  # survivor_unemployment when the unemployment fund pays

    @property
    def total(self) -> int:
        return self.funeral + self.pension

    @property
    def net(self) -> int:
        return self.total - self.offset


def _line(label: str, value: str, note: str = "") -> dict:
    return {"label": label, "value": value, "note": note}


def _yuan(fen: int) -> str:
    return f"{format_yuan(fen)}元"


def _insured(db: Session, person: Person) -> bool:
    return db.execute(select(exists().where(Enrollment.person_id == person.id,
                                            Enrollment.insurance == "pension_enterprise"))).scalar() \
        or unemployed_at_death(db, person)


def unemployed_at_death(db: Session, person: Person) -> bool:
    """Whether the person was receiving unemployment benefit in the month of death (an award
    due that month, in force or stopped by the death itself)."""
    if person.death_date is None:
        return False
    died = common_rules.period_of_date(person.death_date)
    return db.execute(select(exists().where(
        Award.person_id == person.id, Award.kind == "unemployment",
        Award.status.in_(("active", "suspended", "stopped")), Award.start_period <= died,
        (Award.last_period.is_(None)) | (Award.last_period >= died)))).scalar()


def _pension_months_received(db: Session, person: Person) -> int | None:
    """Months of pension from the first award's start to the month of death (paid through
    the month of death, R§25 解读); None when the person never drew a pension."""
    start = db.execute(select(func.min(Award.start_period)).where(
        Award.person_id == person.id, Award.kind == "pension_enterprise")).scalar()
    if start is None:
        return None
    died = common_rules.period_of_date(person.death_date)
    months = (died // 100 - start // 100) * common_rules.MONTHS + died % 100 - start % 100 + 1
    return max(0, months)


def own_contributions(db: Session, person_id: int) -> int:
    """个人缴费之和: employees' personal contributions; for those insured as individuals (no
    employer on the row) only what was credited to the individual account (18号文 第三条)."""
    reversal = aliased(Contribution)
    employed, individual = db.execute(
        select(func.coalesce(func.sum(Contribution.personal_amount)
                             .filter(Contribution.employer_id.is_not(None)), 0),
               func.coalesce(func.sum(Contribution.account_amount)
                             .filter(Contribution.employer_id.is_(None)), 0))
        .where(Contribution.person_id == person_id, Contribution.kind == "posted",
               Contribution.insurance.in_(common_rules.PENSION_SCHEMES),
               ~exists().where(reversal.reverses_id == Contribution.id))).one()
    return int(employed) + int(individual)


def _open_debts(db: Session, person_id: int, fund: str) -> list[tuple[Debt, int]]:
    """The deceased's debts still owed to ``fund``, oldest first, with their balances (a debt
    is offset only against what its own fund pays)."""
    balance = (select(func.coalesce(func.sum(DebtEntry.amount), 0))
               .where(DebtEntry.debt_id == Debt.id).scalar_subquery())
    rows = db.execute(select(Debt, balance, Award.kind).where(Debt.person_id == person_id,
                                                              Debt.status.in_(DEBTS_OPEN))
                      .outerjoin(Award, Award.id == Debt.award_id).order_by(Debt.id)).all()
    return [(debt, int(owed)) for debt, owed, kind in rows
            if owed > 0 and common_rules.fund_of(kind) == fund]


def calculation(db: Session, person: Person) -> Calculation:
    """Eligibility and the amounts (人社部发〔2021〕18号), every step written out."""
    problems = []
    if person.death_date is None:
        problems.append("该参保人未登记死亡，请先核实死亡信息（死亡登记或公安共享数据）")
    if not _insured(db, person):
        problems.append("该人员未参加企业职工基本养老保险，死亡时也未领取失业保险金")
    if db.execute(select(Award.id).where(Award.person_id == person.id,
                                         Award.kind.in_(KINDS))).first():
        problems.append("该参保人的遗属待遇已核定，不能重复申领")
    found = Calculation(person, problems)
    if person.death_date is None:
        return found
    if unemployed_at_death(db, person):
        found.kind = UNEMPLOYMENT_KIND
    _compute(db, found)
    if found.kind == UNEMPLOYMENT_KIND:
        found.lines.append(_line("支付基金", "失业保险基金",
                                 "领取失业保险金期间死亡，参照在职职工的规定（《失业保险条例》第二十条）"))
    return found


def _compute(db: Session, found: Calculation) -> None:
    if found.kind == UNEMPLOYMENT_KIND:
        _compute_unemployed(db, found)
        return
    person, died = found.person, found.person.death_date
    income = agency.param(db, "survivor.monthly_disposable_income", died)
    multiple = agency.param(db, "survivor.funeral_multiple", died)
    table = agency.param(db, "survivor.months", died)
    months = records.contribution_months(db, [person.id], common_rules.PENSION_SCHEMES)[person.id]
    deemed = months - records.paid_months(db, person.id, common_rules.PENSION_SCHEMES)
    received = _pension_months_received(db, person)
    count = rules.survivor_months(months, received, table)
    own = own_contributions(db, person.id) if months < table["short_years"] * common_rules.MONTHS else None
    found.funeral, found.pension = rules.survivor_benefits(income, multiple, count, months, own, table)
    years, rest = divmod(months, common_rules.MONTHS)
    found.lines = [
        _line("死亡日期", f"{died:%Y-%m-%d}"),
        _line("累计缴费年限", f"{months}个月（{years}年{rest}个月）", f"含视同缴费{deemed}个月；按满年计算"),
        _line("上年度全省城镇居民月人均可支配收入", _yuan(income), "死亡时本省公布的上一年度数"),
        _line("丧葬补助金", _yuan(income * multiple), f"月人均可支配收入 × {multiple}"),
        _line("抚恤金发放月数", f"{count}个月", _months_note(months, received, table)),
        _line("抚恤金", _yuan(income * count), f"月人均可支配收入 × {count}个月"),
    ]
    if own is not None and found.total < income * (multiple + count):
        found.lines.append(_line("不足5年封顶", _yuan(found.total),
                                 f"缴费不足5年，遗属待遇不超过本人个人缴费之和{_yuan(own)}"))
    found.lines.append(_line("遗属待遇合计", _yuan(found.total),
                             f"丧葬补助金 {_yuan(found.funeral)} + 抚恤金 {_yuan(found.pension)}"))
    _offset(db, found)
    found.inputs = {"death_date": died.isoformat(), "contribution_months": months,
                    "deemed_months": deemed, "pension_months_received": received,
                    "monthly_income": income, "funeral_multiple": multiple, "months": count,
                    "own_contributions": own, "funeral": found.funeral, "pension": found.pension,
                    "offset": found.offset}


def _compute_unemployed(db: Session, found: Calculation) -> None:
    """Death while receiving unemployment benefit: the unemployment fund's rule (policy
    ``unemployment.survivor``, 参照当地对在职职工死亡的规定), independent of the pension years."""
    person, died = found.person, found.person.death_date
    income = agency.param(db, "survivor.monthly_disposable_income", died)
    table = agency.param(db, "unemployment.survivor", died)
    months = records.contribution_months(db, [person.id], common_rules.PENSION_SCHEMES)[person.id]
    found.funeral, found.pension = rules.unemployed_survivor_benefits(income, table)
    multiple, count = int(table["funeral_multiple"]), int(table["pension_months"])
    found.lines = [
        _line("死亡日期", f"{died:%Y-%m-%d}"),
        _line("上年度全省城镇居民月人均可支配收入", _yuan(income), "死亡时本省公布的上一年度数"),
        _line("丧葬补助金", _yuan(found.funeral), f"月人均可支配收入 × {multiple}"),
        _line("抚恤金发放月数", f"{count}个月", "领取失业保险金期间死亡，参照当地在职职工死亡的规定，"
              "不按养老保险缴费年限计算"),
        _line("抚恤金", _yuan(found.pension), f"月人均可支配收入 × {count}个月"),
        _line("遗属待遇合计", _yuan(found.total),
              f"丧葬补助金 {_yuan(found.funeral)} + 抚恤金 {_yuan(found.pension)}"),
    ]
    _offset(db, found)
    found.inputs = {"death_date": died.isoformat(), "contribution_months": months,
                    "deemed_months": None, "pension_months_received": None,
                    "monthly_income": income, "funeral_multiple": multiple, "months": count,
                    "own_contributions": None, "funeral": found.funeral, "pension": found.pension,
                    "offset": found.offset, "rule": "unemployment.survivor"}


def _months_note(months: int, received: int | None, table: dict) -> str:
    working = rules.survivor_months(months, None, table)
    if received is None:
        return f"在职死亡：按缴费年限{months // common_rules.MONTHS}年确定"
    years = received // common_rules.MONTHS
    return (f"退休人员：按在职缴费年限确定{working}个月，已领取养老金{received}个月（满{years}年）"
            f"减{years}个月，最低{table['retiree_min']}个月、最高{table['max']}个月")


def _offset(db: Session, found: Calculation) -> None:
    """多领待遇抵扣 (R§46): the deceased's open debts, oldest first, up to the policy share."""
    ratio = Decimal(agency.param(db, "benefits.recovery.survivor_offset_ratio",
                                 found.person.death_date))
    room = min(found.total, round_fen(Decimal(found.total) * ratio))
    for debt, owed in _open_debts(db, found.person.id, common_rules.fund_of(found.kind)):
        take = min(owed, room)
        if take <= 0:
            break
        found.debts.append((debt, take, owed))
        found.offset += take
        room -= take
    if found.offset:
        found.lines.append(_line("抵扣多领待遇", f"-{_yuan(found.offset)}",
                                 "死者生前多领的养老金从一次性遗属待遇中抵扣（《社会保险经办条例》第四十六条）"))
        found.lines.append(_line("实发金额", _yuan(found.net)))


def _start_period() -> int:
    today = clock.today()
    return common_rules.next_period(common_rules.period_of(today.year, today.month))


# --- reads ---------------------------------------------------------------------------------------

def preview(db: Session, actor: Actor, ssn: str) -> Calculation:
    """The calculation for the clerk's claim screen (no writes)."""
    require(actor, "benefits.read")
    person = find_person(db, ssn)
    audit.log_access(db, actor, person_subject(person), "survivor_preview")
    return calculation(db, person)


def prompts(db: Session, actor: Actor, limit: int = 200) -> list[tuple[Notification, Person]]:
    """可申领遗属待遇提示: deaths on the feed whose survivor benefit is not yet determined."""
    require(actor, "benefits.read")
    notes = db.execute(select(Notification).where(
        Notification.recipient == AGENCY_RECIPIENT, Notification.kind.like(f"{PROMPT_KIND}%"))
        .order_by(Notification.id.desc()).limit(limit)).scalars().all()
    ids = {int(n.kind.removeprefix(PROMPT_KIND)): n for n in notes}
    done = set(db.execute(select(Award.person_id).where(Award.kind.in_(KINDS),
                                                        Award.person_id.in_(ids))).scalars())
    persons = {p.id: p for p in db.execute(select(Person).where(Person.id.in_(ids))).scalars()}
    return [(note, persons[pid]) for pid, note in ids.items() if pid not in done and pid in persons]


def awards(db: Session, actor: Actor, limit: int = 100) -> list[tuple[Award, Person, Payment | None]]:
    """Survivor benefits determined, newest first, with their one payment."""
    require(actor, "benefits.read")
    return [tuple(row) for row in db.execute(
        select(Award, Person, Payment).join(Person, Person.id == Award.person_id)
        .outerjoin(Payment, Payment.award_id == Award.id).where(Award.kind.in_(KINDS))
        .order_by(Award.id.desc()).limit(limit)).all()]


# --- the act (final approval of BEN-SURVIVOR) ------------------------------------------------------

def applicant(db: Session, data: SurvivorClaim) -> tuple[str, str, str]:
    """The case is about the deceased; the applicant (and payee) is the dependant."""
    person = find_person(db, data.ssn)
    if data.applicant_id_number.upper() == person.ssn:
        raise InvalidInput("survivor.applicant", "申领人应为死亡参保人的遗属，不能是参保人本人",
                           "payload.applicant_id_number")
    return person_subject(person), data.applicant_id_number.upper(), data.applicant_name


@transactional
def determine_survivor(db: Session, actor: Actor, _key, data: SurvivorClaim) -> Award:
    """核定遗属待遇: the one-off award, its single payment (with any debt offset) and the
    decision notice to the dependant."""
    require(actor, "cases.act" if actor.channel == "case" else "cases.intake")
    person = find_person(db, data.ssn, lock=True)
    found = calculation(db, person)
    if found.problems:
        raise InvalidInput("survivor.not_eligible", "不符合申领遗属待遇的条件：" +
                           "；".join(found.problems), "payload.ssn")
    period, today = _start_period(), clock.today()
    relation = RELATIONSHIPS[data.relationship]
    lines = [*found.lines, _line("领取人", f"{data.applicant_name}（{relation}）"),
             _line("发放月份", f"{period // 100}年{period % 100:02d}月", "核定次月随待遇发放一次性发放")]
    unemployed = found.kind == UNEMPLOYMENT_KIND
    award = Award(person_id=person.id, kind=found.kind,
                  case_id=actor.case_id, status="active",
                  start_period=period, last_period=period, monthly_amount=found.total,
                  breakdown=json.dumps({"lines": lines, "inputs": found.inputs,
                                        "relationship": data.relationship}, ensure_ascii=False),
                  basis=BASIS + (UNEMPLOYMENT_BASIS if unemployed else ""),
                  payee_name=data.applicant_name, bank_account=data.bank_account,
                  decided_on=today, decided_by=actor.username)
    db.add(award)
    db.flush()
    payment = Payment(award_id=award.id, person_id=person.id, period=period, kind="regular",
                      gross=found.total, deduction=found.offset, net=found.net,
                      bank_account=data.bank_account, paid_on=today)
    db.add(payment)
    db.flush()
    _record_offset(db, actor, found, payment, today)
    _tell(db, data, person, award, found)
    audit.record(db, actor, "benefits.determine_survivor", person_subject(person),
                 after={**snapshot(award), "payment_id": payment.id, "offset": found.offset})
    return award


def _record_offset(db: Session, actor: Actor, found: Calculation, payment: Payment,
                   today: dt.date) -> None:
    """The ledger entries (the first carries the payment: one entry per payment id)."""
    for number, (debt, amount, owed) in enumerate(found.debts):
        db.add(DebtEntry(debt_id=debt.id, kind="deduction", amount=-amount,
                         payment_id=payment.id if number == 0 else None, entry_on=today,
                         reference=f"payment:{payment.id}", recorded_by=actor.username))
        if amount >= owed:
            debt.status = "settled"
    db.flush()


def _tell(db: Session, data: SurvivorClaim, person: Person, award: Award,
          found: Calculation) -> None:
    period = award.start_period
    offset = (f"，抵扣{person.name}生前多领的待遇{_yuan(found.offset)}，实发{_yuan(found.net)}"
              if found.offset else "")
    notify(db, data.applicant_id_number.upper(), "survivor_award",
           f"{person.name}的遗属待遇已核定：丧葬补助金{_yuan(found.funeral)}，抚恤金{_yuan(found.pension)}，"
           f"合计{_yuan(found.total)}{offset}，于{period // 100}年{period % 100:02d}月"
           f"一次性发放至您的银行账户。"
           f"依据：{BASIS}。", phone=data.phone)


# --- the prompt when a death arrives (SPEC §12) ------------------------------------------------------

def prompt_after_death(db: Session, actor: Actor, person: Person) -> int:
    """After a death on the population feed: the agency's work list, and the last employer,
    are told survivor benefits may be claimed. Once per person; nothing for the uninsured."""
    if person.death_date is None or not _insured(db, person):
        return 0
    kind = f"{PROMPT_KIND}{person.id}"
    if db.execute(select(Notification.id).where(Notification.kind == kind)).first():
        return 0
    text = (f"参保人{person.name}（{mask_id(person.ssn)}）于{person.death_date}死亡，"
            f"其遗属可申领丧葬补助金和抚恤金（《社会保险经办条例》第十九条）。")
    notify(db, AGENCY_RECIPIENT, kind, text + "请告知遗属并受理申领。")
    sent = 1
    employer = db.execute(select(Employer).join(Enrollment, Enrollment.employer_id == Employer.id)
                          .where(Enrollment.person_id == person.id,
                                 Enrollment.insurance == "pension_enterprise")
                          .order_by(Enrollment.start_date.desc())).scalars().first()
    name, phone = recovery.heirs_contact(db, person)
    notify(db, recovery.heirs_recipient(person), kind,
           f"{name + '：' if name else ''}{text}遗属可携死亡证明、亲属关系证明到经办机构申领。", phone=phone)
    sent += 1
    if employer is not None:
        notify(db, employer.uscc, kind, text + "请告知其遗属携死亡证明、亲属关系证明到经办机构申领。",
               phone=employer.phone or "")
        sent += 1
    audit.record(db, actor, "benefits.survivor_prompt", person_subject(person),
                 after={"notices": sent})
    return sent


def case_of(db: Session, award: Award) -> Case | None:
    return db.get(Case, award.case_id) if award.case_id else None
