"""Eligibility verification (R§26): the matching run against shared facts, the unconfirmed list,
entrusted checks, investigations that end in a stop or a confirmation."""

from __future__ import annotations

import datetime as dt

import pytest

from jingban.benefits.common.models import Award
from jingban.benefits.stops.models import SharedFact
from jingban.benefits.verification import service as verification
from jingban.benefits.verification.models import Certification, VerificationHit, VerificationRun
from jingban.benefits.verification.schemas import CertificationIn, InvestigationFindings, TaskIn, TaskResultIn
from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput
from jingban.registration.models import Employer, Person
from tests.benefits.stop_helpers import CLERK, INSPECTOR, REVIEWERS, TODAY, recipient, through_review
from tests.conftest import REGION, uscc

MONTHLY = 300000


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def fact(sessions, kind: str, ssn: str, day: dt.date, ref: str) -> None:
    with sessions() as db:
        db.add(SharedFact(kind=kind, ssn=ssn, fact_date=day, source="population", source_ref=ref,
                          received_on=TODAY))
        db.commit()


def certified(sessions, ssn: str, on: dt.date) -> None:
    with sessions() as db:
        verification.certify(db, CLERK, ssn, CertificationIn(method="counter", confirmed_on=on))


def test_matching_run_finds_doubts_once_and_lists_the_unconfirmed(sessions, monkeypatch):
    dead, dead_award = recipient(sessions, monthly=MONTHLY, name="甲")
    abroad, _ = recipient(sessions, monthly=MONTHLY, name="乙")
    jailed, _ = recipient(sessions, monthly=MONTHLY, name="丙")
    freed, _ = recipient(sessions, monthly=MONTHLY, name="丁")
    recipient(sessions, monthly=MONTHLY, name="戊")
    recipient(sessions, monthly=MONTHLY, name="己", decided_on=dt.date(2026, 6, 1))
    for ssn in (dead, abroad, jailed, freed):
        certified(sessions, ssn, dt.date(2026, 3, 1))
    fact(sessions, "death", dead, dt.date(2026, 9, 2), "d1")
    fact(sessions, "death", dead, dt.date(2026, 9, 2), "d2")  # the same death from two sources
    fact(sessions, "emigration", abroad, dt.date(2026, 4, 1), "e1")
    fact(sessions, "imprisonment", jailed, dt.date(2026, 10, 1), "i1")
    fact(sessions, "imprisonment", freed, dt.date(2026, 1, 5), "i2")
    fact(sessions, "release", freed, dt.date(2026, 2, 5), "r2")  # released since: no doubt
    fact(sessions, "death", "110101194001010000", dt.date(2026, 9, 2), "d3")  # not a recipient
    steps = []
    with sessions() as db:
        run = verification.run_matching(db, INSPECTOR, steps.append)
        assert (run.recipients, run.hits, run.repeat) == (6, 3, False)
        # 戊 and 己 were never confirmed, but decided within the 12 months (2025-12-20, 2026-06).
        assert run.unconfirmed == 0
    assert steps[-1] == "unconfirmed" and "death" in steps
    with sessions() as db:
        found = {(h["name"], h["kind"]) for h in verification.hits(db, CLERK)}
        assert found == {("甲", "death"), ("乙", "emigration"), ("丙", "imprisonment")}
        assert db.query(VerificationHit).filter(VerificationHit.award_id == dead_award).one().fact_date \
            == dt.date(2026, 9, 2)
    with sessions() as db:  # the same day again: the first run, nothing new
        again = verification.run_matching(db, INSPECTOR)
        assert again.repeat and again.id == run.id
        assert db.query(VerificationHit).count() == 3
    monkeypatch.setattr(clock, "today", lambda: TODAY + dt.timedelta(days=1))
    with sessions() as db:  # a later day adds nothing while the doubts are open
        later = verification.run_matching(db, INSPECTOR)
        assert later.hits == 0 and db.query(VerificationRun).count() == 2


