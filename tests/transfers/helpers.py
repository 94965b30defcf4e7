"""Two agencies in one test: the old place on the suite's database (SQLite or PostgreSQL),
the new place on its own SQLite file; keys, a directory naming both, people with history,
and a pump that carries the outboxes across (the HTTP hop replaced by a direct call)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from jingban.core import clock, policy
from jingban.core.actor import Actor
from jingban.core.config import PROJECT_ROOT
from jingban.core.db import make_engine
from jingban.core.errors import JingbanError
from jingban.core.migrate import upgrade
from jingban.records.models import AccountEntry, Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key
from jingban.transfers import batch, protocol, service
from tests.conftest import citizen_id, uscc

OLD, NEW = "330106", "310104"
CLERK = Actor("clerk_t", frozenset({"clerk"}), False, "counter")
BASE = 800000  # 8000.00 yuan a month


@dataclass
class Side:
    region: str
    sessions: sessionmaker


def write_directory(tmp_path: Path, urls: dict[str, str]) -> Path:
    """Keys for each region under tmp_path/<region>/ and a directory file naming them all."""
    entries = []
    for region, url in urls.items():
        key, _ = protocol.ensure_key(tmp_path / region / "transfer-signing.key")
        entries.append({"region": region, "name": f"{region}社会保险经办机构", "base_url": url,
                        "public_key_file": str(key.with_suffix(".pub"))})
    path = tmp_path / "agencies.yaml"
    path.write_text(yaml.safe_dump({"agencies": entries}, allow_unicode=True), encoding="utf-8")
    return path


def key_of(tmp_path: Path, region: str) -> str:
    return str(tmp_path / region / "transfer-signing.key")


def two_sides(sessions, tmp_path: Path, monkeypatch) -> tuple[Side, Side]:
    """The old place on the suite's database, the new place on a fresh SQLite file."""
    directory = write_directory(tmp_path, {OLD: "http://127.0.0.1:9", NEW: "http://127.0.0.1:9"})
    monkeypatch.setenv("JINGBAN_AGENCY_DIRECTORY", str(directory))
    sessions.kw["info"]["signing_key"] = key_of(tmp_path, OLD)
    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    upgrade(engine)
    info = {"region": NEW, "signing_key": key_of(tmp_path, NEW),
            "calendar_dirs": (tmp_path / "calendar", PROJECT_ROOT / "policy" / "calendar")}
    return Side(OLD, sessions), Side(NEW, sessionmaker(engine, expire_on_commit=False, info=info))


def _employer(db, region: str) -> Employer:
    employer = Employer(uscc=uscc(), name=f"{region}转移测试有限公司", kind="enterprise", region=region,
                        registered_on=dt.date(2010, 1, 1), injury_risk_class=1, status="active",
                        flag="")
    db.add(employer)
    return employer


def person(side: Side, ssn: str, *, name: str = "王转移", birth=dt.date(1985, 4, 1), sex="M",
           household: str = OLD, history: dict[str, list[int]] | None = None,
           enrolled: tuple[str, ...] = ()) -> None:
    """A person at one agency: ``history`` insurance → periods paid at BASE (enterprise
    pension credits 8 % to the account), ``enrolled`` active enrollments now."""
    with side.sessions() as db:
        employer = _employer(db, side.region)
        who = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex=sex,
                     birth_date=birth, household_region=household, phone="13900000000",
                     registered_on=dt.date(2010, 1, 1), status="active")
        db.add(who)
        db.flush()
        for insurance in enrolled:
            db.add(Enrollment(person=who, employer=employer, insurance=insurance,
                              exclusive_key=exclusive_key(insurance, employer.id),
                              start_date=dt.date(2026, 1, 1), contribution_base=BASE,
                              status="active"))
        for insurance, periods in (history or {}).items():
            for period in periods:
                _paid(db, who, employer, insurance, period)
        db.commit()


def _paid(db, who: Person, employer: Employer, insurance: str, period: int) -> None:
    account = BASE * 8 // 100 if insurance in ("pension_enterprise", "pension_resident") else 0
    row = Contribution(record_id=f"T{who.ssn}{insurance[:4]}{period}", person_id=who.id,
                       employer_id=employer.id, insurance=insurance, period=period, base=BASE,
                       employer_amount=BASE * 16 // 100, personal_amount=BASE * 8 // 100,
                       account_amount=account, paid_on=dt.date(period // 100, period % 100, 15),
                       kind="posted")
    db.add(row)
    db.flush()
    if account:
        db.add(AccountEntry(person_id=who.id, scheme=insurance, year=period // 100,
                            kind="contribution", amount=account, period=period,
                            contribution_id=row.id, posted_on=row.paid_on))


def months(year_from: int, count: int) -> list[int]:
    """``count`` consecutive periods from January of ``year_from``."""
    return [(year_from + i // 12) * 100 + i % 12 + 1 for i in range(count)]


def to(side: Side):
    """A sender that hands the envelope to the other side's inbox act directly."""

    def send(_url: str, envelope: dict):
        with side.sessions() as db:
            try:
                return (*service.receive(db, envelope), "")
            except JingbanError as exc:
                return exc.status, {"error": exc.to_dict()}, exc.message

    return send


def pump(a: Side, b: Side, rounds: int = 10) -> int:
    """Deliver both outboxes until nothing is due; the number of messages carried."""
    carried = 0
    for _ in range(rounds):
        moved = sum(batch.deliver(a.sessions, sender=to(b)).values())
        moved += sum(batch.deliver(b.sessions, sender=to(a)).values())
        carried += moved
        if not moved:
            break
    return carried


def the_transfer(side: Side, ssn: str):
    with side.sessions() as db:
        return db.execute(select(service.Transfer).where(service.Transfer.ssn == ssn)
                          .order_by(service.Transfer.id.desc())).scalar()


def balance(side: Side, ssn: str, scheme: str = "pension_enterprise") -> int:
    with side.sessions() as db:
        return int(db.execute(select(func.coalesce(func.sum(AccountEntry.amount), 0))
                              .join(Person, Person.id == AccountEntry.person_id)
                              .where(Person.ssn == ssn, AccountEntry.scheme == scheme)).scalar())


def fresh_ssn(birth=dt.date(1985, 4, 1)) -> str:
    return citizen_id(birth)


def moving(account: int, on: dt.date | None = None) -> int:
    """What leaves an account whose credits are all from earlier years: the balance and this
    year's interest up to the transfer month — by hand, balance × rate × (month − 1) / 12,
    half-up, at the latest published crediting rate (this year's is published next year)."""
    on = on or clock.today()
    rate = Decimal(str(policy.current().latest("records.crediting_rate", OLD,
                                               dt.date(on.year, 1, 1))))
    interest = Decimal(account) * rate * (on.month - 1) / 12
    return account + int(interest.quantize(Decimal(1), rounding=ROUND_HALF_UP))

