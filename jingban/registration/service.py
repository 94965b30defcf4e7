"""Registration acts (SPEC §3): employers, persons, enrollments, cards. The only writer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from jingban.core import audit, clock, crypto, ids, privacy
from jingban.core.actor import Actor
from jingban.core.agency import param, region
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.core.models import AccessLog, User
from jingban.core.money import parse_yuan
from jingban.registration import rules
from jingban.registration.models import (
    Card,
    Employer,
    Enrollment,
    Liability,
    Person,
    SsnCounter,
)
from jingban.registration.schemas import (
    CardCreate,
    CardStatusChange,
    EmployerCancel,
    EmployerChange,
    EmployerCreate,
    EnrollmentCreate,
    EnrollmentEnd,
    IdentityCorrection,
    LiabilityCreate,
    PersonCancel,
    PersonChange,
    PersonCreate,
)

audit.ACT_NAMES.update({
    "registration.register_employer": "单位参保登记",
    "registration.change_employer": "单位登记信息变更",
    "registration.cancel_employer": "单位注销登记",
    "registration.flag_employer": "单位登记标记",
    "registration.record_liability": "登记单位欠费/滞纳金/罚款",
    "registration.settle_liability": "结清单位欠费/滞纳金/罚款",
    "registration.register_person": "个人参保登记",
    "registration.change_person": "个人登记信息变更",
    "registration.record_death": "登记死亡",
    "registration.cancel_person": "个人注销登记",
    "registration.correct_identity": "姓名或公民身份号码更正",
    "registration.enroll": "参保（增员）",
    "registration.end_enrollment": "停保（减员）",
    "registration.issue_card": "申领社保卡/医保电子凭证",
    "registration.change_card": "卡状态变更",
})


def employer_subject(employer: Employer) -> str:
    return f"employer:{employer.id}"


def person_subject(person: Person) -> str:
    return f"person:{person.id}"


def _require_write(actor: Actor) -> None:
    """Clerks register; the data administrator's feed upload registers on the feed's word; a
    case runs with its final reviewer, or with the portal applicant the engine has checked
    (channel "case")."""
    by_channel = {"feed": "sharing.upload", "case": "cases.act"}
    require(actor, by_channel.get(actor.channel, "registration.write"))


# --- reads ---------------------------------------------------------------------------------

def get_employer(db: Session, actor: Actor, uscc: str) -> Employer:
    require(actor, "registration.read")
    return _employer(db, uscc)


def _employer(db: Session, uscc: str, *, lock: bool = False) -> Employer:
    code = (uscc or "").strip().upper()
    stmt = select(Employer).where(Employer.uscc == code)
    found = db.execute(stmt.with_for_update() if lock else stmt).scalar()
    if found is None:
        raise NotFound("employer.not_found", f"未找到统一社会信用代码为 {code} 的参保单位", "uscc")
    return found


def get_person(db: Session, actor: Actor, ssn: str, *, view: str = "record") -> Person:
    """A person's full record; staff reads are logged (查询留痕)."""
    require(actor, "registration.read")
    person = find_person(db, ssn)
    audit.log_access(db, actor, person_subject(person), view)
    return person


def find_person(db: Session, ssn: str, *, lock: bool = False) -> Person:
    """The person with this SSN, for other areas' acts; NotFound in Chinese otherwise."""
    code = (ssn or "").strip().upper()
    stmt = select(Person).where(Person.ssn == code)
    found = db.execute(stmt.with_for_update() if lock else stmt).scalar()
    if found is None:
        raise NotFound("person.not_found", f"未找到社会保障号码为 {code} 的参保人", "ssn")
    return found


def search(db: Session, actor: Actor, query: str, limit: int = 50) -> dict[str, list]:
    """Find employers by USCC or name and persons by SSN, name or phone (blind index)."""
    require(actor, "registration.read")
    q = (query or "").strip()
    if not q:
        return {"employers": [], "persons": []}
    like = f"%{q}%"
    employers = db.execute(
        select(Employer).where(or_(Employer.uscc == q.upper(), Employer.name.like(like),
                                   Employer.phone_index.in_(crypto.search_indexes(q))))  # secaudit
        .order_by(Employer.name).limit(limit)
    ).scalars().all()
    persons = db.execute(
        select(Person).where(or_(Person.ssn == q.upper(), Person.name.like(f"{q}%"),
                                 Person.phone_index.in_(crypto.search_indexes(q))))  # secdata
        .order_by(Person.name).limit(limit)
    ).scalars().all()
    return {"employers": list(employers), "persons": list(persons)}


