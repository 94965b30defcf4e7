"""Case pages through the test client: intake, one-time notice, request ids, the queue,
tiered review with its refusals in Chinese, due lists, the SLA dashboard, the person's portal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select, update

from jingban.benefits.common import rules
from jingban.cases import catalog  # medmat
from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.conftest import PASSWORD, person_body
from tests.web.helpers import (
    approve,
    case_id_of,
    person_url,  # secfix
    post,
    sign_in,
    ssn_at,
)


@pytest.fixture
def clerk(client, make_user) -> str:
    return sign_in(client, make_user("clerk_cases", "clerk"))


def register_person(client, token: str, **overrides) -> str:
    reply = post(client, "/persons", token, person_body(**overrides), follow_redirects=False)
    assert reply.status_code == 303, reply.text
    return ssn_at(client, reply.headers["location"])  # sec15


def intake(client, token: str, code: str, request_id: str = "", **fields):
    return post(client, f"/cases/new/{code}", token, {"request_id": request_id, **fields})


def correction(client, token: str, ssn: str, **extra):
    return intake(client, token, "REG-PERSON-CORRECT", ssn=ssn, name="王晓明",
                  reason="公安机关更正姓名", **{"material.id_document": "on", **extra})


def cases(db) -> int:
    db.rollback()  # a fresh snapshot: the pages commit in their own sessions
    return db.execute(select(func.count()).select_from(Case)).scalar()


@pytest.fixture
def portal_user(sessions):
    """A person's portal login (role person, subject person:<id>)."""

    def make(username: str, ssn: str) -> str:
        with sessions() as db:
            person = db.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
            create_user(db, SYSTEM, username, PASSWORD, {"person"}, subject=f"person:{person.id}",
                        profile="fast")
        return username

    return make


# --- intake ----------------------------------------------------------------------------------

def test_catalog_page_marks_items_not_open(client, clerk, monkeypatch):
    opened = catalog.item("BEN-MEDICAL-MANUAL")  # medmat: close an open item
    shut = opened.model_copy(update={"act": None})  # medmat
    monkeypatch.setitem(catalog.load(), "BEN-MEDICAL-MANUAL", shut)  # medmat
    page = client.get("/cases/new").text
    assert 'href="/cases/new/REG-PERSON-CORRECT"' in page
    medical = page.split("BEN-MEDICAL-MANUAL")[1].split("</tr>")[0]
    assert "尚未开通" in medical and "/cases/new/BEN-MEDICAL-MANUAL" not in medical
    closed = client.get("/cases/new/BEN-MEDICAL-MANUAL")
    assert closed.status_code == 200 and "该事项尚未开通" in closed.text
    refused = intake(client, clerk, "BEN-MEDICAL-MANUAL", ssn="X")
    assert refused.status_code == 409 and "尚未开通" in refused.text


def test_intake_form_is_built_from_the_catalog(client, clerk):
    ssn = register_person(client, clerk)
    page = client.get(f"/cases/new/REG-PERSON-CORRECT?ssn={ssn}").text
    assert f'name="ssn" type="text" value="{ssn}"' in page
    assert "更正后的姓名" in page and "更正后的公民身份号码" in page
    assert 'name="material.id_document"' in page
    assert "已由共享数据证明（公安机关户籍变更信息），无需提交" in page
    assert 'name="material.correction_proof"' not in page
    assert re.search(r'name="request_id" value="[0-9a-f]{32}"', page)
    assert 'name="agent_authorization"' in page


def test_missing_material_gets_one_time_notice_then_supplied(client, clerk, db):
    ssn = register_person(client, clerk)
    reply = intake(client, clerk, "REG-PERSON-CORRECT", ssn=ssn, name="王晓明", reason="更正")
    assert reply.status_code == 200, reply.text
    assert "材料不齐，已一次性告知需补正的全部材料" in reply.text
    assert "待补正材料" in reply.text and "计时暂停" in reply.text
    notes = reply.text.split('id="case-notes"')[1]
    assert "请一次性补齐以下材料：居民身份证（依据：《社会保险经办条例》第九条）" in notes
    case_id = case_id_of(reply)
    supplied = post(client, f"/cases/{case_id}/materials", clerk, {"material.id_document": "on"})
    assert "补正材料已登记" in supplied.text and "审核中" in supplied.text
    assert "补齐材料" in supplied.text.split('id="case-timeline"')[1]


def test_repeated_request_id_gives_one_case(client, clerk, db):
    ssn = register_person(client, clerk)
    before = cases(db)
    first = correction(client, clerk, ssn, request_id="rid-page-1")
    again = correction(client, clerk, ssn, request_id="rid-page-1")
    assert case_id_of(first) == case_id_of(again)
    assert "未重复受理" in again.text
    assert cases(db) == before + 1