def test_unconfirmed_list_entrusted_check_and_result(sessions):
    old, _ = recipient(sessions, monthly=MONTHLY, name="老张",
                               decided_on=dt.date(2024, 5, 1))
    recent, _ = recipient(sessions, monthly=MONTHLY, name="老李", decided_on=dt.date(2024, 5, 1))
    certified(sessions, recent, dt.date(2026, 1, 10))
    with sessions() as db:
        listing = verification.unconfirmed(db, CLERK)
        assert listing["cutoff"] == dt.date(2025, 11, 24)
        assert [r["ssn"] for r in listing["rows"]] == [old] and listing["total"] == 1
        employer = Employer(uscc=uscc(), name="杭州原单位有限公司", kind="enterprise", region=REGION,
                            registered_on=dt.date(2000, 1, 1), status="active", flag="")
        db.add(employer)
        db.commit()
        code = employer.uscc
    with sessions() as db:
        task = verification.entrust(db, CLERK, old, TaskIn(agent_kind="employer", agent_key=code))
        assert task.agent_name == "杭州原单位有限公司" and task.due_on > TODAY
        task_id = task.id
    with sessions() as db, pytest.raises(Conflict):
        verification.entrust(db, CLERK, old, TaskIn(agent_kind="employer", agent_key=code))
    with sessions() as db:
        assert verification.unconfirmed(db, CLERK)["total"] == 0  # entrusted: off the list
        verification.record_result(db, INSPECTOR, task_id, TaskResultIn(result="alive",
                                                                         note="单位上门见到本人"))
    with sessions() as db:
        cert = db.query(Certification).filter(Certification.reference == f"verification_task:{task_id}").one()
        assert cert.method == "employer" and cert.confirmed_on == TODAY
        assert verification.unconfirmed(db, CLERK)["total"] == 0
        with pytest.raises(Conflict):
            verification.record_result(db, INSPECTOR, task_id, TaskResultIn(result="alive"))


def test_a_doubtful_task_investigated_and_stopped_through_three_levels(sessions):
    ssn, award_id = recipient(sessions, monthly=MONTHLY, name="老王", decided_on=dt.date(2024, 5, 1))
    with sessions() as db:
        task = verification.entrust(db, CLERK, ssn, TaskIn(
            agent_kind="third_party", agent_key=uscc(), agent_name="杭州社区服务中心"))
        verification.record_result(db, CLERK, task.id, TaskResultIn(result="suspect",
                                                                    note="邻居称本人已去世"))
    with sessions() as db:
        hit = db.query(VerificationHit).one()
        assert (hit.kind, hit.status) == ("task", "open")
        case = verification.open_investigation(db, CLERK, hit.id, InvestigationFindings(
            conclusion="stop", reason="death", event_date=dt.date(2026, 10, 3),
            findings="上门核实，家属出示死亡证明"))
        assert case.item_code == "BEN-VERIFY-INVESTIGATE" and case.levels_required == 3
        hit_id, case_id = hit.id, case.id
    for level in (1, 2, 3):
        with sessions() as db:
            cases.decide(db, REVIEWERS[level - 1], case_id, level, "approve", "同意")
    with sessions() as db:
        assert db.get(VerificationHit, hit_id).status == "stopped"
        award = db.get(Award, award_id)
        assert (award.status, award.last_period) == ("stopped", 202610)
        assert db.query(Person).filter(Person.ssn == ssn).one().status == "deceased"