def history(db: Session, actor: Actor, subject: str) -> list[dict[str, Any]]:
    """Every recorded change of a subject: who, when, through which channel, why, what."""
    require(actor, "registration.read")
    entries = []
    for event in audit.history(db, subject):
        before, after = audit.load(event.before), audit.load(event.after)
        entries.append({
            "seq": event.id, "at": clock.local(event.at), "actor": event.actor,
            "channel": event.channel, "act": event.act,
            "act_name": audit.ACT_NAMES.get(event.act, event.act), "reason": event.reason,
            "changes": privacy.redact_changes(  # secaudit
                {k: [crypto.reveal(v) for v in pair]  # secdata
                 for k, pair in audit.changes(before, after).items()}, actor,
                # a unit's registered address is public, as on its page
                keep=("address",) if subject.startswith("employer:") else ()),
        })
    return entries


def person_history(db: Session, actor: Actor, ssn: str) -> list[dict[str, Any]]:
    person = get_person(db, actor, ssn, view="history")
    return history(db, actor, person_subject(person))


def employer_history(db: Session, actor: Actor, uscc: str) -> list[dict[str, Any]]:
    return history(db, actor, employer_subject(get_employer(db, actor, uscc)))


# --- employers -----------------------------------------------------------------------------

@transactional
def register_employer(db: Session, actor: Actor, data: EmployerCreate) -> Employer:
    """单位参保登记 (R§6, R§8): by a clerk or from the registration authority's feed."""
    _require_write(actor)
    uscc = ids.validate_uscc(data.uscc)
    employer_region = ids.validate_region(data.region)
    if db.execute(select(Employer.id).where(Employer.uscc == uscc)).first():
        raise Conflict("employer.exists", f"统一社会信用代码 {uscc} 已办理参保登记", "uscc")
    registered_on = data.registered_on or clock.today()
    if registered_on > clock.today():
        raise InvalidInput("employer.registered_on", "登记日期不能晚于今天", "registered_on")
    fields = data.model_dump(exclude={"uscc", "region", "registered_on"})
    employer = Employer(uscc=uscc, region=employer_region, registered_on=registered_on,
                        status="active", flag="", **fields)
    db.add(employer)
    db.flush()
    audit.record(db, actor, "registration.register_employer", employer_subject(employer),
                 after=snapshot(employer))
    return employer


@transactional
def change_employer(db: Session, actor: Actor, uscc: str, data: EmployerChange) -> Employer:
    """单位登记变更 (R§9, R§10): the original values stay in the history."""
    _require_write(actor)
    employer = _employer(db, uscc, lock=True)
    if employer.status != "active":
        raise Conflict("employer.cancelled", "单位已注销，不能变更登记信息", "uscc")
    changes = data.model_dump(exclude={"reason"}, exclude_none=True)
    if "region" in changes:
        changes["region"] = ids.validate_region(changes["region"])
    changes = {k: v for k, v in changes.items() if getattr(employer, k) != v}
    if not changes:
        raise InvalidInput("employer.no_change", "没有需要变更的内容", None)
    before = snapshot(employer)
    for key, value in changes.items():
        setattr(employer, key, value)
    audit.record(db, actor, "registration.change_employer", employer_subject(employer),
                 before=before, after=snapshot(employer), reason=data.reason)
    return employer


def outstanding(db: Session, employer: Employer) -> dict[str, int]:
    """Unsettled arrears, late fees and fines by kind, in fen."""
    rows = db.execute(
        select(Liability.kind, func.sum(Liability.amount))
        .where(Liability.employer_id == employer.id, Liability.settled_at.is_(None))
        .group_by(Liability.kind)
    ).all()
    return {kind: int(total) for kind, total in rows}


