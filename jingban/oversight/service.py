"""Oversight acts: credit records (R§45). The serious-dishonesty list (严重失信主体名单) with its
criteria, notice, objection and removal builds on these records later."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import InvalidInput
from jingban.oversight import rules
from jingban.oversight.models import CreditEvent, CreditRecord
from jingban.oversight.schemas import CreditIn

audit.ACT_NAMES["oversight.record_credit"] = "记录失信行为"


def credit_subject(kind: str, key: str) -> str:
    return f"credit:{kind}:{key}"


@transactional
def record_credit(db: Session, actor: Actor, data: CreditIn) -> CreditRecord:
    """如实记录失信行为 (R§45 第二款). The same act from the same source is recorded once."""
    require(actor, "oversight.record")
    return write_credit(db, actor, data)


def write_credit(db: Session, actor: Actor, data: CreditIn) -> CreditRecord:
    """The record itself, inside the caller's act (whose permission the caller checked): a
    fraud penalty decided by its case's final reviewer records the fraud (R§45, D§43(二))."""
    if data.act not in rules.CREDIT_ACTS:
        raise InvalidInput("credit.act", f"未知的失信行为代码：{data.act}", "act")
    key = data.subject_key.upper()
    earlier = db.execute(select(CreditRecord).where(CreditRecord.act == data.act,
                                                    CreditRecord.source_ref == data.source_ref)
                         ).scalar()
    if earlier is not None:
        return earlier
    name, basis = rules.CREDIT_ACTS[data.act]
    row = CreditRecord(subject_kind=data.subject_kind, subject_key=key,
                       subject_name=data.subject_name, act=data.act,
                       description=data.description, basis=basis, source_ref=data.source_ref,
                       recorded_on=clock.today(), recorded_by=actor.username, status="recorded")
    db.add(row)
    db.flush()
    audit.record(db, actor, "oversight.record_credit", credit_subject(data.subject_kind, key),
                 after=snapshot(row), reason=name)
    return row


def credits(db: Session, actor: Actor, subject_kind: str | None = None,
            subject_key: str | None = None, limit: int = 100) -> list[CreditRecord]:
    """Credit records, newest first, optionally of one subject."""
    require(actor, "oversight.read")
    stmt = select(CreditRecord)
    if subject_kind:
        stmt = stmt.where(CreditRecord.subject_kind == subject_kind)
    if subject_key:
        stmt = stmt.where(CreditRecord.subject_key == subject_key.strip().upper())
    stmt = stmt.order_by(CreditRecord.id.desc()).limit(max(1, min(limit, 500)))
    return list(db.execute(stmt).scalars())


def act_name(code: str) -> str:
    return rules.CREDIT_ACTS.get(code, (code, ""))[0]


# --- the credit history (信用档案) ---------------------------------------------------------------

def record_step(db: Session, actor: Actor, kind: str, key: str, step: str, note: str,
                ref: str) -> CreditEvent:
    """One step of a subject's credit history, inside the caller's act (its audit is the act's)."""
    row = CreditEvent(subject_kind=kind, subject_key=key.strip().upper(), step=step, note=note,
                      ref=ref, on_date=clock.today(), by=actor.username)
    db.add(row)
    db.flush()
    return row


def credit_history(db: Session, actor: Actor, kind: str, key: str) -> list[dict]:
    """Every credit record and every credit step of one subject, oldest first."""
    require(actor, "oversight.read")
    return history_lines(db, kind, key)


def history_lines(db: Session, kind: str, key: str) -> list[dict]:
    """The credit history itself, for a caller that has checked who may read it (the subject
    on its portal reads its own)."""
    key = key.strip().upper()
    records = db.execute(select(CreditRecord).where(CreditRecord.subject_kind == kind,
                                                    CreditRecord.subject_key == key)).scalars()
    events = db.execute(select(CreditEvent).where(CreditEvent.subject_kind == kind,
                                                  CreditEvent.subject_key == key)).scalars()
    lines = [{"on": r.recorded_on, "at": r.created_at, "step": "credit_record",
              "name": f"记录失信行为：{act_name(r.act)}", "note": r.description, "by": r.recorded_by,
              "ref": r.source_ref} for r in records]
    lines += [{"on": e.on_date, "at": e.created_at, "step": e.step,
               "name": rules.HISTORY_STEPS.get(e.step, e.step), "note": e.note, "by": e.by,
               "ref": e.ref} for e in events]
    return sorted(lines, key=lambda line: (line["on"], line["at"]))
