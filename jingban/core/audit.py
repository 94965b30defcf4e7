"""The audit chain: every data-changing act appends an event linked by SM3 hash (R§38, R§53).

Each event's hash covers its sequence number, time, actor, act, subject, reason, the full
before/after snapshots and the previous event's hash. Editing or deleting any event breaks
the chain at that point; ``verify`` finds the first broken link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from jingban.core import anchor, chain
from jingban.core.actor import Actor
from jingban.core.clock import now
from jingban.core.db import retry_busy
from jingban.core.models import AccessLog, AuditEvent, AuditHead

GENESIS = "0" * 64
HEAD_ID = 1


def canonical(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def sm3(text: str) -> str:
    return hashlib.new("sm3", text.encode("utf-8")).hexdigest()


def _digest(event: AuditEvent) -> str:
    at = event.at.astimezone(dt.UTC) if event.at.tzinfo else event.at
    at = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    fields = [event.id, at, event.actor, event.channel, event.act, event.subject,
              event.related, event.reason, event.before, event.after, event.prev_hash]
    return sm3(canonical(fields))


def record(db: Session, actor: Actor, act: str, subject: str, *, before: Any = None,
           after: Any = None, reason: str = "", related: str | None = None) -> AuditEvent:
    """Append one event inside the caller's transaction."""
    head = db.execute(select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()).scalar()
    if head is None:
        head = AuditHead(id=HEAD_ID, seq=0, hash=GENESIS)
        db.add(head)
    event = AuditEvent(
        id=head.seq + 1, at=now(), actor=actor.username, channel=actor.channel, act=act,
        subject=subject, related=related, reason=reason or "",
        before=canonical(before), after=canonical(after), prev_hash=head.hash,
    )
    event.hash = _digest(event)
    head.seq, head.hash = event.id, event.hash
    db.add(event)
    db.flush()
    anchor.note_append(db)
    return event


Verdict = chain.Verdict


def verify(db: Session, first: int = 1, last: int | None = None) -> Verdict:
    """The whole chain (with its head and, when the session has one, its anchor) or a range
    first..last: the first link that does not hold (core.chain streams and hashes)."""
    anchor_file = db.info.get(anchor.INFO_KEY)
    return chain.verify(db.connection(), first, last, anchor_file)


def history(db: Session, subject: str) -> list[AuditEvent]:
    """Every event about a subject (as subject or as related party), oldest first."""
    stmt = select(AuditEvent).where(or_(AuditEvent.subject == subject,
                                        AuditEvent.related == subject))
    return list(db.execute(stmt.order_by(AuditEvent.id)).scalars())


def log_access(db: Session, actor: Actor, subject: str, view: str) -> None:
    """查询留痕: record that staff looked at a person's record; inside an act it is committed
    with the act, otherwise at once."""
    row = dict(actor=actor.username, subject=subject, view=view)
    if db.info.get("in_act"):
        db.add(AccessLog(**row))
        return
    # Outside an act the read before it may hold an old SQLite snapshot: retried when busy.
    retry_busy(db, lambda: (db.add(AccessLog(**row)), db.commit()))


ACT_NAMES: dict[str, str] = {
    "auth.create_user": "新增用户",
    "auth.set_roles": "调整用户角色",
}


def load(text: str) -> Any:
    return json.loads(text) if text else None


def changes(before: Any, after: Any) -> dict[str, list]:
    """Field -> [old, new] for what an event changed (both sides when it created or removed)."""
    before = before if isinstance(before, dict) else {}
    after = after if isinstance(after, dict) else {}
    keys = [k for k in {**before, **after} if k != "id"]
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}
