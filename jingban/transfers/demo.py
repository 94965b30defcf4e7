"""Two demo regions for a transfer (`jingban demo --transfer-demo`): the same person, 王迁移,
with eleven years of enterprise pension contributions at the old region (330106, 杭州市西湖区)
and a new job since 2026-01 at any other region (the demo uses 310104, 上海市徐汇区), with a
portal login ``mover`` / ``demo-mover-2026`` at both. Seeding twice changes nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from jingban.core import audit, ids
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.core.config import Settings
from jingban.core.db import make_sessionmaker
from jingban.core.models import User
from jingban.records.models import AccountEntry, Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key

OLD_REGION = "330106"
BIRTH = dt.date(1985, 4, 1)
SSN = ids.make_citizen_id(OLD_REGION, BIRTH, 771)
NAME = "王迁移"
LOGIN, PASSWORD = "mover", "demo-mover-2026"
BASE = 800000  # 8000.00 yuan a month
OLD_PERIODS = [y * 100 + m for y in range(2015, 2026) for m in range(1, 13)]
NEW_START = dt.date(2026, 1, 1)


def seed(engine: Engine, settings: Settings, password_profile: str = "default") -> str:
    """The mover at this region; a line saying what was done."""
    with make_sessionmaker(engine, settings)() as db:
        if db.execute(select(Person.id).where(Person.ssn == SSN)).first():
            return f"转移演示参保人 {NAME}（{SSN}）已存在，未作改动"
        old = settings.region == OLD_REGION
        employer = _employer(db, settings.region, old)
        person = Person(ssn=SSN, id_type="citizen_id", id_number=SSN, name=NAME, sex="M",
                        birth_date=BIRTH, household_region=OLD_REGION, phone="13900001234",
                        address="杭州市西湖区文三路90号", registered_on=dt.date(2015, 1, 1),
                        status="active")
        db.add(person)
        db.flush()
        if old:
            _history(db, person, employer, OLD_PERIODS)
        else:
            db.add(Enrollment(person_id=person.id, employer_id=employer.id,
                              insurance="pension_enterprise",
                              exclusive_key=exclusive_key("pension_enterprise", employer.id),
                              start_date=NEW_START, contribution_base=BASE, status="active"))
        audit.record(db, SYSTEM, "demo.transfer_mover", f"person:{person.id}",
                     after={"ssn": SSN, "region": settings.region})
        db.commit()
        if not db.execute(select(User.id).where(User.username == LOGIN)).first():
            create_user(db, SYSTEM, LOGIN, PASSWORD, {"person"}, display_name=NAME,
                        subject=f"person:{person.id}", profile=password_profile, demo=True)
    what = "2015—2025年企业职工养老保险缴费132个月" if old else "2026年1月起在本地新单位参保"
    return f"已生成转移演示参保人 {NAME}（{SSN}）：{what}；门户账号 {LOGIN} / {PASSWORD}"


def _employer(db: Session, region: str, old: bool) -> Employer:
    employer = Employer(uscc=ids.make_uscc("9", "1", region, "MA1TRF001"),
                        name="杭州迁出演示有限公司" if old else "新参保地迁入演示有限公司",
                        kind="enterprise", region=region, registered_on=dt.date(2010, 1, 1),
                        injury_risk_class=1, status="active", flag="")
    db.add(employer)
    db.flush()
    return employer


def _history(db: Session, person: Person, employer: Employer, periods: list[int]) -> None:
    """Paid months at 8000.00: 16 % + 8 %, the 8 % credited to the account."""
    rows = [{"record_id": f"DEMO-MOVER-{p}", "person_id": person.id, "employer_id": employer.id,
             "insurance": "pension_enterprise", "period": p, "base": BASE,
             "employer_amount": BASE * 16 // 100, "personal_amount": BASE * 8 // 100,
             "account_amount": BASE * 8 // 100, "subsidy_amount": 0,
             "paid_on": dt.date(p // 100, p % 100, 15), "kind": "posted"} for p in periods]
    db.execute(insert(Contribution), rows)
    posted = db.execute(select(Contribution.id, Contribution.period)
                        .where(Contribution.person_id == person.id)).all()
    db.execute(insert(AccountEntry), [
        {"person_id": person.id, "scheme": "pension_enterprise", "year": p // 100,
         "kind": "contribution", "amount": BASE * 8 // 100, "period": p, "contribution_id": cid,
         "posted_on": dt.date(p // 100, p % 100, 15)} for cid, p in posted])