@transactional
def cancel_employer(db: Session, actor: Actor, uscc: str, data: EmployerCancel) -> Employer:
    """单位注销登记 (R§10): refused while contributions, late fees or fines are owed."""
    _require_write(actor)
    employer = _employer(db, uscc, lock=True)
    if employer.status != "active":
        raise Conflict("employer.cancelled", "单位已注销", "uscc")
    if owed := outstanding(db, employer):
        listed = "、".join(f"{rules.LIABILITY_KINDS[k]}{v / 100:.2f}元" for k, v in owed.items())
        raise Conflict("employer.liabilities",
                       f"单位尚有未结清的{listed}，须先结清方可注销（《社会保险经办条例》第十条）",
                       "uscc")
    on = data.cancelled_on or clock.today()
    if on < employer.registered_on or on > clock.today():
        raise InvalidInput("employer.cancelled_on", "注销日期须在登记日期之后且不晚于今天",
                           "cancelled_on")
    active = [e for e in _active_enrollments_of_employer(db, employer)]
    if active:
        raise Conflict("employer.active_staff",
                       f"单位仍有{len(active)}条在保职工参保记录，须先办理减员", "uscc")
    before = snapshot(employer)
    employer.status, employer.cancelled_on = "cancelled", on
    audit.record(db, actor, "registration.cancel_employer", employer_subject(employer),
                 before=before, after=snapshot(employer), reason=data.reason)
    return employer


def _active_enrollments_of_employer(db: Session, employer: Employer) -> list[Enrollment]:
    return list(db.execute(select(Enrollment).where(
        Enrollment.employer_id == employer.id, Enrollment.status == "active")).scalars())


@transactional
def flag_employer(db: Session, actor: Actor, uscc: str, flag: str, reason: str) -> Employer:
    """Mark a difference between shared data and our registration for follow-up (R§9)."""
    _require_write(actor)
    employer = _employer(db, uscc, lock=True)
    before = snapshot(employer)
    employer.flag = flag
    audit.record(db, actor, "registration.flag_employer", employer_subject(employer),
                 before=before, after=snapshot(employer), reason=reason)
    return employer


@transactional
def record_liability(db: Session, actor: Actor, uscc: str, data: LiabilityCreate) -> Liability:
    require(actor, "registration.liability")
    employer = _employer(db, uscc)
    liability = Liability(employer_id=employer.id, kind=data.kind,
                          amount=parse_yuan(data.amount, "amount"), period=data.period,
                          note=data.note)
    db.add(liability)
    db.flush()
    audit.record(db, actor, "registration.record_liability", employer_subject(employer),
                 after=snapshot(liability), reason=data.note)
    return liability


@transactional
def settle_liability(db: Session, actor: Actor, uscc: str, liability_id: int,
                     reason: str) -> Liability:
    require(actor, "registration.liability")
    employer = _employer(db, uscc)
    liability = db.get(Liability, liability_id)
    if liability is None or liability.employer_id != employer.id:
        raise NotFound("liability.not_found", "未找到该欠费记录", "liability_id")
    if liability.settled_at is not None:
        raise Conflict("liability.settled", "该欠费记录已结清", "liability_id")
    before = snapshot(liability)
    liability.settled_at = clock.now()
    audit.record(db, actor, "registration.settle_liability", employer_subject(employer),
                 before=before, after=snapshot(liability), reason=reason)
    return liability


# --- persons ---------------------------------------------------------------------------------

def _next_assigned_ssn(db: Session, country: str) -> str:
    agency_region = region(db)
    counter = db.execute(select(SsnCounter).where(SsnCounter.region == agency_region)
                         .with_for_update()).scalar()
    if counter is None:
        counter = SsnCounter(region=agency_region, last=0)
        db.add(counter)
    counter.last += 1
    return ids.assigned_ssn(country, agency_region, counter.last)


