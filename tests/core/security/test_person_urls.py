"""No citizen ID in a staff URL (issue 15; 等保 level 3: URLs land in access logs, browser
history and Referer): persons are named by a random opaque ``public_id`` (migration 0057 fills
the rows already there); pages link through ``person_url``; a typed ``/persons/<SSN>…`` is
redirected to the public-id address and logged; a form posted to an SSN address is refused."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select, text

from jingban.core.db import make_engine
from jingban.core.migrate import alembic_config
from jingban.core.models import AccessLog
from jingban.core.privacy import is_public_id
from jingban.registration.models import Enrollment, Person
from jingban.web import pages
from tests.core.test_secdata_migration import PERSON, url  # noqa: F401  (the fixture)
from tests.web.helpers import post, sign_in
from tests.web.test_pages import clerk, register_employer, register_person  # noqa: F401

TEMPLATES = Path(pages.HERE) / "templates"
LINK = re.compile(r'(?:href|action)="(/persons/[^"]*)"')


def person(sessions, ssn: str) -> Person:
    with sessions() as db:
        return db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()


def test_0057_gives_every_existing_person_a_public_id(url):  # noqa: F811
    engine = make_engine(url)

    def go(revision: str, down: bool = False) -> None:
        cfg = alembic_config()
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, revision)

    go("0052")
    with engine.begin() as conn:
        conn.execute(text(PERSON))
        conn.execute(text(PERSON.replace("0011", "0022")))
    go("0057_sec15")
    with engine.begin() as conn:
        ids = conn.execute(text("SELECT public_id FROM person")).scalars().all()
    assert len(ids) == 2 and len(set(ids)) == 2 and all(map(is_public_id, ids))
    go("0052", down=True)
    engine.dispose()


def test_pages_link_persons_by_public_id_only(client, clerk, sessions):  # noqa: F811
    register_employer(client, clerk)
    ssn = register_person(client, clerk, name="链接甲")
    pid = person(sessions, ssn).public_id
    assert is_public_id(pid) and not is_public_id(ssn)
    found = client.get("/search", params={"q": "链接甲"}, headers={"HX-Request": "true"}).text
    for address in (f"/persons/{pid}", f"/persons/{pid}/rights", f"/persons/{pid}/history"):
        page = client.get(address, follow_redirects=False)
        assert page.status_code == 200, address
        links = LINK.findall(page.text + found)
        assert links and all(ssn not in link for link in links), address
        assert f"/persons/{pid}" in page.text


def test_typed_ssn_url_is_redirected_and_logged(client, clerk, sessions):  # noqa: F811
    ssn = register_person(client, clerk, name="链接乙")
    who = person(sessions, ssn)
    with sessions() as db:
        before = db.scalar(select(func.count()).select_from(AccessLog).where(
            AccessLog.view == "ssn_in_url"))
    reply = client.get(f"/persons/{ssn}/rights?x=1", follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/persons/{who.public_id}/rights?x=1"
    with sessions() as db:
        logged = db.execute(select(AccessLog).where(AccessLog.view == "ssn_in_url")
                            .order_by(AccessLog.id.desc())).scalars().first()
        after = db.scalar(select(func.count()).select_from(AccessLog).where(
            AccessLog.view == "ssn_in_url"))
    assert after == before + 1 and logged.subject == f"person:{who.id}" and logged.actor == "clerk_page"


def test_forms_posted_to_an_ssn_address_are_refused(client, clerk, sessions):  # noqa: F811
    ssn = register_person(client, clerk, name="链接丙")
    with sessions() as db:
        enrollments = db.scalar(select(func.count()).select_from(Enrollment))
    reply = post(client, f"/persons/{ssn}/enrollments", clerk,
                 {"insurance": "injury", "start_date": "2024-01-01"})
    assert reply.status_code == 404 and "未找到该参保人" in reply.text
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(Enrollment)) == enrollments


@pytest.mark.parametrize("key", ["abcdefghijklmnop", "-", "330106199001019999", "x" * 41])
def test_unknown_or_junk_keys_are_clear_refusals(client, make_user, key):
    make_user("lookup_clerk", "clerk")
    sign_in(client, "lookup_clerk")
    reply = client.get(f"/persons/{key}/history")
    assert reply.status_code in (404, 422) and "<html" in reply.text.lower()


def test_no_template_builds_a_person_url_by_hand():
    found = [(p.name, m.group(0)) for p in TEMPLATES.rglob("*.html")
             for m in re.finditer(r"/persons/(?:\{\{|' ~)", p.read_text(encoding="utf-8"))]
    assert found == []
