"""Records pages: the collector's file uploaded by an accountant, the interest run, a person's
rights record, an employer's staff and arrears (with the CSV), and the employer's portal."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from jingban.core import privacy  # secaudit
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Employer, Person
from tests.conftest import PASSWORD, REGION, citizen_id, uscc
from tests.records.helpers import collector_csv, make_world, pension_row
from tests.web.helpers import csrf, person_url, post, sign_in


@pytest.fixture
def world(sessions):
    return make_world(sessions)


@pytest.fixture
def accountant(client, make_user) -> str:
    return sign_in(client, make_user("acct_pages", "accountant"))


def upload(client, token: str, content: bytes, filename: str = "collector.csv"):
    return client.post("/records/imports", data={"csrf_token": token},
                       files={"file": (filename, content)}, follow_redirects=False)


def rows_of(world) -> list[dict]:
    return [pension_row(world, "P1", 202401), pension_row(world, "P2", 202402),
            pension_row(world, "P3", 202403, paid_on=""),  # due, unpaid: arrears
            pension_row(world, "R1", 202401, ssn=citizen_id()),
            {**pension_row(world, "R2", 202401), "period": "2024-01"}]


def count(html: str, name: str) -> int:
    return int(re.search(rf'id="count-{name}">(\d+)<', html).group(1))


def test_accountant_uploads_and_sees_posted_and_refused_rows(client, accountant, world):
    menu = client.get("/records/imports").text
    assert 'href="/records/imports"' in menu and 'href="/records/interest"' in menu
    content = collector_csv(rows_of(world))
    reply = upload(client, accountant, content)
    assert reply.status_code == 303, reply.text
    page = client.get(reply.headers["location"])
    assert "缴费数据已导入" in page.text
    html = page.text
    assert (count(html, "total"), count(html, "posted"), count(html, "rejected")) == (5, 2, 2)
    assert count(html, "arrears") == 1
    problems = html.split('id="problems"')[1]
    assert problems.count("<tr>") == 3  # header + two refused rows
    assert "records.period_format" in problems and "费款所属期格式应为 YYYYMM" in problems
    assert "R1" in problems and "R2" in problems
    assert "费款所属期（period）" in problems
    again = upload(client, accountant, content)
    assert again.headers["location"] == reply.headers["location"]
    assert "该文件此前已导入，未重复入账" in client.get(again.headers["location"]).text


def test_bad_file_and_other_roles_are_refused(client, accountant, make_user, world):
    refused = upload(client, accountant, "文件".encode("utf-16"))
    assert refused.status_code in (400, 422) and 'class="alert"' in refused.text
    missing = post(client, "/records/imports", accountant, {})
    assert missing.status_code == 422 and "请选择征收机构报送的缴费数据文件" in missing.text
    clerk = sign_in(client, make_user("clerk_records", "clerk"))
    assert 'href="/records/imports"' not in client.get("/").text
    denied = upload(client, clerk, collector_csv(rows_of(world)))
    assert denied.status_code == 403 and "会计" in denied.text


def test_interest_run_page(client, accountant, world):
    rows = [pension_row(world, f"Y{m}", 202400 + m) for m in range(1, 13)]
    assert upload(client, accountant, collector_csv(rows)).status_code == 303
    form = client.get("/records/interest").text
    assert 'name="year"' in form
    done = post(client, "/records/interest", accountant, {"year": "2024"})
    assert done.status_code == 200, done.text
    result = done.text.split('id="interest-result"')[1]
    assert "2024年度计息结果" in done.text and "0.0262" in result and "本次已计息" in result
    again = post(client, "/records/interest", accountant, {"year": "2024"})
    assert "此前已计息，本次未重复计息" in again.text
    unpublished = post(client, "/records/interest", accountant, {"year": "2025"})
    assert unpublished.status_code == 422 and "记账利率尚未公布" in unpublished.text
    junk = post(client, "/records/interest", accountant, {"year": "明年"})
    assert junk.status_code == 422 and "计息年度：应为整数" in junk.text


def test_rights_page_shows_the_posted_contribution(client, accountant, make_user, world):
    assert upload(client, accountant, collector_csv(rows_of(world))).status_code == 303
    clerk = sign_in(client, make_user("clerk_rights", "clerk"))
    assert clerk
    person = client.get(f"/persons/{world.employee}").text
    assert f'href="{person_url(client, world.employee, "/rights")}"' in person  # sec15
    page = client.get(f"/persons/{world.employee}/rights")
    assert page.status_code == 200
    html = page.text
    assert "个人权益记录" in html and "职工甲" in html
    contributions = html.split('id="rights-contributions"')[1]
    assert "2024年01月" in contributions and "1,280.00" in contributions
    assert "企业职工基本养老保险" in html
    assert "1,280.00" in html.split('id="rights-accounts"')[1]  # 2 × 640.00 on the account
    assert client.get(f"/persons/{citizen_id()}/rights").status_code == 404


def test_employer_staff_page_and_arrears_csv(client, accountant, make_user, world):
    assert upload(client, accountant, collector_csv(rows_of(world))).status_code == 303
    page = client.get(f"/employers/{world.uscc}/staff")
    assert page.status_code == 200
    staff = page.text.split('id="employer-staff"')[1].split("</section>")[0]
    assert "职工甲" in staff and "8,000.00" in staff
    assert world.employee not in staff and privacy.mask_id(world.employee) in staff  # secaudit
    assert "2024年02月" in page.text.split('id="employer-contributions"')[1]
    arrears = page.text.split('id="employer-arrears"')[1]
    assert "2024年03月" in arrears and "1,920.00" in arrears
    assert f'href="/employers/{world.uscc}/arrears.csv"' in arrears
    csv = client.get(f"/employers/{world.uscc}/arrears.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("record_id,uscc,ssn") and len(lines) == 2
    assert lines[1].startswith(f"P3,{world.uscc},{world.employee}")
    sign_in(client, make_user("clerk_staff", "clerk"))
    detail = client.get(f"/employers/{world.uscc}").text
    assert f'href="/employers/{world.uscc}/staff"' in detail


@pytest.fixture
def employer_user(sessions):
    def make(username: str, employer_id: int) -> str:
        with sessions() as db:
            create_user(db, SYSTEM, username, PASSWORD, {"employer"},
                        subject=f"employer:{employer_id}", profile="fast")
        return username

    return make


def test_employer_portal_sees_only_his_employer(client, accountant, sessions, employer_user,
                                                world):
    assert upload(client, accountant, collector_csv(rows_of(world))).status_code == 303
    with sessions() as db:
        other = Employer(uscc=uscc(), name="另一家公司", kind="enterprise", region=REGION,
                         registered_on=dt.date(2020, 1, 1), status="active", flag="")
        db.add(other)
        db.commit()
        other_uscc = other.uscc
    sign_in(client, employer_user("unit_portal", world.employer_id))
    home = client.get("/my")
    assert 'href="/my/employer"' in home.text
    page = client.get("/my/employer")
    assert page.status_code == 200
    html = page.text
    assert "杭州缴费测试有限公司" in html and "职工甲" in html and "另一家公司" not in html
    assert world.employee not in html  # SSNs masked in the portal
    assert "2024年03月" in html.split('id="employer-arrears"')[1]
    assert "arrears.csv" not in html
    for url in (f"/employers/{other_uscc}/staff", f"/employers/{world.uscc}/staff",
                f"/employers/{world.uscc}/arrears.csv", f"/persons/{world.employee}/rights",
                "/records/imports"):
        refused = client.get(url)
        assert refused.status_code == 403, url
        assert "仅供经办机构工作人员使用" in refused.text
    assert client.get("/my/rights").status_code == 403


def test_person_portal_sees_own_rights(client, accountant, sessions, world):
    assert upload(client, accountant, collector_csv(rows_of(world))).status_code == 303
    with sessions() as db:
        person = db.execute(select(Person).where(Person.ssn == world.employee)).scalar_one()
        create_user(db, SYSTEM, "person_rights", PASSWORD, {"person"},
                    subject=f"person:{person.id}", profile="fast")
    token = sign_in(client, "person_rights")
    assert token == csrf(client.get("/my").text)
    page = client.get("/my/rights")
    assert page.status_code == 200 and "职工甲" in page.text and "1,280.00" in page.text
    assert 'href="/my/rights"' in page.text
    assert client.get(f"/persons/{world.flexible}/rights").status_code == 403
    assert client.get("/my/employer").status_code == 403