def _identity(db: Session, data: PersonCreate) -> dict[str, Any]:
    """SSN, birth date and sex from the document (R§6: 以公民身份号码作为社会保障号码)."""
    today = clock.today()
    if data.id_type == "citizen_id" or (data.id_type == "hmt" and data.id_number[:2] in
                                        {"81", "82", "83"}):
        cid = ids.parse_citizen_id(data.id_number, today)
        if data.id_type == "citizen_id" and cid.area_code in ids.RESIDENCE_PERMIT_AREAS:
            raise InvalidInput("id.type", "港澳台居民居住证号码请选择证件类型“港澳台”", "id_type")
        if data.id_type == "hmt" and cid.area_code not in ids.RESIDENCE_PERMIT_AREAS:
            raise InvalidInput("id.type", "内地居民身份号码请选择证件类型“居民身份证”", "id_type")
        nationality = "CHN"
        if data.birth_date and data.birth_date != cid.birth_date:
            raise InvalidInput("person.birth_date", "出生日期与证件号码不一致", "birth_date")
        if data.sex and data.sex != cid.sex:
            raise InvalidInput("person.sex", "性别与证件号码不一致", "sex")
        return {"ssn": cid.number, "id_number": cid.number, "birth_date": cid.birth_date,
                "sex": cid.sex, "nationality": nationality}
    if data.birth_date is None:
        raise InvalidInput("person.birth_date", "非居民身份证登记须填写出生日期", "birth_date")
    if data.birth_date > today:
        raise InvalidInput("person.birth_future", "出生日期不能晚于今天", "birth_date")
    if data.sex is None:
        raise InvalidInput("person.sex", "非居民身份证登记须填写性别", "sex")
    nationality = data.nationality.upper()
    if data.id_type == "foreign" and nationality == "CHN":
        raise InvalidInput("person.nationality", "外国人登记须填写其国籍", "nationality")
    if data.id_type == "hmt" and nationality not in {"HKG", "MAC", "TWN"}:
        raise InvalidInput("person.nationality", "港澳台居民的地区代码应为 HKG、MAC 或 TWN",
                           "nationality")
    return {"ssn": None, "id_number": data.id_number.upper(), "birth_date": data.birth_date,
            "sex": data.sex, "nationality": nationality}


# enrollfin: who is told that a person's registration changed, in its transaction (db, person,
# event): the enrollment registry updates the person's entry (registered by jingban.wiring).
PersonListener = Callable[[Session, Person, str], None]  # enrollfin
_PERSON_CHANGED: list[PersonListener] = []  # enrollfin


def on_person_changed(listener: PersonListener) -> None:  # enrollfin
    """Call ``listener`` after every registration, change, enrollment, stop and death."""
    if listener not in _PERSON_CHANGED:
        _PERSON_CHANGED.append(listener)


def _tell(db: Session, person: Person, event: str) -> None:  # enrollfin
    for listener in _PERSON_CHANGED:
        listener(db, person, event)


@transactional
def register_person(db: Session, actor: Actor, data: PersonCreate) -> Person:
    """个人参保登记 (R§6): the SSN is the citizen ID, or assigned (see core.ids)."""
    _require_write(actor)
    identity = _identity(db, data)
    if data.household_region:
        ids.validate_region(data.household_region, "household_region")
    duplicate = select(Person.ssn).where(
        Person.id_type == data.id_type, Person.id_number == identity["id_number"],
        Person.nationality == identity["nationality"])
    if identity["ssn"]:
        duplicate = select(Person.ssn).where(Person.ssn == identity["ssn"])
    if existing := db.execute(duplicate).scalar():
        raise Conflict("person.exists", f"该证件已办理个人参保登记（社会保障号码 {existing}）",
                       "id_number")
    ssn = identity.pop("ssn") or _next_assigned_ssn(db, identity["nationality"])
    category = data.retirement_category or rules.default_retirement_category(identity["sex"])
    if problem := rules.retirement_category_problem(identity["sex"], category):
        raise InvalidInput("person.retirement_category", problem, "retirement_category")
    person = Person(ssn=ssn, id_type=data.id_type, name=data.name,
                    household_region=data.household_region, address=data.address,
                    phone=data.phone, status="active", registered_on=clock.today(),
                    retirement_category=category, **identity)
    db.add(person)
    db.flush()
    audit.record(db, actor, "registration.register_person", person_subject(person),
                 after=snapshot(person))
    _tell(db, person, "registered")  # enrollfin
    return person


@transactional
def change_person(db: Session, actor: Actor, ssn: str, data: PersonChange) -> Person:
    """个人登记信息变更 (R§9, R§10). Name and ID corrections go through a reviewed case."""
    _require_write(actor)
    person = find_person(db, ssn, lock=True)
    changes = data.model_dump(exclude={"reason"}, exclude_none=True)
    if changes.get("household_region"):
        ids.validate_region(changes["household_region"], "household_region")
    if problem := rules.retirement_category_problem(person.sex, changes.get("retirement_category")):
        raise InvalidInput("person.retirement_category", problem, "retirement_category")
    changes = {k: v for k, v in changes.items() if getattr(person, k) != v}
    if not changes:
        raise InvalidInput("person.no_change", "没有需要变更的内容", None)
    before = snapshot(person)
    for key, value in changes.items():
        setattr(person, key, value)
    audit.record(db, actor, "registration.change_person", person_subject(person),
                 before=before, after=snapshot(person), reason=data.reason)
    _tell(db, person, "changed")  # enrollfin
    return person


