"""The anomaly monitors as set-based statements (Z-11(7): 通过技术手段定期筛查和对比).

Each monitor is one or two SELECTs that yield the hits' columns; a run inserts them with one
INSERT … SELECT per chunk of the key space (persons, or employers), skipping every fact key
already raised (NOT EXISTS, and ON CONFLICT DO NOTHING against the unique key for two rows of
the same facts in one statement). No Python loop over persons: a chunk of 100,000 persons is
one statement per monitor. After each chunk the run's ``cursor`` is committed, so a run that
stops goes on from there the next time; a monitor's completed run of a day is not run again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    Integer,
    String,
    and_,
    case,
    cast,
    distinct,
    exists,
    extract,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql import Select

from jingban.benefits.common.models import Award, Payment, StopReport
from jingban.core import agency, audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot
from jingban.core.errors import Conflict, InvalidInput
from jingban.oversight.monitors import rules
from jingban.oversight.monitors.models import MonitorHit, MonitorRun
from jingban.records.models import Contribution
from jingban.registration.models import Employer, Enrollment, Person
from jingban.registration.rules import FAMILY
from jingban.transfers.models import Transfer

audit.ACT_NAMES["oversight.monitor_run"] = "异常监测"

# Ids per statement; None: the whole space at once (an employer's headcount needs every
# contribution of the month, and contributions are indexed by person, not by employer).
CHUNK: dict[str, int | None] = {"person": 100_000, "employer": None}
FAR = dt.date(9999, 12, 31)
PARAMS = {"window_months": "oversight.monitors.window_months",
          "base_rise": "oversight.monitors.base_rise_percent",
          "base_fall": "oversight.monitors.base_fall_percent",
          "headcount_percent": "oversight.monitors.headcount_change_percent",
          "headcount_min": "oversight.monitors.headcount_min_change"}
HIT_COLUMNS = ("fact_key", "subject_ref", "person_id", "employer_id", "fact_date", "period",
               "value_before", "value_after", "amount", "months", "ref")

# Death dates other areas keep, by SSN (``use_death_source``, set by jingban.wiring): the facts
# other departments shared live in an area built on this one.
DeathSource = Callable[[], Select]
_death_sources: dict[str, DeathSource] = {}


def use_death_source(name: str, source: DeathSource) -> None:
    """A SELECT of (ssn, died) whose deaths the death_payment monitor takes into account."""
    _death_sources[name] = source


@dataclass(frozen=True)
class Scope:
    """What one chunk of one run looks at: ids in [lo, hi) of the key space, and the day's
    thresholds and window."""
    lo: int
    hi: int
    on: dt.date
    params: dict[str, int]

    @property
    def window(self) -> tuple[int, int]:
        return rules.window(self.on, self.params["window_months"])

    def ids(self, column: Any) -> Any:
        return and_(column >= self.lo, column < self.hi)


# --- SQL pieces ----------------------------------------------------------------------------------

def _text(*parts: Any) -> Any:
    """A fact key: literals and columns joined with ``||``."""
    out = None
    for part in parts:
        piece = literal(part, String) if isinstance(part, str) else cast(part, String)
        out = piece if out is None else out + piece
    return out


def _period(day: Any) -> Any:
    return cast(extract("year", day) * 100 + extract("month", day), Integer)


def _none(kind: Any) -> Any:
    return cast(null(), kind)


def _hit(fact_key: Any, subject_ref: Any, *, person_id: Any = None, employer_id: Any = None,
         fact_date: Any = None, period: Any = None, value_before: Any = None,
         value_after: Any = None, amount: Any = None, months: Any = None, ref: Any = "") -> list:
    """The hit's columns, in HIT_COLUMNS order, NULLs typed (PostgreSQL takes an untyped NULL
    of a subquery as text). A date is never CAST: SQLite would turn '2026-08-15' into 2026."""
    def given(value: Any, kind: Any) -> Any:
        return _none(kind) if value is None else cast(value, kind)

    return [fact_key.label("fact_key"), subject_ref.label("subject_ref"),
            given(person_id, Integer).label("person_id"),
            given(employer_id, Integer).label("employer_id"),
            (_none(Date) if fact_date is None else fact_date).label("fact_date"),
            given(period, Integer).label("period"),
            given(value_before, BigInteger).label("value_before"),
            given(value_after, BigInteger).label("value_after"),
            given(amount, BigInteger).label("amount"), given(months, Integer).label("months"),
            (literal(ref, String) if isinstance(ref, str) else cast(ref, String)).label("ref")]


def _effective(c: Any) -> Any:
    """A posted contribution that still counts here: not reversed, not carried away. NOT IN
    (not NOT EXISTS): the few reversed ids become one hashed set, and the chunk's rows are
    still found through the person index instead of a merge over the whole table."""
    reversal = aliased(Contribution)
    reversed_ids = select(reversal.reverses_id).where(reversal.reverses_id.is_not(None))
    return and_(c.kind == "posted", c.transfer_out_ref.is_(None), c.id.not_in(reversed_ids))


def _family(insurance: Any) -> Any:
    return case({ins: fam for ins, fam in FAMILY.items()}, value=insurance, else_="")


# --- the monitors ----------------------------------------------------------------------------------

def _deaths(scope: Scope) -> Any:
    """Each person's earliest recorded death: registration, stop reports, shared facts."""
    parts = [select(Person.id.label("person_id"), Person.death_date.label("died"))
             .where(Person.death_date.is_not(None), scope.ids(Person.id)),
             select(StopReport.person_id, StopReport.event_date)
             .where(StopReport.reason.in_(rules.DEATH_REASONS), scope.ids(StopReport.person_id))]
    for _name, source in sorted(_death_sources.items()):
        shared = source().subquery()
        parts.append(select(Person.id, shared.c.died).join(shared, shared.c.ssn == Person.ssn)
                     .where(scope.ids(Person.id)))
    every = union_all(*parts).subquery()
    return (select(every.c.person_id, func.min(every.c.died).label("died"))
            .group_by(every.c.person_id).subquery())


