"""The anomaly monitors (issue 12 item 3) on a region with planted anomalies: each monitor finds
its planted cases and nothing on their clean look-alikes; a rerun raises nothing new, also on
another day; a run that stopped halfway goes on from where it was; hits are closed as
explained or marked for inspection, once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.cases.models import Case
from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.oversight.inspections import service as inspections
from jingban.oversight.monitors import batch, rules, service
from jingban.oversight.monitors.models import MonitorHit, MonitorRun
from jingban.oversight.monitors.schemas import ExplainIn, InspectIn
from jingban.registration.models import Employer, Person
from tests.oversight.monitors.planting import ON, plant

INSPECTOR = Actor("inspector-test", frozenset({"inspector"}), True, "api")
CLERK = Actor("clerk-test", frozenset({"clerk"}), True, "api")


def found(db) -> set[tuple[str, str]]:
    rows = db.execute(select(MonitorHit.monitor, Person.name, Employer.name)
                      .outerjoin(Person, Person.id == MonitorHit.person_id)
                      .outerjoin(Employer, Employer.id == MonitorHit.employer_id)).all()
    return {(m, p if p is not None else e) for m, p, e in rows}


def hit_of(db, monitor: str) -> MonitorHit:
    return db.execute(select(MonitorHit).where(MonitorHit.monitor == monitor)
                      .order_by(MonitorHit.id)).scalars().first()


@pytest.fixture
def region(db):
    return plant(db)


def test_each_monitor_finds_its_planted_cases_and_nothing_on_the_clean_ones(db, region):
    steps = []
    runs = batch.run_monitors(db, INSPECTOR, on=ON, progress=lambda *s: steps.append(s))
    assert [r.monitor for r in runs] == list(rules.ORDER)
    assert all(r.status == "completed" and not r.repeat for r in runs)
    assert found(db) == region.planted
    assert not {name for _, name in found(db)} & region.clean
    assert {s[0] for s in steps} == set(rules.ORDER) and all(s[1] == s[2] for s in steps[-1:])
    assert sum(r.hits for r in runs) == len(region.planted)
    # every run is on the audit chain
    assert len(audit.history(db, f"monitor_run:death_payment:{ON}")) == 1


def test_the_hits_carry_the_facts(db, region):
    batch.run_monitors(db, INSPECTOR, on=ON)
    rows = {(h.monitor, h.fact_key.split(":")[0]): h for h in db.execute(select(MonitorHit)).scalars()}
    deaths = {h.fact_date: h for h in db.execute(select(MonitorHit).where(
        MonitorHit.monitor == "death_payment")).scalars()}
    first = deaths[dt.date(2026, 8, 15)]
    assert (first.period, first.months, first.amount) == (202609, 2, 600000)
    assert first.fact_key.endswith(":202608")
    assert deaths[dt.date(2026, 9, 3)].months == 1  # the stop report's death
    assert deaths[dt.date(2026, 7, 1)].period == 202608  # the shared fact's death
    schemes = rows[("duplicate_benefit", "schemes")]
    assert (schemes.period, schemes.months, schemes.ref) == (202610, 1, "pension_enterprise+pension_resident")
    moved = rows[("duplicate_benefit", "region")]
    assert (moved.fact_date, moved.period, moved.months, moved.ref) == (
        dt.date(2026, 6, 10), 202607, 2, "110105")
    overlap = rows[("duplicate_enrollment", "overlap")]
    assert overlap.fact_date == dt.date(2026, 3, 1)
    paid = rows[("duplicate_enrollment", "paid")]
    assert (paid.period, paid.months) == (202605, 1)
    bases = {h.period: h for h in db.execute(select(MonitorHit).where(
        MonitorHit.monitor == "base_change")).scalars()}
    assert (bases[202609].value_before, bases[202609].value_after) == (500000, 1200000)
    assert (bases[202606].value_before, bases[202606].value_after) == (1000000, 400000)
    staff = rows[("headcount_change", "employer")]
    assert (staff.subject_kind, staff.period, staff.value_before, staff.value_after) == (
        "employer", 202608, 20, 40)
    assert staff.subject_ref == db.get(Employer, staff.employer_id).uscc
    pension = rows[("pension_contributing", "award")]
    assert (pension.period, pension.months, pension.value_before) == (202605, 3, 202605)
    assert pension.amount == 3 * (80000 + 40000)
    described = service.hit(db, INSPECTOR, first.id)
    assert described["description"] == (
        "死亡日期 2026-08-15，其后仍发放待遇 2 个月（自2026年09月起），共 6,000.00 元")
    assert described["subject_name"] == "甲死亡后发放" and described["status_name"] == "待核查"


def test_a_rerun_raises_nothing_new_the_same_day_or_another(db, region):
    first = batch.run_monitors(db, INSPECTOR, on=ON)
    count = db.execute(select(func.count()).select_from(MonitorHit)).scalar()
    again = batch.run_monitors(db, INSPECTOR, on=ON)
    assert [r.id for r in again] == [r.id for r in first] and all(r.repeat for r in again)
    later = batch.run_monitors(db, INSPECTOR, on=ON + dt.timedelta(days=1))
    assert all(not r.repeat and r.hits == 0 for r in later)
    assert db.execute(select(func.count()).select_from(MonitorHit)).scalar() == count
    # an explained hit is not raised again either
    hit = hit_of(db, "death_payment")
    service.explain(db, INSPECTOR, hit.id, ExplainIn(reason="已追回并核实为银行退回前的在途款项"))
    db.execute(MonitorRun.__table__.delete().where(MonitorRun.run_on == ON + dt.timedelta(days=1)))
    db.commit()
    db.expunge_all()
    batch.run_monitors(db, INSPECTOR, on=ON + dt.timedelta(days=1))
    assert db.execute(select(func.count()).select_from(MonitorHit)).scalar() == count


def test_new_facts_are_raised_on_a_later_run(db, region):
    batch.run_monitors(db, INSPECTOR, on=ON, only="death_payment")
    late = region.person("亥后来登记死亡", death_date=dt.date(2026, 9, 30))
    region.paid(region.award(late), 202610)
    db.commit()
    run, = batch.run_monitors(db, INSPECTOR, on=ON + dt.timedelta(days=1), only="death_payment")
    assert run.hits == 1
    assert ("death_payment", "亥后来登记死亡") in found(db)


def test_a_stopped_run_goes_on_from_where_it_was(db, region, monkeypatch):
    monkeypatch.setitem(batch.CHUNK, "person", 10)
    calls = {"n": 0}
    real = batch._insert

    def failing(*args):
        calls["n"] += 1
        if calls["n"] == 5:
            raise RuntimeError("断电")
        return real(*args)

    monkeypatch.setattr(batch, "_insert", failing)
    with pytest.raises(RuntimeError):
        batch.run_monitors(db, INSPECTOR, on=ON, only="base_change")
    stopped = db.execute(select(MonitorRun)).scalar_one()
    assert stopped.status == "running" and stopped.cursor == 40
    monkeypatch.setattr(batch, "_insert", real)
    run, = batch.run_monitors(db, INSPECTOR, on=ON, only="base_change")
    assert run.id == stopped.id and run.status == "completed"
    assert {h for h in found(db)} == {h for h in region.planted if h[0] == "base_change"}


def test_a_run_is_refused_for_a_future_day_an_unknown_monitor_or_without_the_role(db, region):
    with pytest.raises(InvalidInput) as err:
        batch.run_monitors(db, INSPECTOR, on=dt.date(2999, 1, 1))
    assert err.value.field == "on"
    with pytest.raises(InvalidInput) as err:
        batch.run_monitors(db, INSPECTOR, on=ON, only="nonsense")
    assert err.value.code == "monitors.unknown"
    with pytest.raises(PermissionDenied):
        batch.run_monitors(db, CLERK, on=ON)
    assert db.execute(select(func.count()).select_from(MonitorRun)).scalar() == 0


def test_hits_are_explained_or_marked_for_inspection_once(db, region):
    batch.run_monitors(db, INSPECTOR, on=ON)
    death, base = hit_of(db, "death_payment"), hit_of(db, "base_change")
    closed = service.explain(db, INSPECTOR, death.id, ExplainIn(reason="死亡日期登记有误，已更正"))
    assert (closed.status, closed.closed_by, closed.closed_reason) == (
        "explained", "inspector-test", "死亡日期登记有误，已更正")
    marked = service.mark_for_inspection(db, INSPECTOR, base.id, InspectIn(reason="疑似虚报基数"))
    assert marked.status == "inspection" and marked.inspection_case_id is not None
    filed = inspections.by_case(db, marked.inspection_case_id)  # 转入核查 files the inspection
    assert (filed.origin, db.get(Case, filed.case_id).item_code) == (f"hit:{base.id}", "OVS-INSPECT")
    assert "疑似虚报基数" in filed.reason
    with pytest.raises(Conflict):
        service.explain(db, INSPECTOR, base.id, ExplainIn(reason="再次关闭一下试试"))
    with pytest.raises(Conflict):
        service.mark_for_inspection(db, INSPECTOR, death.id, InspectIn(reason="再转"))
    with pytest.raises(NotFound):
        service.explain(db, INSPECTOR, 999999, ExplainIn(reason="不存在的疑点"))
    with pytest.raises(PermissionDenied):
        service.explain(db, CLERK, hit_of(db, "headcount_change").id, ExplainIn(reason="无权关闭疑点"))
    assert [e.act for e in audit.history(db, service.hit_subject(death.id))] == [
        "oversight.monitor_explain"]
    page = service.hits(db, INSPECTOR, status="open")
    assert page["total"] == len(region.planted) - 2
    assert service.hits(db, INSPECTOR, monitor="death_payment", status="explained")["total"] == 1
    ssn = db.get(Person, death.person_id).ssn
    assert [r["id"] for r in service.hits(db, INSPECTOR, subject_ref=ssn)["rows"]] == [death.id]


@pytest.mark.parametrize(("before", "after", "jumped"), [
    (500000, 1000000, True), (500000, 999999, False), (1000000, 500000, True),
    (1000000, 500001, False)])
def test_the_base_rule(before, after, jumped):
    assert rules.base_jumped(before, after, 100, 50) is jumped


@pytest.mark.parametrize(("before", "after", "jumped"), [
    (20, 40, True), (5, 9, False), (30, 35, False), (100, 50, True), (100, 51, False),
    (10, 21, True)])
def test_the_headcount_rule(before, after, jumped):
    assert rules.headcount_jumped(before, after, 50, 10) is jumped


def test_the_window():
    assert rules.window(dt.date(2026, 11, 23), 12) == (202512, 202611)
    assert rules.window(dt.date(2026, 1, 5), 1) == (202601, 202601)
    assert rules.previous_period(202601) == 202512
