"""Demo seed: contracted hospitals with a price list and a month of synthetic claims with planted
violations of every review rule, uploaded (one file in GBK) and reviewed. ``seed`` is what the
lead wires into ``jingban demo``; the tests use it too.

The institutions, agreements and price items it needs are written here directly only when the
agreements demo has not made them (demo data, not a business act)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements.claims import service, settlement
from jingban.agreements.claims.models import ClaimSettlement
from jingban.agreements.institutions.models import Agreement, Institution, PriceItem
from jingban.cases import service as cases
from jingban.core import ids
from jingban.core.actor import Actor
from jingban.registration.models import Employer, Person

UPLOADER = Actor("demo-claims", frozenset({"clerk"}), False, "counter")
REVIEWER = Actor("demo-claims-review", frozenset({"reviewer_1"}), False, "counter")
HEADER = ("claim_no,ssn,fund,visit,admission_date,discharge_date,diagnosis,item_code,service_date,"
          "quantity,unit_price,amount")
# code, name, unit price (fen), category, self-pay bp, daily limit, sex_only, min_age, max_age
PRICES = (
    ("CW001", "普通病房床位费", 5000, "甲", 0, 1, None, None, None),
    ("ZL001", "住院诊查费", 2000, "甲", 0, 1, None, None, None),
    ("YP001", "头孢呋辛酯片", 2550, "甲", 0, 3, None, None, None),
    ("YP002", "注射用奥美拉唑", 8000, "乙", 1000, 2, None, None, None),
    ("JC001", "计算机断层扫描（CT）", 30000, "乙", 2000, 1, None, None, None),
    ("ZF001", "特需护理", 10000, "丙", 10000, None, None, None, None),
    ("FK001", "妇科检查", 6000, "甲", 0, 1, "2", None, None),
    ("ET001", "儿童生长发育评估", 8000, "甲", 0, 1, None, None, 14),
)


@dataclass(frozen=True)
class Seeded:
    institutions: list[Institution]
    persons: dict[str, Person]
    uploads: list[int]
    run_id: int


def ensure_institution(db: Session, name: str, serial: int, region: str,
                       year: int = 2026) -> Institution:
    """A contracted hospital (with the employer record of the same USCC for its portal), its
    agreement and price list in force from before ``year`` to after it."""
    first, last = dt.date(min(2025, year - 1), 1, 1), dt.date(max(2027, year + 1), 12, 31)
    uscc = ids.make_uscc("1", "2", region, f"YY{serial:07d}")
    found = db.execute(select(Institution).where(Institution.uscc == uscc)).scalar()
    if found is not None:
        return found
    row = Institution(uscc=uscc, name=name, kind="medical", level="二级甲等", status="contracted",
                      address="演示地址", licence_no=f"PDY{serial:08d}")
    db.add(row)
    db.flush()
    db.add(Agreement(institution_id=row.id, number=f"YBXY-DEMO-{serial:04d}", kind="medical",
                     starts_on=first, ends_on=last, terms={},
                     status="signed"))
    for code, item, price, cat, bp, limit, sex, lo, hi in PRICES:
        db.add(PriceItem(institution_id=row.id, code=code, name=item, unit="次", unit_price_fen=price,
                         category=cat, self_pay_bp=bp, daily_limit=limit, sex_only=sex,
                         min_age=lo, max_age=hi, valid_from=first))
    if not db.execute(select(Employer).where(Employer.uscc == uscc)).first():
        db.add(Employer(uscc=uscc, name=name, kind="institution", region=region, phone="0571-87000000",
                        registered_on=dt.date(2010, 1, 1), status="active"))
    db.flush()
    return row


def demo_person(db: Session, region: str, key: str, sex: str, birth: dt.date,
                died: dt.date | None = None) -> Person:
    serial = {"man": 11, "woman": 12, "dead": 13, "twice": 14, "plain": 15, "big": 16,
              "late": 17}[key]
    ssn = ids.make_citizen_id(region, birth, 2 * (900 + serial) + (sex == "M"))
    found = db.execute(select(Person).where(Person.ssn == ssn)).scalar()
    if found is not None:
        return found
    row = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=f"演示参保人{serial}", sex=sex,
                 birth_date=birth, registered_on=dt.date(2000, 1, 1),
                 status="dead" if died else "active", death_date=died)
    db.add(row)
    db.flush()
    return row


def _y(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _row(no: str, p: Person, visit: str, adm: dt.date, dis: dt.date, code: str, day: dt.date,
         qty: int, price: int) -> str:
    return (f"{no},{p.ssn},medical_employee,{visit},{adm},{dis},J18.9,{code},{day},{qty},"
            f"{_y(price)},{_y(price * qty)}")


def _stay(no: str, p: Person, adm: dt.date, days: int, idle_from: int | None = None,
          extra: tuple[str, int] | None = None) -> list[str]:
    """An inpatient stay: bed and examination every day (only the bed from ``idle_from``), and
    ``extra`` (code, unit price) every day too."""
    dis = adm + dt.timedelta(days=days)
    rows = []
    for i in range(days):
        day = adm + dt.timedelta(days=i)
        rows.append(_row(no, p, "inpatient", adm, dis, "CW001", day, 1, 5000))
        if idle_from is None or i < idle_from:
            rows.append(_row(no, p, "inpatient", adm, dis, "ZL001", day, 1, 2000))
        if extra:
            rows.append(_row(no, p, "inpatient", adm, dis, extra[0], day, 1, extra[1]))
    rows.append(_row(no, p, "inpatient", adm, dis, "YP002", adm, 2, 8000))
    return rows


def planted(period: int, persons: dict[str, Person], a: Institution) -> tuple[list[str], list[str]]:
    """(rows for hospital A, rows for hospital B): one violation of each rule and clean claims."""
    y, m = divmod(period, 100)
    d = lambda n: dt.date(y, m, n)  # noqa: E731
    man, woman, dead, twice, plain = (persons[k] for k in ("man", "woman", "dead", "twice", "plain"))
    rows_a = _stay("A-CLEAN-1", plain, d(2), 3) + [
        _row("A-NOTLISTED", woman, "outpatient", d(3), d(3), "XX999", d(3), 1, 4000),
        _row("A-OVERPRICE", woman, "outpatient", d(4), d(4), "YP001", d(4), 2, 3000),
        _row("A-REPEAT", man, "outpatient", d(5), d(5), "JC001", d(5), 1, 30000),
        _row("A-REPEAT", man, "outpatient", d(5), d(5), "JC001", d(5), 1, 30000),
        _row("A-SPLIT-1", woman, "outpatient", d(6), d(6), "YP001", d(6), 2, 2550),
        _row("A-SPLIT-2", woman, "outpatient", d(6), d(6), "YP001", d(6), 1, 2550),
        _row("A-QTY", man, "outpatient", d(7), d(7), "YP001", d(7), 5, 2550),
        _row("A-SEX", man, "outpatient", d(8), d(8), "FK001", d(8), 1, 6000),
        _row("A-AGE", woman, "outpatient", d(8), d(8), "ET001", d(8), 1, 8000),
        _row("A-DEAD", dead, "outpatient", d(12), d(12), "ZL001", d(12), 1, 2000),
        _row("A-SELFPAY", plain, "outpatient", d(9), d(9), "ZF001", d(9), 1, 10000),
    ] + _stay("A-BED", man, d(10), 6, idle_from=2) + _stay("A-STAY-1", twice, d(1), 4) \
        + _stay("A-READMIT", twice, d(12), 3)
    rows_b = (_stay("B-SIMUL", twice, d(2), 2) + _stay("B-CLEAN-1", woman, d(20), 2)
              + _stay("B-CLEAN-2", persons["big"], d(3), 10, extra=("JC001", 30000)))
    rows_a += _stay("A-CLEAN-2", plain, d(22), 8, extra=("JC001", 30000))
    return rows_a, rows_b


def seed(db: Session, *, period: int = 202610, region: str = "330106") -> Seeded:
    """Two contracted hospitals, five demo persons and the planted month, uploaded and reviewed.
    Idempotent: a second call finds the uploads by their bytes and adds nothing."""
    y = period // 100
    a = ensure_institution(db, "演示市第一人民医院", 1, region, y)
    b = ensure_institution(db, "演示市中医院", 2, region, y)
    persons = {"man": demo_person(db, region, "man", "M", dt.date(1970, 3, 1)),
               "woman": demo_person(db, region, "woman", "F", dt.date(1985, 7, 9)),
               "dead": demo_person(db, region, "dead", "M", dt.date(1940, 1, 5),
                                   died=dt.date(y, period % 100, 10)),
               "twice": demo_person(db, region, "twice", "F", dt.date(1958, 11, 2)),
               "plain": demo_person(db, region, "plain", "M", dt.date(1990, 2, 3)),
               "big": demo_person(db, region, "big", "F", dt.date(1966, 5, 20))}
    db.commit()
    rows_a, rows_b = planted(period, persons, a)
    up_a = service.upload_claims(db, UPLOADER, a.id, period, f"claims-{period}-a.csv",
                                 "\n".join((HEADER, *rows_a)).encode("utf-8"))
    up_b = service.upload_claims(db, UPLOADER, b.id, period, f"claims-{period}-b.csv",
                                 "\n".join((HEADER, *rows_b)).encode("gbk"))
    run = service.run_review(db, REVIEWER, period)
    return Seeded([a, b], persons, [up_a.id, up_b.id], run.id)


ACCOUNTANT = Actor("demo-claims-accountant", frozenset({"accountant"}), False, "counter")
SECOND = Actor("demo-claims-review-2", frozenset({"reviewer_2"}), False, "counter")


def decide_flagged(db: Session, period: int, institution_id: int) -> int:
    """The reviewer's decisions on the month's flagged lines: a part cut where a rule suggests
    part of the line (over price, over quantity), refused where it suggests all of it or where
    the person was in another hospital at the time, accepted after checking where a readmission
    was medically needed."""
    waiting = service.flagged(db, REVIEWER, period, institution_id=institution_id, undecided=True,
                              limit=20000)
    for row in waiting:
        cut, amount = row["suggested_cut_fen"], row["amount_fen"]
        names = "；".join(f["name"] for f in row["flags"])
        if any(f["rule"] == "card_simultaneous" for f in row["flags"]):
            service.decide_line(db, REVIEWER, row["line_id"], "refuse", None,
                                f"演示：{names}，经核实同期在另一机构住院，拒付")
        elif 0 < cut < amount:
            service.decide_line(db, REVIEWER, row["line_id"], "cut", cut, f"演示：{names}，核减超出部分")
        elif cut:
            service.decide_line(db, REVIEWER, row["line_id"], "refuse", None, f"演示：{names}")
        else:
            service.decide_line(db, REVIEWER, row["line_id"], "accept", None, "演示：经核实病历，认可")
    return len(waiting)


def settle(db: Session, period: int, institutions: list[Institution],
           fund: str = "medical_employee") -> list[ClaimSettlement]:
    """Every flagged line decided, then each institution's month settled through its case
    (初审、复核) and booked; a settlement already there is kept."""
    done = []
    for inst in institutions:
        row = db.execute(select(ClaimSettlement).where(
            ClaimSettlement.institution_id == inst.id, ClaimSettlement.fund == fund,
            ClaimSettlement.period == period)).scalar()
        if row is None:
            decide_flagged(db, period, inst.id)
            case = settlement.prepare(db, ACCOUNTANT, inst.id, fund, period)
            cases.decide(db, REVIEWER, case.id, 1, "approve", "演示：初审同意")
            cases.decide(db, SECOND, case.id, 2, "approve", "演示：复核同意")
            row = db.execute(select(ClaimSettlement).where(ClaimSettlement.case_id == case.id)).scalar_one()
        done.append(row)
    return done


def seed_late(db: Session, period: int, institution: Institution, persons: dict[str, Person],
              region: str = "330106") -> int:
    """补报 (claims13): claims the hospital uploads after its month is settled — an outpatient
    visit charged above the agreed price, a women-only examination on a man's card, and a clean
    7-day stay above the deductible (so the supplementary settlement books money) — reviewed
    and left for the reviewer to decide, then for the month's supplementary settlement
    (补充结算). Idempotent by the file's bytes; returns the upload id."""
    y, m = divmod(period, 100)
    day = dt.date(y, m, 27)
    late = demo_person(db, region, "late", "F", dt.date(1975, 4, 4))
    rows = _stay("A-LATE-3", late, dt.date(y, m, 20), 7, extra=("JC001", 30000)) + [
            _row("A-LATE-1", persons["woman"], "outpatient", day, day, "YP001", day, 2, 3000),
            _row("A-LATE-1", persons["woman"], "outpatient", day, day, "ZL001", day, 1, 2000),
            _row("A-LATE-2", persons["man"], "outpatient", day, day, "FK001", day, 1, 6000)]
    found = service.upload_claims(db, UPLOADER, institution.id, period, f"claims-{period}-a-late.csv",
                                  "\n".join((HEADER, *rows)).encode("utf-8"))
    service.run_review(db, REVIEWER, period)
    return found.id


PORTAL_USER, PORTAL_PASSWORD = "hospital", "demo-hospital-2026"  # claims13


def portal_login(db: Session, password_profile: str) -> tuple[str, str] | None:
    """The demo's institution login (claims13): the employer portal account of the first claims
    hospital, where it sees its settlements and every cut line's reason (定点机构结算). (user
    name, hospital name), or None before the claims demo has run; never resets a password."""
    from jingban.core import agency
    from jingban.core.actor import SYSTEM
    from jingban.core.auth import create_user
    from jingban.core.models import User

    uscc = ids.make_uscc("1", "2", agency.region(db), f"YY{1:07d}")  # ensure_institution's first
    found = db.execute(select(Institution).where(Institution.uscc == uscc)).scalar()
    unit = found and db.execute(select(Employer).where(Employer.uscc == found.uscc)).scalar()
    if not unit:
        return None
    if not db.execute(select(User.id).where(User.username == PORTAL_USER)).first():
        create_user(db, SYSTEM, PORTAL_USER, PORTAL_PASSWORD, {"employer"}, display_name=found.name,
                    subject=f"employer:{unit.id}", profile=password_profile, demo=True)
    return PORTAL_USER, found.name
