"""Schemathesis walks the whole OpenAPI contract with generated input (issue 15 item 7): no
answer may be a 5xx, have an undocumented status or break its declared schema. A short,
fixed-seed run of bench/fuzz.py's harness; the bench itself makes 10,000+ requests."""

import os

from bench.fuzz import fuzz, seed_region, sign_in

# JINGBAN_FUZZ_EXAMPLES=48 for the bench's depth
EXAMPLES = int(os.environ.get("JINGBAN_FUZZ_EXAMPLES", 3))


def test_whole_contract_without_server_errors_or_violations(app, client, engine, sessions, settings):
    known = seed_region(sessions, engine, settings, persons=20)
    assert known["ssn"] and known["uscc"] and known["code"]
    tally = fuzz(app, sign_in(client), known, EXAMPLES, seed=15)

    assert tally.operations > 200
    assert tally.requests >= tally.operations * 2
    assert (tally.server_errors, tally.violations) == (0, 0), "\n".join(tally.failures)
    reached = sum(n for status, n in tally.statuses.items() if status < 300)
    assert reached > tally.operations // 2  # the seeded ids and the broad token reach real rows