def test_errors_stand_next_to_their_field(client, clerk, db):
    ssn = register_person(client, clerk)
    before = cases(db)
    blank = intake(client, clerk, "REG-PERSON-CORRECT", ssn=ssn, name="王晓明", reason="")
    assert blank.status_code == 422
    assert 'id="reason-error">更正原因及依据：不能为空或长度不足<' in blank.text
    assert 'value="王晓明"' in blank.text
    unknown = correction(client, clerk, "330106199001010000")
    assert unknown.status_code == 404 and 'id="ssn-error">未找到社会保障号码' in unknown.text
    agent = correction(client, clerk, ssn, agent_name="张代办")
    assert agent.status_code == 422 and 'id="agent_name-error">代办须登记' in agent.text
    assert 'name="material.id_document" id="m-id_document" checked' in agent.text
    assert cases(db) == before


def test_agent_is_recorded(client, clerk):
    ssn = register_person(client, clerk)
    reply = correction(client, clerk, ssn, agent_name="张代办", agent_id_number="E1234567",
                       agent_authorization="授权委托书2026-001")
    assert "张代办（授权委托书2026-001）" in reply.text


# --- registration pages go through cases -------------------------------------------------------

def test_registration_leaves_a_completed_case(client, clerk, db):
    reply = post(client, "/persons", clerk, person_body(name="周登记"))
    assert re.search(r"个人参保登记已办结（业务件号JB\d{16}）", reply.text)
    db.expire_all()
    case = db.execute(select(Case)).scalar_one()
    assert (case.item_code, case.status, case.channel) == ("REG-PERSON", "completed", "counter")


def test_person_page_offers_cancellation_and_correction(client, clerk):
    ssn = register_person(client, clerk)
    page = client.get(f"/persons/{ssn}").text
    pid = person_url(client, ssn).rsplit("/", 1)[1]  # secfix
    assert f'href="/cases/new/REG-PERSON-CANCEL?person={pid}"' in page  # secfix
    assert f'href="/cases/new/REG-PERSON-CORRECT?person={pid}"' in page  # secfix


# --- review ------------------------------------------------------------------------------------

def test_queue_claim_and_approve(client, clerk, make_user):
    ssn = register_person(client, clerk)
    reply = intake(client, clerk, "REG-PERSON-CANCEL", ssn=ssn, reason="出境定居",
                   **{"material.cancel_proof": "on"})
    case_id = case_id_of(reply)
    token = sign_in(client, make_user("r1_queue", "reviewer_1"))
    queue = client.get("/cases/queue").text
    assert f'href="/cases/{case_id}"' in queue and f'action="/cases/{case_id}/claim"' in queue
    claimed = post(client, f"/cases/{case_id}/claim", token, {})
    assert "已领取" in claimed.text and 'id="case-assigned">r1_queue<' in claimed.text
    done = post(client, f"/cases/{case_id}/decide", token,
                {"level": "1", "decision": "approve", "reason": "材料齐全"})
    assert "已办结" in done.text and "第1级（初审）" in done.text
    assert 'id="decide-form"' not in done.text
    assert "已注销" in client.get(f"/persons/{ssn}").text


def test_self_review_and_second_level_refused_in_chinese(client, make_user, db):
    token = sign_in(client, make_user("clerk_r1", "clerk", "reviewer_1"))
    ssn = register_person(client, token)
    case_id = case_id_of(correction(client, token, ssn))
    own = post(client, f"/cases/{case_id}/decide", token,
               {"level": "1", "decision": "approve", "reason": "同意"})
    assert own.status_code == 403 and "受理人不得审核本人受理的业务" in own.text
    both = make_user("r12_pages", "reviewer_1", "reviewer_2")
    assert approve(client, both, case_id, 1).status_code == 200
    twice = approve(client, both, case_id, 2)
    assert twice.status_code == 403
    assert "同一人不得在同一业务件中审核两个层级" in twice.text
    db.expire_all()
    assert db.get(Case, case_id).levels_done == 1


def test_reject_needs_reason_then_resubmit(client, clerk, make_user):
    ssn = register_person(client, clerk)
    case_id = case_id_of(correction(client, clerk, ssn))
    token = sign_in(client, make_user("r1_reject", "reviewer_1"))
    bare = post(client, f"/cases/{case_id}/decide", token, {"level": "1", "decision": "reject"})
    assert bare.status_code == 422 and "退回须说明理由" in bare.text
    back = post(client, f"/cases/{case_id}/decide", token,
                {"level": "1", "decision": "reject", "reason": "证明材料不清晰"})
    assert "已退回" in back.text and "证明材料不清晰" in back.text
    clerk_token = sign_in(client, "clerk_cases")
    again = post(client, f"/cases/{case_id}/resubmit", clerk_token, {"reason": "已补充清晰复印件"})
    assert "已重新提交审核" in again.text and "审核中" in again.text
    assert "重新提交" in again.text.split('id="case-timeline"')[1]


