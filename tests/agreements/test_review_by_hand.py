"""Independent review of issue 13 (points 1–5, 7) and issue 11 (points 1–2), every figure worked
out by hand in the comments before the code is asked.

Demo policy on 2026-10-01 (policy/national/medical.yaml, policy/330000/unemployment.yaml):
employee medical 起付线 800.00 (80000 fen), fund share above it 85 %, 封顶线 400,000.00
(40000000 fen); 乙类 self-pay 10 % unless the price item says otherwise; 丙类 all self-paid.
Review: readmission within 15 days, bed codes start with CW, 2 idle bed days = 挂床.
Unemployment: 2,241.00 a month (90 % of the 2,490.00 minimum wage; living standard 1,310.00);
medical premium base 4,296.00 × 9.5 %; tiers 1–<5 years 12 months, 5–<10 18, 10+ 24, cap 24.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jingban.agreements.claims import demo, rules, service, settlement, split
from jingban.agreements.claims.models import Claim, ClaimDecision, ClaimLine, ClaimSettlement
from jingban.agreements.institutions import rules as inst_rules
from jingban.benefits.unemployment import rules as unemployment
from jingban.cases import service as cases
from jingban.core import policy
from jingban.core.actor import Actor
from jingban.funds.ledger.models import JournalEntry
from jingban.transfers import rules as transfer_rules
from tests.conftest import REGION, error_of

ON = dt.date(2026, 10, 1)
ACC = Actor("hand-acc", frozenset({"accountant"}), False, "counter")
REV1 = Actor("hand-rev1", frozenset({"reviewer_1"}), False, "counter")
REV2 = Actor("hand-rev2", frozenset({"reviewer_2"}), False, "counter")
CLERK = Actor("hand-clerk", frozenset({"clerk"}), False, "counter")


def value(name: str):
    return policy.value(name, REGION, ON)


@pytest.fixture
def params() -> split.Params:
    return split.params_of(value, "medical_employee")


# --- 13.3 the policy split --------------------------------------------------------------------

def test_the_demo_split_parameters(params):
    assert params == split.Params(80000, 8500, 40000000, {"甲": 0, "乙": 1000, "丙": 10000})


def test_two_categories_and_the_deductible(params):
    # 甲 5,000.00; 乙 2,000.00 at 10 % → 先行自付 200.00; 丙 300.00 all the person's.
    # total 7,300.00; in policy 7,300.00 − 300.00 − 200.00 = 6,800.00; deductible 800.00;
    # above 6,000.00 × 85 % = 5,100.00 fund; co-pay 900.00;
    # person 300.00 + 200.00 + 800.00 + 900.00 = 2,200.00.
    bill = [split.BillLine(500000, "甲"), split.BillLine(200000, "乙"), split.BillLine(30000, "丙")]
    done = split.split(bill, params, 0)
    assert done == split.Split(total_fen=730000, out_of_scope_fen=30000, first_self_pay_fen=20000,
                               in_policy_fen=680000, deductible_fen=80000, co_pay_fen=90000,
                               over_cap_fen=0, fund_fen=510000, person_fen=220000)


def test_a_bill_under_the_deductible_pays_nothing(params):
    # 甲 600.00 < 800.00: all under the deductible; 乙 123.45 × 10 % = 12.345 → 12.35 (half up),
    # in policy 600.00 + 111.10 = 711.10, still under 800.00.
    done = split.split([split.BillLine(60000, "甲"), split.BillLine(12345, "乙")], params, 0)
    assert (done.first_self_pay_fen, done.in_policy_fen, done.deductible_fen, done.fund_fen,
            done.person_fen) == (1235, 71110, 71110, 0, 72345)


def test_the_annual_cap_is_crossed(params):
    # Same bill as above (fund due 5,100.00) for a person already paid 398,000.00 this year:
    # 2,000.00 of room under the 400,000.00 cap → fund 2,000.00, over the cap 3,100.00,
    # person 2,200.00 + 3,100.00 = 5,300.00. A person at the cap gets nothing.
    bill = [split.BillLine(500000, "甲"), split.BillLine(200000, "乙"), split.BillLine(30000, "丙")]
    done = split.split(bill, params, 39800000)
    assert (done.fund_fen, done.over_cap_fen, done.person_fen) == (200000, 310000, 530000)
    assert split.split(bill, params, 40000000).fund_fen == 0
    # the item's own share wins over the category default: 乙 at 20 % → 400.00 first self-paid
    assert split.split([split.BillLine(200000, "乙", 2000)], params, 0).first_self_pay_fen == 40000


# --- 13.4 the ten review rules: each flags a planted line and not a clean one ----------------

D = dt.date(2026, 10, 1)
PRICES = {"A": rules.Item(2550, daily_limit=3), "F": rules.Item(6000, 1, sex_only="2"),
          "K": rules.Item(8000, 1, max_age=14), "CW": rules.Item(5000, 1), "ZL": rules.Item(2000, 1)}
MAN = rules.Person("M", dt.date(1985, 3, 1))
WOMAN = rules.Person("F", dt.date(1990, 5, 5))
CHILD = rules.Person("F", dt.date(2015, 6, 1))  # 11 on 2026-10
DEAD = rules.Person("M", dt.date(1940, 1, 1), death_date=dt.date(2026, 10, 10))


def prices(_inst: int, code: str, _day: dt.date) -> rules.Item | None:
    return PRICES.get(code)


def day(n: int) -> dt.date:
    return D.replace(day=n)


def line(i: int, code: str, on: int, qty: int = 1, price: int | None = None) -> rules.Line:
    unit = PRICES[code].unit_price_fen if price is None and code in PRICES else (price or 1000)
    return rules.Line(i, code, day(on), qty, unit, unit * qty)


def claim(i: int, lines, *, inst: int = 1, person: int = 1, stay: tuple[int, int] | None = None
          ) -> rules.Claim:
    adm, dis = stay or (lines[0].service_on.day, lines[0].service_on.day)
    return rules.Claim(i, inst, person, stay is not None, day(adm), day(dis), tuple(lines))


@pytest.fixture
def review_params() -> rules.Params:
    found = rules.Params(int(value("claims.review.readmission_days")),
                         tuple(value("claims.review.bed_code_prefixes")),
                         int(value("claims.review.idle_days")))
    assert found == rules.Params(15, ("CW",), 2)
    return found


def test_not_listed():
    # XX is on no price list: the whole 10.00 is outside the fund; A is listed.
    found = rules.not_listed(claim(1, [line(1, "XX", 3), line(2, "A", 3)]), prices)
    assert found == [rules.Flag(1, "not_listed", 1000)]


def test_over_price():
    # A agreed at 25.50, charged 30.00 × 2: excess (30.00 − 25.50) × 2 = 9.00; at 25.50 clean.
    found = rules.over_price(claim(1, [line(1, "A", 3, 2, 3000), line(2, "A", 4, 2)]), prices)
    assert found == [rules.Flag(1, "over_price", 900)]


def test_repeated_the_same_day_only():
    # A twice on the 5th (the second, 25.50, flagged); A again on the 6th is another day.
    found = rules.repeated(claim(1, [line(1, "A", 5), line(2, "A", 5), line(3, "A", 6)]))
    assert found == [rules.Flag(2, "repeated", 2550)]


def test_split_charge_over_two_visits():
    # Same person, institution, item and day in two claims: the later claim's line (51.00);
    # a third visit on another day is clean.
    first = claim(1, [line(1, "A", 6, 2)])
    second = claim(2, [line(2, "A", 6, 1)])
    other_day = claim(3, [line(3, "A", 7, 1)])
    assert rules.split_charge([first, second, other_day]) == [rules.Flag(2, "split_charge", 2550)]


def test_over_quantity():
    # A limited to 3 a day, 5 charged: 2 × 25.50 = 51.00 cut; exactly 3 is clean.
    found = rules.over_quantity(claim(1, [line(1, "A", 7, 5), line(2, "A", 8, 3)]), prices)
    assert found == [rules.Flag(1, "over_quantity", 5100)]


def test_bed_blocking(review_params):
    # Stay 1st–5th: treatment (ZL) on the 1st and 2nd, only the bed on the 3rd and 4th: two idle
    # days reach the limit of 2 → both bed charges (50.00 each) flagged.
    lines = [line(1, "CW", 1), line(2, "ZL", 1), line(3, "CW", 2), line(4, "ZL", 2),
             line(5, "CW", 3), line(6, "CW", 4)]
    found = rules.bed_blocking(claim(1, lines, stay=(1, 5)), review_params)
    assert sorted(found, key=lambda f: f.line_id) == [rules.Flag(5, "bed_blocking", 5000),
                                                      rules.Flag(6, "bed_blocking", 5000)]
    # one idle day only: clean
    assert rules.bed_blocking(claim(1, lines[:5], stay=(1, 4)), review_params) == []


def test_card_profile_by_sex_and_age():
    # F (women only) for a man, K (to age 14) for a 36-year-old: both flagged; the woman and the
    # 11-year-old are clean.
    assert rules.card_profile(claim(1, [line(1, "F", 8)]), prices, MAN) == [
        rules.Flag(1, "card_profile", 6000)]
    assert rules.card_profile(claim(1, [line(1, "F", 8)]), prices, WOMAN) == []
    assert rules.card_profile(claim(1, [line(2, "K", 8)]), prices, WOMAN) == [
        rules.Flag(2, "card_profile", 8000)]
    assert rules.card_profile(claim(1, [line(2, "K", 8)]), prices, CHILD) == []


def test_card_simultaneous_admissions():
    # In hospital 1 from the 1st to the 5th (discharged the 5th); admitted at hospital 2 on the
    # 3rd: the lines of the 3rd in both stays are flagged (cut left to the reviewer).
    one = claim(1, [line(1, "CW", 1), line(2, "CW", 3)], inst=1, stay=(1, 5))
    two = claim(2, [line(3, "CW", 3)], inst=2, stay=(3, 4))
    assert set(rules.simultaneous([one, two])) == {rules.Flag(2, "card_simultaneous", 0),
                                                   rules.Flag(3, "card_simultaneous", 0)}
    # admitted at hospital 2 on the discharge day itself: clean
    later = claim(3, [line(4, "CW", 5)], inst=2, stay=(5, 6))
    assert rules.simultaneous([one, later]) == []


def test_after_death():
    # Died on the 10th: a service on the 11th is flagged, the 10th itself is not.
    found = rules.after_death(claim(1, [line(1, "ZL", 10), line(2, "ZL", 11)]), DEAD)
    assert found == [rules.Flag(2, "after_death", 2000)]
    assert rules.after_death(claim(1, [line(1, "ZL", 11)]), MAN) == []


def test_readmission_window(review_params):
    # Discharged on the 5th; admitted again on the 20th = 15 days later → every line of the
    # second stay flagged; on the 21st (16 days) it is clean; the first stay is never flagged.
    first = claim(1, [line(1, "CW", 1)], stay=(1, 5))
    again = claim(2, [line(2, "CW", 20), line(3, "ZL", 20)], stay=(20, 22))
    assert set(rules.readmission([first, again], review_params)) == {
        rules.Flag(2, "readmission", 0), rules.Flag(3, "readmission", 0)}
    late = claim(3, [line(4, "CW", 21)], stay=(21, 23))
    assert rules.readmission([first, late], review_params) == []


def test_the_whole_review_hits_each_rule_once(review_params):
    # One claim per rule, one clean claim: every rule's name appears, the clean line none.
    persons = {1: MAN, 2: WOMAN, 3: DEAD}
    month = [claim(1, [line(1, "XX", 3)]), claim(2, [line(2, "A", 4, 2, 3000)]),
             claim(3, [line(3, "A", 5), line(4, "A", 5)]), claim(4, [line(5, "A", 6)]),
             claim(5, [line(6, "A", 6)]), claim(6, [line(7, "A", 7, 5)]),
             claim(7, [line(8, "CW", 12), line(9, "CW", 13)], stay=(12, 14)),
             claim(8, [line(10, "F", 8)]),
             claim(9, [line(11, "CW", 16)], inst=2, stay=(15, 17)),
             claim(10, [line(12, "CW", 16)], inst=1, stay=(16, 18)),
             claim(11, [line(13, "ZL", 12)], person=3),
             claim(12, [line(14, "ZL", 2)], person=2)]
    flags = rules.review(month, persons, prices, review_params)
    assert {f.rule for f in flags} == set(rules.RULES)
    assert not any(f.line_id == 14 for f in flags)


# --- 13.4/13.5 reviewer decisions and the settlement by hand ----------------------------------

HEADER = demo.HEADER


def _row(no, ssn, adm, dis, code, on, qty, price):
    def y(fen):
        return f"{fen // 100}.{fen % 100:02d}"
    return (f"{no},{ssn},medical_employee,inpatient,{adm},{dis},J18.9,{code},{on},{qty},"
            f"{y(price)},{y(price * qty)}")


def test_a_settlement_after_cuts_to_the_fen(db):
    """Claim H-1, 10 days in hospital (admitted 2026-10-03, discharged 10-13), prices from the
    claims demo list:
      bed CW001 50.00 + 诊查 ZL001 20.00 every day        10 × 70.00  =   700.00  甲
      CT JC001 300.00 every day (乙, item share 20 %)      10 × 300.00 = 3,000.00  → 600.00 self
      奥美拉唑 YP002 2 × 80.00 (乙, 10 %)                               =   160.00  → 16.00 self
      头孢 YP001 2 × 30.00 (agreed 25.50: over price by 9.00)           =    60.00  甲
      特需护理 ZF001 100.00 (丙)                                         =   100.00  all self
    claimed 4,020.00; the reviewer cuts 9.00 → accepted 4,011.00.
    In policy 4,011.00 − 100.00 − 600.00 − 16.00 = 3,295.00; deductible 800.00; above 2,495.00
    × 85 % = 2,120.75 fund; person 4,011.00 − 2,120.75 = 1,890.25.
    The ledger entry moves the fund's 2,120.75 twice (fiscal → expenditure → institution): 4,241.50."""
    inst = demo.ensure_institution(db, "手算医院", 9, REGION)
    person = demo.demo_person(db, REGION, "plain", "M", dt.date(1990, 2, 3))
    db.commit()
    rows = []
    for i in range(10):
        on = dt.date(2026, 10, 3 + i)
        rows += [_row("H-1", person.ssn, "2026-10-03", "2026-10-13", code, on, 1, price)
                 for code, price in (("CW001", 5000), ("ZL001", 2000), ("JC001", 30000))]
    rows += [_row("H-1", person.ssn, "2026-10-03", "2026-10-13", "YP002", "2026-10-03", 2, 8000),
             _row("H-1", person.ssn, "2026-10-03", "2026-10-13", "YP001", "2026-10-04", 2, 3000),
             _row("H-1", person.ssn, "2026-10-03", "2026-10-13", "ZF001", "2026-10-05", 1, 10000)]
    up = service.upload_claims(db, CLERK, inst.id, 202610, "h.csv", "\n".join([HEADER, *rows]).encode())
    assert (up.claims, up.lines) == (1, 33) and service.problems_of(up) == []
    service.run_review(db, REV1, 202610)
    flagged = service.flagged(db, REV1, 202610, institution_id=inst.id)
    assert [(r["code"], [f["rule"] for f in r["flags"]], r["suggested_cut_fen"]) for r in flagged] == [
        ("YP001", ["over_price"], 900)]
    service.decide_line(db, REV1, flagged[0]["line_id"], "cut", 900, "超过协议价格")
    case = settlement.prepare(db, ACC, inst.id, "medical_employee", 202610)
    cases.decide(db, REV1, case.id, 1, "approve", "同意")
    cases.decide(db, REV2, case.id, 2, "approve", "同意")
    row = db.execute(select(ClaimSettlement).where(ClaimSettlement.case_id == case.id)).scalar_one()
    assert (row.claimed_fen, row.cut_fen, row.accepted_fen, row.fund_fen, row.person_fen) == (
        402000, 900, 401100, 212075, 189025)
    assert db.get(JournalEntry, row.entry_id).amount == 424150
    assert rules.accepted_amount("cut", 900, 6000) == 5100
    assert rules.accepted_amount("refuse", 6000, 6000) == 0
    assert rules.accepted_amount(None, None, 6000) == 6000


