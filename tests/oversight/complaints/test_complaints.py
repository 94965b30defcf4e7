"""Complaints and reports (举报投诉, R§51; Z-12(1)): the clock over the 2026 National Day week,
screening refused after the limit without a reason, the notice to a real-name reporter, the
investigation, the outcome and a reward paid once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.core.models import AuditEvent
from jingban.notices.models import Notification, Outbox
from jingban.oversight.complaints import rules, service
from jingban.oversight.complaints.models import Complaint
from jingban.oversight.complaints.schemas import (
    CounterComplaintIn,
    InvestigationIn,
    NoticeIn,
    OutcomeIn,
    RewardIn,
    ScreeningIn,
)
from tests.conftest import citizen_id, uscc

OFFICER = Actor("ts_officer", frozenset({"complaint_officer"}), True, "counter")
CLERK = Actor("clerk1", frozenset({"clerk"}), True, "counter")


def report(**overrides) -> CounterComplaintIn:
    body = {"channel": "phone", "kind": "report", "anonymous": False, "wants_notice": True,
            "reporter_name": "周举报", "reporter_id_number": citizen_id(),
            "reporter_phone": "13911112222", "accused_kind": "employer", "accused_ref": uscc(),
            "accused_name": "杭州某某贸易有限公司", "facts": "该公司未为职工办理参保登记，以现金代替缴费"}
    body.update(overrides)
    return CounterComplaintIn(**body)


def audit_count(db) -> int:
    db.rollback()
    return db.execute(select(func.count()).select_from(AuditEvent)).scalar()


def test_clock_counts_working_days_over_the_national_day_week(sessions):
    """Received on Wed 30 Sep 2026: 1–7 Oct are holidays and Sat 10 Oct a make-up workday, so
    the 5 wd screening limit is Tue 13 Oct and the 10 wd notice limit Tue 20 Oct."""
    with clock.travel("2026-09-30T10:00:00+08:00"), sessions() as db:
        row = service.receive(db, OFFICER, report())
        assert (row.screening_due, row.notice_due) == (dt.date(2026, 10, 13), dt.date(2026, 10, 20))
        assert not row.due_provisional and row.status == "received"
        assert row.number.startswith("TS20260930")
        complaint_id = row.id
    with clock.travel("2026-10-13T16:00:00+08:00"), sessions() as db:
        assert service.overdue(db.get(Complaint, complaint_id), clock.today()) == []
    with clock.travel("2026-10-14T09:00:00+08:00"), sessions() as db:
        assert service.overdue(db.get(Complaint, complaint_id), clock.today()) == ["审查超期"]
        before = audit_count(db)
        with pytest.raises(InvalidInput) as refused:
            service.screen(db, OFFICER, complaint_id, ScreeningIn(screening="accepted"))
        assert refused.value.code == "complaint.late_reason" and refused.value.field == "late_reason"
        assert "2026-10-13" in refused.value.message
        db.rollback()
        row = db.get(Complaint, complaint_id)
        assert (row.status, row.screened_on, len(row.steps)) == ("received", None, 1)
        assert audit_count(db) == before
        row = service.screen(db, OFFICER, complaint_id,
                             ScreeningIn(screening="accepted", late_reason="国庆假期后积压，核实管辖耗时"))
        assert (row.status, row.screened_on, row.steps[-1].on_time) == (
            "accepted", dt.date(2026, 10, 14), False)
        assert "超期原因" in row.steps[-1].note
    with clock.travel("2026-10-20T11:00:00+08:00"), sessions() as db:
        row = service.tell_reporter(db, OFFICER, complaint_id, NoticeIn(channel="sms"))
        assert (row.noticed_on, row.steps[-1].on_time) == (dt.date(2026, 10, 20), True)
        sms = db.execute(select(Outbox)).scalar_one()
        assert sms.address == "13911112222" and "已受理" in sms.body
        with pytest.raises(Conflict):
            service.tell_reporter(db, OFFICER, complaint_id, NoticeIn(channel="sms"))


def test_notice_after_its_limit_needs_a_reason(sessions):
    with clock.travel("2026-09-30"), sessions() as db:
        complaint_id = service.receive(db, OFFICER, report()).id
        service.screen(db, OFFICER, complaint_id, ScreeningIn(screening="accepted"))
    with clock.travel("2026-10-21"), sessions() as db:
        with pytest.raises(InvalidInput) as late:
            service.tell_reporter(db, OFFICER, complaint_id, NoticeIn(channel="paper"))
        assert late.value.code == "complaint.late_reason"
        db.rollback()
        row = service.tell_reporter(db, OFFICER, complaint_id,
                                    NoticeIn(channel="paper", late_reason="举报人电话停机，改寄纸质通知"))
        assert row.steps[-1].on_time is False and row.notice_channel == "paper"


def test_screening_outcomes_need_their_reason_or_department(sessions):
    with sessions() as db:
        first = service.receive(db, OFFICER, report()).id
        with pytest.raises(InvalidInput) as no_reason:
            service.screen(db, OFFICER, first, ScreeningIn(screening="not_accepted"))
        assert no_reason.value.field == "reason"
        db.rollback()
        with pytest.raises(InvalidInput) as nowhere:
            service.screen(db, OFFICER, first, ScreeningIn(screening="transferred"))
        assert nowhere.value.field == "transferred_to"
        db.rollback()
        row = service.screen(db, OFFICER, first, ScreeningIn(
            screening="transferred", transferred_to="杭州市医疗保障局", reason="属医保基金监管事项"))
        assert row.status == "transferred"
        service.tell_reporter(db, OFFICER, first, NoticeIn(channel="paper"))
        told = db.execute(select(Notification)).scalar_one()
        assert "已移送杭州市医疗保障局" in told.message
        assert told.recipient == row.reporter_id_number
        with pytest.raises(Conflict):  # a screened complaint is not screened again
            service.screen(db, OFFICER, first, ScreeningIn(screening="accepted"))
        second = service.receive(db, OFFICER, report()).id
        row = service.screen(db, OFFICER, second, ScreeningIn(screening="not_accepted",
                                                              reason="所反映问题已由法院受理"))
        assert row.status == "not_accepted"
        with pytest.raises(Conflict):  # nothing to investigate
            service.investigate(db, OFFICER, second, InvestigationIn(note="调查"))


def test_anonymous_reports_are_owed_no_notice_and_no_reward(sessions):
    with sessions() as db:
        row = service.receive(db, OFFICER, report(
            anonymous=True, wants_notice=False, reporter_name="", reporter_id_number="",
            reporter_phone=""))
        assert row.notice_due is None and row.reporter_name == ""
        service.screen(db, OFFICER, row.id, ScreeningIn(screening="accepted"))
        with pytest.raises(Conflict) as nobody:
            service.tell_reporter(db, OFFICER, row.id, NoticeIn(channel="paper"))
        assert nobody.value.code == "complaint.no_notice"
        db.rollback()
        service.investigate(db, OFFICER, row.id, InvestigationIn(note="现场核查"))
        service.conclude(db, OFFICER, row.id, OutcomeIn(outcome="confirmed", note="查实",
                                                        confirmed_yuan=Decimal("5000")))
        with pytest.raises(Conflict) as anonymous:
            service.pay_reward(db, OFFICER, row.id, RewardIn(reference="JL-1"))
        assert anonymous.value.code == "complaint.anonymous"
        assert db.execute(select(Notification)).first() is None


def test_through_investigation_to_a_reward_paid_once(sessions):
    with sessions() as db:
        row = service.receive(db, OFFICER, report())
        complaint_id = row.id
        with pytest.raises(Conflict):  # not investigated yet
            service.conclude(db, OFFICER, complaint_id, OutcomeIn(outcome="unfounded", note="无"))
        db.rollback()
        service.screen(db, OFFICER, complaint_id, ScreeningIn(screening="accepted"))
        with pytest.raises(NotFound) as unknown:
            service.investigate(db, OFFICER, complaint_id,
                                InvestigationIn(inspection_case_id=99999, note="核查"))
        assert unknown.value.field == "inspection_case_id"
        db.rollback()
        service.investigate(db, OFFICER, complaint_id, InvestigationIn(note="移交稽核立案核查"))
        with pytest.raises(Conflict) as early:
            service.pay_reward(db, OFFICER, complaint_id, RewardIn(reference="JL-1"))
        assert early.value.code == "complaint.not_confirmed"
        db.rollback()
        row = service.conclude(db, OFFICER, complaint_id, OutcomeIn(
            outcome="confirmed", note="查实少缴社会保险费", confirmed_yuan=Decimal("30000.00")))
        assert (row.status, row.confirmed_fen) == ("concluded", 3_000_000)
        row = service.pay_reward(db, OFFICER, complaint_id, RewardIn(reference="JL-2026-001"))
        assert row.reward_fen == 60_000 and row.reward_paid_on == clock.today()  # 2 % → 600 元
        with pytest.raises(Conflict) as twice:
            service.pay_reward(db, OFFICER, complaint_id, RewardIn(reference="JL-2026-002"))
        assert twice.value.code == "complaint.reward_paid"
        db.rollback()
        assert db.get(Complaint, complaint_id).reward_reference == "JL-2026-001"
        kinds = [n.kind for n in db.execute(select(Notification).order_by(Notification.id)).scalars()]
        assert kinds == ["complaint_concluded", "complaint_reward"]
        actions = [s.action for s in db.get(Complaint, complaint_id).steps]
        assert actions == ["intake", "screen", "investigate", "conclude", "reward"]


def test_reward_rule_rate_minimum_and_cap():
    rate = Decimal("0.02")
    assert rules.reward_fen(3_000_000, rate, 20_000, 10_000_000) == 60_000
    assert rules.reward_fen(0, rate, 20_000, 10_000_000) == 20_000  # confirmed, no fund loss
    assert rules.reward_fen(1_000_000_000, rate, 20_000, 10_000_000) == 10_000_000  # 10 万元 cap
    assert rules.reward_fen(1_234_575, rate, 0, 10_000_000) == 24_692  # 24 691.5 → half up


def test_only_the_complaint_post_takes_and_screens(sessions):
    with sessions() as db:
        with pytest.raises(PermissionDenied):
            service.receive(db, CLERK, report())
        row = service.receive(db, OFFICER, report())
        inspector = Actor("insp", frozenset({"inspector"}), True, "counter")
        with pytest.raises(PermissionDenied):
            service.screen(db, inspector, row.id, ScreeningIn(screening="accepted"))
        assert service.get(db, inspector, row.id).id == row.id


def test_a_limit_past_the_published_calendar_is_provisional_and_redated(sessions, tmp_path):
    """chinesecalendar knows 2026 at the most: a complaint received in 2027 gets a provisional
    limit, counted again when the agency loads that year's calendar (SPEC §13)."""
    with clock.travel("2027-01-28"), sessions() as db:
        row = service.receive(db, OFFICER, report())
        assert row.due_provisional and row.screening_due == dt.date(2027, 2, 4)
        (tmp_path / "calendar").mkdir(exist_ok=True)
        (tmp_path / "calendar" / "2027.yaml").write_text(
            "year: 2027\nreference: 国务院办公厅关于2027年部分节假日安排的通知（测试）\n"
            "holidays: [2027-02-01, 2027-02-02]\nworkdays: []\n", encoding="utf-8")
        from jingban.core import agency
        assert agency.redate_provisional(db, OFFICER)["complaints"] == 1
        db.refresh(row)
        assert row.screening_due == dt.date(2027, 2, 8) and not row.due_provisional
