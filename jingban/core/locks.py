"""One writer at a time for one thing (issue 15 item 5): a lock held to the end of the
transaction, taken as its first statement.

PostgreSQL: ``pg_advisory_xact_lock`` on a 64-bit key derived from the name — a second
transaction asking for the same name waits until the first commits or rolls back, and its
next statement sees what the first wrote (READ COMMITTED). SQLite has one writer per file
anyway; a write as the transaction's first statement takes the file's write lock at once (and
waits for it up to busy_timeout), so the transaction never holds a snapshot that a concurrent
writer makes stale (which SQLite refuses at the first write with "database is locked").

Used where a check-then-write must not interleave: the same collector file imported twice
(records), one month's payroll run twice (benefits.payroll), one inbound transfer message
posted twice and the outbox claimed by two deliverers (transfers).
"""

from __future__ import annotations

import hashlib

from sqlalchemy import text
from sqlalchemy.orm import Session


def key_of(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


def serialize(db: Session, name: str) -> None:
    if db.get_bind().dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key_of(name)})
    else:
        db.execute(text("UPDATE audit_head SET seq = seq WHERE id = 0"))  # no row: the lock only
