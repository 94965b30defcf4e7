"""Fuzz the whole OpenAPI contract with schemathesis (issue 15 item 7).

    python bench/fuzz.py [--examples 48] [--seed 15]

Every operation of the application's OpenAPI, with a signed-in token holding every staff
role but the read-only supervisor's (so the fuzzer reaches the acts, not only the permission
check), against a seeded region: demo persons and employers, a year of contributions, the
yearly statements and their proof codes. Half the cases are valid for the schema, half
deliberately invalid; path parameters are replaced by ids of real rows in a third of the
cases. Each answer is checked: no 5xx, a status the operation documents, a body that matches
its declared schema. A fresh SQLite database each run. The counts go into bench/RESULTS.md;
tests/test_openapi_fuzz.py runs the same harness with a fixed seed and few examples.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import seed as fixed_seed
from hypothesis import strategies as st
from sqlalchemy import select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("JINGBAN_DATA_KEY", "t1:" + "5a" * 32)  # a bench key, never a real one

import schemathesis  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    response_schema_conformance,
    status_code_conformance,
)

from jingban import demo  # noqa: E402
from jingban.core.actor import SYSTEM, Actor  # noqa: E402
from jingban.core.auth import create_user  # noqa: E402
from jingban.core.models import UserRole  # noqa: E402
from jingban.core.rules import PORTAL_ROLES, READ_ONLY_ROLES, ROLES  # noqa: E402
from jingban.records import proofs, service  # noqa: E402
from jingban.records.models import Proof  # noqa: E402
from jingban.registration.models import Employer, Person  # noqa: E402

RESULTS = Path(__file__).with_name("RESULTS.md")
SECTION = "## Fuzzing the API contract (bench/fuzz.py)"
HEADER = ["machine", "date", "seed", "operations", "requests", "5xx", "schema violations",
          "seconds"]
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
FUZZ_USER, OTHER_USER, PASSWORD = "fuzzer", "fuzz_other", "Fuzz-load-2026-x"
# Signing out would revoke the fuzzer's own token; every later request would be a 401.
SKIPPED = {("POST", "/api/v1/auth/logout")}
YEAR = 2024
ACCOUNTANT = Actor("bench", frozenset({"accountant"}), True, "cli")


@dataclass
class Tally:
    operations: int = 0
    requests: int = 0
    server_errors: int = 0
    violations: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def seed_region(sessions, engine, app_settings, persons: int = 40) -> dict[str, str]:
    """A small region with a year of contributions and its statements; the fuzz users.
    Returns path parameter values that name real rows."""
    demo.generate(engine, app_settings, persons=persons, employers=2, as_of=dt.date(YEAR, 1, 1))
    with sessions() as db:
        for month in range(1, 13):
            content = demo.collector_file(db, app_settings.region, YEAR * 100 + month)
            service.import_contributions(db, ACCOUNTANT, filename=f"{YEAR}{month:02d}.csv",
                                         content=content)
        proofs.yearly_statements(db, ACCOUNTANT, YEAR)
    with sessions() as db:
        # R§37 forbids these roles on one real user; the fuzzer holds them all on purpose, to
        # reach every act, so the roles are written past create_user's check.
        user = create_user(db, SYSTEM, FUZZ_USER, PASSWORD, {"clerk"}, formal_staff=True,
                           profile="fast")
        broad = ROLES - PORTAL_ROLES - READ_ONLY_ROLES - {"clerk"}
        db.add_all(UserRole(user_id=user.id, role=role) for role in sorted(broad))
        db.commit()
        create_user(db, SYSTEM, OTHER_USER, PASSWORD, {"clerk"}, profile="fast")
        person = db.execute(select(Person.ssn).order_by(Person.id)).scalars().first()
        employer = db.execute(select(Employer.uscc).order_by(Employer.id)).scalars().first()
        code = db.execute(select(Proof.code).order_by(Proof.id)).scalars().first()
    return {"ssn": person, "uscc": employer, "code": code, "username": OTHER_USER,
            "period": str(YEAR * 100 + 6), "year": str(YEAR)}


def sign_in(client) -> dict[str, str]:
    reply = client.post("/api/v1/auth/token", data={"username": FUZZ_USER, "password": PASSWORD})
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['access_token']}"}


def _real_ids(case, known: dict[str, str]) -> None:
    """Point the case's path parameters at seeded rows (integer ids: the first row)."""
    for name, value in (case.path_parameters or {}).items():
        if name in known:
            case.path_parameters[name] = known[name]
        elif name.endswith("_id") and isinstance(value, int):
            case.path_parameters[name] = 1


