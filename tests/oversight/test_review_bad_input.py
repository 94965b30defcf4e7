"""Independent review of issue 12, bad input through the API: every oversight write endpoint
(enumerated from the app's routes, so endpoints added later are walked too) answers an empty
body, a body of the wrong shape, each field of the wrong type, a path id that is not a number,
out of range or unknown, with a clear Chinese error that has a code and names the field —
never a 500 — and writes nothing."""

from __future__ import annotations

import re

from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select

from jingban.core.http import WRITE_METHODS
from jingban.core.models import AuditEvent
from jingban.oversight.challenges.models import Challenge
from jingban.oversight.complaints.models import Complaint
from jingban.oversight.dishonesty.models import DishonestyListing
from jingban.oversight.inspections.models import Inspection
from jingban.oversight.models import CreditRecord
from jingban.oversight.penalties.models import Penalty, PenaltyPayment
from tests.conftest import error_of

AREAS = ("/api/v1/oversight/",)
WRITTEN = (AuditEvent, Challenge, Complaint, DishonestyListing, Inspection, CreditRecord, Penalty,
           PenaltyPayment)
WRONG = {"not": ["a value of this field"]}


def oversight_writes(app) -> list[tuple[str, str, APIRoute]]:
    """(method, full path, route) of every oversight write endpoint."""
    found = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and (context.path or "").startswith(AREAS):
            found += [(m, context.path, route)
                      for m in sorted((context.methods or set()) & WRITE_METHODS)]
    return found


def body_fields(route: APIRoute) -> dict[str, bool]:
    """The body model's fields, in order, and whether each is required."""
    params = route.dependant.body_params
    if not params:
        return {}
    model = params[0].field_info.annotation
    return {name: f.is_required() for name, f in getattr(model, "model_fields", {}).items()}


def post_of(url: str) -> str:
    """The post whose acts the endpoint is (the incompatible posts are never one user, R§37)."""
    return "complaint_officer" if "/complaints" in url else "inspector"


def filled(path: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def written(sessions) -> dict[str, int]:
    with sessions() as db:
        return {m.__tablename__: db.scalar(select(func.count()).select_from(m)) for m in WRITTEN}


def test_every_oversight_write_refuses_bad_input_clearly_and_writes_nothing(app, client, login,
                                                                           sessions):
    routes = oversight_writes(app)
    assert len(routes) >= 30, "the walk found too few oversight write endpoints"
    for post in ("inspector", "complaint_officer"):  # signing in is audited: before counting
        login(post)
    before = written(sessions)
    bad = []

    def check(what: str, method: str, url: str, body, field: str | None = None) -> None:
        reply = client.request(method, url, json=body, headers=login(post_of(url)))
        if reply.status_code >= 500 or reply.status_code < 400:
            bad.append((what, method, url, reply.status_code, reply.text[:120]))
            return
        err = error_of(reply)  # code, Chinese message, field
        if not err["code"] or (field and field != err["field"]) or (field is None and not err["message"]):
            bad.append((what, method, url, reply.status_code, err))

    for method, path, route in routes:
        url = filled(path, "1")
        fields = body_fields(route)
        if any(fields.values()):  # an empty body is a valid request when nothing is required
            check("empty", method, url, {}, next(n for n, needed in fields.items() if needed))
        if fields:
            check("not an object", method, url, ["x"])  # the whole body: no one field
            # every field of the wrong type: the first one in the model's order is named
            check("wrong types", method, url, dict.fromkeys(fields, WRONG), next(iter(fields)))
        if "{" in path:
            # the path is checked with the body: the error names one of them, never a 500
            check("id not a number", method, filled(path, "abc"), {})
            check("id too large", method, filled(path, str(2**31)), {})
            check("id zero", method, filled(path, "0"), {})
    assert bad == [], "\n".join(map(str, bad))
    assert written(sessions) == before


def test_unknown_ids_with_a_valid_body_are_404_with_their_field(client, login, sessions):
    for post in ("inspector", "complaint_officer"):
        login(post)
    before = written(sessions)
    cases = [
        ("/api/v1/oversight/penalties/999999/decision", {"fine": "10000", "reason": "x"}, "penalty_id"),
        ("/api/v1/oversight/penalties/999999/fund", {"fund": "unemployment", "reason": "x"},
         "penalty_id"),
        ("/api/v1/oversight/penalties/999999/payments", {"part": "fine", "amount": "1"}, "penalty_id"),
        ("/api/v1/oversight/penalties/999999/payments/999999/deposit", {"reference": "R"},
         "payment_id"),
        ("/api/v1/oversight/complaints/999999/screening", {"screening": "accepted"}, "complaint_id"),
        ("/api/v1/oversight/dishonesty/999999/notice", {}, "listing_id"),
        ("/api/v1/oversight/challenges/999999/outcome",
         {"outcome": "upheld", "decided_on": "2026-11-24", "decision_reference": "R"}, "challenge_id"),
        ("/api/v1/oversight/monitors/hits/999999/explain", {"reason": "经核实系同名不同人"},
         "hit_id"),
        (f"/api/v1/oversight/monitors/hits/{2**31}/inspect", {"reason": "需现场核查"},
         "hit_id"),
        (f"/api/v1/oversight/penalties/{2**31}/payments", {"part": "fine", "amount": "1"},
         "penalty_id"),
        ("/api/v1/oversight/inspections/abc/handover", {"department": "x"}, "inspection_id"),
        ("/api/v1/oversight/penalties", {"kind": "fraud", "subject_kind": "person",
                                         "subject_ref": "330106199001010000", "amount": "10",
                                         "fund": "unemployment", "facts": "x"}, "subject_ref"),
        ("/api/v1/oversight/penalties", {"kind": "fraud", "inspection_id": 999999, "amount": "10",
                                         "fund": "unemployment", "facts": "x"}, "inspection_id"),
    ]
    problems = []
    for url, body, field in cases:
        reply = client.post(url, json=body, headers=login(post_of(url)))
        if reply.status_code not in (404, 422):
            problems.append((url, reply.status_code, reply.text[:160]))
            continue
        err = error_of(reply)
        if field not in (err["field"] or ""):
            problems.append((url, err))
    assert problems == []
    assert written(sessions) == before


def test_amounts_outside_what_the_law_or_the_format_allows(client, login, sessions):
    staff = login("inspector")  # signing in is audited: before counting
    before = written(sessions)
    base = {"kind": "obstruction", "subject_kind": "institution", "subject_ref": "x", "facts": "x"}
    for amount in ("-1", "abc", "1.234", "1e5", "99999999999999999999"):
        reply = client.post("/api/v1/oversight/penalties", headers=staff,
                            json={**base, "kind": "fraud", "amount": amount,
                                  "fund": "unemployment", "subject_kind": "person"})
        assert reply.status_code in (404, 422), (amount, reply.text)
        assert error_of(reply)["field"] in ("amount", "subject_ref"), (amount, reply.json())
    assert written(sessions) == before
