"""Pension claims as cases (R§18, D§18): hand-computed determination with deemed years,
refusals with their reasons, the engine's refusal and objection, re-determination."""

import datetime as dt

from sqlalchemy import func, select

from jingban.benefits.common import rules
from jingban.benefits.common.models import Award
from jingban.cases.models import Case
from jingban.core import clock
from jingban.notices.models import Notification
from tests.benefits.pension_helpers import API, approve_all, claim, retiree
from tests.conftest import error_of

YEAR_2024 = [202400 + m for m in range(1, 13)]


def _next_period() -> int:
    today = clock.today()
    return rules.next_period(rules.period_of(today.year, today.month))


def _staff(login):
    return login("clerk"), [login("reviewer_1"), login("reviewer_2"), login("reviewer_3")]


def _man_1964(sessions, **extra) -> str:
    """Born 1964-12: statutory age 60 (before the reform), retired 2024-12. Paid all of 2024
    on a base of 14872.00 = 2 × the 2024 wage of 7436.00 (index 2 each month), 180 deemed
    months at index 1, account 139,000.00."""
    return retiree(sessions, birth=dt.date(1964, 12, 10), periods=YEAR_2024, base=1487200,
                   deemed=180, balance=13_900_000, **extra)


def test_determination_by_hand_with_deemed_years(client, login, sessions, db):
    # 192 months; index (12 × 2 + 180 × 1) / 192 = 1.0625; base of 2024-12: 7436.00.
    # basic = (7436 + 7436 × 1.0625) / 2 × 16 years × 1 % = 1533.675 / 2 × 0.16 → 1226.94
    # account = 139000.00 / 139 (age 60) = 1000.00; total 2226.94.
    clerk, reviewers = _staff(login)
    ssn = _man_1964(sessions)
    preview = client.get(f"{API}/benefits/pension/preview", params={"ssn": ssn}, headers=clerk)
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["eligible"] and shown["problems"] == []
    assert (shown["basic"], shown["account"], shown["total"]) == ("1226.94", "1000.00", "2226.94")
    lines = {line["label"]: line["value"] for line in shown["lines"]}
    assert lines["本人平均缴费指数"] == "1.0625"
    assert lines["累计缴费年限"].startswith("192个月")
    assert lines["指数化月平均缴费工资"] == "7900.75元"
    assert shown["start_period"] == _next_period()

    reply = claim(client, clerk, ssn)
    assert reply.status_code == 201, reply.text
    case = approve_all(client, reply.json(), reviewers[:2])
    assert case["status"] == "completed"
    record = client.get(f"{API}/benefits/persons/{ssn}/pension", headers=clerk).json()
    award = record["awards"][0]
    assert (award["monthly_amount"], award["basic_amount"], award["account_amount"]) == \
        (222694, 122694, 100000)
    assert award["status"] == "active" and award["start_period"] == _next_period()
    assert award["case_id"] == case["id"] and "第十八条" in award["basis"]
    assert {"label": "起发月份", "value": f"{_next_period() // 100}-{_next_period() % 100:02d}",
            "note": "核定次月起发"} in award["lines"]
    db.rollback()
    message = db.execute(select(Notification.message).where(
        Notification.recipient == ssn, Notification.kind == "pension_award")).scalar_one()
    assert "2226.94元" in message and "第十八条" in message


def test_short_of_minimum_years_refused_with_reason(client, login, sessions, db):
    # A woman on the original-50 rule born 1975-01: n = 1, one month's delay, retires at
    # 50y1m in 2025-02; 12 months paid, no deemed years: short of the 180 months of 2025.
    clerk, _ = _staff(login)
    ssn = retiree(sessions, birth=dt.date(1975, 1, 5), sex="F", category="female_50",
                  periods=YEAR_2024, base=743600, name="退休乙")
    preview = client.get(f"{API}/benefits/pension/preview", params={"ssn": ssn},
                         headers=clerk).json()
    assert not preview["eligible"]
    assert any("已缴12个月" in p and "最低须180个月" in p for p in preview["problems"])
    err = error_of(claim(client, clerk, ssn))
    assert (err["code"], err["field"]) == ("benefits.not_eligible", "ssn")
    assert "累计缴费年限不足" in err["message"] and "延长缴费" in err["message"]
    db.rollback()
    assert db.execute(select(func.count()).select_from(Case)).scalar() == 0
    assert db.execute(select(func.count()).select_from(Award)).scalar() == 0


def test_not_yet_of_age_and_second_pension_refused(client, login, sessions):
    clerk, reviewers = _staff(login)
    young = retiree(sessions, birth=dt.date(1970, 1, 5), periods=YEAR_2024, base=743600,
                    deemed=200, name="未到龄")
    err = error_of(claim(client, clerk, young))
    assert err["code"] == "benefits.not_eligible" and "尚未达到退休年龄（2031-05达到）" in err["message"]
    ssn = _man_1964(sessions)
    approve_all(client, claim(client, clerk, ssn).json(), reviewers[:2])
    err = error_of(claim(client, clerk, ssn))
    assert "已在领取企业职工基本养老金" in err["message"]
    err = error_of(claim(client, clerk, ssn, retirement_age_months=700))
    assert "弹性退休" in err["message"]


def test_reviewer_refusal_then_objection_grants(client, login, sessions, db):
    clerk, reviewers = _staff(login)
    ssn = _man_1964(sessions)
    case = claim(client, clerk, ssn).json()
    reason = "人事档案未随同申请提交，视同缴费年限无法核实"
    reply = client.post(f"{API}/cases/{case['id']}/decisions", headers=reviewers[0],
                        json={"level": 1, "decision": "reject", "reason": reason})
    assert reply.json()["status"] == "returned"
    body = {"item": "OBJECTION", "materials": ["objection_statement"],
            "payload": {"case_number": case["number"], "reason": "档案已补交，视同缴费年限属实"}}
    objection = client.post(f"{API}/cases", json=body, headers=clerk)
    assert objection.status_code == 201, objection.text
    approve_all(client, objection.json(), reviewers[:2])
    db.rollback()
    award = db.execute(select(Award)).scalar_one()
    assert award.monthly_amount == 222694 and award.status == "active"
    refusal = db.execute(select(Notification.message).where(
        Notification.case_id == case["id"], Notification.kind == "decision")).scalars().first()
    assert reason in refusal


def test_unfinished_transfer_refused(client, login, sessions):
    from jingban.transfers.models import Transfer

    clerk, _ = _staff(login)
    ssn = _man_1964(sessions)
    with sessions() as s:
        s.add(Transfer(ref="T-330106-1", kind="pension_enterprise", role="new", ssn=ssn,
                       name="退休甲", old_region="110105", new_region="330106", applied_at="new",
                       applied_on=dt.date(2026, 11, 2), status="open", step="contact",
                       due_on=dt.date(2026, 11, 30)))
        s.commit()
    preview = client.get(f"{API}/benefits/pension/preview", params={"ssn": ssn},
                         headers=clerk).json()
    assert {"label": "关系转移接续", "value": "有未办结",
            "note": "养老保险关系转移接续（编号T-330106-1）尚未办结"} in preview["checks"]
    err = error_of(claim(client, clerk, ssn))
    assert "转移接续完成" in err["message"]
