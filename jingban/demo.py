"""Synthetic pooling region (合成演示地区): employers, persons, enrollments and cards.

Everything is inserted in bulk (Core ``INSERT`` with executemany, a chunk at a time, in one
transaction), so a million persons is practical; the whole load is one audit event.
The data are deterministic for a given seed and ``as_of`` date.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from functools import lru_cache

import polars as pl
from faker import Faker
from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from stdnum.cn import ric

from jingban.core import audit, clock, ids, policy
from jingban.core.actor import SYSTEM
from jingban.core.config import Settings
from jingban.core.db import make_sessionmaker
from jingban.core.errors import InvalidInput
from jingban.records import rules as records_rules
from jingban.registration import rules
from jingban.registration.models import Card, Employer, Enrollment, Person

CHUNK = 5000
DEFAULT_SEED = 20260101
POOL = 4000  # Faker names/addresses drawn once, then combined (Faker per row is too slow)

# Area codes for citizen IDs, with weights. Only codes python-stdnum accepts for the birth
# year are used (see ``_areas_for_year``); 桐庐、淳安、朝阳、徐汇 cover births before 1983.
ID_AREAS = {"330106": 40, "330102": 8, "330105": 8, "330122": 6, "330127": 5, "330203": 4,
            "330226": 3, "330324": 3, "330326": 3, "330421": 3, "330521": 3, "330602": 3,
            "330624": 2, "110105": 2, "310104": 2}

EMPLOYER_KINDS = {"enterprise": 80, "individual_business": 8, "institution": 5,
                  "social_org": 4, "government": 3}
# USCC registration department + organisation kind (GB 32100 附录).
USCC_PREFIX = {"enterprise": "91", "individual_business": "92", "institution": "12",
               "social_org": "52", "government": "11"}
INDUSTRIES = {"enterprise": ["I65", "C39", "F52", "H62", "K70", "E47", "G54", "M73", "C18"],
              "individual_business": ["F52", "H62", "O80"], "institution": ["P83", "Q84"],
              "social_org": ["S95"], "government": ["S92"]}
RISK_CLASS = {"I": 1, "M": 1, "K": 1, "P": 1, "S": 1, "Q": 2, "F": 2, "H": 2, "O": 2,
              "L": 2, "G": 4, "C": 5, "E": 6}
DEPARTMENTS = ["教育局", "财政局", "民政局", "司法局", "卫生健康局", "文化和旅游局", "统计局",
               "农业农村局", "应急管理局", "审计局", "商务局", "科学技术局", "城市管理局",
               "市场监督管理局", "住房和城乡建设局", "退役军人事务局", "医疗保障局"]
INSTITUTIONS = ["小学", "中学", "幼儿园", "社区卫生服务中心", "图书馆", "文化馆", "档案馆"]
SOCIAL_ORGS = ["软件行业协会", "餐饮行业协会", "志愿者协会", "养老服务中心", "书法家协会",
               "社会工作服务中心", "青少年发展基金会"]
SHOPS = ["餐饮店", "便利店", "理发店", "五金店", "水果店", "维修部", "小吃店"]
BANKS = ["中国工商银行杭州西湖支行", "中国农业银行杭州西湖支行", "中国银行杭州西湖支行",
         "中国建设银行杭州西湖支行", "杭州银行西湖支行", "浙江农商银行西湖支行"]
PHONE_PREFIXES = ["130", "131", "132", "135", "136", "137", "138", "139", "150", "151", "152",
                  "157", "158", "159", "177", "180", "181", "186", "187", "188", "189", "199"]
INSURANCES_BY_EMPLOYER = ("medical_employee", "injury", "unemployment", "maternity")
CARD_SHARES = {"ss_card": 0.7, "ss_ecard": 0.45, "medical_evoucher": 0.55}
FEMALE_55_SHARE = 0.3
EMPLOYED_SHARE = 0.85
SECOND_JOB_SHARE = 0.02  # a second employer owes work-injury insurance too (exclusive_key)
PAST_JOB_SHARE = 0.15  # an ended enrollment at an earlier employer


@dataclass
class Summary:
    seed: int
    employers: int = 0
    persons: int = 0
    employed: int = 0
    residents: int = 0
    enrollments: int = 0
    cards: int = 0
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "seconds"}


@dataclass
class _World:
    """What the generator carries between chunks."""

    rng: random.Random
    region: str
    as_of: dt.date
    floor: int
    ceiling: int
    names: dict[str, list[str]]
    streets: list[str]
    companies: list[str]
    used_ssns: set[str]
    employers: list[dict] = field(default_factory=list)
    cum_weights: list[float] = field(default_factory=list)
    cards: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CARD_SHARES, 0))


Progress = Callable[[int, int], None]


def is_empty(engine: Engine) -> bool:
    """True when the region has no persons and no employers yet."""
    with engine.connect() as conn:
        persons = conn.execute(select(func.count()).select_from(Person.__table__)).scalar()
        employers = conn.execute(select(func.count()).select_from(Employer.__table__)).scalar()
    return not persons and not employers


def first_person(db: Session) -> Person | None:
    """The person the demo's portal login is linked to."""
    return db.execute(select(Person).order_by(Person.id).limit(1)).scalar()


