"""The anchored chain head (链头锚定, GB/T 22239-2019 8.1.4.3 audit integrity; issue 15 item 3).

The chain alone cannot show that its tail was cut off: whoever deletes the last events and
sets ``audit_head`` back leaves a shorter chain that verifies. So the head is also written,
after every commit that appended events, to a file outside the database, signed with an
HMAC-SM3 keyed by the secret key (``JINGBAN_SECRET_KEY`` / var/secret.key):

    {"seq": 1234, "hash": "<sm3 of event 1234>", "at": "...", "mac": "<hmac-sm3>"}

``jingban audit verify`` then requires the chain to reach at least ``seq`` and event ``seq``
to carry that hash. The file only moves forward (a slower writer never puts it back) and is
replaced atomically under a file lock. A crash between the commit and the write leaves the
anchor behind the chain, which is harmless; only a chain shorter than the anchor is an alarm.
``jingban audit anchor`` writes it by hand, ``jingban restore`` sets it to a restored head.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.orm import Session

PURPOSE = b"jingban-audit-anchor-v1"
INFO_KEY = "audit_anchor"  # session.info: (path, secret) where the anchor is kept
PENDING = "audit_pending_head"  # session.info: events were appended in the open transaction
HEAD_SQL = text("SELECT seq, hash FROM audit_head WHERE id = 1")


@dataclass(frozen=True)
class Anchor:
    seq: int
    hash: str
    at: str
    mac: str


class AnchorError(Exception):
    """The anchor file exists but is not one this key signed (edited, or another key)."""


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode("utf-8"), PURPOSE, "sm3").digest()


def _mac(secret: str, seq: int, head_hash: str, at: str) -> str:
    message = json.dumps([seq, head_hash, at], separators=(",", ":")).encode("utf-8")
    return hmac.new(_key(secret), message, "sm3").hexdigest()


def read(path: Path, secret: str) -> Anchor | None:
    """The signed head in ``path``; None when there is no file; AnchorError when forged."""
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        found = Anchor(int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["mac"]))
    except (ValueError, KeyError, TypeError) as exc:
        raise AnchorError(f"链头锚定文件 {path} 格式不正确") from exc
    if not hmac.compare_digest(found.mac, _mac(secret, found.seq, found.hash, found.at)):
        raise AnchorError(f"链头锚定文件 {path} 的签名不符（文件被改动或密钥不符）")
    return found


def write(path: Path, secret: str, seq: int, head_hash: str, *, force: bool = False) -> bool:
    """Sign and store the head; unless ``force``, only when it is ahead of the stored one.
    True when the file was written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not force:
            try:
                current = read(path, secret)
            except AnchorError:
                current = None  # a forged file is replaced by the true head, and verify said so
            if current is not None and current.seq >= seq:
                return False
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        body = {"seq": seq, "hash": head_hash, "at": at, "mac": _mac(secret, seq, head_hash, at)}
        temporary = path.with_name(path.name + f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(body, ensure_ascii=False) + "\n", encoding="utf-8")
        temporary.chmod(0o600)
        os.replace(temporary, path)
        return True


def fingerprint(anchor: Anchor) -> str:
    """A short line an operator can copy into a logbook or a daily report."""
    short = hashlib.new("sm3", f"{anchor.seq}:{anchor.hash}".encode()).hexdigest()[:16]
    return f"审计链头 第 {anchor.seq} 条 {anchor.hash[:16]}… 锚定于 {anchor.at}（指纹 {short}）"


def note_append(db: Session) -> None:
    """Called by audit.record: anchor the head once this transaction commits."""
    if INFO_KEY in db.info:
        db.info[PENDING] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Anchor the committed head, read back on a connection of its own: what a rolled-back
    savepoint appended is not in it, and a later writer's head is committed too. (A released
    savepoint fires this event too: the outer transaction is still open then.)"""
    if session.in_nested_transaction():
        return
    pending = session.info.pop(PENDING, None)
    where = session.info.get(INFO_KEY)
    if pending and where:
        with session.get_bind().connect() as conn:
            head = conn.execute(HEAD_SQL).first()
        if head is not None:
            write(where[0], where[1], int(head[0]), str(head[1]))


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction: nothing was kept
        session.info.pop(PENDING, None)
