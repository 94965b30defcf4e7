"""行政诉讼法 §45: a lawsuit after a reconsideration that upheld the decision must be filed within
15 days of receiving the reconsideration decision, not the six months of §46; a late one is
refused in Chinese unless its good reason is given, and writes nothing."""

from __future__ import annotations

from jingban.core import clock
from tests.conftest import error_of
from tests.oversight.challenges.test_challenges import (  # noqa: F401
    API,
    challenge,
    outcome,
    refused,
    staff,
)
from tests.web.helpers import sign_in

COURT = {"kind": "litigation", "body": "杭州市西湖区人民法院", "reference": "(2026)浙0106行初9号"}


def test_the_lawsuit_after_an_upheld_reconsideration_has_15_days(client, staff, refused, make_user):  # noqa: F811
    number = refused["case"]["number"]
    first = challenge(client, staff["legal"], number).json()  # filed today, 2026-11-24
    assert first["limit"] == "reconsideration"
    done = outcome(client, staff["legal"], first["id"], "upheld", note="")
    assert done.status_code == 200
    # decision received on its date, Tue 2026-11-24: + 15 days = Wed 2026-12-09
    with clock.travel("2026-12-10"):
        late = challenge(client, staff["legal"], number, filed_on="2026-12-10", **COURT)
        err = error_of(late)
        assert late.status_code == 422 and err["code"] == "challenge.filing_overdue"
        assert "2026-12-09" in err["message"] and "第四十五条" in err["message"]
        assert len(client.get(f"{API}/oversight/challenges", headers=staff["legal"]).json()) == 1
        excused = challenge(client, staff["legal"], number, filed_on="2026-12-10",
                            late_reason="收到复议决定书时在外地住院", **COURT)
    assert excused.status_code == 201, excused.text
    shown = excused.json()
    assert (shown["limit"], shown["filing_due"], shown["filed_late"]) == (
        "litigation_after_reconsideration", "2026-12-09", True)
    assert "第四十五条" in shown["limit_basis"]
    make_user("ts_legal_page", "complaint_officer")
    sign_in(client, "ts_legal_page")
    page = client.get(f"/oversight/challenges/{shown['id']}")
    assert page.status_code == 200 and "第四十五条" in page.text and "2026-12-09" in page.text


def test_a_direct_lawsuit_keeps_its_six_months(client, staff, refused):  # noqa: F811
    direct = challenge(client, staff["legal"], refused["case"]["number"], **COURT).json()
    assert direct["limit"] == "litigation" and "第四十六条" in direct["limit_basis"]