def death_payment(scope: Scope) -> list[Select]:
    """死亡冒领: payments for months after the month of death (a death stops the award from
    the month after), of any award paid to the person himself."""
    dead = _deaths(scope)
    died = _period(dead.c.died)
    columns = _hit(_text("person:", dead.c.person_id, ":", died), Person.ssn,
                   person_id=dead.c.person_id, fact_date=dead.c.died,
                   period=func.min(Payment.period), amount=func.sum(Payment.gross),
                   months=func.count(distinct(Payment.period)))
    return [select(*columns).select_from(dead)
            .join(Person, and_(Person.id == dead.c.person_id, scope.ids(Person.id)))
            .join(Payment, Payment.person_id == dead.c.person_id)
            .join(Award, Award.id == Payment.award_id)
            .where(Payment.period > died, Award.kind.not_in(rules.PAID_AFTER_DEATH))
            .group_by(dead.c.person_id, dead.c.died, Person.ssn)]


def duplicate_benefit(scope: Scope) -> list[Select]:
    """重复领取: two awards of one benefit family (another scheme) paid for the same month;
    or a pension still paid here after the pension relationship was transferred to another
    region."""
    a1, a2, p1, p2 = aliased(Award), aliased(Award), aliased(Payment), aliased(Payment)
    family = or_(*(and_(a1.kind.in_(kinds), a2.kind.in_(kinds))
                   for kinds in rules.BENEFIT_FAMILIES.values()))
    schemes = (select(*_hit(_text("schemes:", a1.id, ":", a2.id), Person.ssn,
                            person_id=a1.person_id, period=func.min(p2.period),
                            amount=func.sum(p2.gross), months=func.count(distinct(p2.period)),
                            ref=_text(a1.kind, "+", a2.kind)))
               .select_from(a1)
               .join(a2, and_(a2.person_id == a1.person_id, a2.id > a1.id, a2.kind != a1.kind))
               .join(p1, p1.award_id == a1.id)
               .join(p2, and_(p2.award_id == a2.id, p2.period == p1.period))
               .join(Person, and_(Person.id == a1.person_id, scope.ids(Person.id)))
               .where(family, scope.ids(a1.person_id))
               .group_by(a1.id, a2.id, a1.kind, a2.kind, a1.person_id, Person.ssn))
    moved = _period(Transfer.completed_on)
    region = (select(*_hit(_text("region:", Transfer.ref, ":", Award.id), Person.ssn,
                           person_id=Transfer.person_id, fact_date=Transfer.completed_on,
                           period=func.min(Payment.period), amount=func.sum(Payment.gross),
                           months=func.count(distinct(Payment.period)), ref=Transfer.new_region))
              .select_from(Transfer)
              .join(Award, Award.person_id == Transfer.person_id)
              .join(Payment, Payment.award_id == Award.id)
              .join(Person, and_(Person.id == Transfer.person_id, scope.ids(Person.id)))
              .where(Transfer.role == "old", Transfer.status == "completed",
                     Transfer.kind.in_(rules.REGION_TRANSFERS), Transfer.completed_on.is_not(None),
                     Award.kind.in_(rules.PENSION_KINDS), Payment.period > moved,
                     scope.ids(Transfer.person_id))
              .group_by(Transfer.ref, Transfer.person_id, Transfer.completed_on,
                        Transfer.new_region, Award.id, Person.ssn))
    return [schemes, region]


