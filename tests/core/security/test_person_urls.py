"""No citizen ID in a staff URL (issue 15; 等保 level 3: URLs land in access logs, browser
history and Referer): persons are named by a random opaque ``public_id`` (migration 0057 fills
the rows already there); pages link through ``person_url``; a typed ``/persons/<SSN>…`` is
redirected to the public-id address and logged; a form posted to an SSN address is refused."""

from __future__ import annotations

import datetime as dt
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


# --- secfix: persons in query strings (?person=<public_id>), and a walk of the staff pages ------

CITIZEN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
ANY_LINK = re.compile(r'(?:href|action|hx-get|hx-post)="([^"]*)"')
SKIP = ("/static/", "/logout", "/docs", "/api/")


def _seed_benefits(sessions) -> dict:
    """A retiree whose death is reported (a stop, an overpayment, a debt), one whose death
    arrives on the feed (a survivor prompt), one near retirement (the pre-review list)."""
    from tests.benefits.pension_helpers import retiree
    from tests.benefits.stop_helpers import add_award, payroll, recipient, through_review
    from tests.benefits.test_stops import feed

    stopped, _ = recipient(sessions, monthly=300000, start=202601, decided_on=dt.date(2024, 1, 5))
    died = retiree(sessions, birth=dt.date(1960, 3, 8), deemed=360, name="链接遗")
    add_award(sessions, died, kind="pension_enterprise", start=202601, monthly=412350)
    payroll(sessions, *range(202601, 202611))
    through_review(sessions, "BEN-STOP-REPORT", {"ssn": stopped, "reason": "death",
                                                 "event_date": "2026-08-10", "reporter": "relative",
                                                 "reporter_name": "李家属"})
    feed(sessions, "population", [{"event_id": "GA-LINK-1", "event": "death", "citizen_id": died,
                                   "death_date": "2026-08-31"}])
    return {"stopped": stopped, "died": died}


def _walk(client, start: list[str], limit: int = 160) -> tuple[dict[str, list[str]], list[str]]:
    """GET every staff page reachable from ``start`` (same site, breadth first, at most
    ``limit``): the links of each page and the addresses that answered 5xx."""
    seen, queue, links, broken = set(start), list(start), {}, []
    while queue and len(links) < limit:
        address = queue.pop(0)
        reply = client.get(address, follow_redirects=False)
        if reply.status_code >= 500:
            broken.append(address)
        if "text/html" not in reply.headers.get("content-type", ""):
            continue
        found = [link.replace("&amp;", "&") for link in ANY_LINK.findall(reply.text)]
        links[address] = found
        for link in found:
            target = link.split("#")[0]
            if target.startswith("/") and not target.startswith(SKIP) and target not in seen \
                    and not target.endswith((".xlsx", ".pdf", ".csv")):
                seen.add(target)
                queue.append(target)
    return links, broken


def test_walk_of_the_staff_pages_finds_no_citizen_id_in_a_link(client, make_user, sessions,
                                                               monkeypatch):
    from jingban.core import clock
    from tests.benefits.stop_helpers import TODAY

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    seeded = _seed_benefits(sessions)
    make_user("link_walker", "clerk")
    token = sign_in(client, "link_walker")
    register_employer(client, token)
    seeded["registered"] = register_person(client, token, name="链接丁")
    start = ["/", "/benefits/stops", "/benefits/debts", "/benefits/survivors",
             "/benefits/pension/prereview", "/benefits/medical",
             *(person(sessions, ssn).public_id and f"/persons/{person(sessions, ssn).public_id}"
               for ssn in seeded.values())]
    links, broken = _walk(client, start)
    assert not broken, broken
    leaking = sorted({(page, link) for page, found in links.items() for link in found
                      if CITIZEN_ID.search(link)})
    assert leaking == []
    named = {link for found in links.values() for link in found if "?person=" in link}
    # the query links the last session left with an SSN: now by public id, and reached
    for prefix in ("/benefits/debts?person=", "/benefits/survivors?person=",
                   "/cases/new/REG-PERSON-CHANGE?person="):
        assert any(link.startswith(prefix) for link in named), prefix
    assert all(is_public_id(link.split("?person=")[1].split("&")[0]) for link in named)
    assert len(links) > 30


