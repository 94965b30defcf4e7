"""Maternity allowance (生育津贴, R§20; 《社会保险法》第五十四条至第五十六条).

A pregnancy is registered first (生育登记: by the woman on the portal or by the clerk). The
claim is a case (BEN-MATERNITY, 10 working days) whose final approval runs
``determine_allowance``: the employer of her maternity insurance on the birth date, its staff's
average monthly contribution wage of the year before the birth (用人单位上年度职工月平均工资) / 30 ×
the days of leave (98, +15 difficult birth, +15 each further baby, + the regional extension in
force on the birth date). It is paid to her once by the next payroll (an award of kind
``maternity``, booked to the maternity fund by the payroll). Maternity medical costs are
medical manual claims of purpose ``maternity`` (jingban.benefits.medical).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session, aliased

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, Payment
from jingban.benefits.maternity import rules
from jingban.benefits.maternity.models import PregnancyRecord
from jingban.benefits.maternity.schemas import Line, MaternityClaim, MaternityPreview, PregnancyIn
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput
from jingban.core.excel import workbook
from jingban.core.money import format_yuan, to_yuan
from jingban.notices.service import notify
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.service import find_person, person_subject

ITEM = "BEN-MATERNITY"
BASIS = ("《社会保险经办条例》第二十条；《社会保险法》第五十四条、第五十六条；"
         "《女职工劳动保护特别规定》第七条")
audit.ACT_NAMES.update({"benefits.determine_maternity": "核定生育津贴",
                        "benefits.register_pregnancy": "生育登记"})


def _yuan(fen: int) -> str:
    return f"{format_yuan(fen)}元"


@dataclass
class Determination:
    person: Person
    problems: list[str] = field(default_factory=list)
    lines: list[dict] = field(default_factory=list)
    days: int = 0
    average: int = 0
    amount: int = 0
    employer: Employer | None = None
    pregnancy: PregnancyRecord | None = None
    inputs: dict = field(default_factory=dict)


def _line(label: str, value: str, note: str = "") -> dict:
    return {"label": label, "value": value, "note": note}


def open_pregnancy(db: Session, person_id: int) -> PregnancyRecord | None:
    return db.execute(select(PregnancyRecord).where(
        PregnancyRecord.person_id == person_id, PregnancyRecord.status == "open")
        .order_by(PregnancyRecord.id.desc()).limit(1)).scalar()


def _enrollment(db: Session, person: Person, day: dt.date) -> Enrollment | None:
    """Her maternity insurance through an employer in force on ``day``."""
    return db.execute(select(Enrollment).where(
        Enrollment.person_id == person.id, Enrollment.insurance == rules.INSURANCE,
        Enrollment.employer_id.is_not(None), Enrollment.start_date <= day,
        (Enrollment.end_date.is_(None)) | (Enrollment.end_date >= day))
        .order_by(Enrollment.start_date.desc())).scalars().first()


def employer_average(db: Session, employer_id: int, year: int) -> tuple[int, int, int]:
    """(contribution wages, person-months, monthly average) of the employer's maternity
    contributions in ``year`` (reversed rows left out)."""
    reversal = aliased(Contribution)
    bases, months = db.execute(select(func.coalesce(func.sum(Contribution.base), 0), func.count()).where(
        Contribution.employer_id == employer_id, Contribution.insurance == rules.INSURANCE,
        Contribution.kind == "posted", Contribution.period >= year * 100 + 1,
        Contribution.period <= year * 100 + 12,
        ~exists().where(reversal.reverses_id == Contribution.id))).one()
    return int(bases), int(months), rules.average_wage(int(bases), int(months))


def determination(db: Session, person: Person, birth: dt.date, babies: int = 1,
                  difficult: bool = False, birth_order: int = 1) -> Determination:
    """Eligibility, days and amount for a birth on ``birth``; every problem at once."""
    found = Determination(person)
    if person.sex != "F":
        found.problems.append("生育津贴由生育的女职工本人申领")
    found.pregnancy = open_pregnancy(db, person.id)
    if found.pregnancy is None:
        found.problems.append("没有生育登记（或该次生育已核定生育津贴），请先办理生育登记")
    if birth > clock.today():
        found.problems.append("分娩日期不能晚于今天")
    enrollment = _enrollment(db, person, birth)
    if enrollment is None:
        found.problems.append(f"分娩日期{birth}未通过用人单位参加生育保险（早于参保或已停保）")
        return found
    found.employer = enrollment.employer
    table = agency.param(db, "maternity.leave_days", birth)
    extension = rules.regional_extension(agency.param(db, "maternity.regional_extension_days", birth),
                                         birth_order)
    divisor = int(agency.param(db, "maternity.allowance_divisor", birth))
    found.days = rules.leave_days(table, difficult, babies, extension)
    bases, months, found.average = employer_average(db, enrollment.employer_id, birth.year - 1)
    if months == 0:
        found.problems.append(f"用人单位{birth.year - 1}年度没有生育保险缴费工资记录，无法计算月平均工资")
    found.amount = rules.allowance(found.average, found.days, divisor)
    found.lines = [
        _line("用人单位", found.employer.name, f"分娩日期{birth}所在的参保单位"),
        _line("上年度职工月平均工资", _yuan(found.average),
              f"{birth.year - 1}年缴费工资合计{_yuan(bases)} ÷ {months}人月"),
        _line("产假天数", f"{found.days}天",
              f"基本{table['base']}天" + (f" + 难产{table['difficult']}天" if difficult else "")
              + (f" + 多胞胎{babies - 1}×{table['per_extra_baby']}天" if babies > 1 else "")
              + (f" + 本地区延长{extension}天（第{birth_order}孩）" if extension else "")),
        _line("生育津贴", _yuan(found.amount), f"{_yuan(found.average)} ÷ {divisor} × {found.days}天"),
    ]
    found.inputs = {"birth_date": birth.isoformat(), "babies": babies, "difficult_birth": difficult,
                    "birth_order": birth_order,
                    "employer_id": enrollment.employer_id, "bases": bases, "person_months": months,
                    "average": found.average, "days": found.days, "extension_days": extension,
                    "divisor": divisor, "amount": found.amount,
                    "pregnancy_id": found.pregnancy.id if found.pregnancy else None}
    return found


def _preview_of(found: Determination) -> MaternityPreview:
    return MaternityPreview(ssn=found.person.ssn, name=found.person.name, eligible=not found.problems,
                            problems=found.problems, days=found.days, average=str(to_yuan(found.average)),
                            amount=str(to_yuan(found.amount)), lines=[Line(**x) for x in found.lines],
                            basis=BASIS)


def _may_read(db: Session, actor: Actor, person: Person, what: str) -> None:
    subject = person_subject(person)
    if actor.subject != subject:
        require(actor, "benefits.read")
        audit.log_access(db, actor, subject, what)


def preview(db: Session, actor: Actor, ssn: str, birth: dt.date | None = None, babies: int = 1,
            difficult: bool = False, birth_order: int = 1) -> MaternityPreview:
    """The estimate before applying (the portal; the clerk's screen): by default for a birth on
    the registered expected date, or today; no writes."""
    person = find_person(db, ssn)
    _may_read(db, actor, person, "maternity_preview")
    if not 1 <= babies <= rules.MAX_BABIES:
        raise InvalidInput("maternity.babies", "婴儿数应在1至9之间", "babies")
    pregnancy = open_pregnancy(db, person.id)
    day = birth or (pregnancy.expected_on if pregnancy else clock.today())
    if not 1 <= birth_order <= rules.MAX_BABIES:
        raise InvalidInput("maternity.birth_order", "孩次应在1至9之间", "birth_order")
    found = determination(db, person, min(day, clock.today()), babies, difficult, birth_order)
    return _preview_of(found)


@transactional
def register_pregnancy(db: Session, actor: Actor, ssn: str, data: PregnancyIn) -> PregnancyRecord:
    """生育登记 by the woman herself or by the clerk: insured for maternity today, no other
    open record, the expected date within ten months."""
    person = find_person(db, ssn, lock=True)
    if actor.subject != person_subject(person):
        require(actor, "benefits.maternity_record")
    today = clock.today()
    problems = []
    if person.sex != "F":
        problems.append("生育登记由孕妇本人办理")
    if _enrollment(db, person, today) is None:
        problems.append("未通过用人单位参加生育保险")
    if not today - dt.timedelta(days=60) <= data.expected_on <= today + dt.timedelta(days=300):
        problems.append("预产期应在今天前60天至后300天之间")
    if problems:
        raise InvalidInput("maternity.pregnancy", "不能办理生育登记：" + "；".join(problems), "expected_on")
    if open_pregnancy(db, person.id) is not None:
        raise Conflict("maternity.pregnancy_open", "已有未办结的生育登记", "expected_on")
    record = PregnancyRecord(person_id=person.id, registered_on=today, expected_on=data.expected_on,
                             hospital=data.hospital, recorded_by=actor.username)
    db.add(record)
    db.flush()
    audit.record(db, actor, "benefits.register_pregnancy", person_subject(person), after=snapshot(record))
    return record


@transactional
def determine_allowance(db: Session, actor: Actor, ssn: str, data: MaternityClaim) -> Award:
    """核定生育津贴 on final approval of BEN-MATERNITY: refused with every reason; otherwise a
    one-off award of the maternity fund paid by the next payroll, the pregnancy closed."""
    require(actor, "cases.act" if actor.channel == "case" else "cases.intake")
    person = find_person(db, ssn, lock=True)
    found = determination(db, person, data.birth_date, data.babies, data.difficult_birth, data.birth_order)
    if found.problems:
        raise InvalidInput("maternity.not_eligible", "不符合领取生育津贴的条件：" + "；".join(found.problems),
                           "payload.birth_date")
    today = clock.today()
    period = common_rules.next_period(common_rules.period_of_date(today))
    award = Award(person_id=person.id, kind=rules.KIND, case_id=actor.case_id, status="stopped",
                  stop_reason="一次性支付", start_period=period, last_period=period,
                  monthly_amount=found.amount, basic_amount=found.amount,
                  breakdown=json.dumps({"lines": found.lines, "inputs": found.inputs}, ensure_ascii=False),
                  basis=BASIS, payee_name=person.name, bank_account=data.bank_account,
                  decided_on=today, decided_by=actor.username)
    db.add(award)
    db.flush()
    db.add(Payment(award_id=award.id, person_id=person.id, period=period, kind="regular",
                   gross=found.amount, deduction=0, net=found.amount, bank_account=data.bank_account,
                   paid_on=today))
    found.pregnancy.status = "claimed"
    db.flush()
    notify(db, person.ssn, "maternity_allowance",
           f"您的生育津贴已核定：{found.days}天，{_yuan(found.amount)}，"
           f"于{period // 100}年{period % 100:02d}月发放至您的银行账户。依据：{BASIS}。", phone=person.phone)
    audit.record(db, actor, "benefits.determine_maternity", person_subject(person),
                 after=snapshot(award))
    return award


def record_of(db: Session, actor: Actor, ssn: str) -> dict:
    person = find_person(db, ssn)
    _may_read(db, actor, person, "maternity")
    awards = list(db.execute(select(Award).where(Award.person_id == person.id, Award.kind == rules.KIND)
                             .order_by(Award.id.desc())).scalars())
    pregnancies = list(db.execute(select(PregnancyRecord).where(PregnancyRecord.person_id == person.id)
                                  .order_by(PregnancyRecord.id.desc())).scalars())
    return {"person": person, "awards": [(a, json.loads(a.breakdown).get("lines", [])) for a in awards],
            "pregnancies": pregnancies}


def awards(db: Session, actor: Actor, limit: int = 200) -> list[tuple[Award, Person]]:
    """Maternity allowances decided, newest first (staff)."""
    if not can(actor, "benefits.payroll_read"):
        require(actor, "benefits.read")
    return list(db.execute(select(Award, Person).join(Person, Person.id == Award.person_id)
                           .where(Award.kind == rules.KIND).order_by(Award.id.desc()).limit(limit)).all())


def awards_xlsx(db: Session, actor: Actor) -> bytes:
    rows = []
    for award, person in awards(db, actor, limit=100_000):
        inputs = json.loads(award.breakdown).get("inputs", {})
        rows.append((person.ssn, person.name, inputs.get("birth_date"), inputs.get("babies"),
                     "是" if inputs.get("difficult_birth") else "否", inputs.get("days"),
                     inputs.get("average", 0), award.monthly_amount, award.start_period,
                     award.decided_on.isoformat()))
    return workbook("生育津贴", ["社会保障号码", "姓名", "分娩日期", "婴儿数", "难产", "天数",
                               "上年度月平均工资（元）", "生育津贴（元）", "发放月份", "核定日期"],
                    rows, money=(6, 7))