# --- 13.1 the re-signing ban (Z-12(5)) ----------------------------------------------------------

def test_the_ban_dates():
    # Terminated 2026-03-15: for a breach one year → 2027-03-15; for an illegal act two years →
    # 2028-03-15; 2024-02-29 + 1 year → 2025-02-28; any other reason: no ban.
    ban = value("agreements.resign_ban_years")
    assert {k: int(v) for k, v in ban.items()} == {"breach": 1, "illegal": 2}
    ended = dt.date(2026, 3, 15)
    assert inst_rules.resign_possible_from(ended, "breach", ban) == dt.date(2027, 3, 15)
    assert inst_rules.resign_possible_from(ended, "illegal", ban) == dt.date(2028, 3, 15)
    assert inst_rules.resign_possible_from(dt.date(2024, 2, 29), "breach", ban) == dt.date(2025, 2, 28)
    assert inst_rules.resign_possible_from(ended, "other", ban) is None
    code, message = inst_rules.resign_problem(ended, "breach", dt.date(2027, 3, 14), ban)
    assert code == "agreement.resign_ban" and "2027-03-15起方可重新签订" in message
    assert inst_rules.resign_problem(ended, "breach", dt.date(2027, 3, 15), ban) is None
    assert "2028-03-15" in inst_rules.resign_problem(ended, "illegal", dt.date(2028, 3, 14), ban)[1]


