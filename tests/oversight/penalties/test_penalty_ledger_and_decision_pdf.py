"""Review of issue 12: the penalties get a staff list with its Excel export (处罚台账) and a
decided penalty its printable decision (行政处罚决定书) with the chosen fine, the reason, the
money ordered back and the way to challenge it (R§52); an undecided one has none."""

from __future__ import annotations

import io
import subprocess

from openpyxl import load_workbook

from jingban.oversight.penalties import service
from jingban.oversight.penalties.schemas import ProposalIn
from tests.oversight.inspections.helpers import INSPECTOR, employer, person
from tests.oversight.penalties.test_penalty_credit_and_ledger import decided_fraud
from tests.web.helpers import sign_in


def test_the_ledger_exports_and_a_decision_prints(client, sessions, make_user, tmp_path):
    with sessions() as db:
        someone = person(db, "钱冒领")
        done = decided_fraud(db, someone.ssn)  # 3 000 yuan back, fined 6 000 yuan (2x)
        open_one = service.propose(db, INSPECTOR, ProposalIn(
            kind="obstruction", subject_kind="institution", subject_ref=employer(db, "某药房").uscc,
            facts="拒绝提供账目"))
        done_id, open_id = done.id, open_one.id
    make_user("ts_pen_ledger", "inspector")
    sign_in(client, "ts_pen_ledger")
    page = client.get("/oversight/penalties")
    assert page.status_code == 200 and "处罚台账" in page.text
    assert f'href="/oversight/penalties/{done_id}/decision.pdf"' in page.text
    assert "某药房" in page.text and "钱冒领" in page.text
    decided_only = client.get("/oversight/penalties?status=decided")
    assert "钱冒领" in decided_only.text and "某药房" not in decided_only.text

    sheet = client.get("/oversight/penalties.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    cells = [str(c) for r in rows for c in r]
    assert "处罚编号" in cells and "6,000.00" in cells and "3,000.00" in cells
    assert "企业职工基本养老保险" in cells and "10,000.00元至50,000.00元" in cells

    detail = client.get(f"/oversight/penalties/{done_id}")
    assert 'id="decision-pdf"' in detail.text
    printed = client.get(f"/oversight/penalties/{done_id}/decision.pdf")
    assert printed.status_code == 200 and printed.content.startswith(b"%PDF")
    assert printed.headers["content-type"].startswith("application/pdf")
    path = tmp_path / "decision.pdf"
    path.write_bytes(printed.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    for expected in ("行政处罚决定书", "钱冒领", "3,000.00元", "6,000.00元", "第五十五条",
                     "60日内", "6个月内", "第五十二条", "冒领已故母亲的养老金"):
        assert expected in text, expected
    none_yet = client.get(f"/oversight/penalties/{open_id}/decision.pdf")
    assert none_yet.status_code == 409 and "尚未作出决定" in none_yet.text
    assert client.get("/oversight/penalties/999999/decision.pdf").status_code == 404
