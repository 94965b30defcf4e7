"""Schemathesis walks the OpenAPI contract with generated input: no request may cause a 500."""

import os

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.conftest import employer_body, person_body

# JINGBAN_FUZZ_EXAMPLES=80 for a deeper run than CI's
FUZZ = settings(max_examples=int(os.environ.get("JINGBAN_FUZZ_EXAMPLES", 12)), deadline=None, database=None,
                suppress_health_check=list(HealthCheck))


def test_no_server_errors(app, client, login):
    clerk = login("clerk")
    client.post("/api/v1/employers", json=employer_body(registered_on="2020-01-01"), headers=clerk)
    client.post("/api/v1/persons", json=person_body(), headers=clerk)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15
    statuses: list[int] = []

    for operation in operations:
        @FUZZ
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call_and_validate(headers=clerk, checks=[not_a_server_error])
            statuses.append(response.status_code)

        check()
    assert len(statuses) > 100 and any(s < 300 for s in statuses)
