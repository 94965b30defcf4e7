"""The supplementary settlement (补充结算) of an institution's month and an upheld objection ending
in money, worked out by hand to the fen (claims13; SQLite and PostgreSQL).

Demo policy (policy/national/medical.yaml): employee medical 起付线 800.00 per admission, fund 85 %
above it, 封顶线 400,000.00 a calendar year. The hospital of the claims demo, plus one price
item of its own here: SS001 手术费 100,000.00 (甲, no daily limit).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.agreements.claims import demo, service, settlement
from jingban.agreements.claims.models import Claim, ClaimAdjustment, ClaimSettlement
from jingban.agreements.institutions.models import PriceItem
from jingban.cases import service as cases
from jingban.cases.models import Case
from jingban.core.actor import Actor
from jingban.core.errors import Conflict
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.funds.ledger.rules import BENEFIT_EXPENSE
from jingban.registration.models import Employer
from tests.agreements.claims.test_pages import portal_user
from tests.conftest import REGION
from tests.web.helpers import approve, post, sign_in

PERIOD, FUND = 202610, "medical_employee"
ACC = Actor("sup-acc", frozenset({"accountant"}), False, "counter")
CLERK = Actor("sup-clerk", frozenset({"clerk"}), False, "counter")
REV1 = Actor("sup-rev1", frozenset({"reviewer_1"}), False, "counter")
REV2 = Actor("sup-rev2", frozenset({"reviewer_2"}), False, "counter")


def _row(no: str, ssn: str, on: str, code: str, qty: int, price: int,
         visit: str = "inpatient") -> str:  # benfix: a surgery is an admission (住院 parameters)
    return (f"{no},{ssn},{FUND},{visit},{on},{on},K35.8,{code},{on},{qty},"  # benfix
            f"{price // 100}.{price % 100:02d},{price * qty // 100}.{price * qty % 100:02d}")


def _upload(db, inst, name: str, rows: list[str]):
    up = service.upload_claims(db, CLERK, inst.id, PERIOD, name, "\n".join([demo.HEADER, *rows]).encode())
    assert service.problems_of(up) == []
    service.run_review(db, REV1, PERIOD)
    return up


def _approve(db, case):
    cases.decide(db, REV1, case.id, 1, "approve", "同意")
    return cases.decide(db, REV2, case.id, 2, "approve", "同意")


def _portal(db, inst) -> Actor:
    unit = db.execute(select(Employer).where(Employer.uscc == inst.uscc)).scalar()
    return Actor("sup-inst", frozenset({"employer"}), False, "web", subject=f"employer:{unit.id}")


def _expense(db) -> int:
    debit, credit = ledger.totals(db, FUND).get(BENEFIT_EXPENSE, (0, 0))
    return debit - credit


@pytest.fixture
def month(db):
    inst = demo.ensure_institution(db, "补充结算演示医院", 13, REGION)
    db.add(PriceItem(institution_id=inst.id, code="SS001", name="手术费", unit="次",
                     unit_price_fen=10000000, category="甲", self_pay_bp=0,
                     valid_from=dt.date(2025, 1, 1)))
    person = demo.demo_person(db, REGION, "big", "F", dt.date(1966, 5, 20))
    db.commit()
    return inst, person


def test_a_first_and_a_supplementary_settlement_to_the_fen(db, month):
    """S-1 (2026-10-02, first settlement): SS001 4 × 100,000.00 + YP001 2 × 30.00 (agreed 25.50,
    cut 9.00) → accepted 400,051.00; above the 800.00 deductible 399,251.00 × 85 % =
    339,363.35 fund (room 400,000.00), person 60,687.65.
    The institution objects to the 9.00 cut; upheld, the line is reinstated (no money yet).
    S-2 (2026-10-21) is uploaded after the first settlement: 1 × 100,000.00.
    Supplementary settlement (settlement 2 of 2):
      S-1 again, 400,060.00: above 399,260.00 × 85 % = 339,371.00 against the person's other
        payments this year (0) → 7.65 more for the fund, 1.35 more for the person;
      S-2: 99,200.00 × 85 % = 84,320.00 due, but the year has paid 339,371.00 → room 60,629.00:
        fund 60,629.00, over the cap 23,691.00, person 39,371.00.
      claimed 100,000.00, cut 0, reinstated 9.00, accepted 100,009.00, fund 60,636.65,
      person 39,372.35; booked once: 2 × 60,636.65 = 121,273.30 moved, 待遇支出 +60,636.65.
    The person's fund payments this year: 339,371.00 + 60,629.00 = 400,000.00, the cap."""
    inst, person = month
    with pytest.raises(Conflict) as caught:  # nothing settled yet: no supplementary one
        _upload(db, inst, "s1.csv", [_row("S-1", person.ssn, "2026-10-02", "SS001", 4, 10000000),
                                     _row("S-1", person.ssn, "2026-10-02", "YP001", 2, 3000)])
        settlement.prepare(db, ACC, inst.id, FUND, PERIOD, supplementary=True)
    assert caught.value.code == "claims.no_first_settlement"
    [flag] = service.flagged(db, REV1, PERIOD, institution_id=inst.id)
    assert flag["suggested_cut_fen"] == 900
    service.decide_line(db, REV1, flag["line_id"], "cut", 900, "超过协议价格")
    first = db.execute(select(ClaimSettlement).where(ClaimSettlement.case_id == _approve(
        db, settlement.prepare(db, ACC, inst.id, FUND, PERIOD)).id)).scalar_one()
    assert (first.sequence, first.claimed_fen, first.cut_fen, first.accepted_fen, first.fund_fen,
            first.person_fen) == (1, 40006000, 900, 40005100, 33936335, 6068765)

    objection = settlement.object_to(db, _portal(db, inst), first.id, [flag["line_id"]], "价格已调整")
    _approve(db, objection)
    db.refresh(first)
    assert (first.accepted_fen, first.fund_fen) == (40005100, 33936335)  # the approved one stands
    _upload(db, inst, "s2.csv", [_row("S-2", person.ssn, "2026-10-21", "SS001", 1, 10000000)])
    with pytest.raises(Conflict) as caught:  # the month has its first settlement
        settlement.prepare(db, ACC, inst.id, FUND, PERIOD)
    assert caught.value.code == "claims.settled"

    balance = ledger.trial_balance(db, ACC, FUND, 299912)
    expense = _expense(db)
    case = settlement.prepare(db, ACC, inst.id, FUND, PERIOD, supplementary=True)
    with pytest.raises(Conflict) as caught:  # one settlement of the month in review at a time
        settlement.prepare(db, ACC, inst.id, FUND, PERIOD, supplementary=True)
    assert caught.value.code == "claims.settle_open"
    second = db.execute(select(ClaimSettlement).where(
        ClaimSettlement.case_id == _approve(db, case).id)).scalar_one()
    assert (second.sequence, second.claims, second.claimed_fen, second.cut_fen,
            second.reinstated_fen, second.accepted_fen, second.fund_fen, second.person_fen) == (
        2, 1, 10000000, 0, 900, 10000900, 6063665, 3937235)
    assert second.status == "paid"
    entry = db.get(JournalEntry, second.entry_id)
    assert entry.source == f"claims-settlement:{second.id}" and entry.amount == 12127330
    after = ledger.trial_balance(db, ACC, FUND, 299912)
    assert balance["balanced"] and after["balanced"]
    assert after["debit"] - balance["debit"] == 12127330
    assert _expense(db) - expense == 6063665

    s1, s2 = (db.execute(select(Claim).where(Claim.claim_no == no)).scalar_one() for no in ("S-1", "S-2"))
    assert (s1.settlement_id, s1.accepted_fen, s1.fund_fen, s1.person_fen) == (
        first.id, 40006000, 33937100, 6068900)
    assert (s2.settlement_id, s2.ytd_before_fen, s2.fund_fen, s2.person_fen) == (
        second.id, 33937100, 6062900, 3937100)
    assert s1.fund_fen + s2.fund_fen == 40000000  # the annual cap, across both settlements
    [adjustment] = db.execute(select(ClaimAdjustment)).scalars()
    assert (adjustment.settlement_id, adjustment.claim_id, adjustment.accepted_fen,
            adjustment.fund_fen, adjustment.person_fen) == (second.id, s1.id, 900, 765, 135)

    view = settlement.portal(db, _portal(db, inst))
    shown = {s["row"].sequence: s for s in view["settlements"]}
    assert set(shown) == {1, 2} and shown[2]["of"] == 2 and "补充结算" in shown[2]["name"]
    assert shown[2]["adjusted"] == [{"claim_no": "S-1", "accepted_fen": 900, "fund_fen": 765,
                                     "person_fen": 135}]
    assert [c["paid_in"] for c in shown[1]["cuts"]] == [2]


