"""Review of issue 12: no oversight page answers 500 — every page route (enumerated from the
app) of the oversight, supervision, public and portal pages, read with an unknown id, an id that
is no number, and each form posted empty, answers a page or a clear refusal, and an empty form
writes nothing."""

from __future__ import annotations

import re

from fastapi.routing import iter_route_contexts
from sqlalchemy import func, select

from jingban.core.http import WRITE_METHODS
from jingban.core.models import AuditEvent
from tests.web.helpers import sign_in

PAGES = ("/oversight/", "/supervision", "/public/dishonesty", "/public/complaints", "/my/credit",
         "/my/complaints")


# signing in, logged views, and the one form whose empty post is a whole request: run today's
# monitors (each once a day)
VALID_EMPTY = ("auth.", "privacy.", "oversight.monitor_run")


def page_routes(app) -> list[tuple[str, str]]:
    found = []
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if path.startswith(PAGES) and not path.startswith("/api/"):
            found += [(m, path) for m in sorted(context.methods or set()) if m != "HEAD"]
    return found


def test_no_oversight_page_answers_500(app, client, make_user, sessions):
    routes = page_routes(app)
    assert len(routes) > 40, "the walk found too few oversight pages"
    for user, post in (("rv_insp", "inspector"), ("rv_comp", "complaint_officer"),
                       ("rv_sup", "supervisor")):
        make_user(user, post)
    bad = []
    for user in ("rv_insp", "rv_comp", "rv_sup"):
        csrf = sign_in(client, user)
        with sessions() as db:
            events = db.scalar(select(func.count()).select_from(AuditEvent))
        for method, path in routes:
            for value in ("999999", "abc", "1"):
                url = re.sub(r"\{[^}]+\}", value, path)
                if "{" not in path and value != "1":
                    continue
                if method in WRITE_METHODS:
                    reply = client.request(method, url, data={"csrf_token": csrf},
                                           follow_redirects=False)
                else:
                    reply = client.get(url, follow_redirects=False)
                if reply.status_code >= 500:
                    bad.append((user, method, url, reply.status_code))
        with sessions() as db:
            # reading a page is logged where the view says so (查询留痕); no act is written
            acts = db.scalars(select(AuditEvent.act).order_by(AuditEvent.id)
                              .offset(events)).all()
        bad += [(user, "wrote", a) for a in acts if not a.startswith(VALID_EMPTY)]
    assert bad == [], "\n".join(map(str, bad))
