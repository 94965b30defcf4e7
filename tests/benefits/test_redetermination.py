"""Re-determination after an objection (D§18) settles the months already paid: an increase is
back-paid once per month as an ``adjustment`` payment of the new award, a decrease is ordered
back and recovered by the payroll's deductions. Hand-computed on the 1964 man of
test_claims (2226.94 a month: basic 1226.94 + account 139,000.00 / 139 = 1000.00)."""

import datetime as dt

from sqlalchemy import select

from jingban.benefits.common import rules
from jingban.benefits.common.models import Award, Payment
from jingban.benefits.pension.service import breakdown_of
from jingban.benefits.recovery import service as recovery
from jingban.benefits.recovery.models import Debt, DebtEntry
from jingban.core import clock
from jingban.notices.models import Notification
from jingban.records.models import AccountEntry
from tests.benefits.pension_helpers import API, approve_all, claim
from tests.benefits.stop_helpers import CLERK
from tests.benefits.test_claims import _man_1964, _next_period, _staff


def _account(sessions, amount: int) -> None:
    """A correction of the individual account found on objection (fen, signed)."""
    with sessions() as s:
        person_id = s.execute(select(Award.person_id)).scalars().first()
        s.add(AccountEntry(person_id=person_id, scheme="pension_enterprise", year=2024,
                           kind="contribution", amount=amount, posted_on=dt.date(2024, 12, 31)))
        s.commit()


def _redetermine(client, clerk, reviewers, ssn, reason="转入的个人账户储存额未计入"):
    body = {"item": "BEN-PENSION-REDETERMINE", "materials": ["objection_evidence"],
            "payload": {"ssn": ssn, "reason": reason}}
    reply = client.post(f"{API}/cases", json=body, headers=clerk)
    assert reply.status_code == 201, reply.text
    assert reply.json()["remaining_wd"] == 10 and reply.json()["levels_required"] == 3
    return approve_all(client, reply.json(), reviewers)


def _pay(client, login, period):
    reply = client.post(f"{API}/benefits/payroll/{period}", headers=login("accountant"))
    assert reply.status_code == 200, reply.text
    return reply.json()


def _on(period: int) -> dt.date:
    return dt.date(period // 100, period % 100, 5)


def test_increase_back_pays_the_paid_month_once(client, login, sessions, db, monkeypatch):
    clerk, reviewers = _staff(login)
    ssn = _man_1964(sessions)
    approve_all(client, claim(client, clerk, ssn).json(), reviewers[:2])
    first = _next_period()
    assert _pay(client, login, first)["payments"] == 1
    # The objection brings a transfer-in credit of 13,900.00 the account lacked:
    # account part (139,000 + 13,900) / 139 = 1100.00; total 2326.94, 100.00 more a month.
    _account(sessions, 1_390_000)
    _redetermine(client, clerk, reviewers, ssn)
    db.rollback()
    old, new = db.execute(select(Award).order_by(Award.id)).scalars().all()
    assert (old.status, old.last_period) == ("replaced", first)
    assert (new.status, new.replaces_id, new.monthly_amount) == ("active", old.id, 232694)
    assert new.start_period == rules.next_period(first)
    paid = [(p.award_id, p.period, p.kind, p.gross, p.net)
            for p in db.execute(select(Payment).order_by(Payment.id)).scalars()]
    assert paid == [(old.id, first, "regular", 222694, 222694),
                    (new.id, first, "adjustment", 10000, 10000)]
    breakdown = next(line for line in breakdown_of(new)["lines"] if line["label"] == "原核定月待遇")
    assert "补发差额100.00元" in breakdown["note"] and "多发差额0.00元" in breakdown["note"]
    assert db.execute(select(Debt)).first() is None

    # The next month pays the new amount once, nothing more under the old award, and sends
    # the pending 100.00 adjustment with it (in its bank file: a BC line for the first month).
    assert db.execute(select(Payment.run_id).where(Payment.kind == "adjustment")).scalar_one() is None
    monkeypatch.setattr(clock, "today", lambda: _on(first))
    summary = _pay(client, login, new.start_period)
    assert (summary["payments"], summary["gross"]) == (2, "2426.94")
    assert {k["kind"]: k["net"] for k in summary["kinds"]} == {"regular": "2326.94",
                                                               "adjustment": "100.00"}

    # A second re-determination on the same facts finds nothing left to settle.
    _redetermine(client, clerk, reviewers, ssn, "复核：金额无误")
    db.rollback()
    third = db.execute(select(Award).where(Award.status == "active")).scalar_one()
    assert third.monthly_amount == 232694 and third.replaces_id == new.id
    kinds = db.execute(select(Payment.kind)).scalars().all()
    assert sorted(kinds) == ["adjustment", "regular", "regular"]
    assert db.execute(select(Debt)).first() is None


def test_decrease_is_ordered_back_and_deducted(client, login, sessions, db, monkeypatch):
    clerk, reviewers = _staff(login)
    ssn = _man_1964(sessions)
    approve_all(client, claim(client, clerk, ssn).json(), reviewers[:2])
    first = _next_period()
    _pay(client, login, first)
    second = rules.next_period(first)
    monkeypatch.setattr(clock, "today", lambda: _on(first))
    _pay(client, login, second)
    # 13,900.00 of the account had been credited twice: (139,000 − 13,900) / 139 = 900.00,
    # total 2126.94, 100.00 less a month; two months paid: 200.00 ordered back.
    _account(sessions, -1_390_000)
    _redetermine(client, clerk, reviewers, ssn, "个人账户储存额重复记账")
    db.rollback()
    new = db.execute(select(Award).where(Award.status == "active")).scalar_one()
    assert new.monthly_amount == 212694
    debt = db.execute(select(Debt)).scalar_one()
    assert (debt.award_id, debt.principal, debt.first_period, debt.last_period, debt.status) == \
        (new.id, 20000, first, second, "open")
    assert debt.source_ref == f"redetermination:{new.id}" and "重新核定后多发待遇差额" in debt.reason
    assert db.execute(select(Payment.kind).where(Payment.kind == "adjustment")).first() is None
    notice = db.execute(select(Notification.message).where(Notification.recipient == ssn,
                                                            Notification.kind == "recovery")).scalar_one()
    assert "200.00" in notice

    # The new award's first month: 2126.94, cap 50 % = 1063.47 > 200.00: taken whole, settled.
    monkeypatch.setattr(clock, "today", lambda: _on(second))
    summary = _pay(client, login, new.start_period)
    assert (summary["gross"], summary["deductions"], summary["net"]) == ("2126.94", "200.00", "1926.94")
    db.rollback()
    assert db.get(Debt, debt.id).status == "settled"
    assert [(e.kind, e.amount) for e in db.execute(
        select(DebtEntry).order_by(DebtEntry.id)).scalars()] == [("order", 20000), ("deduction", -20000)]
    with sessions() as s:
        assert recovery.ledger(s, CLERK, ssn)["balance"] == 0

