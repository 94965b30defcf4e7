"""Complaints for the demo region (issue 12's "Done when"): one real-name report through the
whole clock to a reward, one anonymous report waiting for its screening, and one transferred
to the competent department. The lead calls ``plant`` from ``jingban demo`` with an employer
of the generated population; the demo login for the complaint post is the lead's to add
(role ``complaint_officer``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.db import transactional
from jingban.oversight.complaints import service
from jingban.oversight.complaints.models import Complaint
from jingban.oversight.complaints.schemas import (
    ComplaintIn,
    CounterComplaintIn,
    InvestigationIn,
    NoticeIn,
    OutcomeIn,
    RewardIn,
    ScreeningIn,
)

OFFICER = Actor("demo-complaints", frozenset({"complaint_officer"}), True, "counter")


@dataclass(frozen=True)
class Planted:
    rewarded: str  # complaint numbers
    waiting: str
    transferred: str


@transactional
def plant(db: Session, accused_uscc: str, accused_name: str,
          officer: Actor = OFFICER) -> Planted:
    """One transaction; idempotent: a second call finds the complaints of the first (by their
    request ids)."""
    if (done := _number(db, "demo-rewarded")) is not None:
        return Planted(done, _number(db, "demo-waiting") or "", _number(db, "demo-transferred") or "")
    accused = {"accused_kind": "employer", "accused_ref": accused_uscc, "accused_name": accused_name}
    rewarded = service.receive(db, officer, CounterComplaintIn(
        channel="phone", reporter_name="陈举报", reporter_phone="13900001111", wants_notice=True,
        facts="该单位为部分职工按最低基数申报缴费，实际工资远高于申报基数",
        request_id="demo-rewarded", **accused))
    service.screen(db, officer, rewarded.id,
                   ScreeningIn(screening="accepted", reason="线索具体，属本机构管辖"))
    service.tell_reporter(db, officer, rewarded.id, NoticeIn(channel="sms"))
    service.investigate(db, officer, rewarded.id, InvestigationIn(note="移交稽核岗对该单位缴费基数立案核查"))
    service.conclude(db, officer, rewarded.id, OutcomeIn(
        outcome="confirmed", note="查实少报缴费基数，已责令补缴", confirmed_yuan=Decimal("86400")))
    service.pay_reward(db, officer, rewarded.id, RewardIn(reference="JL-DEMO-0001"))
    waiting = service.receive_public(db, ComplaintIn(
        anonymous=True, facts="该单位招用的外地职工均未参加工伤保险", request_id="demo-waiting",
        **accused))
    moved = service.receive(db, officer, CounterComplaintIn(
        channel="counter", reporter_name="林来访", reporter_phone="13900002222", wants_notice=True,
        accused_kind="institution", accused_name="某定点医药机构", facts="串换药品、虚开诊疗项目",
        request_id="demo-transferred"))
    service.screen(db, officer, moved.id, ScreeningIn(
        screening="transferred", transferred_to="医疗保障行政部门", reason="属医疗保障基金监管事项"))
    service.tell_reporter(db, officer, moved.id, NoticeIn(channel="sms"))
    return Planted(rewarded.number or "", waiting.number or "", moved.number or "")


def _number(db: Session, request_id: str) -> str | None:
    return db.execute(select(Complaint.number).where(Complaint.request_id == request_id)).scalar()
