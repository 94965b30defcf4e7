"""A region with planted anomalies and clean look-alikes next to each, written as rows (the
monitors read tables; how the rows came about is other areas' business and tested there).

``plant`` returns the planted hits as {(monitor, subject name)} and the clean subjects' names;
the monitors must find exactly the planted ones."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award, Payment, StopReport
from jingban.benefits.stops.models import SharedFact
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import exclusive_key
from jingban.transfers.models import Transfer
from tests.conftest import REGION, citizen_id, uscc

ON = dt.date(2026, 11, 23)  # a day before the suite's earliest --today
MONTHLY = 300000
BASE = 500000
_seq = itertools.count(1)


class Region:
    def __init__(self, db: Session):
        self.db = db
        self.planted: set[tuple[str, str]] = set()
        self.clean: set[str] = set()

    # --- rows -------------------------------------------------------------------------------
    def person(self, name: str, death_date: dt.date | None = None) -> Person:
        ssn = citizen_id(dt.date(1960, 3, 4))
        row = Person(ssn=ssn, id_type="citizen_id", id_number=ssn, name=name, sex="M",
                     birth_date=dt.date(1960, 3, 4), registered_on=dt.date(2000, 1, 1),
                     death_date=death_date, status="deceased" if death_date else "active")
        self.db.add(row)
        self.db.flush()
        return row

    def employer(self, name: str) -> Employer:
        row = Employer(uscc=uscc(), name=name, kind="enterprise", region=REGION,
                       registered_on=dt.date(2000, 1, 1))
        self.db.add(row)
        self.db.flush()
        return row

    def award(self, person: Person, kind: str = "pension_enterprise", start: int = 202101,
              status: str = "active") -> Award:
        row = Award(person_id=person.id, kind=kind, status=status, start_period=start,
                    monthly_amount=MONTHLY, decided_on=dt.date(2021, 1, 1), decided_by="test")
        self.db.add(row)
        self.db.flush()
        return row

    def paid(self, award: Award, *periods: int) -> None:
        self.db.add_all(Payment(award_id=award.id, person_id=award.person_id, period=p,
                                gross=MONTHLY, net=MONTHLY,
                                paid_on=dt.date(p // 100, p % 100, 10)) for p in periods)
        self.db.flush()

    def contributed(self, person: Person, employer: Employer | None, insurance: str,
                    periods: list[int], base: int | list[int] = BASE) -> list[Contribution]:
        bases = base if isinstance(base, list) else [base] * len(periods)
        rows = [Contribution(record_id=f"c{next(_seq)}", person_id=person.id,
                             employer_id=employer.id if employer else None, insurance=insurance,
                             period=p, base=b, employer_amount=b * 16 // 100,
                             personal_amount=b * 8 // 100, paid_on=dt.date(p // 100, p % 100, 15))
                for p, b in zip(periods, bases, strict=True)]
        self.db.add_all(rows)
        self.db.flush()
        return rows

    def enrolled(self, person: Person, insurance: str, start: dt.date,
                 end: dt.date | None = None, employer: Employer | None = None) -> Enrollment:
        row = Enrollment(person_id=person.id, employer_id=employer.id if employer else None,
                         insurance=insurance,
                         exclusive_key=exclusive_key(insurance, employer.id if employer else None),
                         start_date=start, end_date=end, status="ended" if end else "active")
        self.db.add(row)
        self.db.flush()
        return row

    def transferred_out(self, person: Person, completed: dt.date) -> Transfer:
        row = Transfer(ref=f"TRF-{next(_seq)}", kind="pension_enterprise", role="old",
                       person_id=person.id, ssn=person.ssn, name=person.name,
                       old_region=REGION, new_region="110105", applied_at="new",
                       applied_on=completed - dt.timedelta(days=30), status="completed",
                       step="done", due_on=completed, completed_on=completed)
        self.db.add(row)
        self.db.flush()
        return row

    def hit(self, monitor: str, name: str) -> None:
        self.planted.add((monitor, name))


def months(first: int, last: int) -> list[int]:
    out, p = [], first
    while p <= last:
        out.append(p)
        p = p + 1 if p % 100 < 12 else (p // 100 + 1) * 100 + 1
    return out


def plant_deaths(r: Region) -> None:
    a = r.person("甲死亡后发放", death_date=dt.date(2026, 8, 15))
    r.paid(r.award(a), 202607, 202608, 202609, 202610)
    r.hit("death_payment", "甲死亡后发放")
    b = r.person("乙亲属报告死亡")
    r.paid(r.award(b), 202609, 202610)
    r.db.add(StopReport(person_id=b.id, reason="death", event_date=dt.date(2026, 9, 3),
                        reported_on=dt.date(2026, 10, 8), report_due_on=dt.date(2026, 10, 9),
                        source="relative", recorded_by="test"))
    r.hit("death_payment", "乙亲属报告死亡")
    c = r.person("丙公安共享死亡")
    r.paid(r.award(c), 202607, 202608)
    r.db.add(SharedFact(kind="death", ssn=c.ssn, fact_date=dt.date(2026, 7, 1),
                        source="population", source_ref=f"d{c.id}", received_on=ON))
    r.hit("death_payment", "丙公安共享死亡")
    d = r.person("丁当月死亡", death_date=dt.date(2026, 10, 20))
    r.paid(r.award(d), 202609, 202610)  # the month of death is still due
    e = r.person("戊遗属待遇", death_date=dt.date(2026, 5, 2))
    r.paid(r.award(e, "survivor"), 202606, 202607)  # paid to the dependants
    r.clean |= {"丁当月死亡", "戊遗属待遇"}


def plant_duplicate_benefits(r: Region) -> None:
    g = r.person("己两种养老金")
    r.paid(r.award(g, "pension_enterprise"), 202609, 202610)
    r.paid(r.award(g, "pension_resident"), 202610)
    r.hit("duplicate_benefit", "己两种养老金")
    h = r.person("庚重新核定")  # the same kind re-determined: not two schemes
    old = r.award(h, start=202101, status="replaced")
    r.paid(old, 202609)
    r.paid(r.award(h, start=202610), 202610)
    i = r.person("辛转出后仍领取")
    r.transferred_out(i, dt.date(2026, 6, 10))
    r.paid(r.award(i), 202606, 202607, 202608)
    r.hit("duplicate_benefit", "辛转出后仍领取")
    j = r.person("壬转出前领取")
    r.transferred_out(j, dt.date(2026, 6, 10))
    r.paid(r.award(j), 202605, 202606)
    r.clean |= {"庚重新核定", "壬转出前领取"}


def plant_enrollments(r: Region) -> None:
    work = r.employer("甲单位")
    other = r.employer("乙单位")
    k = r.person("癸参保重叠")
    r.enrolled(k, "pension_enterprise", dt.date(2020, 1, 1), dt.date(2026, 6, 30), work)
    r.enrolled(k, "pension_resident", dt.date(2026, 3, 1))
    r.hit("duplicate_enrollment", "癸参保重叠")
    m = r.person("子前后衔接")
    r.enrolled(m, "pension_enterprise", dt.date(2020, 1, 1), dt.date(2026, 3, 1), work)
    r.enrolled(m, "pension_enterprise", dt.date(2026, 3, 1), None, other)
    n = r.person("丑两处缴费")
    r.contributed(n, work, "pension_enterprise", [202604, 202605])
    r.contributed(n, other, "pension_enterprise", [202605])
    r.hit("duplicate_enrollment", "丑两处缴费")
    o = r.person("寅两处工伤")  # work injury is owed by each employer
    r.contributed(o, work, "injury", [202605])
    r.contributed(o, other, "injury", [202605])
    r.contributed(o, work, "medical_employee", [202605])
    r.contributed(o, work, "pension_enterprise", [202605])
    r.clean |= {"子前后衔接", "寅两处工伤"}


def plant_bases(r: Region) -> None:
    work = r.employer("丙单位")
    p = r.person("卯基数翻倍")
    r.contributed(p, work, "pension_enterprise", months(202604, 202610),
                  [BASE] * 5 + [1200000, 1200000])
    r.hit("base_change", "卯基数翻倍")
    q = r.person("辰基数下降")
    r.contributed(q, work, "pension_enterprise", months(202604, 202606), [1000000, 1000000, 400000])
    r.hit("base_change", "辰基数下降")
    s = r.person("巳正常调整")
    r.contributed(s, work, "pension_enterprise", months(202604, 202608), [BASE] * 3 + [800000] * 2)
    t = r.person("午冲正后")
    rows = r.contributed(t, work, "pension_enterprise", months(202604, 202606),
                         [BASE, 2000000, BASE])
    r.db.add(Contribution(person_id=t.id, employer_id=work.id, insurance="pension_enterprise",
                          period=202605, base=-2000000, employer_amount=-rows[1].employer_amount,
                          personal_amount=-rows[1].personal_amount, paid_on=dt.date(2026, 6, 20),
                          kind="reversal", reverses_id=rows[1].id))
    u = r.person("未窗口之前")  # the jump lies before the window of 12 months
    r.contributed(u, work, "pension_enterprise", [202409, 202410], [BASE, 2000000])
    r.clean |= {"巳正常调整", "午冲正后", "未窗口之前"}


def plant_headcounts(r: Region) -> None:
    grew = r.employer("丁单位人数倍增")
    small = r.employer("戊小单位")
    steady = r.employer("己单位平稳")
    for i in range(40):
        staff = r.person(f"丁职工{i}")
        r.contributed(staff, grew, "injury", [202607, 202608] if i < 20 else [202608])
    for i in range(9):
        staff = r.person(f"戊职工{i}")
        r.contributed(staff, small, "injury", [202607, 202608] if i < 5 else [202608])
    for i in range(35):
        staff = r.person(f"己职工{i}")
        r.contributed(staff, steady, "injury", [202607, 202608] if i < 30 else [202608])
    r.hit("headcount_change", "丁单位人数倍增")
    r.clean |= {"戊小单位", "己单位平稳"}


def plant_pensioners(r: Region) -> None:
    work = r.employer("庚单位")
    s = r.person("申退休后仍缴费")
    r.award(s, start=202605)
    r.contributed(s, work, "pension_enterprise", months(202603, 202607))
    r.hit("pension_contributing", "申退休后仍缴费")
    t = r.person("酉退休前缴费")
    r.award(t, start=202605)
    r.contributed(t, work, "pension_enterprise", months(202601, 202604))
    v = r.person("戌返聘工伤")
    r.award(v, start=202605)
    r.contributed(v, work, "injury", [202606, 202607])
    r.clean |= {"酉退休前缴费", "戌返聘工伤"}


def plant(db: Session) -> Region:
    region = Region(db)
    for step in (plant_deaths, plant_duplicate_benefits, plant_enrollments, plant_bases,
                 plant_headcounts, plant_pensioners):
        step(region)
    db.commit()
    return region
