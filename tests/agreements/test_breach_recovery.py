"""追回 (R§43): money paid back under a decided recovery is booked in the fund's ledger to the
fen — 借 收入户存款，贷 其他收入 — on the day it arrived, never above what was decided; refusals
write nothing (SQLite and PG)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from jingban.agreements.breaches import service
from jingban.agreements.breaches.models import BreachRepayment
from jingban.agreements.breaches.schemas import RepaymentIn
from jingban.agreements.institutions.models import InstitutionEvent
from jingban.core import clock
from jingban.core.errors import Conflict, InvalidInput
from jingban.funds.ledger import rules as ledger_rules
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from tests.agreements.helpers import MANAGER, contracted
from tests.agreements.test_breaches import decided, notice
from tests.conftest import error_of


@pytest.fixture(autouse=True)
def keep_clock():
    saved = clock.today().isoformat()
    yield
    clock.set_clock(saved)


def pay(db, breach_id, amount, **fields):
    return service.record_repayment(db, MANAGER, breach_id, RepaymentIn(
        fund=fields.pop("fund", "medical_employee"), amount=amount,
        reference=fields.pop("reference", "HD20261201"), **fields))


def test_recovered_money_is_booked_to_the_fen(db):
    inst = contracted(db)
    row = decided(db, notice(db, inst, "recover", amount="12345.67"))
    assert row.status == "decided" and row.amount_fen == 1234567
    with pytest.raises(Conflict):  # an urge is not a recovery
        pay(db, decided(db, notice(db, inst, "urge")).id, "1.00")
    first = pay(db, row.id, "10000.00", paid_on=clock.today())
    # 10,000.00 yuan = 1,000,000 fen into the employee-medical fund's income account
    entry = db.get(JournalEntry, first.entry_id)
    assert entry.source == f"agreement-recovery:{first.id}" and entry.fund == "medical_employee"
    assert entry.amount == 1000000 and entry.entry_on == clock.today()
    banks = ledger.banks(db)
    assert sorted((x.account, x.debit, x.credit) for x in entry.lines) == sorted([
        (banks["income"], 1000000, 0), (ledger_rules.OTHER_INCOME, 0, 1000000)])
    # left: 12,345.67 − 10,000.00 = 2,345.67; 2,345.68 is one fen too many
    with pytest.raises(InvalidInput) as caught:
        pay(db, row.id, "2345.68")
    assert caught.value.field == "amount" and "2,345.67" in caught.value.message
    with pytest.raises(InvalidInput) as caught:
        pay(db, row.id, "1.00", paid_on=clock.today() + dt.timedelta(days=1))
    assert caught.value.field == "paid_on"
    last = pay(db, row.id, "2345.67", fund="medical_resident", reference="HD20261202")
    assert db.get(JournalEntry, last.entry_id).amount == 234567
    assert service.repaid_fen(db, row.id) == 1234567
    with pytest.raises(InvalidInput):  # all recovered
        pay(db, row.id, "0.01")
    assert db.scalar(select(func.count()).select_from(BreachRepayment)) == 2
    steps = db.scalars(select(InstitutionEvent.step).where(InstitutionEvent.institution_id == inst.id))
    assert list(steps).count("breach_repayment") == 2


def test_repayment_through_the_api(client, login, db):
    inst = contracted(db)
    row = decided(db, notice(db, inst, "recover", amount="500.00"))
    headers = login("agreement_manager")
    url = f"/api/v1/agreements/breaches/{row.id}/repayments"
    for body, field in (({"fund": "pension_enterprise", "amount": "1.00", "reference": "x"}, "fund"),
                        ({"fund": "injury", "amount": "-1.00", "reference": "x"}, "amount"),
                        ({"fund": "injury", "amount": "abc", "reference": "x"}, "amount"),
                        ({"fund": "injury", "amount": "600.00", "reference": "x"}, "amount"),
                        ({"fund": "injury", "amount": "1.00"}, "reference")):
        err = error_of(client.post(url, json=body, headers=headers))
        assert field in err["field"], err
    assert error_of(client.post("/api/v1/agreements/breaches/999999/repayments", headers=headers,
                                json={"fund": "injury", "amount": "1.00", "reference": "x"}))[
        "code"] == "breach.not_found"
    assert error_of(client.post(url, headers=login("clerk"), json={
        "fund": "injury", "amount": "1.00", "reference": "x"}))["code"]
    db.expire_all()
    assert db.scalar(select(func.count()).select_from(BreachRepayment)) == 0
    made = client.post(url, json={"fund": "injury", "amount": "500.00", "reference": "HD1"},
                       headers=headers)
    assert made.status_code == 201 and made.json()["amount_fen"] == 50000
    assert client.get(url, headers=headers).json()[0]["entry_id"] == made.json()["entry_id"]


def test_the_manager_records_a_repayment_on_the_institution_page(client, make_user, sessions):
    from tests.web.helpers import post, sign_in  # noqa: PLC0415

    with sessions() as db:
        inst = contracted(db)
        row = decided(db, notice(db, inst, "recover", amount="300.00"))
        inst_id, breach_id = inst.id, row.id
    make_user("precmgr", "agreement_manager")
    token = sign_in(client, "precmgr")
    url = f"/agreements/{inst_id}/breaches/{breach_id}/repayment"
    page = client.get(f"/agreements/{inst_id}").text
    assert "登记追回款到账" in page and f'id="repaid-{breach_id}">0.00<' in page
    bad = post(client, url, token, {"fund": "injury", "amount": "300.01", "reference": "HD9"})
    assert bad.status_code == 422 and "尚未追回300.00元" in bad.text
    done = post(client, url, token, {"fund": "injury", "amount": "300.00", "reference": "HD9"})
    assert done.status_code == 200 and "已登记追回款到账 300.00 元" in done.text
    assert f'id="repaid-{breach_id}">300.00<' in done.text and "登记追回款到账</button>" not in done.text
    with sessions() as db:
        entry = db.execute(select(JournalEntry).where(JournalEntry.source.like("agreement-recovery:%"))
                           ).scalar_one()
        assert (entry.fund, entry.amount) == ("injury", 30000)