def test_approving_twice_or_rerunning_pays_once_and_nothing_left_is_refused(db, month):
    inst, person = month
    _upload(db, inst, "one.csv", [_row("R-1", person.ssn, "2026-10-05", "SS001", 1, 10000000)])
    case = settlement.prepare(db, ACC, inst.id, FUND, PERIOD)
    _approve(db, case)
    with pytest.raises(Conflict):  # the case is done: a second approval runs nothing
        cases.decide(db, REV2, case.id, 2, "approve", "同意")
    _upload(db, inst, "two.csv", [_row("R-2", person.ssn, "2026-10-25", "SS001", 1, 10000000)])
    supplementary = settlement.prepare(db, ACC, inst.id, FUND, PERIOD, supplementary=True)
    _approve(db, supplementary)
    service.run_review(db, REV1, PERIOD)  # rerunning the review adds nothing to settle
    for first in (False, True):
        with pytest.raises(Conflict) as caught:
            settlement.prepare(db, ACC, inst.id, FUND, PERIOD, supplementary=first)
        assert caught.value.code == ("claims.nothing_unsettled" if first else "claims.settled")
    rows = settlement.month_settlements(db, inst.id, FUND, PERIOD)
    assert [r.sequence for r in rows] == [1, 2] and [r.claims for r in rows] == [1, 1]
    sources = db.scalars(select(JournalEntry.source).where(
        JournalEntry.source.like("claims-settlement:%"))).all()
    assert sorted(sources) == sorted(f"claims-settlement:{r.id}" for r in rows)
    # R-1 paid 99,200.00 × 85 % = 84,320.00; R-2 counts it: 84,320.00 again (room is ample)
    assert [r.fund_fen for r in rows] == [8432000, 8432000]
    # a claim in both: the claims of the first settlement cannot be taken by another one
    taken = db.execute(select(Claim).where(Claim.claim_no == "R-1")).scalar_one()
    with pytest.raises(Conflict) as caught:
        settlement._take(db, rows[1], [taken.id])
    assert caught.value.code == "claims.in_other_settlement"
    db.rollback()
    assert db.scalar(select(func.count()).select_from(Claim).where(
        Claim.settlement_id == rows[0].id)) == 1