@transactional
def record_death(db: Session, actor: Actor, ssn: str, death_date: dt.date,
                 reason: str) -> Person:
    """Death (from the population feed or a report): status changes, enrollments end at the
    end of the month of death, cards are revoked. Benefit effects belong to benefits."""
    _require_write(actor)
    person = find_person(db, ssn, lock=True)
    if person.status == "deceased":
        raise Conflict("person.deceased", "该参保人已登记死亡", "ssn")
    if death_date < person.birth_date or death_date > clock.today():
        raise InvalidInput("person.death_date", "死亡日期须在出生日期之后且不晚于今天", "death_date")
    before = snapshot(person)
    person.status, person.death_date = "deceased", death_date
    end = rules.end_of_month(death_date)
    for enrollment in person.enrollments:
        if enrollment.status == "active":
            enrollment.status, enrollment.end_date = "ended", max(end, enrollment.start_date)
            enrollment.end_reason = "死亡"
    for card in person.cards:
        if card.status not in rules.CARD_TERMINAL:
            card.status, card.status_on = "revoked", clock.today()
    audit.record(db, actor, "registration.record_death", person_subject(person),
                 before=before, after=snapshot(person), reason=reason)
    _tell(db, person, "died")  # enrollfin
    return person


@transactional
def cancel_person(db: Session, actor: Actor, ssn: str, data: PersonCancel) -> Person:
    """个人注销登记 (R§10), e.g. settled abroad or a duplicate registration; insurance must
    have been stopped first."""
    _require_write(actor)
    person = find_person(db, ssn, lock=True)
    if person.status != "active":
        raise Conflict("person.not_active", "该参保人登记状态不是正常，不能注销", "ssn")
    if active := [e for e in person.enrollments if e.status == "active"]:
        raise Conflict("person.active_enrollments",
                       f"该参保人仍有{len(active)}条在保记录，须先办理停保", "ssn")
    before = snapshot(person)
    person.status = "cancelled"
    audit.record(db, actor, "registration.cancel_person", person_subject(person),
                 before=before, after=snapshot(person), reason=data.reason)
    _tell(db, person, "cancelled")  # enrollfin
    return person


@transactional
def correct_identity(db: Session, actor: Actor, ssn: str, data: IdentityCorrection) -> Person:
    """姓名或身份号码更正 — a high-risk item (SPEC §2); the SSN follows a corrected citizen ID
    (R§6) and the original values stay in the history (Z-11(4))."""
    _require_write(actor)
    person = find_person(db, ssn, lock=True)
    changes: dict[str, Any] = {}
    if data.name and data.name != person.name:
        changes["name"] = data.name
    if data.id_number and data.id_number.upper() != person.id_number:
        if person.id_type != "citizen_id":
            raise InvalidInput("person.id_type", "仅居民身份证登记的参保人可更正公民身份号码",
                               "id_number")
        cid = ids.parse_citizen_id(data.id_number, clock.today())
        if db.execute(select(Person.id).where(Person.ssn == cid.number)).first():
            raise Conflict("person.exists", f"公民身份号码 {cid.number} 已被其他参保人使用",
                           "id_number")
        changes.update(ssn=cid.number, id_number=cid.number, birth_date=cid.birth_date,
                       sex=cid.sex)
    if not changes:
        raise InvalidInput("person.no_change", "没有需要更正的内容", None)
    before = snapshot(person)
    for key, value in changes.items():
        setattr(person, key, value)
    audit.record(db, actor, "registration.correct_identity", person_subject(person),
                 before=before, after=snapshot(person), reason=data.reason)
    _tell(db, person, "corrected")  # enrollfin
    return person


# --- enrollments ---------------------------------------------------------------------------

def _check_base(db: Session, insurance: str, base_yuan, start: dt.date) -> int | None:
    if insurance not in rules.NEEDS_BASE:
        if base_yuan is not None:
            raise InvalidInput("enrollment.base_not_applicable",
                               f"{rules.INSURANCES[insurance]}按档次缴费，不填写缴费基数",
                               "contribution_base")
        return None
    if base_yuan is None:
        raise InvalidInput("enrollment.base_required", "请填写缴费基数", "contribution_base")
    base = parse_yuan(base_yuan, "contribution_base")
    floor, ceiling = rules.base_limits(
        param(db, "contribution.average_monthly_wage", start),
        param(db, "contribution.base_floor_ratio", start),
        param(db, "contribution.base_ceiling_ratio", start))
    if not floor <= base <= ceiling:
        raise InvalidInput(
            "enrollment.base_range",
            f"缴费基数须在{floor / 100:.2f}元至{ceiling / 100:.2f}元之间（国办发〔2019〕13号）",
            "contribution_base")
    return base


