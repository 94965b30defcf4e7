"""Real browser, claims (issue 13): a reviewer cuts a flagged line on 医疗费用审核 with a reason;
once the month is settled through its case, the hospital signs in and sees the cut line and
the reason on its 定点机构结算 page. Then (claims13) the hospital objects to the cut and uploads
a late claim; the objection upheld, the accountant submits the month's supplementary settlement
(补充结算) on the page, and the hospital sees both settlements and the cut paid in the second."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jingban.agreements.claims import demo, service, settlement
from jingban.agreements.claims.models import Claim, ClaimLine
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import create_user
from jingban.registration.models import Employer
from tests.conftest import PASSWORD
from tests.e2e.test_browser import SHOTS, _sign_in, _sign_out, browser_page, server  # noqa: F401

REASON = "单价超过协议价格，按协议价核减"
PERIOD = 202610  # demo.seed's month


def _settle_the_rest(sessions, reviewer: str, institution_id: int) -> None:
    rev1 = Actor(reviewer, frozenset({"reviewer_1"}), False, "counter")
    with sessions() as db:
        for row in service.flagged(db, rev1, PERIOD, institution_id=institution_id, undecided=True):
            service.decide_line(db, rev1, row["line_id"], "refuse", None, "违规收费")
        case = settlement.prepare(db, Actor("acc_e2e", frozenset({"accountant"}), False, "counter"),
                                  institution_id, "medical_employee", PERIOD)
        _approve(db, rev1, case.id)


def _approve(db, rev1: Actor, case_id: int) -> None:
    cases.decide(db, rev1, case_id, 1, "approve", "同意")
    cases.decide(db, Actor("rev2_e2e", frozenset({"reviewer_2"}), False, "counter"), case_id, 2,
                 "approve", "同意")


def _latest_case(sessions, item: str) -> int:
    with sessions() as db:
        return db.scalars(select(Case.id).where(Case.item_code == item).order_by(Case.id.desc())).first()


@pytest.mark.e2e
def test_reviewer_cuts_a_line_and_the_hospital_sees_why(server, browser_page, make_user,  # noqa: F811
                                                        sessions, backend):
    from playwright.sync_api import expect

    page = browser_page
    SHOTS.mkdir(exist_ok=True)
    reviewer = make_user("reviewer_claims", "reviewer_1")
    with sessions() as db:
        seeded = demo.seed(db, period=PERIOD)
        a = seeded.institutions[0]
        line = db.execute(select(ClaimLine.id).join(Claim, Claim.id == ClaimLine.claim_id)
                          .where(Claim.claim_no == "A-OVERPRICE")).scalar()
        unit = db.execute(select(Employer).where(Employer.uscc == a.uscc)).scalar()
        create_user(db, SYSTEM, "hospital_e2e", PASSWORD, {"employer"}, profile="fast",
                    subject=f"employer:{unit.id}")
        woman = seeded.persons["woman"].ssn
    accountant = make_user("accountant_claims", "accountant")

    _sign_in(page, server, reviewer)
    page.click("nav >> text=医疗费用审核")
    page.goto(f"{page.url.split('?')[0]}?period={PERIOD}")  # the seeded month, not last month
    row = page.locator(f"#line-{line}")
    expect(row).to_contain_text("单价高于协议价格")
    row.locator("select[name=decision]").select_option("cut")
    row.locator("input[name=cut]").fill("9.00")
    row.locator("input[name=reason]").fill(REASON)
    row.locator("button:has-text('确定')").click()
    expect(page.locator(".notice")).to_contain_text(f"明细 {line} 已审核")
    expect(page.locator(f"#line-{line} .decision")).to_have_text("核减")
    page.screenshot(path=str(SHOTS / f"claims-review-{backend}.png"), full_page=True)
    _sign_out(page)

    _settle_the_rest(sessions, reviewer, a.id)

    _sign_in(page, server, "hospital_e2e")
    page.click("nav >> text=定点机构结算")
    cut = page.locator(f"#cut-{line}")
    expect(cut).to_contain_text("核减")
    expect(cut.locator(".reason")).to_have_text(REASON)
    expect(page.locator(".settlement").first).to_contain_text("已拨付")
    page.screenshot(path=str(SHOTS / f"claims-portal-{backend}.png"), full_page=True)

    # claims13: the hospital objects to the cut and uploads a claim it had left out
    cut.locator("input[name=line_id]").check()
    page.locator(f"#reason-{_settlement_id(page)}").fill("该药品价格已按新协议调整")
    page.click("button:has-text('对勾选明细提出异议')")
    expect(page.locator(".notice")).to_contain_text("异议已提交")
    late = (f"{demo.HEADER}\nA-LATE,{woman},medical_employee,outpatient,2026-10-29,2026-10-29,J18.9,"
            "ZL001,2026-10-29,1,20.00,20.00\n")
    page.fill("#period", str(PERIOD))
    page.set_input_files("#file", files=[{"name": "late.csv", "mimeType": "text/csv",
                                          "buffer": late.encode()}])
    page.click("button:has-text('上传本月结算单')")
    expect(page.locator(".notice")).to_contain_text("已接收结算单 1 张")
    _sign_out(page)
    rev1 = Actor(reviewer, frozenset({"reviewer_1"}), False, "counter")
    with sessions() as db:
        _approve(db, rev1, _latest_case(sessions, settlement.OBJECTION_ITEM))
        service.run_review(db, rev1, PERIOD)

    _sign_in(page, server, accountant)
    page.goto(f"{server}/claims?period={PERIOD}")
    page.click(f"#month-{a.id}-medical_employee button:has-text('提交补充结算审核（第2次）')")
    expect(page.locator(".notice")).to_contain_text("补充结算已提交审核")
    _sign_out(page)
    with sessions() as db:
        _approve(db, rev1, _latest_case(sessions, settlement.SETTLE_ITEM))

    _sign_in(page, server, "hospital_e2e")
    page.click("nav >> text=定点机构结算")
    expect(page.locator(".settlement")).to_have_count(2)
    expect(page.locator(".settlement").first).to_contain_text("第2次结算（补充结算）")
    expect(page.locator(".settlement").first).to_contain_text("该月第 2 次结算，共 2 次")
    expect(page.locator(f"#cut-{line}")).to_contain_text("已在第2次结算中补拨")
    page.screenshot(path=str(SHOTS / f"claims-supplementary-{backend}.png"), full_page=True)


def _settlement_id(page) -> str:
    return page.locator(".settlement").first.get_attribute("id").split("-")[1]