# --- 11.1 unemployment --------------------------------------------------------------------------

def test_duration_by_contribution_years_and_the_cap():
    # 11 months: under a year, nothing; 12 months (1 year) → 12; 59 (4 years 11) → 12;
    # 60 (5 years) → 18; 119 → 18; 120 (10 years) → 24; 300 → 24.
    table = value("unemployment.duration_months")
    assert [unemployment.duration_months(m, table) for m in (11, 12, 59, 60, 119, 120, 300)] == [
        0, 12, 12, 18, 18, 24, 24]
    # carry-over: 12 new + 5 left = 17; 18 + 10 = 28 → capped at 24; 24 + 3 → 24
    assert unemployment.entitled_months(12, 5, table) == 17
    assert unemployment.entitled_months(18, 10, table) == 24
    assert unemployment.entitled_months(24, 3, table) == 24
    # 18 months from 2026-10 → the last month 2028-03; the total 18 × 2,241.00 = 40,338.00
    assert unemployment.last_period(202610, 18) == 202803
    assert unemployment.total_benefit(224100, 18) == 4033800


def test_the_monthly_amount_and_the_medical_premium():
    # 2,241.00 = 90 % × 2,490.00 minimum wage, between 1,310.00 and 2,490.00.
    monthly, wage, living = (value(f"unemployment.{n}") for n in
                             ("monthly_benefit", "minimum_wage", "minimum_living"))
    assert (monthly, wage, living) == (224100, 249000, 131000)
    assert monthly == wage * 90 // 100
    assert unemployment.amount_problem(monthly, living, wage) is None
    assert unemployment.amount_problem(249001, living, wage)  # above the minimum wage
    assert unemployment.amount_problem(130999, living, wage)  # below the living standard
    # premium 4,296.00 × 9.5 % = 408.12; 4,296.10 × 9.5 % = 408.1295 → 408.13 (half up)
    rate = Decimal(value("unemployment.medical_premium_rate"))
    assert unemployment.medical_premium(value("unemployment.medical_premium_base"), rate) == 40812
    assert unemployment.medical_premium(429610, rate) == 40813


