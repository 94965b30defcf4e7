"""The monthly report equals hand sums of the booked entries (both backends); filing once, a
refiling with its reason, the late flag; the state list; Excel in yuan, PDF in Chinese; the
disclosure of a closed year and its public page and API."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.rules import Line
from jingban.funds.reports import export, service

ACC = Actor("acc", frozenset({"accountant"}), True, "test")
SUP = Actor("sup", frozenset({"supervisor"}), True, "test")
FUND = "pension_enterprise"


def _pay(db, source: str, gross: int, deduction: int = 0) -> None:
    """A payroll run as two vouchers: the fiscal account funds the expenditure account with
    the net, the benefits (gross) are paid from it and the deduction is recovered."""
    net = gross - deduction
    ledger.book(db, ACC, fund=FUND, source=f"{source}:fund", memo="拨付支出户",
                lines=[Line(1004, debit=net), Line(1003, credit=net)])
    lines = [Line(5001, debit=gross), Line(1004, credit=net)]
    ledger.book(db, ACC, fund=FUND, source=source, memo="待遇发放",
                lines=lines + ([Line(4801, credit=deduction)] if deduction else []))


def _books(db):
    """September 2026: contributions 500.00, payroll 100.00. October: contributions 1,000.00,
    payroll 300.00 of which 20.00 recovered by deduction, fiscal interest 5.00, the sweep."""
    with clock.travel("2026-09-10"):
        ledger.book_contribution(db, ACC, FUND, 50000, f"contribution:9:{FUND}", "征收划入")
    with clock.travel("2026-09-15"):
        _pay(db, f"payroll:202609:{FUND}", 10000, 0)
    with clock.travel("2026-10-10"):
        ledger.book_contribution(db, ACC, FUND, 100000, f"contribution:10:{FUND}", "征收划入")
    with clock.travel("2026-10-15"):
        _pay(db, f"payroll:202610:{FUND}", 30000, 2000)
        ledger.book_interest(db, ACC, FUND, "fiscal", 500, "Q3")
    with clock.travel("2026-10-20"):
        ledger.sweep(db, ACC, 202610)


def test_report_equals_hand_sums(db):
    _books(db)
    with clock.travel("2026-11-05"):
        sep = service.monthly_report(db, SUP, FUND, 202609)
        oct_ = service.monthly_report(db, SUP, FUND, 202610)
    assert (sep["income"], sep["expense"], sep["surplus"]) == (50000, 10000, 40000)
    assert sep["balances"] == {"income": 50000, "fiscal": -10000, "expenditure": 0}
    assert sep["reserve"] == sep["accumulated"] == 40000
    assert sep["average_expense"] == 10000 and sep["reserve_months"] == 4.0 and not sep["warning"]
    by_account = {x["account"]: x["amount"] for x in oct_["lines"]}
    assert by_account[4001] == 100000 and by_account[4801] == 2000 and by_account[4301] == 500
    assert by_account[5001] == 30000
    assert (oct_["income"], oct_["expense"], oct_["surplus"]) == (102500, 30000, 72500)
    # the sweep took September's 500.00 and October's 1,000.00 to the fiscal account, which
    # funded the nets (100.00, 280.00: the 20.00 deducted never left) and earned 5.00
    assert oct_["balances"] == {"income": 0, "fiscal": 150000 - 10000 - 28000 + 500,
                                "expenditure": 0}
    assert oct_["reserve"] == oct_["accumulated"] == 50000 + 102500 - 10000 - 30000
    assert oct_["average_expense"] == (10000 + 30000) // 2
    assert oct_["reserve_months"] == 112500 / 20000 and oct_["due_on"] == "2026-11-15"


def test_below_three_months_is_flagged(db):
    with clock.travel("2026-10-10"):
        ledger.book_contribution(db, ACC, FUND, 50000, f"contribution:x:{FUND}", "征收划入")
        _pay(db, f"payroll:x:{FUND}", 30000, 0)
        # a transfer out is spending but not a benefit the reserve is measured against
        ledger.book(db, ACC, fund=FUND, source="transfer:x", memo="转出",
                    lines=[Line(5201, debit=10000), Line(1003, credit=10000)])
    with clock.travel("2026-11-05"):
        report = service.monthly_report(db, ACC, FUND, 202610)
    assert report["expense"] == 40000 and report["average_expense"] == 30000
    assert report["reserve_months"] == 10000 / 30000 and report["warning"]
    assert report["warn_below"] == 3


def test_filing_once_refiling_with_reason_and_late_flag(db):
    _books(db)
    with clock.travel("2026-10-31"), pytest.raises(Conflict) as exc:
        service.file_report(db, ACC, FUND, 202610)
    assert exc.value.code == "funds.report_period_open"
    with clock.travel("2026-11-15"):
        first = service.file_report(db, ACC, FUND, 202610)
    assert (first.version, first.late, str(first.due_on)) == (1, False, "2026-11-15")
    with clock.travel("2026-11-20"):
        with pytest.raises(Conflict) as exc:
            service.file_report(db, ACC, FUND, 202610, "  ")
        assert exc.value.field == "reason" and "已报送" in exc.value.message
        second = service.file_report(db, ACC, FUND, 202610, "更正利息收入")
        late = service.file_report(db, ACC, FUND, 202609)
    assert second.version == 2 and second.late and second.reason == "更正利息收入"
    assert late.late and late.version == 1
    assert service.filed(db, SUP, first.id)["income"] == 102500
    with pytest.raises(NotFound):
        service.filed(db, SUP, first.id, FUND, 202609)  # a version of another month
    with pytest.raises(PermissionDenied):
        service.file_report(db, SUP, FUND, 202608)
    with pytest.raises(InvalidInput):
        service.file_report(db, ACC, "nope", 202610)
    with clock.travel("2026-12-20"):
        states = {(r["fund"], r["period"]): r for r in service.report_list(db, SUP, 2026)}
        pending = service.pending(db, SUP)
    assert states[(FUND, 202610)]["state"] == "filed" and states[(FUND, 202610)]["versions"] == 2
    assert states[(FUND, 202609)]["state"] == "late"
    assert states[(FUND, 202611)]["state"] == "overdue"  # due 2026-12-15
    assert states[(FUND, 202612)]["state"] == "open" and (FUND, 202701) not in states
    assert {(r["fund"], r["period"]) for r in pending} >= {(FUND, 202611), ("injury", 202611)}
    assert all(r["state"] in ("due", "overdue") for r in pending)


def test_due_state_in_january_of_the_next_year(db):
    with clock.travel("2027-01-10"):
        rows = {(r["fund"], r["period"]): r["state"] for r in service.pending(db, SUP)}
    assert rows[(FUND, 202612)] == "due" and rows[(FUND, 202611)] == "overdue"


def test_xlsx_in_yuan(db):
    _books(db)
    with clock.travel("2026-11-05"):
        report = service.monthly_report(db, ACC, FUND, 202610)
    sheet = load_workbook(io.BytesIO(export.report_xlsx(report))).active
    values = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert float(values["收入合计"]) == 1025.00 and float(values["支出合计"]) == 300.00
    assert float(values["社会保险费收入"]) == 1000.00 and float(values["累计结余"]) == 1125.00
    assert sheet.cell(row=2, column=3).number_format == "#,##0.00"


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_pdf_contains_the_chinese_report(db, tmp_path):
    _books(db)
    with clock.travel("2026-11-20"):
        row = service.file_report(db, ACC, FUND, 202610)
        report = service.filed(db, ACC, row.id)
    path = tmp_path / "r.pdf"
    path.write_bytes(export.report_pdf(report))
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    for phrase in ("社会保险基金月报", "企业职工基本养老保险", "1,025.00", "累计结余", "逾期",
                   "财政专户期末余额"):
        assert phrase in text


# --- the disclosure ------------------------------------------------------------------------------

def _enrol(db, insurance: str, start: str, end: str | None = None) -> None:
    import datetime as dt

    from jingban.registration import service as registration
    from jingban.registration.models import Enrollment
    from jingban.registration.schemas import PersonCreate
    from tests.conftest import person_body

    clerk = Actor("clerk", frozenset({"clerk"}), True, "test")
    person = registration.register_person(db, clerk, PersonCreate(**person_body()))
    db.add(Enrollment(person_id=person.id, insurance=insurance, exclusive_key=insurance,
                      start_date=dt.date.fromisoformat(start), status="ended" if end else "active",
                      end_date=dt.date.fromisoformat(end) if end else None))
    db.commit()


def closed_year(db):
    """2025: contributions 800.00 and interest 3.00 in March, payroll 200.00; every month from
    March to December closed; three persons enrolled at the year end, one ended before."""
    with clock.travel("2025-03-10"):
        ledger.book_contribution(db, ACC, FUND, 80000, f"contribution:2025:{FUND}", "征收划入")
        _pay(db, f"payroll:202503:{FUND}", 20000, 0)
        ledger.book_interest(db, ACC, FUND, "fiscal", 300, "2025Q1")
    with clock.travel("2025-03-31"):
        ledger.sweep(db, ACC, 202503)
    with clock.travel("2026-01-05"):
        for period in range(202503, 202513):
            ledger.close_period(db, ACC, FUND, period)
    for start, end in (("2020-01-01", None), ("2025-06-01", None), ("2024-01-01", "2025-12-31"),
                       ("2024-01-01", "2025-06-30"), ("2026-01-01", None)):
        _enrol(db, FUND, start, end)


def test_publish_closed_year_once(db):
    with clock.travel("2025-03-10"):
        ledger.book_contribution(db, ACC, FUND, 100, f"contribution:open:{FUND}", "征收划入")
    with clock.travel("2026-01-05"), pytest.raises(Conflict) as exc:
        service.publish_disclosure(db, ACC, 2025)
    assert "未结账" in exc.value.message and "企业职工基本养老保险" in exc.value.message
    with clock.travel("2026-06-01"), pytest.raises(Conflict):
        service.publish_disclosure(db, ACC, 2026)  # the year has not ended


def test_disclosure_figures_and_public_api(db, client):
    closed_year(db)
    with pytest.raises(NotFound) as exc:
        service.disclosure(db, 2025)
    assert "尚未公开" in exc.value.message
    with clock.travel("2026-01-06"):
        service.publish_disclosure(db, ACC, 2025)
        with pytest.raises(Conflict):
            service.publish_disclosure(db, ACC, 2025)
    shown = {f["fund"]: f for f in service.disclosure(db, 2025)["funds"]}
    mine = shown[FUND]
    assert (mine["participants"], mine["income"], mine["expense"]) == (3, 80300, 20000)
    assert (mine["balance"], mine["returns"]) == (60300, 300)
    assert shown["injury"]["participants"] == 0 and shown["injury"]["income"] == 0
    assert service.disclosed_years(db) == [2025]
    reply = client.get("/api/v1/public/funds/2025")
    assert reply.status_code == 200 and reply.json()["funds"][0]["fund"] == FUND
    assert client.get("/api/v1/public/funds").json() == [2025]
    missing = client.get("/api/v1/public/funds/2024")
    assert missing.status_code == 404 and "尚未公开" in missing.json()["error"]["message"]


def test_api_monthly_file_list_and_downloads(db, client, login):
    _books(db)
    acc, sup = login("accountant"), login("supervisor")
    base = "/api/v1/funds/reports"
    with clock.travel("2026-11-10"):
        shown = client.get(f"{base}/monthly", headers=sup, params={"fund": FUND, "period": 202610})
        assert shown.status_code == 200, shown.text
        assert shown.json()["income"] == 102500 and shown.json()["lines"][0]["class"] == "income"
        assert client.post(base, headers=sup, json={"fund": FUND, "period": 202610}).status_code == 403
        filed = client.post(base, headers=acc, json={"fund": FUND, "period": 202610})
        assert filed.status_code == 201 and filed.json()["late"] is False
        again = client.post(base, headers=acc, json={"fund": FUND, "period": 202610})
        assert again.status_code == 409 and again.json()["error"]["field"] == "reason"
        listed = client.get(base, headers=sup, params={"year": 2026}).json()
        assert {(r["fund"], r["period"], r["state"]) for r in listed} >= {(FUND, 202610, "filed")}
        xlsx = client.get(f"{base}/monthly.xlsx", headers=sup, params={"fund": FUND, "period": 202610})
        assert xlsx.status_code == 200 and xlsx.content.startswith(b"PK")
        pdf = client.get(f"{base}/monthly.pdf", headers=sup,
                         params={"fund": FUND, "period": 202610, "report_id": filed.json()["id"]})
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        bad = client.get(f"{base}/monthly", headers=sup, params={"fund": "x", "period": 202610})
        assert bad.status_code == 422 and bad.json()["error"]["field"] == "fund"
        assert client.get(f"{base}/monthly", params={"fund": FUND, "period": 202610}).status_code == 401
        assert client.post(f"{base}/disclosures/2025/publish", headers=sup).status_code == 403
