"""The month-end sweep from the accountant's trial-balance page: the confirmation shows what
each income account holds, the sweep books one voucher per fund and says so, a rerun books
nothing; bad periods and other posts are refused in Chinese and write nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from tests.web.helpers import post, sign_in

ACC = Actor("acc", frozenset({"accountant"}), True, "test")
PENSION, INJURY = "pension_enterprise", "injury"


@pytest.fixture(autouse=True)
def on_day():
    with clock.travel("2026-10-30"):
        yield


@pytest.fixture
def books(sessions, make_user):
    """October: contributions of 1,000.00 to the pension fund and 250.50 to the injury fund."""
    for name, role in (("sacc", "accountant"), ("scash", "cashier"), ("ssup", "supervisor")):
        make_user(name, role)
    with sessions() as db:
        ledger.book_contribution(db, ACC, PENSION, 100000, "contribution:s1:p", "征收划入")
        ledger.book_contribution(db, ACC, INJURY, 25050, "contribution:s1:i", "征收划入")


def sweeps(sessions) -> int:
    with sessions() as db:
        return db.execute(select(func.count()).select_from(JournalEntry)
                          .where(JournalEntry.kind == "sweep")).scalar_one()


def row(html: str, fund: str) -> str:
    return html.split(f'data-fund="{fund}"')[1].split("</tr>")[0]


def test_sweep_confirmed_from_the_trial_balance_and_a_rerun_books_nothing(client, books, sessions):
    token = sign_in(client, "sacc")
    balance = client.get("/funds/trial-balance", params={"fund": PENSION, "period": "202610"})
    assert 'id="sweep-link" href="/funds/sweep?period=202610"' in balance.text
    confirm = client.get("/funds/sweep", params={"period": "202610"})
    assert confirm.status_code == 200 and "确认归集" in confirm.text
    assert ">1,000.00<" in row(confirm.text, PENSION) and "待归集" in row(confirm.text, PENSION)
    assert ">250.50<" in row(confirm.text, INJURY)
    assert re.search(r'id="sweep-left">1,250.50<', confirm.text)
    assert "合计 <strong>1,250.50</strong> 元归集财政专户" in confirm.text
    assert sweeps(sessions) == 0  # the confirmation writes nothing

    done = post(client, "/funds/sweep", token, {"period": "202610"})
    assert done.status_code == 200 and str(done.url).endswith("/funds/sweep?period=202610")
    assert "202610 归集完成：本次归集 2 个基金，合计 1,250.50 元" in done.text
    assert "各险种基金收入户余额均为零" in done.text and "确认归集</button>" not in done.text
    assert "已归集 1,000.00 元（待出纳确认）" in row(done.text, PENSION)
    assert sweeps(sessions) == 2
    shown = client.get("/funds/trial-balance", params={"fund": PENSION, "period": "202610"})
    income = shown.text.split("<td>1002</td>")[1].split("</tr>")[0]
    assert income.endswith('<td class="num">0.00</td>')  # the income account ends at zero
    assert "借贷平衡" in shown.text

    again = post(client, "/funds/sweep", token, {"period": "202610"})
    assert again.status_code == 200
    assert "本次未生成归集凭证；此前已归集 2 个基金" in again.text
    assert sweeps(sessions) == 2

    sign_in(client, "scash")
    queue = client.get("/funds/cashier")
    assert queue.text.count("收入户资金归集财政专户") == 2


def test_bad_periods_and_other_posts_are_refused(client, books, sessions):
    token = sign_in(client, "sacc")
    for period, words in (("2026-10", "会计期间应为 YYYYMM"), ("", "请填写归集的会计期间"),
                          ("202612", "202612 尚未开始，不能归集")):
        refused = post(client, "/funds/sweep", token, {"period": period})
        assert refused.status_code == 422 and words in refused.text, period
    shown = client.get("/funds/sweep", params={"period": "abc"})
    assert shown.status_code == 422 and "会计期间应为 YYYYMM" in shown.text
    stale = client.post("/funds/sweep", data={"period": "202610", "csrf_token": "x"})
    assert stale.status_code == 403 and "页面已失效" in stale.text
    for user in ("ssup", "scash"):
        token = sign_in(client, user)
        page = client.get("/funds/sweep", params={"period": "202610"})
        assert page.status_code == 200 and "确认归集</button>" not in page.text
        assert "月末归集由会计办理" in page.text
        refused = post(client, "/funds/sweep", token, {"period": "202610"})
        assert refused.status_code == 403 and "无权办理此业务" in refused.text
    assert sweeps(sessions) == 0