def test_reviewer_requests_materials(client, clerk, make_user):
    ssn = register_person(client, clerk)
    case_id = case_id_of(correction(client, clerk, ssn))
    token = sign_in(client, make_user("r1_missing", "reviewer_1"))
    reply = post(client, f"/cases/{case_id}/missing", token,
                 {"material.id_document": "on", "note": "复印件不清晰"})
    assert "办理时限暂停计算" in reply.text and "待补正材料" in reply.text
    assert "剩余工作日" in reply.text and "复印件不清晰" in reply.text


def test_deadlines_and_dashboard(client, clerk, make_user, db):
    ssn = register_person(client, clerk)
    case_id = case_id_of(correction(client, clerk, ssn))
    db.execute(update(Case).where(Case.id == case_id).values(due_on=dt.date(2020, 1, 3)))
    db.commit()
    sign_in(client, make_user("r1_lists", "reviewer_1"))
    lists = client.get("/cases/deadlines").text
    overdue = lists.split('id="overdue"')[1].split("</table>")[0]
    assert 'class="overdue"' in overdue and "2020-01-03" in overdue
    board = client.get("/cases/dashboard").text
    row = re.search(r'<tr data-item="REG-PERSON-CORRECT">(.*?)</tr>', board, re.S).group(1)
    assert 'class="num overdue">1<' in row
    assert "clerk_cases" in board.split('id="sla-staff"')[1]


def test_clerk_cannot_open_the_queue(client, clerk):
    reply = client.get("/cases/queue")
    assert reply.status_code == 403 and "无权办理此业务" in reply.text


# --- the person's portal -----------------------------------------------------------------------

def test_person_sees_own_case_only(client, clerk, portal_user):
    mine, other = register_person(client, clerk), register_person(client, clerk)
    my_case = case_id_of(correction(client, clerk, mine))
    other_case = case_id_of(correction(client, clerk, other))
    user = portal_user("person_portal", mine)
    token = sign_in(client, user)
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/my"
    listing = client.get("/my").text
    assert f'href="/cases/{my_case}"' in listing and f'href="/cases/{other_case}"' not in listing
    assert "综合查询" not in listing and "审核中" in listing
    page = client.get(f"/cases/{my_case}")
    assert page.status_code == 200 and "办理进度" in page.text and "您申请的" in page.text
    assert "clerk_cases" not in page.text and 'action="/cases/' not in page.text
    assert client.get(f"/cases/{other_case}").status_code == 404
    for url in ("/persons/new", f"/persons/{mine}", "/cases/queue", "/cases/dashboard",
                "/cases/new"):
        refused = client.get(url)
        assert refused.status_code == 403 and "仅供经办机构工作人员使用" in refused.text, url
    decided = post(client, f"/cases/{my_case}/decide", token,
                   {"level": "1", "decision": "approve", "reason": "同意"})
    assert decided.status_code == 403


def test_person_page_lists_the_persons_cases(client, clerk):
    ssn = register_person(client, clerk)
    page = client.get(f"/persons/{ssn}")
    assert "person-case-list" in page.text and "个人参保登记" in page.text


def test_person_applies_online(client, clerk, portal_user, db):
    mine, other = register_person(client, clerk), register_person(client, clerk)
    token = sign_in(client, portal_user("person_apply", mine))
    listing = client.get("/my/apply").text
    assert "/my/apply/REG-PERSON-CHANGE" in listing and "REG-PERSON-CORRECT" not in listing
    form = client.get("/my/apply/REG-PERSON-CHANGE").text
    assert 'name="ssn"' not in form and "授权代办" not in form
    reply = post(client, "/my/apply/REG-PERSON-CHANGE", token,
                 {"ssn": other, "phone": "13700000002", "reason": "更换手机号",
                  "request_id": "web-1"}, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    db.rollback()
    phones = dict(db.execute(select(Person.ssn, Person.phone)).all())
    assert phones[mine] == "13700000002" and phones[other] != "13700000002"  # always his own
    assert client.get("/my/apply/REG-PERSON-CORRECT").status_code == 403


def test_prereview_page_lists_and_notifies(client, clerk):
    page = client.get("/benefits/prereview", params={"month": "2027-03"})
    assert page.status_code == 200 and "退休预审名单" in page.text
    bad = client.get("/benefits/prereview", params={"month": "2027-13"})
    assert bad.status_code == 422 and "月份格式" in bad.text
    ahead = rules.add_months(clock.today().year, clock.today().month, 12)  # notices: ≥ 12 months ahead
    sent = post(client, "/benefits/prereview/notices", clerk, {"month": f"{ahead[0]}-{ahead[1]:02d}"})
    assert sent.status_code == 200 and "已发送预审通知" in sent.text