# Who is told of a new enrollment, in its transaction (db, actor, enrollment): an employer's
# enrollment is a new employment, which ends an unemployment benefit (registered by jingban.wiring).
EnrolledListener = Callable[[Session, Actor, Enrollment], None]
_ENROLLED: list[EnrolledListener] = []


def on_enrolled(listener: EnrolledListener) -> None:
    """Call ``listener`` after every new enrollment (idempotent)."""
    if listener not in _ENROLLED:
        _ENROLLED.append(listener)


@transactional
def enroll(db: Session, actor: Actor, ssn: str, data: EnrollmentCreate) -> Enrollment:
    """参保登记 per insurance; a second active enrollment of the same scheme is refused."""
    _require_write(actor)
    person = find_person(db, ssn, lock=True)
    if person.status != "active":
        raise Conflict("person.deceased", "该参保人已死亡，不能办理参保", "ssn")
    employer = _employer(db, data.employer_uscc, lock=True) if data.employer_uscc else None
    if employer and employer.status != "active":
        raise Conflict("employer.cancelled", "单位已注销，不能办理参保", "employer_uscc")
    if problem := rules.enrollment_route_problem(data.insurance,
                                                 employer.kind if employer else None):
        raise InvalidInput("enrollment.route", problem, "employer_uscc")
    backdate = param(db, "registration.enroll_backdate_months", clock.today())
    if problem := rules.start_date_problem(data.start_date, clock.today(), backdate,
                                           person.birth_date,
                                           employer.registered_on if employer else None):
        raise InvalidInput("enrollment.start_date", problem, "start_date")
    base = _check_base(db, data.insurance, data.contribution_base, data.start_date)
    key = rules.exclusive_key(data.insurance, employer.id if employer else None)
    clash = next((e for e in person.enrollments
                  if e.status == "active" and e.exclusive_key == key), None)
    if clash:
        where = clash.employer.name if clash.employer else "个人参保"
        raise Conflict("enrollment.duplicate",
                       f"已有在保的{rules.INSURANCES[clash.insurance]}（{where}，"
                       f"{clash.start_date}起），不能重复参保", "insurance")
    enrollment = Enrollment(person=person, employer=employer, insurance=data.insurance,
                            exclusive_key=key, start_date=data.start_date,
                            contribution_base=base, status="active")
    db.add(enrollment)
    db.flush()
    audit.record(db, actor, "registration.enroll", person_subject(person),
                 after=snapshot(enrollment),
                 related=employer_subject(employer) if employer else None)
    for listener in _ENROLLED:
        listener(db, actor, enrollment)
    _tell(db, person, "enrolled")  # enrollfin
    return enrollment


@transactional
def end_enrollment(db: Session, actor: Actor, ssn: str, enrollment_id: int,
                   data: EnrollmentEnd) -> Enrollment:
    """停保/减员: the enrollment ends on the given date; the row is kept."""
    require(actor, "registration.write")
    person = find_person(db, ssn, lock=True)
    enrollment = next((e for e in person.enrollments if e.id == enrollment_id), None)
    if enrollment is None:
        raise NotFound("enrollment.not_found", "未找到该参保记录", "enrollment_id")
    if enrollment.status != "active":
        raise Conflict("enrollment.ended", "该参保记录已终止", "enrollment_id")
    if data.end_date < enrollment.start_date:
        raise InvalidInput("enrollment.end_date", "停保日期不能早于参保开始日期", "end_date")
    before = snapshot(enrollment)
    enrollment.status, enrollment.end_date, enrollment.end_reason = (
        "ended", data.end_date, data.reason)
    enrollment.separation = data.separation
    audit.record(db, actor, "registration.end_enrollment", person_subject(person),
                 before=before, after=snapshot(enrollment), reason=data.reason,
                 related=employer_subject(enrollment.employer) if enrollment.employer else None)
    _tell(db, person, "stopped")  # enrollfin
    return enrollment


# --- cards -----------------------------------------------------------------------------------