def duplicate_enrollment(scope: Scope) -> list[Select]:
    """重复参保: two enrollments of one exclusive family whose periods overlap; or the same
    month paid by two payers (two employers, or two schemes) of one exclusive family."""
    e1, e2 = aliased(Enrollment), aliased(Enrollment)
    later = case((e1.start_date >= e2.start_date, e1.start_date), else_=e2.start_date)
    overlap = (select(*_hit(_text("overlap:", e1.id, ":", e2.id), Person.ssn,
                            person_id=e1.person_id, fact_date=later,
                            ref=_text(e1.insurance, "+", e2.insurance)))
               .select_from(e1)
               .join(e2, and_(e2.person_id == e1.person_id, e2.exclusive_key == e1.exclusive_key,
                              e2.id > e1.id))
               .join(Person, and_(Person.id == e1.person_id, scope.ids(Person.id)))
               .where(e1.start_date < func.coalesce(e2.end_date, FAR),
                      e2.start_date < func.coalesce(e1.end_date, FAR), scope.ids(e1.person_id),
                      scope.ids(e2.person_id)))  # both sides read through the person index
    c = Contribution
    first, last = scope.window
    family, employer = _family(c.insurance), func.coalesce(c.employer_id, 0)
    # Two payers: the insurance or the employer differs within the month (min <> max is the
    # same test as COUNT(DISTINCT) > 1, without sorting each group); the payers are named
    # from the extremes, exactly when only one of the two differs (the usual case).
    payer_a = _text(func.min(c.insurance), ":", func.min(employer))
    payer_b = _text(func.max(c.insurance), ":", func.max(employer))
    month = (select(c.person_id, family.label("family"), c.period,
                    payer_a.label("payer_a"), payer_b.label("payer_b"))
             .where(_effective(c), c.period >= first, c.period <= last, scope.ids(c.person_id),
                    c.insurance.in_([i for i, f in FAMILY.items() if f != "injury"]))
             .group_by(c.person_id, family, c.period)
             .having(or_(func.min(c.insurance) != func.max(c.insurance),
                         func.min(employer) != func.max(employer))).subquery())
    pair = _text(func.min(month.c.payer_a), "|", func.max(month.c.payer_b))
    paid = (select(*_hit(_text("paid:", month.c.person_id, ":", month.c.family, ":", pair),
                         Person.ssn, person_id=month.c.person_id, period=func.min(month.c.period),
                         months=func.count(), ref=pair))
            .select_from(month)
            .join(Person, and_(Person.id == month.c.person_id, scope.ids(Person.id)))
            .group_by(month.c.person_id, month.c.family, Person.ssn))
    return [overlap, paid]


def base_change(scope: Scope) -> list[Select]:
    """缴费基数突变: a month's pension contribution base against the month posted before."""
    c = Contribution
    first, last = scope.window
    before = func.lag(c.base).over(partition_by=(c.person_id, c.insurance), order_by=c.period)
    months = (select(c.person_id, c.insurance, c.period, c.base, before.label("before"))
              .where(_effective(c), c.insurance.in_(rules.PENSION_SCHEMES), c.base > 0,
                     c.period >= rules.previous_period(first), c.period <= last,
                     scope.ids(c.person_id)).subquery())
    jumped = rules.base_jumped(months.c.before, months.c.base, scope.params["base_rise"],
                               scope.params["base_fall"])
    return [select(*_hit(_text("person:", months.c.person_id, ":", months.c.insurance, ":",
                               months.c.period), Person.ssn, person_id=months.c.person_id,
                         period=months.c.period, value_before=months.c.before,
                         value_after=months.c.base, ref=months.c.insurance))
            .select_from(months)
            .join(Person, and_(Person.id == months.c.person_id, scope.ids(Person.id)))
            .where(months.c.period >= first, months.c.before.is_not(None), jumped)]