def generate(engine: Engine, settings: Settings, persons: int = 3000, employers: int = 100,
             seed: int = DEFAULT_SEED, progress: Progress | None = None,
             as_of: dt.date | None = None) -> Summary:
    """Build the synthetic region in one transaction and record one audit event."""
    if persons < 0 or employers < 1:
        raise InvalidInput("demo.size", "人数不能为负，单位数至少为1", "persons")
    started = time.perf_counter()
    summary = Summary(seed=seed)
    with make_sessionmaker(engine, settings)() as db:
        world = _world(db, settings.region, seed, as_of or clock.today())
        _insert_employers(db, world, employers, summary)
        for done in _insert_persons(db, world, persons, summary):
            if progress:
                progress(done, persons)
        audit.record(db, SYSTEM, "demo.generate", f"region:{settings.region}",
                     after={**summary.counts(), "as_of": world.as_of.isoformat()},
                     reason="生成合成演示数据")
        db.commit()
    summary.seconds = time.perf_counter() - started
    return summary


# --- setup -----------------------------------------------------------------------------------

def _world(db: Session, region: str, seed: int, as_of: dt.date) -> _World:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    avg = policy.value("contribution.average_monthly_wage", region, as_of)
    floor, ceiling = rules.base_limits(
        avg, policy.value("contribution.base_floor_ratio", region, as_of),
        policy.value("contribution.base_ceiling_ratio", region, as_of))
    names = {"M": _unique(fake.name_male, POOL), "F": _unique(fake.name_female, POOL)}
    streets = [s for s in _unique(fake.street_name, POOL // 10) if len(s) > 2]
    companies = _unique(fake.company, POOL // 10)
    used = set(db.execute(select(Person.ssn)).scalars())
    return _World(random.Random(seed), region, as_of, floor, ceiling, names, streets, companies,
                  used)


def _unique(make: Callable[[], str], count: int) -> list[str]:
    seen: dict[str, None] = {}
    for _ in range(count):
        seen.setdefault(make(), None)
    return list(seen)


def _chunks(total: int) -> Iterator[tuple[int, int]]:
    for start in range(0, total, CHUNK):
        yield start, min(CHUNK, total - start)


def _random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    if end <= start:
        return start
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def _years_after(day: dt.date, years: int) -> dt.date:
    return day.replace(year=day.year + years, day=min(day.day, 28))


def _address(world: _World, room: bool = True) -> str:
    rng = world.rng
    text = f"浙江省杭州市西湖区{rng.choice(world.streets)}{rng.randrange(1, 400)}号"
    return text + (f"{rng.randrange(1, 30)}幢{rng.randrange(1, 30)}{rng.randrange(1, 5):02d}室"
                   if room else "")


def _phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


# --- employers -------------------------------------------------------------------------------

def _insert_employers(db: Session, world: _World, count: int, summary: Summary) -> None:
    used = set(db.execute(select(Employer.uscc)).scalars())
    rows = [_employer_row(world, i, used) for i in range(count)]
    sizes = [_employer_size(world.rng, row["kind"]) for row in rows]
    for start, size in _chunks(count):
        part = rows[start:start + size]
        for row, new_id in zip(part, _insert_ids(db, Employer, "uscc", part), strict=True):
            row["id"] = new_id
    world.employers = rows
    total = 0.0
    for s in sizes:
        total += s
        world.cum_weights.append(total)
    summary.employers = count


def _employer_row(world: _World, index: int, used: set[str]) -> dict:
    rng = world.rng
    kind = rng.choices(list(EMPLOYER_KINDS), weights=list(EMPLOYER_KINDS.values()))[0]
    industry = rng.choice(INDUSTRIES[kind])
    return {
        "uscc": _new_uscc(rng, kind, world.region, used),
        "name": _employer_name(world, kind, index), "kind": kind,
        "address": _address(world, room=False),
        "legal_rep": rng.choice(world.names[rng.choice("MF")]), "phone": _phone(rng),
        "bank_name": rng.choice(BANKS), "bank_account": f"{rng.randrange(10**19):019d}",
        "industry_code": industry, "injury_risk_class": RISK_CLASS[industry[0]],
        "region": world.region, "status": "active", "flag": "",
        "registered_on": _random_date(rng, dt.date(1995, 1, 1),
                                      world.as_of - dt.timedelta(days=60)),
        "cancelled_on": None,
    }


def _new_uscc(rng: random.Random, kind: str, region: str, used: set[str]) -> str:
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    while True:
        org = "MA" + "".join(rng.choice(alphabet) for _ in range(7))
        code = ids.make_uscc(USCC_PREFIX[kind][0], USCC_PREFIX[kind][1], region, org)
        if code not in used:
            used.add(code)
            return code


def _employer_name(world: _World, kind: str, index: int) -> str:
    rng, street = world.rng, world.rng.choice(world.streets)[:-1]
    if kind == "government":
        return f"杭州市西湖区{DEPARTMENTS[index % len(DEPARTMENTS)]}" + (
            f"（{index // len(DEPARTMENTS)}）" if index >= len(DEPARTMENTS) else "")
    if kind == "institution":
        return f"杭州市西湖区{street}{rng.choice(INSTITUTIONS)}"
    if kind == "social_org":
        return f"杭州市西湖区{street}{rng.choice(SOCIAL_ORGS)}"
    if kind == "individual_business":
        return f"西湖区{rng.choice(world.names['M'] + world.names['F'])}{rng.choice(SHOPS)}"
    return f"杭州{street}{rng.choice(world.companies)}"


def _employer_size(rng: random.Random, kind: str) -> float:
    """Relative head count: a few large employers, many small ones."""
    if kind == "individual_business":
        return rng.uniform(1, 5)
    return min(rng.paretovariate(1.1) * 8, 2000.0)


# --- persons -----------------------------------------------------------------------------------

def _insert_persons(db: Session, world: _World, total: int, summary: Summary) -> Iterator[int]:
    done = 0
    for _, size in _chunks(total):
        people = [_person(world) for _ in range(size)]
        new_ids = _insert_ids(db, Person, "ssn", [p["row"] for p in people])
        enrollments, cards = [], []
        for person, new_id in zip(people, new_ids, strict=True):
            enrollments += [dict(e, person_id=new_id) for e in person["enrollments"]]
            cards += [dict(c, person_id=new_id) for c in _cards(world, person["row"])]
        _bulk(db, Enrollment, enrollments)
        _bulk(db, Card, cards)
        summary.persons += size
        summary.employed += sum(p["employed"] for p in people)
        summary.enrollments += len(enrollments)
        summary.cards += len(cards)
        done += size
        yield done
    summary.residents = summary.persons - summary.employed


def _insert_ids(db: Session, model, key: str, rows: list[dict]) -> list[int]:
    """Insert rows and return their new ids in order, found again by a unique key.

    Cheaper than INSERT … RETURNING in parameter order, which SQLite runs row by row."""
    _bulk(db, model, rows)
    column = getattr(model, key)
    found = dict(db.execute(select(column, model.id).where(column.in_([r[key] for r in rows]))).all())
    return [found[r[key]] for r in rows]


def _bulk(db: Session, model, rows: list[dict]) -> None:
    if rows:
        db.execute(insert(model.__table__), rows)


def _person(world: _World) -> dict:
    rng = world.rng
    employed = rng.random() < EMPLOYED_SHARE
    birth = _random_date(rng, dt.date(1966 if employed else 1955, 1, 1),
                         dt.date(2004 if employed else 2005, 12, 31))
    sex = rng.choice("MF")
    ssn, area = _citizen_id(world, birth, sex)
    enrollments = _job_enrollments(world, birth) if employed else _resident_enrollments(world, birth)
    registered = min(e["start_date"] for e in enrollments)
    row = {"ssn": ssn, "id_type": "citizen_id", "id_number": ssn,
           "name": rng.choice(world.names[sex]), "sex": sex, "birth_date": birth,
           "nationality": "CHN", "household_region": _household(area, world.region),
           "address": _address(world), "phone": _phone(rng), "status": "active",
           "death_date": None, "registered_on": registered,
           "retirement_category": _category(rng, sex)}
    return {"row": row, "enrollments": enrollments, "employed": employed}


def _category(rng: random.Random, sex: str) -> str:
    """Men are one category; about a third of women are on the original-55 (干部) rule."""
    if sex == "M":
        return "male"
    return "female_55" if rng.random() < FEMALE_55_SHARE else "female_50"


def _citizen_id(world: _World, birth: dt.date, sex: str) -> tuple[str, str]:
    """A unique valid citizen ID; the sequence digit is odd for men (GB 11643)."""
    rng = world.rng
    codes, weights = _areas_for_year(birth.year)
    area = rng.choices(codes, weights=weights)[0]
    seq = rng.randrange(500) * 2 + (1 if sex == "M" else 0)
    for step in range(500):
        ssn = ids.make_citizen_id(area, birth, (seq + 2 * step) % 1000)
        if ssn not in world.used_ssns:
            world.used_ssns.add(ssn)
            return ssn, area
    raise RuntimeError(f"no free citizen ID sequence for {area} {birth}")


@lru_cache(maxsize=256)
def _areas_for_year(year: int) -> tuple[list[str], list[int]]:
    probe = dt.date(year, 7, 1)
    valid = [c for c in ID_AREAS if ric.is_valid(ids.make_citizen_id(c, probe, 1))]
    return valid, [ID_AREAS[c] for c in valid]


@lru_cache(maxsize=64)
def _household(area: str, region: str) -> str:
    """The ID's area when it is still a current code, else the agency's region."""
    try:
        return ids.validate_region(area)
    except InvalidInput:
        return region


def _job_enrollments(world: _World, birth: dt.date) -> list[dict]:
    rng = world.rng
    employer = _pick_employer(world)
    earliest = max(employer["registered_on"], _years_after(birth, 18))
    start = _random_date(rng, earliest, world.as_of)
    base = _base(world)
    rows = [_enrollment(_pension_for(employer), employer, start, base)]
    rows += [_enrollment(ins, employer, start, base) for ins in INSURANCES_BY_EMPLOYER]
    if rng.random() < PAST_JOB_SHARE and start - earliest > dt.timedelta(days=400):
        rows += _past_job(world, earliest, start)
    if rng.random() < SECOND_JOB_SHARE:
        other = _pick_employer(world)
        if other["id"] != employer["id"]:
            second_start = max(start, other["registered_on"])
            rows.append(_enrollment("injury", other, second_start, _base(world)))
    return rows


def _past_job(world: _World, earliest: dt.date, current_start: dt.date) -> list[dict]:
    """Ended enrollments at an earlier employer (减员 the day before the current job)."""
    employer = _pick_employer(world)
    begin = max(earliest, employer["registered_on"])
    end = current_start - dt.timedelta(days=1)
    if begin >= end:
        return []
    start = _random_date(world.rng, begin, end - dt.timedelta(days=30))
    base = _base(world)
    rows = [_enrollment(ins, employer, start, base)
            for ins in (_pension_for(employer), *INSURANCES_BY_EMPLOYER)]
    for row in rows:
        row.update(status="ended", end_date=end, end_reason="解除劳动关系")
    return rows


def _pick_employer(world: _World) -> dict:
    return world.rng.choices(world.employers, cum_weights=world.cum_weights)[0]


def _pension_for(employer: dict) -> str:
    if employer["kind"] in rules.INSTITUTION_EMPLOYERS:
        return "pension_institution"
    return "pension_enterprise"


def _base(world: _World) -> int:
    """Monthly contribution base in whole yuan, inside the policy floor and ceiling."""
    wage = (world.floor + world.ceiling) / 5 * world.rng.lognormvariate(0, 0.5)
    return min(max(round(wage / 100) * 100, world.floor), world.ceiling)


def _enrollment(insurance: str, employer: dict | None, start: dt.date,
                base: int | None) -> dict:
    employer_id = employer["id"] if employer else None
    return {"employer_id": employer_id, "insurance": insurance,
            "exclusive_key": rules.exclusive_key(insurance, employer_id),
            "start_date": start, "end_date": None,
            "contribution_base": base if insurance in rules.NEEDS_BASE else None,
            "status": "active", "end_reason": ""}


def _resident_enrollments(world: _World, birth: dt.date) -> list[dict]:
    """城乡居民养老（年满16周岁）和城乡居民医疗，个人参保，按档次缴费无缴费基数."""
    rng = world.rng
    start = _random_date(rng, max(dt.date(2014, 1, 1), _years_after(birth, 16)), world.as_of)
    rows = [_enrollment("medical_resident", None, start, None)]
    if rng.random() < 0.9:
        rows.append(_enrollment("pension_resident", None, start, None))
    return rows


def _cards(world: _World, person: dict) -> list[dict]:
    rng, rows = world.rng, []
    for kind, share in CARD_SHARES.items():
        if rng.random() < share:
            world.cards[kind] += 1
            rows.append({"kind": kind, "number": _card_number(kind, person, world.cards[kind]),
                         "status": "active", "replaces_id": None,
                         "status_on": _random_date(rng, person["registered_on"], world.as_of)})
    return rows


def _card_number(kind: str, person: dict, sequence: int) -> str:
    if kind == "ss_card":
        return f"A{sequence:08d}"
    prefix = "E" if kind == "ss_ecard" else "YB"
    return f"{prefix}{person['ssn']}"


# --- a collector file for the demo region (征收机构缴费数据) ------------------------------------

def collector_file(db: Session, region: str, period: int) -> bytes:
    """A correct collector CSV for one period: a paid row for every pension enrollment that
    covers the month, its base held within that period's limits, base × the period's rates,
    paid on the month's last day. For trying the
    contribution import on the demo region and for the benchmark."""
    first = dt.date(period // 100, period % 100, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    rows = db.execute(
        select(Person.ssn, Employer.uscc, Enrollment.insurance, Enrollment.contribution_base)
        .join(Person, Person.id == Enrollment.person_id)
        .join(Employer, Employer.id == Enrollment.employer_id)
        .where(Enrollment.insurance.in_(["pension_enterprise", "pension_institution"]),
               Enrollment.start_date <= last,
               (Enrollment.end_date.is_(None)) | (Enrollment.end_date >= first))
        .order_by(Enrollment.id)).all()
    def param(name: str):
        return policy.value(name, region, first)

    rate = records_rules.rates(param, "pension_enterprise", False, None)
    floor, ceiling = rules.base_limits(param("contribution.average_monthly_wage"),
                                       param("contribution.base_floor_ratio"),
                                       param("contribution.base_ceiling_ratio"))
    frame = pl.DataFrame(rows, schema=["ssn", "uscc", "insurance", "base"], orient="row")\
        .with_columns(pl.col("base").clip(floor, ceiling))  # that period's limits
    return _collector_csv(frame, period, last, rate).encode()


def _collector_csv(part: pl.DataFrame, period: int, paid: dt.date, rate) -> str:
    def due(r) -> pl.Expr:
        num, den = records_rules.fraction(r)
        return (2 * pl.col("base") * num + den) // (2 * den)

    def yuan(expr: pl.Expr) -> pl.Expr:
        return (expr // 100).cast(pl.String) + "." + (expr % 100).cast(pl.String).str.zfill(2)

    out = part.with_row_index("n").select(
        record_id=pl.lit(f"ZS{period}-") + pl.col("n").cast(pl.String),
        uscc="uscc", ssn="ssn", insurance="insurance", period=pl.lit(str(period)),
        base=yuan(pl.col("base")), employer_amount=yuan(due(rate.employer)),
        personal_amount=yuan(due(rate.personal)), paid_on=pl.lit(paid.isoformat()))
    return out.write_csv()
