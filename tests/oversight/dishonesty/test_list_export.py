"""Review of issue 12: the inspector's list of the serious-dishonesty list exports to Excel,
with each entry's periods (R§45)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.oversight.dishonesty.test_lifecycle import keep_clock, listed, person_with_credits  # noqa: F401
from tests.web.helpers import sign_in


def test_the_staff_list_exports_to_excel(client, make_user, sessions):
    with sessions() as db:
        done = listed(db, person_with_credits(db, "fraud"))
        until, key = done.listed_until, done.subject_key
    make_user("pinsp_x", "inspector")
    sign_in(client, "pinsp_x")
    assert 'href="/oversight/dishonesty.xlsx"' in client.get("/oversight/dishonesty").text
    sheet = client.get("/oversight/dishonesty.xlsx")
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.iter_rows(values_only=True))
    cells = [str(c) for r in rows for c in r]
    assert "公示截止" in cells and key in cells and "已列入并公示" in cells
    assert any(str(until) in c for c in cells)
