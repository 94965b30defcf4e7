"""Re-appraisal (再次鉴定 《工伤保险条例》第二十六条, 复查鉴定 第二十八条) re-determines what follows
from the grade, and the minimum-wage floor of the allowance (第三十五条): worked examples by hand.

Policy (policy/national/injury.yaml, policy/330000): the region's average monthly wage 770000
fen, so 本人工资 is floored at 462000 (第六十四条); allowance shares 1–4: 90/85/80/75 %; grant
months 1–10: 27/25/23/21/18/16/13/11/9/7; nursing level 2: 40 % × 770000 = 308000; the demo
region pays the grant difference (injury.reappraisal_grant_difference, 演示值 true); the minimum
wage (unemployment.minimum_wage, demo) 249000. The first appraisal concludes 2026-09-15, so the
first monthly benefits start 202610. Today is 2026-11-24 unless a test travels.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award, Payment
from jingban.benefits.recovery.models import Debt
from jingban.core import agency, clock
from jingban.registration.models import Person
from tests.benefits.injury.helpers import BANK, injured, recognised, take
from tests.benefits.injury.test_injury import _refused
from tests.benefits.stop_helpers import TODAY, payroll
from tests.web.helpers import sign_in

NUMBER = "杭人社工认〔2026〕201号"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _param(monkeypatch, name: str, value) -> None:
    real = agency.param
    monkeypatch.setattr(agency, "param", lambda db, key, day: value if key == name else real(db, key, day))


def _determined(sessions, grade: int, base: int = 600000, number: str = NUMBER) -> str:
    ssn, unit = injured(sessions, base=base)
    recognised(sessions, ssn, unit, number, grade=grade)
    take(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": number, "bank_account": BANK})
    return ssn


def _reappraised(sessions, ssn: str, grade: int, applied: str, concluded: str, nursing: int = 0,
                 kind: str = "again", number: str = NUMBER) -> None:
    take(sessions, "BEN-INJURY-APPRAISAL-APPLY", ssn, {"decision_number": number, "applied_on": applied})
    take(sessions, "BEN-INJURY-APPRAISAL", ssn, {
        "decision_number": number, "conclusion_number": f"ZJ-{concluded}", "concluded_on": concluded,
        "grade": grade, "nursing_level": nursing, "kind": kind})


def _payments(sessions, ssn: str) -> list[tuple]:
    """(kind, award status, period, payment kind, gross, sent by a run) of the person, in order."""
    with sessions() as db:
        return [tuple(row) for row in db.execute(
            select(Award.kind, Award.status, Payment.period, Payment.kind, Payment.gross,
                   Payment.run_id.is_not(None))
            .join(Award, Award.id == Payment.award_id).join(Person, Person.id == Award.person_id)
            .where(Person.ssn == ssn).order_by(Award.kind, Payment.period, Award.id)).all()]


def _awards(sessions, ssn: str, kind: str) -> list[tuple]:
    with sessions() as db:
        return [tuple(row) for row in db.execute(
            select(Award.status, Award.start_period, Award.last_period, Award.monthly_amount)
            .join(Person, Person.id == Award.person_id).where(Person.ssn == ssn, Award.kind == kind)
            .order_by(Award.id)).all()]


def test_grade_6_to_4_starts_the_allowance_and_pays_the_grant_difference(sessions):
    # 本人工资 600000. Grade 6 (work arranged): grant 16 × 600000 = 9600000 with 202612, no
    # monthly benefit (so no run is due before 202611). 再次鉴定 concluded 2026-10-20: grade 4
    # from 202611: allowance 75 % × 600000 = 450000 a month. Grant difference 21 × 600000 −
    # 9600000 = 12600000 − 9600000 = 3000000, one-off with 202612. Runs 202611, 202612.
    ssn = _determined(sessions, grade=6)
    assert _awards(sessions, ssn, "injury_allowance") == []
    _reappraised(sessions, ssn, 4, applied="2026-10-10", concluded="2026-10-20")
    assert _awards(sessions, ssn, "injury_allowance") == [("active", 202611, None, 450000)]
    assert [a[3] for a in _awards(sessions, ssn, "injury_grant")] == [9600000, 3000000]
    payroll(sessions, 202611, 202612)
    assert _payments(sessions, ssn) == [
        ("injury_allowance", "active", 202611, "regular", 450000, True),
        ("injury_allowance", "active", 202612, "regular", 450000, True),
        ("injury_grant", "stopped", 202612, "regular", 9600000, True),
        ("injury_grant", "stopped", 202612, "regular", 3000000, True)]


def test_grade_4_to_2_replaces_the_allowance_settles_the_paid_month_once_and_adds_nursing(sessions):
    # Grade 4: allowance 450000 from 202610; runs 202610, 202611 pay it. 再次鉴定 concluded
    # 2026-10-10: grade 2, nursing level 2, from 202611. The old allowance ends with 202610
    # (已重新核定); the new one is 85 % × 600000 = 510000: 202611 was paid 450000, so the
    # difference 510000 − 450000 = 60000 is paid once (adjustment); nursing 308000 back-paid
    # for 202611. Grant difference 25 × 600000 − 21 × 600000 = 15000000 − 12600000 = 2400000.
    # Run 202612: the new allowance 510000 and nursing 308000; the old award nothing.
    ssn = _determined(sessions, grade=4)
    payroll(sessions, 202610, 202611)
    _reappraised(sessions, ssn, 2, applied="2026-10-01", concluded="2026-10-10", nursing=2)
    assert _awards(sessions, ssn, "injury_allowance") == [("replaced", 202610, 202610, 450000),
                                                          ("active", 202611, None, 510000)]
    assert _awards(sessions, ssn, "injury_nursing") == [("active", 202611, None, 308000)]
    payroll(sessions, 202612)
    payroll(sessions, 202612)  # the month again: nothing paid twice
    assert [p for p in _payments(sessions, ssn) if p[0] != "injury_grant"] == [
        ("injury_allowance", "replaced", 202610, "regular", 450000, True),
        ("injury_allowance", "replaced", 202611, "regular", 450000, True),
        ("injury_allowance", "active", 202611, "adjustment", 60000, True),
        ("injury_allowance", "active", 202612, "regular", 510000, True),
        ("injury_nursing", "active", 202611, "back_pay", 308000, True),
        ("injury_nursing", "active", 202612, "regular", 308000, True)]
    assert [a[3] for a in _awards(sessions, ssn, "injury_grant")] == [12600000, 2400000]
    with sessions() as db:
        award = db.execute(select(Award).where(Award.kind == "injury_allowance",
                                               Award.status == "active")).scalar()
        lines = json.loads(award.breakdown)["lines"]
        assert any(x["label"] == "重新核定伤残津贴" and "4,500.00元 → 5,100.00元" in x["value"]
                   for x in lines)


def test_grade_4_to_5_stops_the_allowance_and_orders_back_the_month_paid_after(sessions):
    # Grade 4: allowance 450000 from 202610; runs 202610, 202611. 再次鉴定 concluded 2026-10-10:
    # grade 5 (work arranged) from 202611: the fund pays no allowance (第三十六条): it stops with
    # 202610, and 202611, paid 450000, is ordered back (450000). Grant 18 × 600000 = 10800000
    # < 12600000 granted: no difference (only raised, never taken back). Run 202612 pays nothing.
    ssn = _determined(sessions, grade=4)
    payroll(sessions, 202610, 202611)
    _reappraised(sessions, ssn, 5, applied="2026-10-01", concluded="2026-10-10")
    assert _awards(sessions, ssn, "injury_allowance") == [("stopped", 202610, 202610, 450000)]
    assert len(_awards(sessions, ssn, "injury_grant")) == 1
    with sessions() as db:
        debt = db.execute(select(Debt)).scalar_one()
        assert (debt.principal, debt.first_period, debt.last_period) == (450000, 202611, 202611)
    payroll(sessions, 202612)
    assert [p[2] for p in _payments(sessions, ssn) if p[0] == "injury_allowance"] == [202610, 202611]


def test_a_conclusion_in_a_month_not_yet_run_the_old_amount_is_paid_for_it_once(sessions, monkeypatch):
    # Grade 4: allowance 450000 from 202610; only 202610 run. 再次鉴定 concluded 2026-11-20:
    # grade 3 from 202612 = 80 % × 600000 = 480000. The old award ends with 202611, not yet
    # run: that month waits at 450000 for the next run. Runs 202611, 202612: 202611 450000
    # (old), 202612 480000 (new). The national default pays no grant difference (patched to
    # false here: 23 × 600000 − 12600000 = 1200000 would otherwise be paid).
    _param(monkeypatch, "injury.reappraisal_grant_difference", False)
    ssn = _determined(sessions, grade=4)
    payroll(sessions, 202610)
    _reappraised(sessions, ssn, 3, applied="2026-11-01", concluded="2026-11-20")
    payroll(sessions, 202611, 202612)
    assert [p for p in _payments(sessions, ssn) if p[0] == "injury_allowance"] == [
        ("injury_allowance", "replaced", 202610, "regular", 450000, True),
        ("injury_allowance", "replaced", 202611, "regular", 450000, True),
        ("injury_allowance", "active", 202612, "regular", 480000, True)]
    assert len(_awards(sessions, ssn, "injury_grant")) == 1


def test_the_allowance_below_the_minimum_wage_is_topped_up_by_the_fund(sessions, monkeypatch):
    # A minimum wage of 4,000.00 = 400000 fen (patched; the demo 249000 is below every
    # allowance the 60 % floor allows). Base 300000 → 本人工资 462000. Grade 4: 75 % × 462000
    # = 346500 < 400000 → paid 400000, the fund tops up 53500 (第三十五条). A 复查鉴定 a year
    # later (applied 2027-09-20, concluded 2027-10-08) to grade 3: 80 % × 462000 = 369600, still
    # below → 400000, unchanged, so the allowance award stays; grant difference 23 × 462000 −
    # 21 × 462000 = 10626000 − 9702000 = 924000.
    _param(monkeypatch, "unemployment.minimum_wage", 400000)
    ssn = _determined(sessions, grade=4, base=300000)
    assert _awards(sessions, ssn, "injury_allowance") == [("active", 202610, None, 400000)]
    with sessions() as db:
        breakdown = db.execute(select(Award.breakdown).where(Award.kind == "injury_allowance")).scalar()
        lines = json.loads(breakdown)
        assert any("低于当地最低工资标准4,000.00元，由工伤保险基金补足差额535.00元" in x["note"]
                   for x in lines["lines"])
    monkeypatch.setattr(clock, "today", lambda: dt.date(2027, 10, 12))
    _reappraised(sessions, ssn, 3, applied="2027-09-20", concluded="2027-10-08", kind="review")
    assert _awards(sessions, ssn, "injury_allowance") == [("active", 202610, None, 400000)]
    assert [a[3] for a in _awards(sessions, ssn, "injury_grant")] == [9702000, 924000]


def test_a_first_appraisal_before_the_determination_leaves_it_to_use_the_latest(sessions):
    # Grade 6 concluded 2026-09-15, 再次鉴定 grade 4 on 2026-10-20 before any determination:
    # nothing re-determined; the determination then uses grade 4: grant 12600000, allowance
    # 450000 from 202611.
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, NUMBER, grade=6)
    _reappraised(sessions, ssn, 4, applied="2026-10-10", concluded="2026-10-20")
    take(sessions, "BEN-INJURY-DISABILITY", ssn, {"decision_number": NUMBER, "bank_account": BANK})
    assert [a[3] for a in _awards(sessions, ssn, "injury_grant")] == [12600000]
    assert _awards(sessions, ssn, "injury_allowance") == [("active", 202611, None, 450000)]


def test_bad_re_appraisals_are_refused_and_write_nothing(sessions):
    ssn, unit = injured(sessions, base=600000)
    recognised(sessions, ssn, unit, NUMBER)
    take(sessions, "BEN-INJURY-APPRAISAL-APPLY", ssn, {"decision_number": NUMBER, "applied_on": "2026-09-01"})
    payload = {"decision_number": NUMBER, "conclusion_number": "ZJ-1", "concluded_on": "2026-09-20",
               "grade": 4, "kind": "again"}
    assert "尚无劳动能力鉴定结论，不能登记再次鉴定（第二十六条）结论" in \
        _refused(sessions, "BEN-INJURY-APPRAISAL", ssn, payload)
    take(sessions, "BEN-INJURY-APPRAISAL", ssn, {**payload, "kind": "first", "concluded_on": "2026-09-15"})
    assert "尚未受理再次鉴定（第二十六条）申请" in _refused(sessions, "BEN-INJURY-APPRAISAL", ssn, payload)
    assert "应登记为再次鉴定或复查鉴定" in \
        _refused(sessions, "BEN-INJURY-APPRAISAL", ssn, {**payload, "kind": "first"})
    take(sessions, "BEN-INJURY-APPRAISAL-APPLY", ssn, {"decision_number": NUMBER, "applied_on": "2026-09-16"})
    assert "不能早于原鉴定结论日期2026-09-15" in \
        _refused(sessions, "BEN-INJURY-APPRAISAL", ssn, {**payload, "concluded_on": "2026-09-10"})
    assert "伤残等级应为一级至十级，不能为11" in \
        _refused(sessions, "BEN-INJURY-APPRAISAL", ssn, {**payload, "grade": 11})
    assert "复查鉴定须自原鉴定结论作出之日（2026-09-15）起1年后申请" in \
        _refused(sessions, "BEN-INJURY-APPRAISAL", ssn, {**payload, "kind": "review"})


def test_the_record_page_shows_the_re_appraisal_and_the_form_asks_its_kind(client, make_user, sessions):
    # Grade 4 → 2 as in the worked example above: the old allowance 已重新核定, the new one
    # 5,100.00 a month; the events name the 再次鉴定.
    ssn = _determined(sessions, grade=4)
    payroll(sessions, 202610, 202611)
    _reappraised(sessions, ssn, 2, applied="2026-10-01", concluded="2026-10-10")
    make_user("clerk-r", "clerk")
    sign_in(client, "clerk-r")
    page = client.get(f"/persons/{ssn}/injury").text
    assert "劳动能力鉴定结论（再次鉴定）" in page and "已重新核定" in page and "5,100.00 元/月" in page
    form = client.get("/cases/new/BEN-INJURY-APPRAISAL").text
    assert 'name="kind"' in form and "复查鉴定" in form
