"""Page-test helpers: sign in through the form, post with the CSRF token, review a case."""

from __future__ import annotations

import re

from tests.conftest import PASSWORD


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username: str) -> str:
    """Log in through the form (a fresh session); returns the session's CSRF token."""
    token = csrf(client.get("/login").text)
    reply = client.post("/login", data={"username": username, "password": PASSWORD,
                                        "csrf_token": token, "next": "/"},
                        follow_redirects=False)
    assert reply.status_code == 303, reply.text
    page = client.get(reply.headers["location"])
    return csrf(page.text)


def post(client, url: str, token: str, data: dict, **kwargs):
    return client.post(url, data={**data, "csrf_token": token}, **kwargs)


def case_id_of(reply) -> int:
    """The case a redirect (or the page it led to) is about."""
    url = reply.headers.get("location") or str(reply.url)
    return int(re.search(r"/cases/(\d+)", url).group(1))


def approve(client, username: str, case_id: int, level: int, reason: str = "同意"):
    """Sign in as ``username`` and approve one level of the case through its page."""
    token = sign_in(client, username)
    return post(client, f"/cases/{case_id}/decide", token,
                {"level": str(level), "decision": "approve", "reason": reason})


# sec15: staff URLs name a person by his public id, never his SSN
def person_url(client, ssn: str, tail: str = "") -> str:
    from sqlalchemy import select

    from jingban.registration.models import Person
    with client.app.state.sessionmaker() as db:
        pid = db.execute(select(Person.public_id).where(Person.ssn == ssn)).scalar_one()
    return f"/persons/{pid}{tail}"


def ssn_at(client, url: str) -> str:  # sec15
    """The SSN of the person a staff URL (``/persons/<public_id>…``) names."""
    from sqlalchemy import select

    from jingban.registration.models import Person
    with client.app.state.sessionmaker() as db:
        return db.execute(select(Person.ssn).where(Person.public_id == url.split("/")[2])).scalar_one()
