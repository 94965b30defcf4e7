"""Staff URLs name a person by his opaque ``public_id``, never by his SSN (sec15; 等保 level 3:
a citizen ID in a URL lands in access logs, browser history and Referer headers).

- ``person_ssn``: the one lookup dependency of every ``/persons/{pid}…`` page route; it hands
  the route the SSN the services are keyed by. A staff member who types ``/persons/<SSN>…``
  is sent on to the same page under the public id (GET only; logged in the read log, since
  it put the SSN in a URL); a form posted to an SSN address is refused.
- ``person_path`` / the ``person_url`` Jinja global: the one way to build those links, from a
  ``Person`` (or anything with ``public_id``) or from an SSN (looked up once per page).
- ``query_ssn`` (``QuerySsn``): the same for a page that names its person in the query string
  (``/benefits/debts?person=<public_id>``, ``/cases/new/<item>?person=…``); an SSN typed as
  ``?ssn=`` for a registered person is sent on to the ``?person=`` address (GET; logged like the
  path case); ``person_query`` / the ``person_id`` Jinja global build those links.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import Depends, Path, Query, Request
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
QUERY = "person"  # the query parameter naming a person by public id
TYPED = "ssn"  # the query parameter a typed SSN comes in (lookup forms, old links)
VIEW = "ssn_in_url"
UNKNOWN = "-"  # neither a public id nor an SSN: the lookup answers "not found"


class SsnInUrl(Exception):
    """A page asked for by SSN: answered with a redirect to its public-id address."""

    def __init__(self, url: str):
        self.url = url


def _missing(field: str = "pid") -> NotFound:
    return NotFound("person.not_found", "未找到该参保人，请通过综合查询查找", field)


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


def query_ssn(request: Request, person: str = Query("", max_length=40),
              actor: Actor = Depends(page_actor), db: Session = Depends(get_db)) -> str:
    """The SSN a staff page's query string names: ``?person=<public_id>`` (an unknown one is
    "not found", 404); no person named: "". An SSN typed as ``?ssn=`` (a lookup form, an old
    link) of a registered person is sent on to the ``?person=`` address and logged, like a typed
    ``/persons/<SSN>``; any other typed value is handed on as typed, for the page to answer
    (its own "未找到" message), since it names nobody registered."""
    if person:
        ssn = db.execute(select(Person.ssn).where(Person.public_id == person)).scalar() \
            if is_public_id(person) else None
        if ssn is None:
            raise _missing(QUERY)
        return ssn
    typed = (request.query_params.get(TYPED) or "").strip()
    if not typed:
        return ""
    found = db.execute(select(Person.id, Person.public_id)
                       .where(Person.ssn == typed.upper()[:18])).first()
    if found is None or found.public_id is None or request.method != "GET":
        return typed
    audit.log_access(db, actor, f"person:{found.id}", VIEW)
    rest = [(k, v) for k, v in request.query_params.multi_items() if k not in (TYPED, QUERY)]
    raise SsnInUrl(f"{request.url.path}?{urlencode([(QUERY, found.public_id), *rest])}")


QuerySsn = Annotated[str, Depends(query_ssn)]


def person_query(db: Session, ssn: str) -> str:
    """``?person=<public_id>`` for a redirect after a form (an SSN the services are keyed by);
    "" when no person is named or none is registered under it."""
    pid = public_id_of(db, ssn) if ssn else None
    return f"?{QUERY}={pid}" if pid else ""


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
def person_id(context, target: Any) -> str:
    """A person's public id in a template, from a ``Person`` or an SSN: an SSN is looked up once
    per page (a request-wide cache), with a session of its own; a person not (yet) registered
    gets ``-`` (a link that answers "not found"), never his SSN."""
    pid = getattr(target, "public_id", None)
    if pid is None and isinstance(target, str):
        request: Request = context["request"]
        cache = request.scope.setdefault("jingban.person_ids", {})
        if target not in cache:
            with request.app.state.sessionmaker() as db:
                cache[target] = public_id_of(db, target)
        pid = cache[target]
    return pid or UNKNOWN


@pass_context
def person_url(context, target: Any, tail: str = "") -> str:
    """The Jinja form of ``person_path`` (the id as ``person_id`` finds it)."""
    return PREFIX + person_id(context, target) + tail


def install(app, templates) -> None:
    app.add_exception_handler(SsnInUrl, redirect_ssn_url)
    templates.env.globals["person_url"] = person_url
    templates.env.globals["person_id"] = person_id
