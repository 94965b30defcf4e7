"""Masked registry pages (R§49): a clerk sees an entry's citizen ID and phone masked and the
text as received hidden; the data administrator sees a pair masked and shows it in full with a
stated reason, logged in the read log and the audit chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from jingban.core.models import AccessLog, AuditEvent
from jingban.enrollment import batch, service
from jingban.enrollment.models import ReviewPair
from tests.conftest import REGION
from tests.enrollment.helpers import ADMIN, cid, csv_file, person
from tests.web.helpers import post, sign_in

BORN = dt.date(1980, 1, 1)
NUMBER, PHONE = cid(BORN, 401), "13912340401"


def _pair(sessions, settings) -> tuple[int, int]:
    """An entry (欧阳娜娜, registered with a phone) and a pair for the data administrator."""
    with sessions() as db:
        someone = person(db, "欧阳娜娜", NUMBER, BORN, phone=PHONE, address="西湖区文三路401号")
        db.commit()
        rows = [{"name": "欧阳娜娜", "sex": "女", "birth_date": "1980-01-01", "household_region": "330102",
                 "phone": "13700000402"},
                {"name": "欧阳娜", "sex": "女", "birth_date": "1980-01-01", "household_region": REGION}]
        service.receive_file(db, ADMIN, source="police", filename="p.csv", content=csv_file(rows))
        batch.run(db, ADMIN, settings)
        pair = db.execute(select(ReviewPair).where(ReviewPair.status == "open")).scalars().first()
        return service.entry_for_person(db, someone.id).id, pair.id


def test_a_clerk_sees_the_entry_masked(client, sessions, settings, make_user):
    entry_id, _ = _pair(sessions, settings)
    make_user("clerk14", "clerk")
    sign_in(client, "clerk14")
    page = client.get(f"/enrollment/entries/{entry_id}")
    assert page.status_code == 200
    assert NUMBER not in page.text and PHONE not in page.text
    assert NUMBER[:4] + "**********" + NUMBER[-4:] in page.text and "139****0401" in page.text
    assert "（含身份号码，已隐藏）" in page.text


def test_the_data_administrator_shows_a_pair_with_a_reason(client, sessions, settings, make_user):
    _, pair_id = _pair(sessions, settings)
    make_user("admin14", "data_admin")
    token = sign_in(client, "admin14")
    page = client.get("/enrollment/pairs")
    assert page.status_code == 200 and f'id="reveal-{pair_id}"' in page.text
    assert "13700000402" not in page.text and "137****0402" in page.text
    bad = post(client, f"/enrollment/pairs/{pair_id}/reveal", token, {"reason": ""})
    assert bad.status_code == 422 and "请填写查看或导出的理由" in bad.text
    assert "13700000402" not in bad.text
    shown = post(client, f"/enrollment/pairs/{pair_id}/reveal", token, {"reason": "核对是否同一人"})
    assert shown.status_code == 200 and "13700000402" in shown.text
    assert f'id="revealed-{pair_id}"' in shown.text
    with sessions() as db:
        subject = f"registry_pair:{pair_id}"
        log = db.execute(select(AccessLog).where(AccessLog.subject == subject)).scalar_one()
        assert (log.actor, log.view, log.reason) == ("admin14", "reveal", "核对是否同一人")
        event = db.execute(select(AuditEvent).where(AuditEvent.act == "privacy.reveal")).scalar_one()
        assert event.subject == f"registry_pair:{pair_id}" and "left.phone" in event.after
    assert "13700000402" not in client.get("/enrollment/pairs").text  # shown once, not kept


def test_a_clerk_cannot_show_a_pair(client, sessions, settings, make_user):
    _, pair_id = _pair(sessions, settings)
    make_user("clerk15", "clerk")
    token = sign_in(client, "clerk15")
    refused = post(client, f"/enrollment/pairs/{pair_id}/reveal", token, {"reason": "核对是否同一人"})
    assert refused.status_code == 403 and "13700000402" not in refused.text