def test_the_pages_offer_the_supplementary_settlement_and_the_portal_shows_both(
        client, make_user, sessions):
    with sessions() as db:
        seeded = demo.seed(db, period=PERIOD)
        a = seeded.institutions[0]
        demo.settle(db, PERIOD, [a])
        woman = seeded.persons["woman"]
    for name, role in (("pacc", "accountant"), ("prev1", "reviewer_1"), ("prev2", "reviewer_2")):
        make_user(name, role)
    token = sign_in(client, portal_user(sessions, a))
    late = "\n".join([demo.HEADER, _row("A-LATE", woman.ssn, "2026-10-29", "ZL001", 1, 2000,
                                                  "outpatient")])
    sent = post(client, "/my/institution/upload", token, {"period": str(PERIOD)},
                files={"file": ("late.csv", late.encode(), "text/csv")})
    assert "已接收结算单 1 张" in sent.text, sent.text
    with sessions() as db:
        service.run_review(db, REV1, PERIOD)
    token = sign_in(client, "pacc")
    page = client.get(f"/claims?period={PERIOD}")
    assert "提交补充结算审核（第2次）" in page.text
    done = post(client, "/claims/settle", token, {"period": str(PERIOD), "institution_id": str(a.id),
                                                  "fund": FUND, "supplementary": "1"})
    assert "补充结算已提交审核" in done.text, done.text
    again = post(client, "/claims/settle", token, {"period": str(PERIOD), "institution_id": str(a.id),
                                                   "fund": FUND})
    assert again.status_code == 409 and "请提交补充结算" in again.text
    with sessions() as db:
        case_id = db.scalars(select(Case.id).where(Case.item_code == settlement.SETTLE_ITEM)
                             .order_by(Case.id.desc())).first()
    assert approve(client, "prev1", case_id, 1).status_code in (200, 303)
    assert approve(client, "prev2", case_id, 2).status_code in (200, 303)
    sign_in(client, "hospital")
    mine = client.get("/my/institution").text
    assert "第2次结算（补充结算）" in mine and "该月第 2 次结算，共 2 次" in mine
    assert "该月第 1 次结算，共 2 次" in mine and "演示：" in mine  # the first one's cut reasons
    assert mine.count('class="card settlement"') == 2
