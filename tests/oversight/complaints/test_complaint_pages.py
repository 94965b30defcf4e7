"""The complaint pages: the public form (no login), the portal form, the complaint post's list
with its Excel export and its detail with the screening form; the reporter hidden from other
staff on the same pages."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.oversight.complaints.models import Complaint
from jingban.registration.models import Person
from tests.conftest import PASSWORD, citizen_id, person_body, uscc
from tests.web.helpers import csrf, post, sign_in

NAME, PHONE = "吴公开", "13812345678"


def public_form(client, **overrides):
    token = csrf(client.get("/public/complaints").text)
    data = {"kind": "report", "accused_kind": "employer", "accused_ref": uscc(),
            "accused_name": "某某物流有限公司", "facts": "招用工人不办理工伤保险",
            "reporter_name": NAME, "reporter_phone": PHONE, "wants_notice": "1",
            "request_id": "pub-1"}
    data.update(overrides)
    return post(client, "/public/complaints", token, data)


def test_public_form_then_the_post_screens_and_exports(client, make_user, db):
    page = client.get("/public/complaints")
    assert page.status_code == 200 and "举报投诉" in page.text and 'href="/login"' in page.text
    bad = public_form(client, reporter_phone="")
    assert bad.status_code == 422 and "实名举报须留下联系电话或电子邮箱" in bad.text
    sent = public_form(client)
    assert sent.status_code == 200 and 'id="receipt"' in sent.text
    again = public_form(client)  # the same form sent twice is one complaint
    assert 'id="receipt"' in again.text
    db.rollback()
    row = db.execute(select(Complaint)).scalar_one()
    assert row.number in sent.text and NAME not in sent.text

    token = sign_in(client, make_user("ts_page", "complaint_officer"))
    listing = client.get("/oversight/complaints")
    assert listing.status_code == 200 and row.number in listing.text and NAME in listing.text
    assert 'href="/oversight/complaints/export.xlsx"' in listing.text
    sheet = client.get("/oversight/complaints/export.xlsx")
    cells = " ".join(str(c) for r in load_workbook(io.BytesIO(sheet.content)).active.iter_rows(
        values_only=True) for c in r)
    assert row.number in cells and NAME not in cells and PHONE not in cells
    detail = client.get(f"/oversight/complaints/{row.id}")
    assert 'id="screening-form"' in detail.text and PHONE in detail.text
    refused = post(client, f"/oversight/complaints/{row.id}/screening", token,
                   {"screening": "not_accepted", "reason": ""})
    assert refused.status_code == 422 and "不予受理须说明理由" in refused.text
    done = post(client, f"/oversight/complaints/{row.id}/screening", token,
                {"screening": "accepted", "reason": "线索具体"}, follow_redirects=False)
    assert done.status_code == 303
    told = post(client, f"/oversight/complaints/{row.id}/notice", token, {"channel": "sms"})
    assert told.status_code == 200 and "已告知举报人" in told.text

    sign_in(client, make_user("insp_page", "inspector"))
    shown = client.get(f"/oversight/complaints/{row.id}")
    assert shown.status_code == 200 and "举报人信息保密" in shown.text
    assert NAME not in shown.text and PHONE not in shown.text
    assert 'id="screening-form"' not in shown.text
    assert NAME not in client.get("/oversight/complaints").text
    sign_in(client, make_user("clerk_page", "clerk"))
    assert client.get("/oversight/complaints").status_code == 403


def test_counter_intake_on_the_list_page(client, make_user, db):
    token = sign_in(client, make_user("ts_counter", "complaint_officer"))
    reply = post(client, "/oversight/complaints", token, {
        "channel": "phone", "kind": "complaint", "reporter_name": "郑来电",
        "reporter_phone": "13300000000", "reporter_id_number": citizen_id(),
        "accused_kind": "other", "accused_name": "某代办中介", "facts": "收费代办虚假补缴",
        "request_id": "phone-1"}, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    complaint_id = int(re.search(r"/oversight/complaints/(\d+)", reply.headers["location"]).group(1))
    page = client.get(reply.headers["location"])
    assert "郑来电" in page.text and str(clock.today()) in page.text
    bad = post(client, "/oversight/complaints", token, {
        "channel": "phone", "anonymous": "1", "reporter_name": "某人", "accused_kind": "other",
        "accused_name": "x", "facts": "y"})
    assert bad.status_code == 422 and "匿名举报不填写举报人信息" in bad.text
    db.rollback()
    assert [c.id for c in db.execute(select(Complaint)).scalars()] == [complaint_id]


def test_portal_form_files_in_the_accounts_name(client, login, db):
    body = person_body(name="冯门户")
    assert client.post("/api/v1/persons", json=body, headers=login("clerk")).status_code == 201
    db.rollback()
    person = db.execute(select(Person).where(Person.id_number == body["id_number"])).scalar_one()
    create_user(db, SYSTEM, "portal_feng", PASSWORD, {"person"}, subject=f"person:{person.id}",
                profile="fast")
    token = sign_in(client, "portal_feng")
    page = client.get("/my/complaints")
    assert page.status_code == 200 and 'id="portal-form"' in page.text
    sent = post(client, "/my/complaints", token, {
        "kind": "report", "accused_kind": "institution", "accused_name": "某定点药店",
        "facts": "串换药品", "wants_notice": "1", "request_id": "portal-1"})
    assert sent.status_code == 200 and "举报投诉已提交" in sent.text
    db.rollback()
    row = db.execute(select(Complaint)).scalar_one()
    assert (row.reporter_name, row.channel) == ("冯门户", "web") and row.number in sent.text
    assert client.get("/oversight/complaints").status_code == 403
