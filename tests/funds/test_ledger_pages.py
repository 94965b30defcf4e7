"""The ledger pages: a manual entry through its case to the cashier's confirmation, the reversal
form, the trial balance, the lists and exports; the supervisor reads and cannot act."""

from __future__ import annotations

import re

import pytest

from jingban.cases.models import Case
from jingban.core import clock
from tests.web.helpers import approve, case_id_of, post, sign_in

FUND = "pension_enterprise"
GOOD = {"fund": FUND, "memo": "更正利息科目", "account_0": "5501", "debit_0": "20.00",
        "account_1": "1003", "credit_1": "20.00"}


@pytest.fixture(autouse=True)
def on_day():
    with clock.travel("2026-10-12"):
        yield


@pytest.fixture
def users(make_user):
    for name, role in (("pacc", "accountant"), ("pcash", "cashier"), ("pr1", "reviewer_1"),
                       ("pr2", "reviewer_2"), ("pr3", "reviewer_3"), ("psup", "supervisor")):
        make_user(name, role)


def entry_id_of(html: str) -> int:
    return int(re.search(r'href="/funds/entries/(\d+)"', html).group(1))


def test_manual_entry_to_confirmation_and_reversal(client, users, db):
    token = sign_in(client, "pacc")
    page = client.get("/funds/manual")
    assert page.status_code == 200 and "受理手工记账" in page.text
    assert all(x in page.text for x in ("记账凭证", "试算平衡"))
    refused = post(client, "/funds/manual", token, {**GOOD, "credit_1": "19.99"})
    assert refused.status_code == 422 and "借贷不平衡" in refused.text
    assert 'value="19.99"' in refused.text  # what was typed is kept
    sent = post(client, "/funds/manual", token, GOOD, follow_redirects=False)
    assert sent.status_code == 303
    case_id = case_id_of(sent)
    case_page = client.get(f"/cases/{case_id}")
    assert case_page.status_code == 200 and "基金手工记账凭证" in case_page.text
    sign_in(client, "pr1")
    review = client.get(f"/cases/{case_id}")
    assert review.status_code == 200
    assert all(x in review.text for x in ("险种基金", "分录", "借方（元）：20.00", "摘要"))
    for level, who in ((1, "pr1"), (2, "pr2"), (3, "pr3")):
        assert approve(client, who, case_id, level).status_code in (200, 303)

    sign_in(client, "pcash")
    queue = client.get("/funds/cashier")
    assert queue.status_code == 200 and "更正利息科目" in queue.text
    entry = entry_id_of(queue.text)
    shown = client.get(f"/funds/entries/{entry}")
    assert "出纳确认</button>" in shown.text and "复核审批：pr3" in shown.text
    assert "20.00" in shown.text and "冲销本凭证" not in shown.text
    case_number = db.get(Case, case_id).number
    assert case_number and f'<a href="/cases/{case_id}">{case_number}</a>' in shown.text
    token = sign_in(client, "pcash")
    done = post(client, f"/funds/entries/{entry}/confirm", token, {})
    assert done.status_code == 200 and "已出纳确认" in done.text and "已完成" in done.text
    assert "没有待出纳确认的凭证" in client.get("/funds/cashier").text

    token = sign_in(client, "pacc")
    form = client.get(f"/funds/entries/{entry}")
    assert "冲销本凭证" in form.text and "出纳确认</button>" not in form.text
    blank = post(client, f"/funds/entries/{entry}/reversal", token, {"reason": ""})
    assert blank.status_code == 422 and "冲销理由" in blank.text
    opened = post(client, f"/funds/entries/{entry}/reversal", token, {"reason": "科目错误"},
                  follow_redirects=False)
    assert opened.status_code == 303 and "/cases/" in opened.headers["location"]
    again = client.get(f"/funds/entries/{entry}")
    assert "冲销办理中" in again.text and "冲销本凭证" not in again.text
    mine = client.get("/funds/entries")
    assert "我受理的记账业务件" in mine.text and "已完成第0级审核（共3级）" in mine.text
    sign_in(client, "pr1")
    assert "待我审核的记账业务件" in client.get("/funds/entries").text


def test_trial_balance_list_and_exports(client, users):
    sign_in(client, "pacc")
    shown = client.get("/funds/trial-balance", params={"fund": FUND, "period": "202610"})
    assert shown.status_code == 200 and "借贷平衡" in shown.text and "社会保险费收入" in shown.text
    bad = client.get("/funds/trial-balance", params={"fund": FUND, "period": "2026-10"})
    assert bad.status_code == 422 and "YYYYMM" in bad.text
    listing = client.get("/funds/entries", params={"period": "abc"})
    assert listing.status_code == 422 and "YYYYMM" in listing.text
    assert client.get("/funds/entries", params={"kind": "manual"}).status_code == 200
    assert client.get("/funds/entries.xlsx").content.startswith(b"PK")
    xlsx = client.get("/funds/trial-balance.xlsx", params={"fund": FUND, "period": "202610"})
    assert xlsx.content.startswith(b"PK")


def test_supervisor_reads_and_cannot_act(client, users, sessions):
    from jingban.core.actor import Actor
    from jingban.funds.ledger import service as ledger

    with sessions() as db:
        entry = ledger.book_contribution(db, Actor("acc", frozenset({"accountant"}), True, "test"),
                                         FUND, 500, "contribution:p:" + FUND, "征收划入")
    token = sign_in(client, "psup")
    listing = client.get("/funds/entries")
    assert listing.status_code == 200 and "征收划入" in listing.text and "/funds/manual" not in listing.text
    assert "/funds/cashier" not in listing.text  # the cashier's link only for the cashier
    shown = client.get(f"/funds/entries/{entry.id}")
    assert shown.status_code == 200 and "待出纳确认" in shown.text
    assert "出纳确认</button>" not in shown.text and "冲销本凭证" not in shown.text
    assert client.get("/funds/manual").status_code == 403
    assert post(client, f"/funds/entries/{entry.id}/confirm", token, {}).status_code == 403
    assert post(client, "/funds/manual", token, GOOD).status_code == 403