def headcount_change(scope: Scope) -> list[Select]:
    """缴费人数突变: the persons an employer paid for in a month against the month before."""
    c = Contribution
    first, last = scope.window
    counted = (select(c.employer_id, c.period, func.count(distinct(c.person_id)).label("staff"))
               .where(_effective(c), c.employer_id.is_not(None),
                      c.period >= rules.previous_period(first), c.period <= last,
                      scope.ids(c.employer_id))
               .group_by(c.employer_id, c.period).subquery())
    before = func.lag(counted.c.staff).over(partition_by=counted.c.employer_id,
                                            order_by=counted.c.period)
    months = select(counted, before.label("before")).subquery()
    jumped = rules.headcount_jumped(months.c.before, months.c.staff,
                                    scope.params["headcount_percent"], scope.params["headcount_min"])
    return [select(*_hit(_text("employer:", months.c.employer_id, ":", months.c.period),
                         Employer.uscc, employer_id=months.c.employer_id, period=months.c.period,
                         value_before=months.c.before, value_after=months.c.staff))
            .select_from(months).join(Employer, Employer.id == months.c.employer_id)
            .where(months.c.period >= first, months.c.before.is_not(None), jumped)]


def pension_contributing(scope: Scope) -> list[Select]:
    """领取养老金期间仍缴费: employees' pension contributions posted by an employer for a
    month from the pension's first month on."""
    c = Contribution
    return [select(*_hit(_text("award:", Award.id), Person.ssn, person_id=Award.person_id,
                         employer_id=func.min(c.employer_id), period=func.min(c.period),
                         value_before=Award.start_period,
                         amount=func.sum(c.employer_amount + c.personal_amount),
                         months=func.count(distinct(c.period)), ref=func.min(Employer.uscc)))
            .select_from(Award).join(c, c.person_id == Award.person_id)
            .join(Employer, Employer.id == c.employer_id)
            .join(Person, and_(Person.id == Award.person_id, scope.ids(Person.id)))
            .where(Award.kind.in_(rules.PENSION_KINDS), Award.status != "replaced",
                   c.insurance.in_(rules.PENSION_SCHEMES), c.period >= Award.start_period,
                   _effective(c), scope.ids(Award.person_id))
            .group_by(Award.id, Award.person_id, Award.start_period, Person.ssn)]


@dataclass(frozen=True)
class Monitor:
    code: str
    space: str  # person | employer: the ids a run goes through in chunks
    statements: Callable[[Scope], list[Select]]


MONITORS = {m.code: m for m in (
    Monitor("death_payment", "person", death_payment),
    Monitor("duplicate_benefit", "person", duplicate_benefit),
    Monitor("duplicate_enrollment", "person", duplicate_enrollment),
    Monitor("base_change", "person", base_change),
    Monitor("headcount_change", "employer", headcount_change),
    Monitor("pension_contributing", "person", pension_contributing),
)}
assert tuple(MONITORS) == rules.ORDER


# --- running them ---------------------------------------------------------------------------------

def _insert(db: Session, code: str, run: MonitorRun, chosen: Select, now: dt.datetime) -> None:
    found = chosen.subquery()
    kind = "employer" if MONITORS[code].space == "employer" else "person"
    raised = aliased(MonitorHit)
    rows = (select(literal(code, String), found.c.fact_key, literal(run.id, Integer),
                   literal(run.run_on, Date), literal(kind, String),
                   *(found.c[name] for name in HIT_COLUMNS[1:]),
                   literal("open", String), literal("", String), literal("", String),
                   literal(now, DateTime(timezone=True)))
            .where(~exists().where(raised.monitor == code, raised.fact_key == found.c.fact_key)))
    columns = ["monitor", "fact_key", "run_id", "raised_on", "subject_kind", *HIT_COLUMNS[1:],
               "status", "closed_reason", "closed_by", "created_at"]
    dialect = postgresql if db.get_bind().dialect.name == "postgresql" else sqlite
    db.execute(dialect.insert(MonitorHit).from_select(columns, rows)
               .on_conflict_do_nothing(index_elements=["monitor", "fact_key"]))


