"""The filing limits of a challenge (行政复议 60 days: 行政复议法 §20; 行政诉讼 6 months:
行政诉讼法 §46), a late filing refused in Chinese unless its good reason is given, and the staff
pages: list, record, outcome, Excel export."""

from __future__ import annotations

import datetime as dt
import io
import re

from openpyxl import load_workbook

from jingban.core import clock, policy
from jingban.oversight.challenges import rules
from tests.conftest import REGION, error_of
from tests.oversight.challenges.test_challenges import (  # noqa: F401
    challenge,
    decide,
    refused,  # noqa: F401
    staff,
)
from tests.web.helpers import post, sign_in


def test_limits_are_rules_over_dated_policy():
    assert rules.filing_limit("reconsideration", dt.date(2026, 1, 10), 60, 6) == dt.date(2026, 3, 11)
    assert rules.filing_limit("litigation", dt.date(2026, 8, 31), 60, 6) == dt.date(2027, 2, 28)
    assert rules.filing_problem("reconsideration", dt.date(2026, 3, 11), dt.date(2026, 1, 10),
                                dt.date(2026, 3, 11), "") is None
    late = rules.filing_problem("reconsideration", dt.date(2026, 3, 12), dt.date(2026, 1, 10),
                                dt.date(2026, 3, 11), "")
    assert late[0] == "challenge.filing_overdue" and late[2] == "late_reason"
    assert "已超过法定期限" in late[1] and "2026-03-11" in late[1] and "第二十条" in late[1]
    assert rules.filing_problem("litigation", dt.date(2026, 3, 12), dt.date(2026, 1, 10),
                                dt.date(2026, 3, 11), "住院治疗，有医院证明") is None
    assert rules.filing_problem("litigation", dt.date(2026, 1, 9), dt.date(2026, 1, 10),
                                dt.date(2026, 7, 10), "")[0] == "challenge.known_on"
    values = policy.current()
    assert "第二十条" in values.parameter("oversight.challenge.reconsideration_days", REGION).reference
    assert "第四十六条" in values.parameter("oversight.challenge.litigation_months", REGION).reference


def test_a_late_filing_is_refused_unless_its_reason_is_given(client, staff, refused):  # noqa: F811
    number = refused["case"]["number"]
    known = clock.today() - dt.timedelta(days=70)  # 2026-09-15; 60 days end on 2026-11-14 (Sat)
    late = challenge(client, staff["legal"], number, known_on=known.isoformat())
    assert late.status_code == 422 and error_of(late)["code"] == "challenge.filing_overdue"
    assert "2026-11-16" in error_of(late)["message"]  # Saturday's limit moves to Monday
    assert client.get("/api/v1/oversight/challenges", headers=staff["legal"]).json() == []
    litigation = challenge(client, staff["legal"], number, kind="litigation",
                           known_on=known.isoformat())  # six months are not over
    assert litigation.status_code == 201 and litigation.json()["filing_due"] == "2027-03-15"
    assert not litigation.json()["filed_late"]


def test_the_staff_pages_record_decide_and_export(client, staff, refused, make_user):  # noqa: F811
    make_user("ts_legal", "complaint_officer")
    token = sign_in(client, "ts_legal")
    page = client.get("/oversight/challenges")
    assert page.status_code == 200 and 'id="record-form"' in page.text
    assert "60日内" in page.text and "6个月内" in page.text
    number = refused["case"]["number"]
    form = {"case_number": number, "kind": "reconsideration", "body": "杭州市人力资源和社会保障局",
            "reference": "杭人社复〔2026〕30号", "claimant": "赵复议", "claims": "撤销不予更正的决定",
            "filed_on": clock.today().isoformat(),
            "known_on": (clock.today() - dt.timedelta(days=70)).isoformat()}
    late = post(client, "/oversight/challenges", token, form)
    assert late.status_code == 422 and "行政复议已超过法定期限" in late.text
    assert 'id="late_reason-error"' in late.text  # the error stands at the field that cures it
    done = post(client, "/oversight/challenges", token, {**form, "late_reason": "因疫情封控无法提出"})
    assert done.status_code == 200 and "已登记行政复议" in done.text
    url = re.search(r"/oversight/challenges/\d+", str(done.url)).group(0)
    assert 'id="outcome-form"' in done.text and "2026-11-16" in done.text
    listing = client.get("/oversight/challenges")
    assert "逾期提出（有正当理由）" in listing.text and number in listing.text
    sheet = load_workbook(io.BytesIO(client.get("/oversight/challenges.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "业务件号" and rows[1][0] == number and rows[1][8] == "因疫情封控无法提出"
    bad = post(client, f"{url}/outcome", token, {"outcome": "revoked", "decided_on": "",
                                                 "decision_reference": "x"})
    assert bad.status_code == 422
    decided = post(client, f"{url}/outcome", token, {
        "outcome": "revoked", "decided_on": clock.today().isoformat(),
        "decision_reference": "杭人社复决〔2026〕30号", "note": "认定事实不清"})
    assert decided.status_code == 200 and "原业务件已重新办理" in decided.text
    assert 'id="outcome-form"' not in decided.text
    for level in (1, 2, 3):  # the reopened case is decided again by its reviewers
        assert decide(client, staff[f"r{level}"], refused["case"]["id"], level).status_code == 200
