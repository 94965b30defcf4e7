"""Inspections (核查, R§42) through their service and the case engine: filing, findings and the
order to correct with a deadline in working days, the correction, and the handover (R§44)
with its printable sheet; plans drawn at random from a seed, reproducibly, or targeted."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from sqlalchemy import select

from jingban.benefits.common.models import Award
from jingban.cases.models import Case
from jingban.core import audit, clock
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.notices.models import Notification
from jingban.oversight.inspections import export, rules, service
from jingban.oversight.inspections.models import Inspection, InspectionPlan
from jingban.oversight.inspections.schemas import ConclusionIn, CorrectionIn, HandoverIn, PlanIn
from tests.oversight.inspections.helpers import (
    BEFORE_HOLIDAY,
    CLERK,
    INSPECTOR,
    approve,
    count,
    employer,
    person,
)

VIOLATION = ConclusionIn(findings="2026年1至6月申报的缴费基数低于职工实际工资，涉及职工12人",
                         violation=True, order_text="按实际工资补报缴费基数并补缴差额")


def filed(db, ref: str, kind: str = "employer", **extra) -> Inspection:
    case = service.open_inspection(db, INSPECTOR, subject_kind=kind, subject_ref=ref,
                                   reason="缴费基数异常", **extra)
    return service.by_case(db, case.id)


def ordered(db, ref: str, data: ConclusionIn = VIOLATION) -> Inspection:
    row = filed(db, ref)
    case = service.submit_conclusion(db, INSPECTOR, row.id, data)
    approve(db, case.id, 2)
    db.refresh(row)
    return row


def test_filing_is_a_case_and_the_same_origin_files_once(db):
    unit = employer(db)
    case = service.open_inspection(db, INSPECTOR, subject_kind="employer", subject_ref=unit.uscc.lower(),
                                   reason="监测疑点：职工人数骤减", origin="hit:12")
    assert (case.item_code, case.status, case.intake_by) == ("OVS-INSPECT", "completed", "insp1")
    row = service.by_case(db, case.id)
    assert case.subject == f"inspection:{row.id}"
    assert (row.subject_ref, row.subject_name, row.status) == (unit.uscc, unit.name, "investigating")
    assert service.out(db, row)["scope"].startswith("社会保险登记和缴费基数")
    again = service.open_inspection(db, INSPECTOR, subject_kind="employer", subject_ref=unit.uscc,
                                    reason="再次", origin="hit:12")
    assert again.id == case.id and count(db, Inspection) == 1
    # the subject is not told that it is being inspected
    assert not db.execute(select(Notification).where(Notification.recipient == unit.uscc)).first()


def test_unknown_subject_is_refused_and_nothing_is_written(db):
    events = count(db, audit.AuditEvent)
    for kind, ref in (("employer", "91330106MA0000000X"), ("person", "330106199001010000"),
                      ("institution", "H33010600001")):
        with pytest.raises(NotFound) as refused:
            service.open_inspection(db, INSPECTOR, subject_kind=kind, subject_ref=ref, reason="核查")
        assert refused.value.code == "inspection.subject_unknown" and refused.value.field == "subject_ref"
    assert (count(db, Case), count(db, Inspection), count(db, audit.AuditEvent)) == (0, 0, events)
    with pytest.raises(InvalidInput):
        service.open_inspection(db, INSPECTOR, subject_kind="bank", subject_ref="X", reason="核查")


def test_only_the_inspector_files_and_acts_run_only_through_their_case(db):
    unit = employer(db)
    with pytest.raises(PermissionDenied):
        service.open_inspection(db, CLERK, subject_kind="employer", subject_ref=unit.uscc, reason="x")
    from jingban.oversight.inspections.schemas import FilingIn

    with pytest.raises(Conflict) as refused:  # not through the case engine
        service.file_inspection(db, INSPECTOR, None, FilingIn(subject_kind="employer",
                                                              subject_ref=unit.uscc, reason="x"))
    assert refused.value.code == "oversight.case_required"


def test_order_to_correct_counts_working_days_over_the_holiday(db):
    unit = employer(db)
    with clock.travel(BEFORE_HOLIDAY):
        row = ordered(db, unit.uscc)
    # 15 wd from Wed 2026-09-23, the day after it first: 24, 28, 29, 30 Sep (25 Sep is the
    # Mid-Autumn Festival), 8, 9 Oct, 10 Oct (a make-up Saturday), 12–16, 19, 20, 21 Oct
    # (1–7 Oct are the National Day holiday) -> the 15th working day is 2026-10-21
    assert (row.status, row.ordered_on, row.correction_wd) == ("ordered", dt.date(2026, 9, 23), 15)
    assert row.correct_by == dt.date(2026, 10, 21) and not row.due_provisional
    notice = db.execute(select(Notification).where(Notification.recipient == unit.uscc)).scalar_one()
    assert "责令改正通知" in notice.message and "2026-10-21" in notice.message
    assert "第四十四条" in notice.message


def test_conclusion_needs_two_levels_and_an_order_text_for_a_violation(db):
    unit = employer(db)
    row = filed(db, unit.uscc)
    with pytest.raises(InvalidInput) as refused:  # refused at intake by the act's dry run
        service.submit_conclusion(db, INSPECTOR, row.id, ConclusionIn(findings="少报基数", violation=True))
    assert refused.value.code == "inspection.order_text"
    assert count(db, Case) == 1 and db.get(Inspection, row.id).conclusion_case_id is None
    case = service.submit_conclusion(db, INSPECTOR, row.id, VIOLATION)
    assert (case.item_code, case.status, case.levels_required) == ("OVS-INSPECT-CONCLUDE", "in_review", 2)
    with pytest.raises(Conflict):
        service.submit_conclusion(db, INSPECTOR, row.id, VIOLATION)
    approve(db, case.id, 1)
    assert db.get(Inspection, row.id).status == "investigating"  # not yet: one level left
    approve_second = service.view(db, INSPECTOR, row.id)["cases"]["conclusion"]
    assert approve_second.levels_done == 1


def test_no_violation_closes_the_inspection(db):
    someone = person(db)
    case = service.open_inspection(db, INSPECTOR, subject_kind="person", subject_ref=someone.ssn,
                                   reason="待遇享受核查")
    row = service.by_case(db, case.id)
    approve(db, service.submit_conclusion(db, INSPECTOR, row.id, ConclusionIn(
        findings="本人健在，符合领取条件", violation=False)).id, 2)
    db.refresh(row)
    assert (row.status, row.violation, row.closed_on) == ("clean", False, clock.today())


def test_correction_in_time_closes_and_handover_is_refused(db):
    unit = employer(db)
    with clock.travel(BEFORE_HOLIDAY):
        row = ordered(db, unit.uscc)
    with clock.travel("2026-10-09"):
        with pytest.raises(Conflict) as early:
            service.submit_handover(db, INSPECTOR, row.id, HandoverIn(department="hrss"))
        assert early.value.code == "inspection.handover_not_due" and "尚未届满" in early.value.message
        service.record_correction(db, INSPECTOR, row.id, CorrectionIn(note="已补报基数并补缴差额"))
    db.refresh(row)
    assert (row.status, row.corrected_on) == ("corrected", dt.date(2026, 10, 9))
    with pytest.raises(Conflict):
        service.record_correction(db, INSPECTOR, row.id, CorrectionIn(note="again"))


def test_not_corrected_by_the_deadline_is_handed_over_with_a_sheet(db, tmp_path):
    unit = employer(db)
    with clock.travel(BEFORE_HOLIDAY):
        row = ordered(db, unit.uscc)
        with pytest.raises(Conflict):
            export.handover_pdf(db, INSPECTOR, row.id)
    with clock.travel("2026-10-22"):  # the day after the deadline
        assert service.out(db, row)["overdue"]
        case = service.submit_handover(db, INSPECTOR, row.id, HandoverIn(department="hrss",
                                                                         note="逾期未改正"))
        assert (case.item_code, case.levels_required) == ("OVS-HANDOVER", 1)
        with pytest.raises(Conflict) as busy:
            service.record_correction(db, INSPECTOR, row.id, CorrectionIn(note="迟到的改正"))
        assert busy.value.code == "inspection.handover_open"
        approve(db, case.id, 1)
        db.refresh(row)
        assert (row.status, row.department, row.handed_over_on) == ("handed_over", "hrss",
                                                                     dt.date(2026, 10, 22))
        assert row.handover_number == rules.handover_number(dt.date(2026, 10, 22), row.id)
        content, name = export.handover_pdf(db, INSPECTOR, row.id)
    assert content.startswith(b"%PDF") and name == f"移交书{row.handover_number}.pdf"
    if shutil.which("pdftotext"):
        path = tmp_path / "sheet.pdf"
        path.write_bytes(content)
        text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                              capture_output=True, text=True).stdout
        for expected in ("移交书", row.handover_number, unit.name, "人力资源社会保障行政部门",
                         "第四十四条", "2026-10-21", "补报缴费基数"):
            assert expected in text, expected
    assert audit.verify(db).ok


def test_refer_hands_over_at_once(db):
    unit = employer(db)
    data = VIOLATION.model_copy(update={"refer": True, "findings": "伪造职工工资表骗取失业保险稳岗返还"})
    row = ordered(db, unit.uscc, data)
    approve(db, service.submit_handover(db, INSPECTOR, row.id, HandoverIn(department="hrss")).id, 1)
    db.refresh(row)
    assert row.status == "handed_over"


def test_correction_period_outside_policy_is_refused(db):
    unit = employer(db)
    row = filed(db, unit.uscc)
    with pytest.raises(InvalidInput) as refused:
        service.submit_conclusion(db, INSPECTOR, row.id,
                                  VIOLATION.model_copy(update={"correction_wd": 61}))
    assert refused.value.code == "inspection.correction_wd" and "60" in refused.value.message


def test_random_plan_is_reproducible_from_its_seed(db):
    units = [employer(db, f"抽查单位{i}") for i in range(12)]
    plan = service.create_plan(db, INSPECTOR, PlanIn(name="2026年第四季度缴费基数随机抽查",
                                                     subject_kind="employer", method="random",
                                                     size=4, seed=20261124, reason="随机抽查"))
    rows = service.inspections(db, INSPECTOR, plan_id=plan.id)
    drawn = sorted(r.subject_ref for r in rows)
    assert (plan.population, plan.size, plan.seed, len(drawn)) == (12, 4, 20261124, 4)
    assert drawn == rules.sample([u.uscc for u in reversed(units)], 4, 20261124)
    assert service.redraw(db, INSPECTOR, plan.id) == drawn
    assert rules.sample([u.uscc for u in units], 4, 7) != drawn or \
        rules.sample([u.uscc for u in units], 4, 8) != drawn  # the seed matters
    unseeded = service.create_plan(db, INSPECTOR, PlanIn(name="自动种子", subject_kind="employer",
                                                         method="random", size=2, reason="抽查"))
    assert unseeded.seed is not None and service.redraw(db, INSPECTOR, unseeded.id) == sorted(
        r.subject_ref for r in service.inspections(db, INSPECTOR, plan_id=unseeded.id))


def test_random_plan_of_persons_draws_from_recipients(db):
    receiving, other = person(db, "领取人"), person(db, "未领取")
    db.add(Award(person_id=receiving.id, kind="pension_enterprise", status="active",
                 start_period=202601, monthly_amount=300000, basic_amount=300000,
                 account_amount=0, decided_on=dt.date(2025, 12, 20), decided_by="t",
                 bank_account="6217000010009876543", payee_name=""))
    db.commit()
    plan = service.create_plan(db, INSPECTOR, PlanIn(name="待遇享受抽查", subject_kind="person",
                                                     method="random", size=5, seed=1, reason="抽查"))
    assert [r.subject_ref for r in service.inspections(db, INSPECTOR, plan_id=plan.id)] == [receiving.ssn]
    assert plan.population == 1 and other.ssn != receiving.ssn


def test_targeted_plan_with_an_unknown_subject_writes_nothing(db):
    unit = employer(db)
    with pytest.raises(NotFound) as refused:
        service.create_plan(db, INSPECTOR, PlanIn(name="定向", subject_kind="employer", method="targeted",
                                                  refs=[unit.uscc, "91330106MA0000000X"], reason="举报线索"))
    assert refused.value.field == "refs.1"
    assert (count(db, InspectionPlan), count(db, Inspection), count(db, Case)) == (0, 0, 0)
    plan = service.create_plan(db, INSPECTOR, PlanIn(name="定向", subject_kind="employer", method="targeted",
                                                     refs=[unit.uscc, unit.uscc.lower()], reason="举报线索"))
    assert (plan.size, plan.seed) == (1, None)
    with pytest.raises(Conflict):
        service.create_plan(db, INSPECTOR, PlanIn(name="机构", subject_kind="institution",
                                                  method="random", size=3, reason="抽查"))
    with pytest.raises(InvalidInput):
        service.create_plan(db, INSPECTOR, PlanIn(name="太多", subject_kind="employer", method="random",
                                                  size=501, reason="抽查"))


def test_ledger_exports_to_excel(db):
    import io

    from openpyxl import load_workbook

    unit = employer(db)
    ordered(db, unit.uscc)
    content, name = export.inspections_xlsx(db, INSPECTOR)
    sheet = load_workbook(io.BytesIO(content)).active
    assert name.endswith(".xlsx") and sheet["A1"].value == "核查编号"
    assert [c.value for c in sheet[2]][3:5] == [unit.uscc, unit.name]
    assert sheet[2][7].value == "已责令改正"
