"""The reviewer's page: flagged lines, a cut with its reason, the Excel of the review results;
the accountant submits the settlement, two reviewers approve it on the case pages; the
institution's portal page shows the cut line and its reason, and takes an objection."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from jingban.agreements.claims import demo
from jingban.agreements.claims.models import Claim, ClaimLine
from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Employer
from tests.conftest import PASSWORD
from tests.web.helpers import approve, post, sign_in


def portal_user(sessions, institution) -> str:
    with sessions() as db:
        unit = db.execute(select(Employer).where(Employer.uscc == institution.uscc)).scalar()
        create_user(db, SYSTEM, "hospital", PASSWORD, {"employer"}, profile="fast",
                    subject=f"employer:{unit.id}")
    return "hospital"


def line_of(sessions, claim_no: str) -> int:
    with sessions() as db:
        return db.execute(select(ClaimLine.id).join(Claim, Claim.id == ClaimLine.claim_id)
                          .where(Claim.claim_no == claim_no)).scalars().first()


def test_reviewer_cuts_a_line_and_the_institution_sees_why(client, make_user, sessions):
    with sessions() as db:
        seeded = demo.seed(db)
    a = seeded.institutions[0]
    for name, role in (("crev1", "reviewer_1"), ("crev2", "reviewer_2"), ("cacc", "accountant")):
        make_user(name, role)
    token = sign_in(client, "crev1")
    page = client.get("/claims?period=202610")
    assert page.status_code == 200 and "A-OVERPRICE" in page.text and "单价高于协议价格" in page.text
    line = line_of(sessions, "A-OVERPRICE")
    bad = post(client, f"/claims/lines/{line}/decide", token,
               {"period": "202610", "decision": "cut", "cut": "", "reason": "超价"})
    assert bad.status_code == 422 and "核减金额应大于0" in bad.text
    done = post(client, f"/claims/lines/{line}/decide", token,
                {"period": "202610", "decision": "cut", "cut": "9.00", "reason": "单价超过协议价格"})
    assert done.status_code == 200 and f"明细 {line} 已审核" in done.text
    sheet = load_workbook(io.BytesIO(client.get("/claims/flags.xlsx?period=202610").content)).active
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "A-OVERPRICE")
    assert row[12] == "核减" and float(row[13]) == 9.0 and row[14] == "单价超过协议价格"
    for other in re.findall(r'action="/claims/lines/(\d+)/decide"', page.text):
        if int(other) != line:
            post(client, f"/claims/lines/{other}/decide", token,
                 {"period": "202610", "decision": "refuse", "reason": "违规收费"})
    token = sign_in(client, "cacc")
    sent = post(client, "/claims/settle", token,
                {"period": "202610", "institution_id": str(a.id), "fund": "medical_employee"})
    assert "月度结算已提交审核" in sent.text, sent.text
    case_id = int(re.search(r"/cases/(\d+)", _case_link(sessions)).group(1))
    assert approve(client, "crev1", case_id, 1).status_code in (200, 303)
    assert approve(client, "crev2", case_id, 2).status_code in (200, 303)
    token = sign_in(client, portal_user(sessions, a))
    mine = client.get("/my/institution")
    assert mine.status_code == 200 and "单价超过协议价格" in mine.text and "已拨付" in mine.text
    sid = re.search(r'id="settlement-(\d+)"', mine.text).group(1)
    refused = post(client, f"/my/institution/settlements/{sid}/objection", token, {"reason": "不同意"})
    assert refused.status_code == 422 and "请勾选有异议的明细" in refused.text
    objected = post(client, f"/my/institution/settlements/{sid}/objection", token,
                    {"line_id": str(line), "reason": "价格已调整"})
    assert "异议已提交" in objected.text
    assert client.get("/claims").status_code == 403  # staff pages are not for the portal


def _case_link(sessions) -> str:
    from jingban.cases.models import Case
    with sessions() as db:
        case = db.execute(select(Case).where(Case.item_code == "AGR-CLAIM-SETTLE")).scalar()
    return f"/cases/{case.id}"
