"""Telling someone something: an in-app notice and its SMS in the outbox; the outbox drain.

Any area may call ``notify``; this room knows no area (the recipient is a key: an SSN, a USCC,
an ID number, ``heirs:<ssn>`` or ``agency``).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, NotFound
from jingban.notices.models import Notification, Outbox

# The act codes keep the names they were first recorded under (the audit chain is append-only).
audit.ACT_NAMES.update({"cases.outbox_sent": "短信/邮件已发送", "cases.outbox_failed": "短信/邮件发送失败"})


def notify(db: Session, recipient: str, kind: str, message: str, *, phone: str = "",
           case_id: int | None = None, sms_body: str | None = None) -> Notification:
    """An in-app notice (with or without a case) and, given a phone, its SMS in the outbox;
    ``sms_body`` when the SMS must say more than the portal shows (a one-time code)."""
    note = Notification(case_id=case_id, recipient=recipient, kind=kind, message=message)
    db.add(note)
    db.flush()
    if phone:
        db.add(Outbox(notification_id=note.id, channel="sms", address=phone,
                      body=sms_body or message))
        db.flush()
    return note


def pending_outbox(db: Session, actor: Actor, limit: int = 100) -> list[Outbox]:
    """Messages for an SMS or mail adapter; rows another drainer holds are skipped."""
    require(actor, "outbox.drain")
    stmt = (select(Outbox).where(Outbox.sent_at.is_(None)).order_by(Outbox.id).limit(limit)
            .with_for_update(skip_locked=True))
    return list(db.execute(stmt).scalars())


@transactional
def mark_sent(db: Session, actor: Actor, outbox_id: int, delivered: bool) -> Outbox:
    """The adapter reports one attempt; a delivered message is never handed out again."""
    require(actor, "outbox.drain")
    row = db.execute(select(Outbox).where(Outbox.id == outbox_id).with_for_update()).scalar()
    if row is None:
        raise NotFound("outbox.not_found", f"未找到待发消息 {outbox_id}", "outbox_id")
    if row.sent_at is not None:
        raise Conflict("outbox.sent", "该消息已发送", "outbox_id")
    row.attempts += 1
    if delivered:
        row.sent_at = clock.now()
    audit.record(db, actor, "cases.outbox_sent" if delivered else "cases.outbox_failed",
                 f"outbox:{row.id}", after={"attempts": row.attempts, "delivered": delivered})
    return row