def test_transfer_funds_are_the_entitlement_plus_half():
    # 10 months left × 2,241.00 = 22,410.00 + 50 % 11,205.00 = 33,615.00;
    # 7 months: 15,687.00 + 7,843.50 = 23,530.50; 11 months paid at the old place: nothing.
    extra = Decimal(str(policy.value("transfers.unemployment.extra_share", REGION, ON)))
    minimum = int(policy.value("transfers.unemployment.min_months", REGION, ON))
    assert (extra, minimum) == (Decimal("0.5"), 12)
    assert transfer_rules.entitlement_amount(10, 224100, 2, extra, minimum, 36).total == 3361500
    assert transfer_rules.entitlement_amount(7, 224100, 5, extra, minimum, 12).total == 2353050
    assert transfer_rules.entitlement_amount(7, 224100, 5, extra, minimum, 11).total == 0


# --- 13 bad input through the API: a clear Chinese error with code and field, nothing written ---

def _counts(db) -> tuple[int, ...]:
    return tuple(db.scalar(select(func.count()).select_from(m))
                 for m in (Claim, ClaimLine, ClaimDecision, ClaimSettlement))


def _refused(client, method, url, headers, **kwargs) -> dict:
    reply = client.request(method, url, headers=headers, **kwargs)
    err = error_of(reply)  # 4xx, {code, message, field}, a Chinese message
    assert err["code"], (url, err)
    return err