def test_investigation_confirms_a_wrong_death_record(sessions, monkeypatch):
    ssn, award_id = recipient(sessions, monthly=MONTHLY, name="老赵")
    fact(sessions, "death", ssn, dt.date(2026, 9, 9), "wrong-1")
    with sessions() as db:
        verification.run_matching(db, INSPECTOR)
        hit = db.query(VerificationHit).one()
    case = through_review(sessions, "BEN-VERIFY-INVESTIGATE", {
        "ssn": ssn, "hit_id": hit.id, "conclusion": "confirm",
        "findings": "本人到柜台，人脸比对一致；死亡信息系同名错录"}, provided=["investigation_record"])
    assert case["status"] == "completed"
    with sessions() as db:
        assert db.get(VerificationHit, hit.id).status == "confirmed"
        assert db.get(Award, award_id).status == "active"
        assert db.query(Certification).filter(Certification.method == "investigation").count() == 1
    monkeypatch.setattr(clock, "today", lambda: TODAY + dt.timedelta(days=3))
    with sessions() as db:  # the cleared fact is not matched again on a later run
        assert verification.run_matching(db, INSPECTOR).hits == 0


def test_investigation_refusals(sessions):
    ssn, _ = recipient(sessions, monthly=MONTHLY)
    fact(sessions, "emigration", ssn, dt.date(2026, 2, 2), "e9")
    with sessions() as db:
        verification.run_matching(db, INSPECTOR)
        hit_id = db.query(VerificationHit).one().id
    with sessions() as db, pytest.raises(InvalidInput) as reason_missing:
        verification.open_investigation(db, CLERK, hit_id, InvestigationFindings(
            conclusion="stop", findings="无法联系"))
    assert reason_missing.value.field == "payload.reason"
    with sessions() as db:
        assert db.get(VerificationHit, hit_id).status == "open"  # nothing half-written


def test_self_authentication_and_permissions(sessions):
    ssn, _ = recipient(sessions, monthly=MONTHLY)
    with sessions() as db:
        person = db.query(Person).filter(Person.ssn == ssn).one()
        me = Actor("p1", frozenset({"person"}), False, "web", subject=f"person:{person.id}")
        row = verification.certify(db, me, ssn, CertificationIn(method="face", reference="APP-1"))
        assert row.method == "face"
        with pytest.raises(InvalidInput):
            verification.certify(db, me, ssn, CertificationIn(method="employer"))
        stranger = Actor("p2", frozenset({"person"}), False, "web", subject="person:999999")
        with pytest.raises(Exception) as denied:
            verification.certify(db, stranger, ssn, CertificationIn(method="face"))
        assert getattr(denied.value, "code", "") == "auth.forbidden"
        with pytest.raises(InvalidInput):
            verification.certify(db, CLERK, ssn, CertificationIn(method="counter",
                                                                 confirmed_on=dt.date(2026, 12, 1)))


def test_verification_api(client, login, sessions):
    ssn, _ = recipient(sessions, monthly=MONTHLY)
    fact(sessions, "nationality_loss", ssn, dt.date(2026, 2, 2), "n1")  # enterprise pension: no doubt
    fact(sessions, "emigration", ssn, dt.date(2026, 2, 2), "e1")
    inspector, clerk = login("inspector"), login("clerk")
    first = client.post("/api/v1/benefits/verification/runs", headers=inspector)
    assert first.status_code == 201 and first.json()["hits"] == 1
    again = client.post("/api/v1/benefits/verification/runs", headers=inspector)
    assert again.status_code == 200 and again.json()["repeat"] is True
    hits = client.get("/api/v1/benefits/verification/hits", headers=clerk).json()
    assert [(h["kind"], h["ssn"]) for h in hits] == [("emigration", ssn)]
    reply = client.post(f"/api/v1/benefits/verification/hits/{hits[0]['id']}/investigation",
                        headers=clerk, json={"conclusion": "confirm", "findings": "视频认证本人在世"})
    assert reply.status_code == 201 and reply.json()["number"].startswith("JB")
    assert client.post("/api/v1/benefits/verification/runs",
                       headers=login("cashier")).status_code == 403
    bad = client.post(f"/api/v1/benefits/verification/certifications/{ssn}", headers=clerk,
                      json={"method": "telepathy"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "method"
    listing = client.get("/api/v1/benefits/verification/unconfirmed", headers=clerk)
    assert listing.status_code == 200 and listing.json()["total"] == 0
