"""kill -9 drills on PostgreSQL (issue 15 item 4): contribution posting, the payroll, the
interest run, the yearly statements and transfer delivery, each killed by SIGKILL in a child
process at a known point (core.crash), then run again: the outcome — every table's row count
and money sums — equals an uninterrupted run's on a copy of the same database, and the audit
chain verifies. Nothing lost, nothing doubled."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from jingban import demo
from jingban.benefits.common.models import Award, Payment
from jingban.core import audit, clock
from jingban.core.crash import ENV
from jingban.core.db import make_engine
from jingban.core.migrate import upgrade
from jingban.records import service as records
from jingban.records.models import AccountEntry, Contribution, InterestRun, Proof
from jingban.registration.models import Person
from jingban.transfers import service as transfers
from jingban.transfers.models import TransferMessage
from jingban.transfers.schemas import TransferApply
from tests.secops import crash_driver
from tests.secops.pg import databases_or_skip, fingerprint
from tests.transfers import helpers as two

ROOT = Path(__file__).resolve().parents[2]
PERSONS, PAYEES = 240, 150
PERIOD = 202611  # the suite's month (DEFAULT_TODAY 2026-11-24)


@pytest.fixture(scope="module")
def pg():
    made = databases_or_skip()
    yield made
    made.drop_all()


@pytest.fixture(scope="module")
def migrated(pg):
    url = pg.create()
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


opened = crash_driver.opened


@pytest.fixture(scope="module")
def world(pg, migrated, tmp_path_factory):
    """240 insured persons (demo region as of 2024), three months of 2024 contributions
    posted, and 150 of them with a pension award from this month."""
    url = pg.create(migrated)
    april = tmp_path_factory.mktemp("files") / "202404.csv"
    with opened(url) as sessions:
        demo.generate(sessions.kw["bind"], crash_driver.settings_for(url), persons=PERSONS,
                      employers=8, as_of=dt.date(2024, 1, 1))
        for month in (1, 2, 3):
            with sessions() as db:
                content = demo.collector_file(db, crash_driver.REGION, 202400 + month)
                records.import_contributions(db, crash_driver.ACCOUNTANT,
                                             filename=f"2024{month:02d}.csv", content=content)
        with sessions() as db:
            _awards(db)
            april.write_bytes(demo.collector_file(db, crash_driver.REGION, 202404))
    return url, april


def _awards(db) -> None:
    for person in db.execute(select(Person).order_by(Person.id).limit(PAYEES)).scalars():
        db.add(Award(person_id=person.id, kind="pension_enterprise", monthly_amount=300000 + person.id,
                     basic_amount=300000, breakdown="{}", basis="drill", payee_name=person.name,
                     bank_account=f"62170000{person.id:08d}", decided_on=dt.date(2026, 11, 1),
                     decided_by="drill", status="active", start_period=PERIOD, last_period=None))
    db.commit()


def child(*args: str, crash: str) -> int:
    """Run a job in a child process (on the suite's clock, now) that kills itself at ``crash``."""
    env = {**os.environ, ENV: crash, clock.ENV: clock.now().isoformat()}
    done = subprocess.run([sys.executable, "-m", "tests.secops.crash_driver", *args], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == -signal.SIGKILL, (done.returncode, done.stderr[-3000:])
    return done.returncode


def count(url: str, model, *where) -> int:
    with opened(url) as sessions, sessions() as db:
        return db.execute(select(func.count()).select_from(model).where(*where)).scalar()


def chain_holds(url: str) -> bool:
    with opened(url) as sessions, sessions() as db:
        return audit.verify(db).ok


def drill(pg, source: str, job: str, args: list[str], crash: str, *, partial) -> None:
    """Copy ``source`` twice; run the job straight on one (here), killed in a child process
    then rerun (here) on the other; ``partial(url)`` checks what the killed run left; the two
    outcomes must be equal."""
    straight, killed = pg.create(source), pg.create(source)
    crash_driver.run(job, straight, *args)
    child(job, killed, *args, crash=crash)
    partial(killed)
    crash_driver.run(job, killed, *args)
    assert fingerprint(killed) == fingerprint(straight)
    assert chain_holds(killed)


def test_contribution_posting_killed_then_rerun(pg, world):
    url, april = world
    before = count(url, Contribution)

    def nothing_committed(killed):  # one transaction: the kill took every posted row with it
        assert count(killed, Contribution) == before

    drill(pg, url, "import", [str(april)], "records.import:1", partial=nothing_committed)


def test_interest_run_killed_between_schemes_then_rerun(pg, world):
    url, _ = world

    def nothing_committed(killed):
        assert count(killed, InterestRun) == 0
        assert count(killed, AccountEntry, AccountEntry.kind == "interest") == 0

    drill(pg, url, "interest", ["2024"], "records.interest:1", partial=nothing_committed)


def test_yearly_statements_killed_in_the_third_range_then_rerun(pg, world):
    url, _ = world

    def two_ranges_kept(killed):  # ranges of 40 person ids: the first two committed
        assert 0 < count(killed, Proof) < PERSONS

    drill(pg, url, "statements", ["2024", "40"], "records.statements:3", partial=two_ranges_kept)


def test_payroll_killed_in_the_third_range_then_rerun(pg, world):
    url, _ = world

    def some_paid(killed):
        assert 0 < count(killed, Payment) < PAYEES

    drill(pg, url, "payroll", [str(PERIOD), "40"], "benefits.payroll:3", partial=some_paid)
    assert count(url, Payment) == 0  # the world itself was never touched


@pytest.fixture
def agencies(pg, migrated, tmp_path, monkeypatch):
    """The old and the new place on two databases; a mover whose new place asked for the
    transfer: its contact letter waits in the new place's outbox."""
    directory = two.write_directory(tmp_path, {two.OLD: "http://127.0.0.1:9",
                                               two.NEW: "http://127.0.0.1:9"})
    monkeypatch.setenv("JINGBAN_AGENCY_DIRECTORY", str(directory))
    urls = {two.OLD: pg.create(migrated), two.NEW: pg.create(migrated)}
    sides = {region: two.Side(region, crash_driver.sessions_for(url, region,
                                                                two.key_of(tmp_path, region)))
             for region, url in urls.items()}  # disposed below, before the copies are made
    ssn = two.fresh_ssn()
    two.person(sides[two.OLD], ssn, history={"pension_enterprise": two.months(2022, 30)})
    two.person(sides[two.NEW], ssn, enrolled=("pension_enterprise",))
    with sides[two.NEW].sessions() as db:
        transfers.start(db, two.CLERK, ssn, TransferApply(kind="pension_enterprise",
                                                          direction="in", peer_region=two.OLD))
    for side in sides.values():
        side.sessions.kw["bind"].dispose()
    return urls, tmp_path


def _deliver_args(urls, tmp_path, old: str, new: str) -> list[str]:
    return [new, two.NEW, two.key_of(tmp_path, two.NEW), old, two.OLD, two.key_of(tmp_path, two.OLD)]


def test_transfer_delivery_killed_after_sending_then_rerun(pg, agencies):
    """Killed after the peer took the message and before the sender wrote down the answer:
    the rerun (after the claim's lease) sends it again, the peer answers with its first
    acknowledgement and applies nothing twice."""
    urls, tmp_path = agencies
    copies = {region: pg.create(url) for region, url in urls.items()}
    args = _deliver_args(urls, tmp_path, urls[two.OLD], urls[two.NEW])
    straight = _deliver_args(copies, tmp_path, copies[two.OLD], copies[two.NEW])
    crash_driver.run("deliver", *straight)
    child("deliver", *args, crash="transfers.delivery:1")
    inbound = (TransferMessage.direction == "in",)
    assert count(urls[two.OLD], TransferMessage, *inbound) == 1  # the peer has it …
    pending = (TransferMessage.direction == "out", TransferMessage.status == "pending")
    assert count(urls[two.NEW], TransferMessage, *pending) == 1  # … the sender does not know
    with clock.travel(clock.now() + dt.timedelta(minutes=5)):  # the claim's lease is over
        crash_driver.run("deliver", *args)
    assert count(urls[two.NEW], TransferMessage, *pending) == 0
    for region in urls:
        assert fingerprint(urls[region]) == fingerprint(copies[region]), region
        assert chain_holds(urls[region])