def test_bad_input_on_every_claims_endpoint_writes_nothing(client, login, sessions):
    with sessions() as db:
        seeded = demo.seed(db, period=202610)
        a, b, plain = seeded.institutions[0], seeded.institutions[1], seeded.persons["plain"]
        before = _counts(db)
        clean = db.execute(select(ClaimLine.id).join(Claim).where(Claim.claim_no == "A-CLEAN-1")
                           ).scalars().first()
    clerk, rev, acc = login("clerk"), login("reviewer_1"), login("accountant")
    api = "/api/v1/claims"
    form = {"period": "202610", "institution_id": str(a.id)}

    def send(content: bytes, data=None, name="bad.csv"):
        return {"data": data or form, "files": {"file": (name, content, "text/csv")}}

    def csv(*rows: str) -> bytes:
        return "\n".join((HEADER, *rows)).encode()

    def r(no, ssn=plain.ssn, qty="1", price="20.00", amount="20.00", on="2026-10-20"):
        return f"{no},{ssn},medical_employee,outpatient,{on},{on},J18.9,ZL001,{on},{qty},{price},{amount}"

    bad_period = _refused(client, "POST", f"{api}/uploads", clerk,
                          **send(csv(r("X-1")), {**form, "period": "202613"}))
    assert bad_period["field"].endswith("period")
    assert _refused(client, "POST", f"{api}/uploads", clerk,
                    **send(csv(r("X-1")), {**form, "institution_id": "999999"}))["code"] == \
        "institution.not_found"
    assert _refused(client, "POST", f"{api}/uploads", clerk, **send(b"", name="empty.csv"))["field"] == "file"
    # Bad claims in an accepted file: each listed with its row and reason, none stored
    listed = client.post(f"{api}/uploads", headers=clerk, **send(csv(
        r("X-UNKNOWN", ssn="110101199001011237"), r("X-NEG", price="-20.00", amount="-20.00"),
        r("X-ABSURD", qty="1", price="2000000.00", amount="2000000.00"),
        r("X-SUM", qty="2", price="20.00", amount="50.00"), r("A-CLEAN-1"),
        r("X-OUT", on="2026-09-30"))))
    assert listed.status_code == 201, listed.text
    body = listed.json()
    assert body["claims"] == 0 and len(body["problems"]) == 6, body["problems"]
    reasons = " ".join(p["message"] for p in body["problems"])
    for words in ("未登记参保", "不能为负数", "合理上限", "数量×单价", "已上传过", "结算月份"):
        assert words in reasons, words
    no_agreement = client.post(f"{api}/uploads", headers=clerk, **send(
        csv(r("X-OLD", on="2024-10-20")), {**form, "period": "202410"})).json()
    assert no_agreement["claims"] == 0 and "没有有效的服务协议" in no_agreement["problems"][0]["message"]
    gbk = (HEADER + "\n" + r("X-GBK-OK")).encode("gbk") + b"\nX-BROKEN,\xff\xfe,\xce\n"
    mixed = client.post(f"{api}/uploads", headers=clerk, **send(gbk, name="gbk.csv")).json()
    assert mixed["claims"] == 1 and [p["row"] for p in mixed["problems"]] == [3]  # the broken row

    assert _refused(client, "POST", f"{api}/reviews", rev, json={"period": "abc"})["field"].endswith("period")
    assert _refused(client, "POST", f"{api}/reviews", rev, json={"period": 209901})[
        "code"] == "claims.nothing"
    assert _refused(client, "GET", f"{api}/flags", rev, params={"period": 202613})["field"].endswith("period")
    line_url = f"{api}/lines/{{}}/decision"
    assert _refused(client, "POST", line_url.format(999999), rev,
                    json={"decision": "accept", "reason": ""})["code"] == "claims.line_not_found"
    assert _refused(client, "POST", line_url.format(0), rev, json={"decision": "accept"})["field"]
    assert _refused(client, "POST", line_url.format(clean), rev,
                    json={"decision": "accept", "reason": ""})["code"] == "claims.not_flagged"
    with sessions() as db:
        flagged = service.flagged(db, demo.REVIEWER, 202610, institution_id=a.id)
    over = next(f for f in flagged if f["claim_no"] == "A-OVERPRICE")
    for body, field in (({"decision": "maybe", "reason": "x"}, "decision"),
                        ({"decision": "cut", "cut": "9999.00", "reason": "超价"}, "decision"),
                        ({"decision": "cut", "cut": "abc", "reason": "超价"}, "cut"),
                        ({"decision": "refuse", "reason": " "}, "decision")):
        assert _refused(client, "POST", line_url.format(over["line_id"]), rev, json=body)[
            "field"].endswith(field), body
    settle = {"institution_id": a.id, "fund": "medical_employee", "period": 202610}
    for body, code in (({**settle, "institution_id": 999999}, "institution.not_found"),
                       ({**settle, "fund": "pension_enterprise"}, None),
                       ({**settle, "period": 202613}, None),
                       (settle, "claims.not_reviewed"),  # X-GBK-OK came after the run
                       ({**settle, "institution_id": b.id, "period": 202609}, "claims.nothing")):
        err = _refused(client, "POST", f"{api}/settlements", acc, json=body)
        assert code is None or err["code"] == code, (body, err)
    assert _refused(client, "POST", f"{api}/settlements/999999/release", acc)["code"] == \
        "claims.settlement_not_found"
    assert _refused(client, "POST", f"{api}/settlements/999999/objection", acc,
                    json={"line_ids": [1], "reason": "异议"})["code"]
    assert _refused(client, "GET", f"{api}/settlements/999999", acc)["code"] == "claims.settlement_not_found"
    with sessions() as db:
        assert _counts(db) == (before[0] + 1, before[1] + 1, *before[2:])  # X-GBK-OK, one line