def test_query_names_the_person_by_public_id(client, clerk, sessions):  # noqa: F811
    ssn = register_person(client, clerk, name="链接戊")
    who = person(sessions, ssn)
    page = client.get(f"/cases/new/REG-PERSON-CHANGE?person={who.public_id}", follow_redirects=False)
    assert page.status_code == 200 and f'value="{ssn}"' in page.text
    assert f"person={who.public_id}" in client.get(f"/persons/{who.public_id}").text


@pytest.mark.parametrize("address", ["/benefits/debts", "/benefits/survivors",
                                     "/benefits/pension/claim", "/benefits/maternity",
                                     "/benefits/unemployment", "/cases/new/REG-PERSON-CHANGE"])
@pytest.mark.parametrize("key", ["abcdefghijklmnop", "330106199001019999", "x" * 41])
def test_unknown_person_in_a_query_is_a_clear_404(client, make_user, address, key):
    make_user("query_clerk", "clerk")
    sign_in(client, "query_clerk")
    reply = client.get(address, params={"person": key}, follow_redirects=False)
    assert reply.status_code in (404, 422) and "<html" in reply.text.lower()
    if reply.status_code == 404:
        assert "未找到该参保人" in reply.text


@pytest.mark.parametrize("address", ["/benefits/debts", "/benefits/survivors",
                                     "/benefits/pension/claim", "/benefits/maternity",
                                     "/benefits/unemployment", "/cases/new/REG-PERSON-CHANGE"])
def test_typed_ssn_in_a_query_is_redirected_and_logged(client, clerk, sessions, address):  # noqa: F811
    ssn = register_person(client, clerk, name="链接己")
    who = person(sessions, ssn)

    def logged() -> int:
        with sessions() as db:
            return db.scalar(select(func.count()).select_from(AccessLog).where(
                AccessLog.view == "ssn_in_url", AccessLog.subject == f"person:{who.id}"))

    before = logged()
    reply = client.get(address, params={"ssn": ssn.lower(), "birth_date": "2026-01-02"},
                       follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == f"{address}?person={who.public_id}&birth_date=2026-01-02"
    assert ssn not in reply.headers["location"] and logged() == before + 1
    assert client.get(reply.headers["location"]).status_code in (200, 403)


def test_typed_unregistered_ssn_is_answered_by_the_page(client, clerk):  # noqa: F811
    unknown = client.get("/benefits/pension/claim", params={"ssn": "NOPE"}, follow_redirects=False)
    assert unknown.status_code == 200 and "未找到社会保障号码" in unknown.text


def test_form_redirects_name_the_person_by_public_id(client, make_user, sessions, monkeypatch):
    from jingban.benefits.recovery.models import Debt
    from jingban.core import clock
    from tests.benefits.stop_helpers import TODAY

    monkeypatch.setattr(clock, "today", lambda: TODAY)
    seeded = _seed_benefits(sessions)
    with sessions() as db:
        debt_id = db.query(Debt).filter_by(person_id=person(sessions, seeded["stopped"]).id).one().id
    make_user("redirect_clerk", "clerk")
    token = sign_in(client, "redirect_clerk")
    reply = post(client, f"/benefits/debts/{debt_id}/repayment", token,
                 {"ssn": seeded["stopped"], "amount": "1.00", "reference": "收据1"},
                 follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == \
        f"/benefits/debts?person={person(sessions, seeded['stopped']).public_id}"
    swept = post(client, "/benefits/debts/sweep", token, {"ssn": ""}, follow_redirects=False)
    assert swept.status_code == 303 and swept.headers["location"] == "/benefits/debts"