def _tune(db: Session) -> None:
    """PostgreSQL, for this chunk's transaction: sort a chunk's contributions in memory (the
    base monitor orders 100,000 persons' year), and skip JIT compilation, which costs more
    than it saves on statements of a second or two."""
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SET LOCAL work_mem = '128MB'"))
        db.execute(text("SET LOCAL jit = off"))


def _space_end(db: Session, space: str) -> int:
    table = Employer if space == "employer" else Person
    return (db.execute(select(func.max(table.id))).scalar() or 0) + 1


def _params(db: Session, on: dt.date) -> dict[str, int]:
    return {key: int(agency.param(db, name, on)) for key, name in PARAMS.items()}


Progress = Callable[[str, int, int], None]


def run_monitor(db: Session, actor: Actor, code: str, on: dt.date, params: dict[str, int],
                progress: Progress | None = None) -> MonitorRun:
    """One monitor on one day: goes on from where a stopped run was, or returns the day's
    completed run (``repeat``)."""
    monitor = MONITORS[code]
    run = db.execute(select(MonitorRun).where(MonitorRun.monitor == code,
                                              MonitorRun.run_on == on)).scalar()
    if run is not None and run.status == "completed":
        run.repeat = True
        return run
    if run is None:
        run = MonitorRun(monitor=code, run_on=on, status="running", cursor=0,
                         started_by=actor.username, started_at=clock.now())
        db.add(run)
        try:
            db.commit()
        except IntegrityError:  # another process started the same run a moment ago
            db.rollback()
            raise Conflict("monitors.running", f"{rules.MONITORS[code][0]}（{on}）正由其他进程运行，"
                           "请稍后再试；中断的运行再次执行即可续跑", "only") from None
    end = _space_end(db, monitor.space)
    chunk = CHUNK[monitor.space] or end
    total = max(1, -(-end // chunk))
    try:
        while True:
            lo = run.cursor
            scope = Scope(lo, lo + chunk, on, params)
            _tune(db)
            for statement in monitor.statements(scope):
                _insert(db, code, run, statement, clock.now())
            run.cursor = lo + chunk
            db.commit()
            if progress:
                progress(code, min(total, -(-run.cursor // chunk)), total)
            if run.cursor >= end:
                break
        _finish(db, actor, run)
        db.commit()
    except BaseException:
        db.rollback()
        raise
    run.repeat = False
    return run


def _finish(db: Session, actor: Actor, run: MonitorRun) -> None:
    # Counted, not summed from rowcount: psycopg reports -1 for INSERT … SELECT.
    run.hits = db.execute(select(func.count()).select_from(MonitorHit)
                          .where(MonitorHit.run_id == run.id)).scalar()
    run.status, run.finished_at = "completed", clock.now()
    audit.record(db, actor, "oversight.monitor_run", f"monitor_run:{run.monitor}:{run.run_on}",
                 after=snapshot(run), reason=rules.MONITORS[run.monitor][0])


def run_monitors(db: Session, actor: Actor, on: dt.date | None = None, only: str | None = None,
                 progress: Progress | None = None) -> list[MonitorRun]:
    """异常监测 (Z-11(7)): every monitor (or ``only`` one) on ``on`` (today by default)."""
    require(actor, "oversight.monitor")
    today = clock.today()
    on = on or today
    if on > today:
        raise InvalidInput("monitors.future", f"监测日期不能晚于今天（{today}）", "on")
    if only is not None and only not in MONITORS:
        names = "、".join(f"{code}（{name}）" for code, (name, _) in rules.MONITORS.items())
        raise InvalidInput("monitors.unknown", f"未知的监测项目：{only}；可选：{names}", "only")
    params = _params(db, on)
    return [run_monitor(db, actor, code, on, params, progress)
            for code in ([only] if only else rules.ORDER)]
