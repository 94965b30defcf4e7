"""The listed subject's own portal page (我的信用, R§45; seed 002): its entry once it has been
told, the prior notice with the period to state its case and the statement sent from the page,
then the listing, the objection and the way to credit repair; never another subject's entry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.oversight.dishonesty import service
from jingban.oversight.dishonesty.models import DishonestyListing
from jingban.registration.models import Person
from tests.conftest import PASSWORD
from tests.oversight.dishonesty.test_lifecycle import INSPECTOR, listed, person_with_credits, propose
from tests.web.helpers import post, sign_in


@pytest.fixture(autouse=True)
def keep_clock():
    saved = clock.today().isoformat()
    yield
    clock.set_clock(saved)


def portal_user(db, username: str, ssn: str) -> str:
    person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
    create_user(db, SYSTEM, username, PASSWORD, {"person"}, subject=f"person:{person.id}",
                profile="fast")
    return username


def test_the_subject_sees_the_notice_and_states_its_case(client, sessions):
    with sessions() as db:
        ssn = person_with_credits(db, "fraud")
        entry_id, proposed_on = (made := propose(db, ssn)).id, made.proposed_on
        portal_user(db, "p-credit", ssn)
        other_id = listed(db, person_with_credits(db, "card_forgery")).id
    clock.set_clock(proposed_on.isoformat())
    token = sign_in(client, "p-credit")
    page = client.get("/my/credit")
    assert page.status_code == 200 and 'id="no-entry"' in page.text  # not yet told
    assert f'id="entry-{other_id}"' not in page.text and 'href="/my/credit"' in page.text
    with sessions() as db:
        service.serve_notice(db, INSPECTOR, entry_id)
        noticed = db.get(DishonestyListing, entry_id)
        due = noticed.statement_due
    page = client.get("/my/credit")
    assert f'id="statement-form-{entry_id}"' in page.text and str(due) in page.text
    assert "事先告知（陈述申辩权利）" in page.text and "insp" not in page.text  # no staff names
    blank = post(client, f"/my/credit/{entry_id}/statement", token, {"text": ""})
    assert blank.status_code == 422 and "陈述申辩意见" in blank.text
    sent = post(client, f"/my/credit/{entry_id}/statement", token, {"text": "款项系代领，已全部退回"})
    assert sent.status_code == 200 and "陈述申辩已提交" in sent.text
    assert "款项系代领，已全部退回" in sent.text
    foreign = post(client, f"/my/credit/{other_id}/objection", token, {"reason": "不是我"})
    assert foreign.status_code == 404
    clock.set_clock((due + dt.timedelta(days=1)).isoformat())
    late = client.get("/my/credit")
    assert f'id="statement-form-{entry_id}"' not in late.text


def test_a_listed_subject_objects_and_sees_the_repair_path(client, sessions):
    with sessions() as db:
        ssn = person_with_credits(db, "overpayment_refused", "refuse_enrollment")
        entry = listed(db, ssn)
        entry_id, repair_from = entry.id, entry.repair_from
        portal_user(db, "p-listed", ssn)
    token = sign_in(client, "p-listed")
    page = client.get("/my/credit")
    assert f'id="objection-form-{entry_id}"' in page.text
    assert f"最早可于 {repair_from} 申请" in page.text
    assert f'id="repair-form-{entry_id}"' not in page.text
    objected = post(client, f"/my/credit/{entry_id}/objection", token, {"reason": "第二次失信记录有误"})
    assert objected.status_code == 200 and "异议已提交" in objected.text
    assert f'id="objection-form-{entry_id}"' not in objected.text  # one objection in review
    with sessions() as db:
        listing = db.get(DishonestyListing, entry_id)
        case = db.get(Case, listing.objection_case_id)
        assert case.item_code == "OVS-DISHONESTY-OBJECTION" and case.channel == "web"
    clock.set_clock(repair_from.isoformat())
    ready = client.get("/my/credit")
    assert f'id="repair-form-{entry_id}"' in ready.text and "您已可以申请信用修复" in ready.text
    applied = post(client, f"/my/credit/{entry_id}/repair", token,
                   {"reason": "已全额退回多领待遇并补办参保", "correction_proof": "1"})
    assert applied.status_code == 200 and "信用修复申请已提交" in applied.text
    assert "信用修复申请正在审核中" in applied.text


def test_staff_cannot_act_through_the_portal_page(client, sessions, make_user):
    with sessions() as db:
        entry_id = listed(db, person_with_credits(db, "fraud")).id
    make_user("p-sup", "supervisor")
    token = sign_in(client, "p-sup")
    assert client.get("/my/credit").status_code == 403
    refused = post(client, f"/my/credit/{entry_id}/objection", token, {"reason": "试图代为异议"})
    assert refused.status_code == 403
    with sessions() as db:
        assert db.get(DishonestyListing, entry_id).objection_case_id is None
