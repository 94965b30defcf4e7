"""The reconciliation pages: upload, the record with its difference resolved, a refusal shown."""

from __future__ import annotations

from tests.funds.test_reconciliation import FUND, _books
from tests.web.helpers import post, sign_in


def test_upload_resolve_and_list(client, make_user, sessions):
    with sessions() as db:
        _books(db)
    make_user("pacc", "accountant")
    token = sign_in(client, "pacc")
    content = "日期,金额,方向,摘要\n2026-10-22,1000.00,收,归集\n2026-10-30,x,收,坏行\n".encode()
    sent = client.post("/funds/reconciliations", data={"csrf_token": token, "fund": FUND,
                                                       "account": "fiscal", "period": "202610"},
                       files={"file": ("f.csv", content, "text/csv")})
    assert sent.status_code == 200 and "对账单已导入" in sent.text and "日期不符" in sent.text
    assert "金额格式不正确" in sent.text or "金额" in sent.text
    url = str(sent.url)
    diff = sent.text.split("/differences/")[1].split("/")[0]
    refused = post(client, f"{url}/differences/{diff}/resolve", token, {"reason": ""})
    assert refused.status_code == 422 and "须写明理由" in refused.text
    done = post(client, f"{url}/differences/{diff}/resolve", token, {"reason": "银行次日入账"})
    assert done.status_code == 200 and "差异已处理" in done.text
    listing = client.get("/funds/reconciliations")
    assert listing.status_code == 200 and "对账缺失提示" in listing.text and "202610" in listing.text
    assert client.get(f"{url}/differences.xlsx").content.startswith(b"PK")
