"""The fund budget pages: draft from the list, items edited (a negative amount refused and
shown), submitted, returned and approved by the buttons each role sees, the execution table
with its bars, the exports and the nav link."""

from __future__ import annotations

import re

from jingban.core import clock
from tests.funds.test_budget import FUND, _next_year, _this_year
from tests.web.helpers import post, sign_in


def _form(html: str) -> dict:
    """The items form's fields as the page shows them."""
    part = html.split('action="/funds/budgets/', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'name="((?:amount|note)_[a-z_]+)"[^>]*value="([^"]*)"', part))


def test_draft_edit_review_and_execution_pages(client, make_user, sessions):
    with sessions() as db:
        _this_year(db)
    make_user("bacc", "accountant")
    make_user("brev", "reviewer_1")
    token = sign_in(client, "bacc")
    listing = client.get("/funds/budgets")
    assert listing.status_code == 200 and 'href="/funds/budgets">基金预算</a>' in listing.text
    with clock.travel("2026-10-15"):
        wrong = post(client, "/funds/budgets", token, {"fund": FUND, "year": "2026"})
        assert wrong.status_code == 422 and "下一年度（2027 年）" in wrong.text
        sent = post(client, "/funds/budgets", token, {"fund": FUND, "year": "2027"})
    assert sent.status_code == 200 and "预算草案已按本年实际测算生成" in sent.text
    url = str(sent.url)
    fields = _form(sent.text)
    assert fields["amount_contribution"] == "120000.00" and fields["amount_transfer_in"] == "1333.33"
    refused = post(client, f"{url}/items", token, {**fields, "amount_benefits": "-1"})
    assert refused.status_code == 422 and "预算数不能为负数" in refused.text
    assert re.search(r'name="amount_benefits" [^>]*value="-1" aria-invalid="true"', refused.text)
    saved = post(client, f"{url}/items", token, {**fields, "amount_fiscal_subsidy": "10000",
                                                 "note_fiscal_subsidy": "财政预算安排"})
    assert saved.status_code == 200 and "预算项目已保存" in saved.text and "财政预算安排" in saved.text
    assert re.search(r'id="income">131,333.33<', saved.text)
    submitted = post(client, f"{url}/submit", token, {})
    assert "预算已提交审核" in submitted.text and "保存预算项目" not in submitted.text
    assert "审核通过" not in submitted.text.split('id="review"')[1].split("<h3>")[0]
    token = sign_in(client, "brev")
    page = client.get(url)
    assert "审核通过" in page.text and "退回修改" in page.text
    blank = post(client, f"{url}/return", token, {"reason": ""})
    assert blank.status_code == 422 and "退回须写明理由" in blank.text
    approved = post(client, f"{url}/approve", token, {})
    assert approved.status_code == 200 and "预算已审核通过" in approved.text and "已批准" in approved.text
    with sessions() as db:
        _next_year(db)
    with clock.travel("2027-03-31"):
        shown = client.get(url)
        assert "时间进度 24.7%" in shown.text and "超时间进度 25.3 个百分点" in shown.text
        assert 'class="done warn" style="width: 50.0%"' in shown.text
        assert client.get(f"{url}/execution.xlsx").content.startswith(b"PK")
    assert client.get(f"{url}/draft.xlsx").content.startswith(b"PK")
    token = sign_in(client, "bacc")
    with clock.travel("2027-06-15"):
        revised = post(client, f"{url}/revise", token, {})
    assert revised.status_code == 200 and "第 2 版" in revised.text and "保存预算项目" in revised.text
