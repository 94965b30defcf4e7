"""One click from an accepted report to an inspection of the accused (R§42, R§51): the report
goes to investigation linked to the inspection, asking again files nothing new, and the
reporter's identity never reaches the inspection, its case, its audit or the accused."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from jingban.cases.models import Case
from jingban.core.errors import Conflict, NotFound, PermissionDenied
from jingban.core.models import AuditEvent
from jingban.notices.models import Notification
from jingban.oversight.complaints import service
from jingban.oversight.complaints.models import Complaint
from jingban.oversight.complaints.schemas import ScreeningIn
from jingban.oversight.inspections import service as inspections
from jingban.oversight.inspections.models import Inspection
from tests.conftest import citizen_id, uscc
from tests.oversight.complaints.test_complaints import OFFICER, report
from tests.oversight.inspections.helpers import INSPECTOR, count, employer
from tests.web.helpers import post, sign_in

NAME, PHONE = "周举报", "13911112222"


def accepted(db, accused_ref: str, **overrides) -> Complaint:
    number = citizen_id()
    row = service.receive(db, OFFICER, report(
        accused_ref=accused_ref, reporter_name=NAME, reporter_phone=PHONE,
        reporter_id_number=number,
        facts=f"我是{NAME}（电话{PHONE}，身份证{number}），该公司以现金代替缴费", **overrides))
    return service.screen(db, OFFICER, row.id, ScreeningIn(screening="accepted"))


def test_an_accepted_report_becomes_an_inspection_without_its_reporter(db):
    unit = employer(db, "杭州被举报贸易有限公司")
    row = accepted(db, unit.uscc)
    number = row.reporter_id_number
    with pytest.raises(PermissionDenied):  # filing an inspection is the inspector's act
        service.open_inspection(db, OFFICER, row.id)
    case = service.open_inspection(db, INSPECTOR, row.id)
    found = inspections.by_case(db, case.id)
    db.refresh(row)
    assert (row.status, row.inspection_case_id) == ("investigating", case.id)
    assert (found.subject_kind, found.subject_ref, found.origin) == ("employer", unit.uscc,
                                                                     f"complaint:{row.id}")
    assert row.number in found.reason and "以现金代替缴费" in found.reason
    told = [found.reason, db.get(Case, case.id).payload]
    told += [f"{e.after} {e.reason}" for e in db.execute(select(AuditEvent)).scalars()]
    told += [n.message for n in db.execute(select(Notification)).scalars()
             if n.recipient != number]
    for secret in (NAME, PHONE, number):
        assert not any(secret in text for text in told), secret
    assert service.open_inspection(db, INSPECTOR, row.id).id == case.id  # once only
    assert count(db, Inspection) == 1
    assert "立案核查" in row.steps[-1].note


def test_only_an_accepted_report_on_a_registered_subject(db):
    unit = employer(db)
    received = service.receive(db, OFFICER, report(accused_ref=unit.uscc))
    with pytest.raises(Conflict) as early:
        service.open_inspection(db, INSPECTOR, received.id)
    assert early.value.code == "complaint.inspection_status"
    stranger = accepted(db, uscc())
    with pytest.raises(NotFound) as unknown:
        service.open_inspection(db, INSPECTOR, stranger.id)
    assert unknown.value.code == "inspection.subject_unknown"
    db.rollback()
    assert db.get(Complaint, stranger.id).status == "accepted" and count(db, Inspection) == 0


def test_the_inspector_files_it_from_the_complaint_page(client, db, make_user):
    unit = employer(db, "页面被举报有限公司")
    row = accepted(db, unit.uscc)
    make_user("ts_insp", "inspector")
    token = sign_in(client, "ts_insp")
    page = client.get(f"/oversight/complaints/{row.id}")
    assert 'id="inspection-form"' in page.text and NAME not in page.text
    done = post(client, f"/oversight/complaints/{row.id}/inspection", token, {})
    assert done.status_code == 200 and "已立案核查" in done.text and "页面被举报有限公司" in done.text
    assert re.search(r"/oversight/inspections/\d+$", str(done.url))
    assert NAME not in done.text and PHONE not in done.text
    again = client.get(f"/oversight/complaints/{row.id}")
    assert 'id="linked-inspection"' in again.text and 'id="inspection-form"' not in again.text
