"""The claims API: upload (and once only), review run, flags, a decision, the settlement case,
the Excel of review results; errors in the house shape, nothing written on bad input."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import func, select

from jingban.agreements.claims import demo
from jingban.agreements.claims.models import ClaimUpload
from tests.conftest import error_of

API = "/api/v1"


def test_upload_review_decide_settle_over_the_api(client, login, sessions):
    with sessions() as db:
        seeded = demo.seed(db)
        a, p = seeded.institutions[0], seeded.persons["plain"]
    clerk, rev, acc = login("clerk"), login("reviewer_1"), login("accountant")
    row = demo._row("API-1", p, "outpatient", demo.dt.date(2026, 10, 20), demo.dt.date(2026, 10, 20),
                    "ZL001", demo.dt.date(2026, 10, 20), 1, 2000)
    content = f"{demo.HEADER}\n{row.replace('J18.9', '肺炎')}".encode("gbk")
    sent = client.post(f"{API}/claims/uploads", headers=clerk,
                       data={"period": "202610", "institution_id": str(a.id)},
                       files={"file": ("late.csv", content, "text/csv")})
    assert sent.status_code == 201 and sent.json()["claims"] == 1 and sent.json()["encoding"] == "gbk"
    again = client.post(f"{API}/claims/uploads", headers=clerk,
                        data={"period": "202610", "institution_id": str(a.id)},
                        files={"file": ("late.csv", content, "text/csv")})
    assert again.json()["id"] == sent.json()["id"]
    err = error_of(client.post(f"{API}/claims/uploads", headers=clerk,
                               data={"period": "202610", "institution_id": str(a.id)},
                               files={"file": ("x.csv", b"", "text/csv")}))
    assert err["field"] == "file"
    with sessions() as db:
        assert db.scalar(select(func.count()).select_from(ClaimUpload)) == 3
    assert client.post(f"{API}/claims/reviews", headers=clerk, json={"period": 202610}).status_code == 403
    run = client.post(f"{API}/claims/reviews", headers=rev, json={"period": 202610})
    assert run.status_code == 201 and sum(run.json()["hits"].values()) == 0  # the late claim is clean
    flags = client.get(f"{API}/claims/flags", headers=rev, params={"period": 202610}).json()
    over = next(f for f in flags if f["claim_no"] == "A-OVERPRICE")
    assert over["flags"][0]["rule"] == "over_price" and over["suggested_cut_fen"] == 900
    bad = error_of(client.post(f"{API}/claims/lines/{over['line_id']}/decision", headers=rev,
                               json={"decision": "cut", "cut": "-1", "reason": "超价"}))
    assert bad["field"] == "cut"
    done = client.post(f"{API}/claims/lines/{over['line_id']}/decision", headers=rev,
                       json={"decision": "cut", "cut": "9.00", "reason": "单价超过协议价格"})
    assert done.status_code == 200 and done.json()["cut_fen"] == 900
    sheet = client.get(f"{API}/claims/flags.xlsx", headers=rev, params={"period": 202610})
    assert load_workbook(io.BytesIO(sheet.content)).active.max_row == len(flags) + 1
    early = error_of(client.post(f"{API}/claims/settlements", headers=acc,
                                 json={"institution_id": a.id, "fund": "medical_employee",
                                       "period": 202610}))
    assert early["code"] == "claims.undecided"
    for f in flags:
        if f["institution_id"] == a.id and f["line_id"] != over["line_id"]:
            client.post(f"{API}/claims/lines/{f['line_id']}/decision", headers=rev,
                        json={"decision": "refuse", "reason": "违规收费"})
    case = client.post(f"{API}/claims/settlements", headers=acc,
                       json={"institution_id": a.id, "fund": "medical_employee", "period": 202610})
    assert case.status_code == 201 and case.json()["item_code"] == "AGR-CLAIM-SETTLE"
    assert client.get(f"{API}/claims/settlements", headers=acc).json() == []  # not before approval