def test_bad_input_on_every_agreements_endpoint_writes_nothing(client, login, sessions):
    from jingban.agreements.breaches.models import BreachMeasure
    from jingban.agreements.institutions.models import Institution, PriceItem

    mgr = login("agreement_manager")
    with sessions() as db:
        inst = demo.ensure_institution(db, "坏输入医院", 8, REGION)
        db.commit()
        inst_id = inst.id

    def count(db):
        return tuple(db.scalar(select(func.count()).select_from(m))
                     for m in (Institution, PriceItem, BreachMeasure))

    with sessions() as db:
        before = count(db)
    for body in ({"item": "AGR-APPLY", "payload": {"uscc": "91330106MA0000000X", "name": "坏"}},
                 {"item": "AGR-SIGN", "payload": {"institution_id": inst_id, "kind": "medical",
                                                  "starts_on": "2027-01-01", "ends_on": "2026-01-01",
                                                  "terms": {}}},
                 {"item": "AGR-REVIEW", "payload": {"institution_id": 999999, "evaluated_on": "2026-10-01",
                                                    "result": "pass", "note": "x"}}):
        _refused(client, "POST", "/api/v1/cases", mgr, json=body)
    prices = "/api/v1/agreements/institutions/{}/prices"
    assert _refused(client, "POST", prices.format(999999), mgr,
                    files={"file": ("p.csv", b"a,b\n")})["code"] == "institution.not_found"
    assert _refused(client, "POST", prices.format(inst_id), mgr, files={"file": ("p.csv", b"")})["field"]
    notice = "/api/v1/agreements/breaches"
    for body, field in (({"institution_id": inst_id, "measure": "fine", "facts": "x"}, "measure"),
                        ({"institution_id": inst_id, "measure": "recover", "facts": "x"}, "amount"),
                        ({"institution_id": inst_id, "measure": "recover", "facts": "x",
                          "amount": "abc"}, "amount"),
                        ({"institution_id": inst_id, "measure": "urge", "facts": ""}, "facts"),
                        ({"institution_id": inst_id, "measure": "withhold", "facts": "x",
                          "period_to": "2000-01-01"}, "period_to"),
                        ({"institution_id": inst_id, "measure": "terminate", "facts": "x"},
                         "termination_kind"),
                        ({"institution_id": 0, "measure": "urge", "facts": "x"}, "institution_id")):
        assert _refused(client, "POST", notice, mgr, json=body)["field"].endswith(field), body
    for step, body in (("statement", {"text": "申辩"}), ("drop", {"reason": "采纳"}),
                       ("decision", {"reason": "事实清楚"}),
                       ("repayments", {"fund": "injury", "amount": "1.00", "reference": "x"})):
        assert _refused(client, "POST", f"{notice}/999999/{step}", mgr, json=body)["code"] == \
            "breach.not_found", step
        assert _refused(client, "POST", f"{notice}/0/{step}", mgr, json=body)["field"]
    assert _refused(client, "GET", f"{notice}/999999/pdf", mgr)["code"] == "breach.not_found"
    with sessions() as db:
        assert count(db) == before
