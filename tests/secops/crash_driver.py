"""The child process of the kill -9 drills: runs one batch job against a database and exits.

    python -m tests.secops.crash_driver <job> <database url> <args…>

With JINGBAN_CRASH_AT set (core.crash) the job is killed at that point by SIGKILL; the drill
(tests/secops/test_crash.py) then runs the same command again without it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jingban import wiring
from jingban.benefits.payroll import batch as payroll
from jingban.core import policy
from jingban.core.actor import Actor
from jingban.core.config import PROJECT_ROOT, Settings
from jingban.core.db import make_engine, make_sessionmaker
from jingban.core.errors import JingbanError
from jingban.records import proofs
from jingban.records import service as records
from jingban.transfers import batch as delivery
from jingban.transfers import service as transfers

ACCOUNTANT = Actor("system", frozenset({"accountant"}), True, "cli")
REGION = "330106"
CALENDARS = (PROJECT_ROOT / "policy" / "calendar",)


def settings_for(url: str, region: str = REGION) -> Settings:
    return Settings(database_url=url, secret_key="crash-drill", region=region,
                    policy_dirs=(PROJECT_ROOT / "policy",), calendar_dirs=CALENDARS)


def sessions_for(url: str, region: str = REGION, signing_key: str | None = None):
    settings = settings_for(url, region)
    policy.use(settings.policy_dirs)
    made = make_sessionmaker(make_engine(url), settings)
    if signing_key:
        made.kw["info"]["signing_key"] = signing_key
    return made


@contextmanager
def opened(url: str, region: str = REGION, key: str | None = None) -> Iterator:
    """Sessions on ``url``, the engine disposed after (a database copied as a template may
    have no connection open)."""
    sessions = sessions_for(url, region, key)
    try:
        yield sessions
    finally:
        sessions.kw["bind"].dispose()


def _import(url: str, file: str) -> None:
    with opened(url) as sessions, sessions() as db:
        content = Path(file).read_bytes()
        records.import_contributions(db, ACCOUNTANT, filename=Path(file).name, content=content)


def _interest(url: str, year: str) -> None:
    with opened(url) as sessions, sessions() as db:
        records.credit_interest(db, ACCOUNTANT, int(year))


def _statements(url: str, year: str, chunk: str) -> None:
    with opened(url) as sessions, sessions() as db:
        proofs.yearly_statements(db, ACCOUNTANT, int(year), chunk=int(chunk))


def _payroll(url: str, period: str, chunk: str) -> None:
    with opened(url) as sessions, sessions() as db:
        payroll.run_payroll(db, ACCOUNTANT, int(period), chunk=int(chunk))


def _deliver(url: str, region: str, key: str, peer_url: str, peer_region: str,
             peer_key: str) -> None:
    """Deliver the outbox of ``url`` to the peer's inbox act (the HTTP hop a direct call)."""
    with opened(peer_url, peer_region, peer_key) as peer, opened(url, region, key) as mine:

        def send(_address: str, envelope: dict):
            with peer() as db:
                try:
                    return (*transfers.receive(db, envelope), "")
                except JingbanError as exc:
                    return exc.status, {"error": exc.to_dict()}, exc.message

        delivery.deliver(mine, sender=send)


JOBS = {"import": _import, "interest": _interest, "statements": _statements,
        "payroll": _payroll, "deliver": _deliver}

def run(job: str, *args: str) -> None:
    JOBS[job](*args)


if __name__ == "__main__":
    wiring.install()
    run(*sys.argv[1:])
