"""Staff URLs name a person by his opaque ``public_id``, never by his SSN (sec15; 等保 level 3:
a citizen ID in a URL lands in access logs, browser history and Referer headers).

- ``person_ssn``: the one lookup dependency of every ``/persons/{pid}…`` page route; it hands
  the route the SSN the services are keyed by. A staff member who types ``/persons/<SSN>…``
  is sent on to the same page under the public id (GET only; logged in the read log, since
  it put the SSN in a URL); a form posted to an SSN address is refused.
- ``person_path`` / the ``person_url`` Jinja global: the one way to build those links, from a
  ``Person`` (or anything with ``public_id``) or from an SSN (looked up once per page).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Request
from jinja2 import pass_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.errors import NotFound
from jingban.core.http import get_db
from jingban.core.privacy import is_public_id
from jingban.registration.models import Person
from jingban.web.pages import page_actor, see_other

PREFIX = "/persons/"
VIEW = "ssn_in_url"
UNKNOWN = "-"  # neither a public id nor an SSN: the lookup answers "not found"


class SsnInUrl(Exception):
    """A page asked for by SSN: answered with a redirect to its public-id address."""

    def __init__(self, url: str):
        self.url = url


def _missing() -> NotFound:
    return NotFound("person.not_found", "未找到该参保人，请通过综合查询查找", "pid")


def person_ssn(request: Request, pid: str = Path(max_length=40), actor: Actor = Depends(page_actor),
               db: Session = Depends(get_db)) -> str:
    """The SSN of the person a staff URL names (``/persons/{pid}…``)."""
    if is_public_id(pid):
        ssn = db.execute(select(Person.ssn).where(Person.public_id == pid)).scalar()
        if ssn is None:
            raise _missing()
        return ssn
    person = db.execute(select(Person).where(Person.ssn == pid.upper())).scalar()
    if person is None or person.public_id is None or request.method != "GET":
        raise _missing()
    audit.log_access(db, actor, f"person:{person.id}", VIEW)
    tail = request.url.path[len(PREFIX) + len(pid):]
    raise SsnInUrl(PREFIX + person.public_id + tail + (f"?{request.url.query}" if request.url.query else ""))


PersonSsn = Annotated[str, Depends(person_ssn)]


async def redirect_ssn_url(request: Request, exc: SsnInUrl):
    return see_other(exc.url)


def public_id_of(db: Session, ssn: str) -> str | None:
    return db.execute(select(Person.public_id).where(Person.ssn == ssn)).scalar()


def person_path(target: Any, db: Session | None = None, tail: str = "") -> str:
    """``/persons/<public_id><tail>`` for a Person (anything with ``public_id``) or, given a
    session, an SSN."""
    pid = getattr(target, "public_id", None)
    if pid is None and isinstance(target, str) and db is not None:
        pid = public_id_of(db, target)
    if pid is None:
        raise _missing()
    return PREFIX + pid + tail


@pass_context
def person_url(context, target: Any, tail: str = "") -> str:
    """The Jinja form of ``person_path``: an SSN is looked up once per page (a request-wide
    cache), with a session of its own; a person not (yet) registered gets a link that answers
    "not found", never his SSN."""
    pid = getattr(target, "public_id", None)
    if pid is None and isinstance(target, str):
        request: Request = context["request"]
        cache = request.scope.setdefault("jingban.person_ids", {})
        if target not in cache:
            with request.app.state.sessionmaker() as db:
                cache[target] = public_id_of(db, target)
        pid = cache[target]
    return PREFIX + (pid or UNKNOWN) + tail


def install(app, templates) -> None:
    app.add_exception_handler(SsnInUrl, redirect_ssn_url)
    templates.env.globals["person_url"] = person_url
