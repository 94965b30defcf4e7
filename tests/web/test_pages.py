"""Staff pages through the test client: login, CSRF, forms, errors in Chinese, history."""

import re

import pytest
from sqlalchemy import func, select

from jingban.core import clock
from jingban.core.models import AccessLog, AuditEvent
from jingban.registration.models import Employer, Person
from tests.conftest import PASSWORD, citizen_id, citizen_id_of, employer_body, person_body, uscc
from tests.web.helpers import approve, case_id_of, csrf, person_url, post, sign_in, ssn_at

START = clock.today().replace(day=1).isoformat()


def count(db, model) -> int:
    db.expire_all()
    return db.execute(select(func.count()).select_from(model)).scalar()


@pytest.fixture
def clerk(client, make_user) -> str:
    return sign_in(client, make_user("clerk_page", "clerk"))


def register_employer(client, token: str, **overrides) -> dict:
    body = {k: str(v) for k, v in employer_body(**overrides).items()}
    reply = post(client, "/employers", token, body, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert reply.headers["location"] == f"/employers/{body['uscc']}"
    return body


def register_person(client, token: str, **overrides) -> str:
    body = person_body(**overrides)
    reply = post(client, "/persons", token, body, follow_redirects=False)
    assert reply.status_code == 303, reply.text
    assert body["id_number"] not in reply.headers["location"]  # sec15: the public id, not the SSN
    return ssn_at(client, reply.headers["location"])

# --- login -----------------------------------------------------------------------------------

def test_pages_need_login(client):
    reply = client.get("/persons/new", follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == "/login?next=/persons/new"
    page = client.get("/login?next=/persons/new")
    assert "经办人员登录" in page.text and 'value="/persons/new"' in page.text


def test_wrong_password_shows_message(client, make_user):
    make_user("clerk_pw", "clerk")
    token = csrf(client.get("/login").text)
    reply = client.post("/login", data={"username": "clerk_pw", "password": "wrong-password",
                                        "csrf_token": token})
    assert reply.status_code == 401
    assert "用户名或密码不正确" in reply.text and 'value="clerk_pw"' in reply.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_login_then_logout(client, make_user):
    token = sign_in(client, make_user("clerk_out", "clerk"))
    assert "综合查询" in client.get("/").text
    reply = post(client, "/logout", token, {})
    assert "已安全退出" in reply.text
    assert client.get("/", follow_redirects=False).status_code == 303


def test_next_never_leaves_the_site(client, make_user):
    make_user("clerk_next", "clerk")
    token = csrf(client.get("/login").text)
    reply = client.post("/login", data={"username": "clerk_next", "password": PASSWORD,
                                        "csrf_token": token, "next": "//evil.example"},
                        follow_redirects=False)
    assert reply.headers["location"] == "/"


# --- CSRF ------------------------------------------------------------------------------------

def test_post_without_csrf_token_is_refused(client, clerk, db):
    reply = client.post("/employers", data={k: str(v) for k, v in employer_body().items()})
    assert reply.status_code == 403 and "刷新页面" in reply.text
    wrong = client.post("/employers", data={**employer_body(), "csrf_token": "forged"})
    assert wrong.status_code == 403
    assert count(db, Employer) == 0


def test_login_post_needs_csrf_token(client, make_user):
    make_user("clerk_csrf", "clerk")
    reply = client.post("/login", data={"username": "clerk_csrf", "password": PASSWORD})
    assert reply.status_code == 403


def test_htmx_header_carries_the_token(client, clerk, db):
    body = {k: str(v) for k, v in employer_body().items()}
    reply = client.post("/employers", data=body, headers={"X-CSRF-Token": clerk},
                        follow_redirects=False)
    assert reply.status_code == 303 and count(db, Employer) == 1


# --- registration through the forms ----------------------------------------------------------

def test_register_employer_and_person(client, clerk, db):
    employer = register_employer(client, clerk)
    page = client.get(f"/employers/{employer['uscc']}")
    assert employer["name"] in page.text and "单位参保登记" in page.text
    ssn = register_person(client, clerk, name="王五")
    detail = client.get(f"/persons/{ssn}")
    assert "个人参保登记已办结" in detail.text
    assert f'id="person-ssn">{ssn[:4]}{"*" * 10}{ssn[-4:]}<' in detail.text  # secdata: masked
    assert count(db, Person) == 1 and count(db, AccessLog) >= 1
    found = client.get("/search", params={"q": "王五"}, headers={"HX-Request": "true"})
    assert "<html" not in found.text
    assert ">" + ssn[:4] + "*" * 10 + ssn[-4:] + "<" in found.text and f">{ssn}<" not in found.text


def test_register_foreigner_gets_assigned_ssn(client, clerk):
    ssn = register_person(client, clerk, id_type="foreign", id_number="E12345678", name="John",
                          sex="M", birth_date="1985-03-04", nationality="USA")
    assert ssn.startswith("USA")


def test_bad_citizen_id_shows_chinese_error_and_writes_nothing(client, clerk, db):
    before = count(db, AuditEvent)
    good = citizen_id()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    reply = post(client, "/persons", clerk, person_body(id_number=bad, name="赵六"))
    assert reply.status_code == 422
    error = re.search(r'<p class="error" id="id_number-error">([^<]+)</p>', reply.text)
    assert error and error.group(1) == "公民身份号码校验码不正确"
    assert 'value="赵六"' in reply.text and f'value="{bad}"' in reply.text
    assert count(db, Person) == 0 and count(db, AuditEvent) == before


def test_blank_required_field_is_named_in_chinese(client, clerk, db):
    reply = post(client, "/employers", clerk, {**employer_body(), "name": ""})
    assert reply.status_code == 422
    assert 'id="name-error">名称：不能为空或长度不足<' in reply.text
    assert count(db, Employer) == 0


def test_duplicate_employer_message_next_to_uscc(client, clerk):
    employer = register_employer(client, clerk)
    reply = post(client, "/employers", clerk, employer_body(uscc=employer["uscc"]))
    assert reply.status_code == 409
    assert 'id="uscc-error">统一社会信用代码' in reply.text and "已办理参保登记" in reply.text


def test_change_is_a_case_then_shows_in_history(client, clerk, make_user):
    employer = register_employer(client, clerk)
    form = client.get(f"/employers/{employer['uscc']}/change").text
    assert f'value="{employer["name"]}"' in form
    assert "已由共享数据证明（登记管理机关共享信息），无需提交" in form
    changed = {k: employer[k] for k in ("name", "kind", "region", "address", "legal_rep")}
    changed.update(name="杭州新名称有限公司", reason="工商变更")
    reply = post(client, f"/employers/{employer['uscc']}/change", clerk, changed)
    assert reply.status_code == 200 and "已受理，业务件号JB" in reply.text
    assert 'id="case-status"><span class="badge case-in_review">审核中<' in reply.text
    assert employer["name"] in client.get(f"/employers/{employer['uscc']}").text
    done = approve(client, make_user("r1_change", "reviewer_1"), case_id_of(reply), 1)
    assert "审核意见已提交" in done.text and "已办结" in done.text
    history = client.get(f"/employers/{employer['uscc']}").text.split("登记变更历史")[1]
    assert "单位登记信息变更" in history and "工商变更" in history and "业务件审批" in history
    assert employer["name"] in history and "杭州新名称有限公司" in history


def test_change_without_reason_keeps_input(client, clerk):
    employer = register_employer(client, clerk)
    reply = post(client, f"/employers/{employer['uscc']}/change", clerk,
                 {"name": "改了名字", "kind": "enterprise", "region": employer["region"]})
    assert reply.status_code == 422
    assert 'id="reason-error"' in reply.text and 'value="改了名字"' in reply.text


def test_enroll_and_person_history(client, clerk):
    employer = register_employer(client, clerk, registered_on="2020-01-01")
    ssn = register_person(client, clerk)
    reply = post(client, person_url(client, ssn, "/enrollments"), clerk,
                 {"insurance": "pension_enterprise", "employer_uscc": employer["uscc"],
                  "start_date": START, "contribution_base": "6000.00"})
    assert "参保登记（增员）已办结" in reply.text and "企业职工基本养老保险" in reply.text
    history = client.get(f"/persons/{ssn}/history").text
    assert "个人参保登记" in history and "参保（增员）" in history and "柜台" in history
    assert "6,000.00" in history
    ends = re.escape(person_url(client, ssn)) + r"/enrollments/(\d+)/end"
    enrollment = re.search(ends, reply.text).group(1)
    ended = post(client, person_url(client, ssn, f"/enrollments/{enrollment}/end"), clerk,
                 {"end_date": clock.today().isoformat(), "reason": "解除劳动合同"})
    assert "停保（减员）已办结" in ended.text and "解除劳动合同" in ended.text


def test_enroll_error_stays_on_person_page(client, clerk):
    ssn = register_person(client, clerk)
    reply = post(client, person_url(client, ssn, "/enrollments"), clerk,
                 {"insurance": "pension_enterprise", "employer_uscc": "", "start_date": START,
                  "contribution_base": "1"})
    assert reply.status_code == 422
    assert 'id="contribution_base-error">缴费基数须在' in reply.text
    assert 'value="1"' in reply.text


def test_card_apply_and_status_change(client, clerk):
    ssn = register_person(client, clerk)
    page = post(client, person_url(client, ssn, "/cards"), clerk, {"kind": "ss_card", "number": "A0001"})
    assert "申领已受理" in page.text and "已申领" in page.text
    card_id = re.search(re.escape(person_url(client, ssn)) + r"/cards/(\d+)/status", page.text).group(1)
    page = post(client, person_url(client, ssn, f"/cards/{card_id}/status"), clerk,
                {"status": "issued", "reason": "制卡完成"})
    assert "卡状态变更已办结" in page.text and "已制发" in page.text


def test_cancel_employer_takes_two_levels(client, clerk, make_user):
    employer = register_employer(client, clerk, registered_on="2020-01-01")
    reply = post(client, f"/employers/{employer['uscc']}/cancel", clerk,
                 {"cancelled_on": clock.today().isoformat(), "reason": "歇业"})
    assert "已受理，业务件号JB" in reply.text and "已完成 0 / 2 级" in reply.text
    case_id = case_id_of(reply)
    approve(client, make_user("r1_cancel", "reviewer_1"), case_id, 1)
    done = approve(client, make_user("r2_cancel", "reviewer_2"), case_id, 2)
    assert "已办结" in done.text
    assert "已注销" in client.get(f"/employers/{employer['uscc']}").text


# --- errors ----------------------------------------------------------------------------------

def test_errors_are_pages_but_api_stays_json(client, clerk):
    missing = client.get(f"/employers/{uscc()}")
    assert missing.status_code == 404 and "<html" in missing.text and "未找到" in missing.text
    api = client.get(f"/api/v1/employers/{uscc()}")
    assert api.status_code == 401 and api.json()["error"]["code"] == "auth.missing_token"


def test_read_only_role_sees_refusal_in_the_form(client, make_user):
    token = sign_in(client, make_user("inspector_page", "inspector"))
    reply = post(client, "/employers", token, employer_body())
    assert reply.status_code == 403 and "无权办理此业务" in reply.text


# --- feeds -----------------------------------------------------------------------------------

def test_feed_upload_shows_rejected_rows(client, make_user):
    token = sign_in(client, make_user("data_page", "data_admin"))
    good = uscc()
    content = (f"action,uscc,name,kind,region\nsetup,{good},共享测试有限公司,企业,330106\n"
               "setup,ABC,坏数据公司,企业,330106\n").encode()
    reply = client.post("/feeds", data={"kind": "employer", "csrf_token": token},
                        files={"file": ("companies.csv", content, "text/csv")})
    assert reply.status_code == 200 and "共享数据文件已接收并处理" in reply.text
    assert 'id="count-processed">1<' in reply.text and 'id="count-rejected">1<' in reply.text
    assert "统一社会信用代码格式不正确" in reply.text.split('id="rejected"')[1]


def test_feed_upload_without_file(client, make_user):
    token = sign_in(client, make_user("data_page2", "data_admin"))
    reply = post(client, "/feeds", token, {"kind": "employer"})
    assert reply.status_code == 422 and 'id="file-error">请选择要上传的数据文件<' in reply.text


def test_person_form_records_the_retirement_category(client, make_user):
    token = sign_in(client, make_user("clerk_category", "clerk"))
    number = citizen_id_of("F")
    form = client.get("/persons/new").text
    assert 'name="retirement_category"' in form
    reply = post(client, "/persons", token, person_body(id_number=number,
                                                        retirement_category="female_55"),
                 follow_redirects=True)
    assert "女（原55岁，干部）" in reply.text
