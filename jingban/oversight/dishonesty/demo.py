"""Demo planting for the serious-dishonesty list (issue 12's "Done when"): one subject listed
18 months ago, objected (dismissed) and removed by credit repair once it had repaid (the
36-month period cannot have run out since the rules came into force on 2023-12-01 in a
2026 demo); one listed now, on the
public page, with an objection waiting for review; both through the real acts and cases, the
clock moved back to when each step happened. The caller (jingban.demo) passes two registered
persons' SSNs; nothing else is read."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from jingban.cases import service as cases
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.oversight import service as oversight
from jingban.oversight.dishonesty import rules, service
from jingban.oversight.dishonesty.models import DishonestyListing
from jingban.oversight.dishonesty.schemas import ProposalIn, StatementIn
from jingban.oversight.schemas import CreditIn

# The demo's staff (jingban.cli DEMO_USERS names them so).
INSPECTOR = Actor("inspector", frozenset({"inspector"}), False, "counter")
CLERK = Actor("clerk", frozenset({"clerk"}), False, "counter")
REVIEWERS = ((1, Actor("reviewer_1", frozenset({"reviewer_1"}), False, "counter")),
             (2, Actor("reviewer_2", frozenset({"reviewer_2"}), False, "counter")))
MONTHS_AGO = 18


@dataclass
class Planted:
    removed: int  # listed, objected (dismissed), removed by credit repair
    listed: int  # on the public page, its objection in review
    objection_case: int


def plant(db: Session, removed_ssn: str, listed_ssn: str) -> Planted:
    """Both lives, each act on the day it happened; the clock is today again afterwards."""
    today = clock.today()
    start = rules.add_months(today, -MONTHS_AGO)
    first = _listed(db, removed_ssn, start)
    with clock.travel(first.listed_on + dt.timedelta(days=10)):
        objection = service.file_objection(db, CLERK, first.id, "认为欠款已部分退回，数额有误")
        cases.decide(db, REVIEWERS[0][1], objection.id, 1, "reject", "经核对欠款数额无误，异议不成立")
    with clock.travel(first.repair_from):
        repair = service.apply_repair(db, CLERK, first.id, "已全额退回多领待遇", ["correction_proof"])
        for level, reviewer in REVIEWERS:
            cases.decide(db, reviewer, repair.id, level, "approve", "已纠正失信行为，同意修复")
    second = _listed(db, listed_ssn, today - dt.timedelta(days=30))
    pending = service.file_objection(db, CLERK, second.id, "本人未收到责令退回通知")
    return Planted(first.id, second.id, pending.id)


def _listed(db: Session, ssn: str, day: dt.date) -> DishonestyListing:
    with clock.travel(day):
        for n, act in enumerate(("overpayment_refused", "overpayment_agreement_breach")):
            oversight.record_credit(db, CLERK, CreditIn(
                subject_kind="person", subject_key=ssn, act=act, source_ref=f"demo:{ssn}:{n}",
                description="多领待遇经责令退回、签订还款协议后仍未履约"))
        listing = service.propose(db, INSPECTOR, ProposalIn(
            subject_kind="person", subject_key=ssn, reason="多领待遇拒不退回且还款协议违约"))
        noticed = service.serve_notice(db, INSPECTOR, listing.id)
        service.record_statement(db, CLERK, listing.id, StatementIn(text="家庭困难，请求从轻处理"))
    with clock.travel(noticed.statement_due + dt.timedelta(days=1)):
        case = service.submit_decision(db, INSPECTOR, listing.id, "陈述申辩理由不足以免除列入")
        for level, reviewer in REVIEWERS:
            cases.decide(db, reviewer, case.id, level, "approve", "同意列入")
    db.refresh(listing)
    return listing
