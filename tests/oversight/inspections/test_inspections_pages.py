"""The inspector's pages: file an inspection, submit findings with the order, the reviewers
approve on the case pages, hand over after the deadline, print the sheet, export the ledger;
propose a penalty and see a fine outside the range refused on the form."""

from __future__ import annotations

import io
import re

from openpyxl import load_workbook

from jingban.core import clock
from tests.oversight.inspections.helpers import BEFORE_HOLIDAY, employer
from tests.web.helpers import approve, post, sign_in


def test_inspector_walks_an_inspection_to_the_handover(client, make_user, sessions):
    with sessions() as db:
        unit = employer(db, "页面核查有限公司")
    for name, role in (("pinsp", "inspector"), ("prev1", "reviewer_1"), ("prev2", "reviewer_2")):
        make_user(name, role)
    token = sign_in(client, "pinsp")
    assert 'href="/oversight/inspections"' in client.get("/oversight/inspections").text
    refused = post(client, "/oversight/inspections", token, {
        "subject_kind": "employer", "subject_ref": "91330106MA0000000X", "reason": "疑点"})
    assert refused.status_code == 404 and "不能对未登记的对象核查" in refused.text
    with clock.travel(BEFORE_HOLIDAY):
        made = post(client, "/oversight/inspections", token, {
            "subject_kind": "employer", "subject_ref": unit.uscc, "reason": "缴费基数明显偏低",
            "origin": ""})
        assert made.status_code == 200 and "已立案核查" in made.text, made.text
        url = re.search(r"/oversight/inspections/\d+", str(made.url)).group(0)
        missing = post(client, f"{url}/conclusion", token, {"findings": "少报基数", "violation": "true"})
        assert missing.status_code == 422 and "存在违规的须写明责令改正的事项" in missing.text
        sent = post(client, f"{url}/conclusion", token, {
            "findings": "少报基数", "violation": "true", "order_text": "补报缴费基数", "correction_wd": "5"})
        assert sent.status_code == 200 and "核查结论已提交审核" in sent.text
        case_id = int(re.search(r'href="/cases/(\d+)">JB\d+</a>（审核中）', sent.text).group(1))
        for level, who in ((1, "prev1"), (2, "prev2")):
            assert approve(client, who, case_id, level).status_code in (200, 303)
        token = sign_in(client, "pinsp")
        page = client.get(url)
        assert "已责令改正" in page.text and "2026-10-08" in page.text
        early = post(client, f"{url}/handover", token, {"department": "hrss"})
        assert early.status_code == 409 and "尚未届满" in early.text
    with clock.travel("2026-10-09"):
        token = sign_in(client, "pinsp")
        sent = post(client, f"{url}/handover", token, {"department": "hrss", "note": "逾期未改正"})
        assert sent.status_code == 200 and "已提请移交" in sent.text
        case_id = int(re.search(r'href="/cases/(\d+)">JB\d+</a>（审核中）', sent.text).group(1))
        approve(client, "prev1", case_id, 1)
        sign_in(client, "pinsp")
        page = client.get(url)
        assert "已移交行政部门" in page.text and 'id="handover-pdf"' in page.text
        sheet = client.get(f"{url}/handover.pdf")
    assert sheet.status_code == 200 and sheet.content.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(client.get("/oversight/inspections.xlsx").content)).active
    assert book["E2"].value == "页面核查有限公司" and book["H2"].value == "已移交行政部门"
    token = sign_in(client, "pinsp")
    proposed = post(client, f"{url}/penalties", token, {"kind": "fraud", "amount": "1000",
                                                        "fund": "pension_enterprise",
                                                        "facts": "虚报工资基数骗取待遇"})
    assert proposed.status_code == 200 and "2,000.00元至5,000.00元" in proposed.text
    penalty_url = re.search(r"/oversight/penalties/\d+", str(proposed.url)).group(0)
    too_high = post(client, f"{penalty_url}/decision", token, {"fine": "5000.01", "reason": "情节严重"})
    assert too_high.status_code == 422 and "超出法定幅度" in too_high.text
    fine = post(client, f"{penalty_url}/decision", token, {"fine": "3000", "reason": "按3倍"})
    assert fine.status_code == 200 and "处罚决定已提请审核" in fine.text
