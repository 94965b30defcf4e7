"""The bank's return file through the payroll run page (待遇发放 › 银行退回): a file with a good
row and bad rows is recorded and its result shown; the same file again is recorded once; a
missing, empty, binary or wrongly encoded file gets a Chinese error, never a 500, and writes
nothing; only the accountant sees and uses the form."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from jingban.benefits.common.models import Payment, PaymentReturn
from jingban.core import clock
from jingban.funds.ledger.models import JournalEntry
from tests.funds.test_postings import awards
from tests.web.helpers import csrf, post, sign_in

URL = "/benefits/payroll/202611"


@pytest.fixture(autouse=True)
def on_day():
    with clock.travel("2026-11-16"):
        yield


@pytest.fixture
def run(client, db, make_user):
    """November's payroll of two pensions (3,000.00 and 2,000.00), run through its page."""
    awards(db, [300000, 200000])
    make_user("racc", "accountant")
    make_user("rsup", "supervisor")
    token = sign_in(client, "racc")
    done = post(client, "/benefits/payroll", token, {"period": "202611"})
    assert done.status_code == 200 and "待遇发放已完成" in done.text
    return db.execute(select(Payment.id).order_by(Payment.id)).scalars().all()


def upload(client, content: bytes | None, name: str = "退回.csv"):
    token = csrf(client.get(URL).text)
    files = {"file": ("" if content is None else name, content or b"", "text/csv")}
    return client.post(f"{URL}/returns", data={"csrf_token": token}, files=files)


def counts(db) -> tuple[int, int]:
    db.rollback()
    returned = db.execute(select(func.count()).select_from(PaymentReturn)).scalar_one()
    booked = db.execute(select(func.count()).select_from(JournalEntry)
                        .where(JournalEntry.source.startswith("return:"))).scalar_one()
    return returned, booked


def test_a_return_file_is_recorded_and_its_result_shown(client, db, run):
    first, second = run
    page = client.get(URL)
    assert "导入退回文件" in page.text and 'enctype="multipart/form-data"' in page.text
    content = "\r\n".join(["业务参考号,金额,退回原因", f"JB202611-{first},3000.00,账户已销户",
                           f"JB202611-{second},1999.99,金额不符", "JB202611-999999,1.00,无此记录",
                           f"JB202611-{second},abc,金额错"]).encode("gbk")
    shown = upload(client, content)
    assert shown.status_code == 200
    assert "本次登记退回 1 笔，共 3,000.00 元；此前已登记 0 笔；有问题 3 行" in shown.text
    problems = shown.text.split('id="returns-problems"')[1].split("</table>")[0]
    for words in ("退回金额与该笔实发金额不符", "业务参考号不是本批次银行代发文件中的记录",
                  "退回金额应为大于零、最多两位小数的元数"):
        assert words in problems
    assert "<td>3</td>" in problems and "<td>5</td>" in problems  # the file's line numbers
    listed = shown.text.split('id="returns-list"')[1].split("</table>")[0]
    assert f"JB202611-{first}" in listed and "账户已销户" in listed and "待下次发放" in listed
    assert counts(db) == (1, 1)  # recorded once and the fund re-credited

    again = upload(client, content)
    assert "本次登记退回 0 笔，共 0.00 元；此前已登记 1 笔" in again.text
    assert counts(db) == (1, 1)


@pytest.mark.parametrize(("content", "words"), [
    (None, "请选择银行退回文件"),
    ("业务参考号,金额,退回原因\r\n".encode(), "退回文件没有数据行"),
    (b"", "文件为空"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "可能是 UTF-16 或二进制文件"),
    ("JB202611-1,3000.00,退回".encode("utf-16"), "可能是 UTF-16 或二进制文件"),
    (b"\xff\xfe\xfa\xfb,1.00,x", "仅接受 UTF-8 或 GBK 编码的文件"),
])
def test_a_bad_file_gets_a_chinese_error_and_writes_nothing(client, db, run, content, words):
    refused = upload(client, content)
    assert 400 <= refused.status_code < 500 and words in refused.text
    assert 'role="alert"' in refused.text and "导入退回文件" in refused.text  # the form again
    assert counts(db) == (0, 0)


def test_only_the_accountant_uploads(client, db, run):
    token = sign_in(client, "rsup")
    page = client.get(URL)
    assert page.status_code == 200 and "导入退回文件" not in page.text
    refused = client.post(f"{URL}/returns", data={"csrf_token": token},
                          files={"file": ("r.csv", f"JB202611-{run[0]},3000.00,x".encode(), "text/csv")})
    assert refused.status_code == 403 and "无权办理此业务" in refused.text
    stale = client.post(f"{URL}/returns", data={"csrf_token": "x"},
                        files={"file": ("r.csv", b"x", "text/csv")})
    assert stale.status_code == 403 and "页面已失效" in stale.text
    assert counts(db) == (0, 0)