def fuzz(app, headers: dict[str, str], known: dict[str, str], examples: int,
         seed: int = 15) -> Tally:
    """Every operation, ``examples`` generated cases each (positive and negative)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    tally = Tally()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SKIPPED:
            continue
        tally.operations += 1
        cases = st.one_of(operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
                          operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))

        @fixed_seed(seed)
        @settings(max_examples=examples, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=cases, real=st.integers(0, 2))
        def check(case, real):
            if real == 0:
                _real_ids(case, known)
            tally.requests += 1
            try:
                response = case.call(headers=headers)
            except Exception as crash:  # noqa: BLE001 - the app raised: a 500 to a real client
                tally.server_errors += 1
                tally.failures.append(f"{case.method} {case.formatted_path} → 500: {crash!r}"[:400])
                return
            tally.statuses[response.status_code] += 1
            if response.status_code >= 500:
                tally.server_errors += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, BaseExceptionGroup) as failure:  # counted, not raised
                tally.violations += response.status_code < 500
                text = str(failure).strip().splitlines()
                tally.failures.append(f"{case.method} {case.formatted_path} → "
                                      f"{response.status_code}: {' / '.join(text[:6])[:400]}")

        check()
    return tally


def record(tally: Tally, seed: int, seconds: float) -> None:
    from bench.generate import machine, update_section
    from jingban.core import clock

    row = [machine(), clock.today().isoformat(), str(seed), str(tally.operations),
           f"{tally.requests:,}", str(tally.server_errors), str(tally.violations), f"{seconds:.0f}"]
    update_section(
        SECTION,
        "`python bench/fuzz.py --examples N --seed S`: schemathesis 4 over every operation of the\n"
        "OpenAPI (POST /auth/logout left out: it would revoke the fuzzer's own token), with a\n"
        "token holding every staff role but the read-only supervisor's, on a fresh SQLite region\n"
        "(demo persons and employers, a year of contributions, the yearly statements). Cases are\n"
        "half schema-valid, half invalid; a third point their path ids at real rows. Checks:\n"
        "`not_a_server_error`, `status_code_conformance`, `response_schema_conformance`.\n"
        "The CI run is tests/test_openapi_fuzz.py (fixed seed, 2 examples an operation).",
        HEADER, [row])


def main(examples: Annotated[int, typer.Option(help="每个接口生成的用例数")] = 48,
         seed: Annotated[int, typer.Option(help="Hypothesis 随机种子")] = 15) -> None:
    from fastapi.testclient import TestClient

    from jingban.api import create_app
    from jingban.core import clock, policy
    from jingban.core.config import PROJECT_ROOT, Settings
    from jingban.core.db import make_engine, make_sessionmaker
    from jingban.core.migrate import upgrade
    from jingban.wiring import install

    install()
    clock.set_clock("2026-11-24")  # the suite's day: statements of YEAR are due, ages fixed
    with tempfile.TemporaryDirectory(prefix="jingban-fuzz-") as folder:
        url = f"sqlite:///{Path(folder) / 'fuzz.db'}"
        app_settings = Settings(database_url=url, secret_key="fuzz", region="330106",
                                policy_dirs=(PROJECT_ROOT / "policy",),
                                calendar_dirs=(PROJECT_ROOT / "policy" / "calendar",),
                                token_ttl_seconds=86400, password_profile="fast")
        policy.use(app_settings.policy_dirs)
        engine = make_engine(url)
        upgrade(engine)
        known = seed_region(make_sessionmaker(engine, app_settings), engine, app_settings)
        app = create_app(app_settings, engine)
        with TestClient(app) as client:
            headers = sign_in(client)
            started = time.perf_counter()
            tally = fuzz(app, headers, known, examples, seed)
            seconds = time.perf_counter() - started
        engine.dispose()
    for line in tally.failures:
        print(line)
    print(f"{tally.operations} 个接口，{tally.requests:,} 个请求，5xx {tally.server_errors} 个，"
          f"违反约定 {tally.violations} 个；状态码 {dict(sorted(tally.statuses.items()))}")
    record(tally, seed, seconds)
    if tally.server_errors or tally.violations:
        raise typer.Exit(1)


if __name__ == "__main__":
    typer.run(main)