@transactional
def issue_card(db: Session, actor: Actor, ssn: str, data: CardCreate) -> Card:
    """申领社会保障卡、电子社保卡或医保电子凭证 (R§6, R§7): one live card per kind."""
    require(actor, "registration.write")
    person = find_person(db, ssn, lock=True)
    if person.status != "active":
        raise Conflict("person.deceased", "该参保人已死亡，不能申领卡", "ssn")
    live = [c for c in person.cards if c.kind == data.kind and c.status not in rules.CARD_TERMINAL]
    if live:
        raise Conflict("card.exists", f"已有{rules.CARD_KINDS[data.kind]}（{live[0].number}，"
                       f"{rules.CARD_STATUS[live[0].status]}），如需补换请先挂失", "kind")
    card = Card(person_id=person.id, kind=data.kind, number=data.number, status="applied",
                status_on=clock.today())
    db.add(card)
    db.flush()
    audit.record(db, actor, "registration.issue_card", person_subject(person),
                 after=snapshot(card))
    return card


@transactional
def change_card(db: Session, actor: Actor, ssn: str, card_id: int,
                data: CardStatusChange) -> Card:
    """Card status change; 补换 (replaced) opens a new card that points to the old one."""
    require(actor, "registration.write")
    person = find_person(db, ssn, lock=True)
    card = next((c for c in person.cards if c.id == card_id), None)
    if card is None:
        raise NotFound("card.not_found", "未找到该卡", "card_id")
    allowed = rules.CARD_TRANSITIONS[card.kind].get(card.status, set())
    if data.status not in allowed:
        raise Conflict("card.transition",
                       f"{rules.CARD_KINDS[card.kind]}不能从“{rules.CARD_STATUS[card.status]}”"
                       f"变为“{rules.CARD_STATUS[data.status]}”", "status")
    if data.status == "replaced" and not data.new_number:
        raise InvalidInput("card.new_number", "补换卡须填写新卡号", "new_number")
    before = snapshot(card)
    card.status, card.status_on = data.status, clock.today()
    after: dict[str, Any] = snapshot(card)
    if data.status == "replaced":
        new = Card(person_id=person.id, kind=card.kind, number=data.new_number,
                   status="applied", status_on=clock.today(), replaces_id=card.id)
        db.add(new)
        db.flush()
        after["new_card"] = snapshot(new)
    audit.record(db, actor, "registration.change_card", person_subject(person),
                 before=before, after=after, reason=data.reason)
    return card


# --- personal data: the show action and the read log (secdata, issue 15 item 1) -------------

PERSONAL_FIELDS = ("ssn", "id_number", "phone", "address")


def reveal_person(db: Session, actor: Actor, ssn: str, reason: str | None) -> dict[str, str]:
    """The person's citizen ID, phone and address in full, on a stated reason (logged)."""
    require(actor, "registration.read")
    person = find_person(db, ssn)
    values = {name: getattr(person, name) or "" for name in PERSONAL_FIELDS}
    return privacy.reveal(db, actor, person_subject(person), values, reason)


def views_of(db: Session, subject: str, *, staff_only: bool = False,
             limit: int = 500) -> list[AccessLog]:
    """查询留痕 of one subject, newest first; ``staff_only`` leaves out the person's own reads."""
    stmt = select(AccessLog).where(AccessLog.subject == subject)
    if staff_only:
        stmt = stmt.where(AccessLog.actor.not_in(_portal_users(db, subject)))
    return list(db.execute(stmt.order_by(AccessLog.id.desc()).limit(limit)).scalars())


def _portal_users(db: Session, subject: str) -> list[str]:
    return list(db.execute(select(User.username).where(User.subject == subject)).scalars())


def person_views(db: Session, actor: Actor, ssn: str) -> tuple[Person, list[AccessLog]]:
    """Who looked at this person's record, when, what and why (the staff page and API)."""
    require(actor, "pii.access_log")
    person = find_person(db, ssn)
    return person, views_of(db, person_subject(person))


def my_views(db: Session, actor: Actor) -> list[AccessLog]:
    """The staff reads of the signed-in person's own record (the portal page)."""
    kind, _, ident = (actor.subject or "").partition(":")
    if kind != "person" or "person" not in actor.roles:
        raise PermissionDenied("portal.subject", "该页面仅供参保人本人查询使用")
    return views_of(db, actor.subject, staff_only=True)
