"""Verifying the audit chain fast, whole or in a range, against its anchor (issue 15 item 3).

The events are streamed in id order (a server-side cursor on PostgreSQL, plain columns, no
ORM objects) and each is hashed once: its id must follow the previous one, its ``prev_hash``
must be the previous event's hash and its own hash must be the SM3 of its fields
(``audit._digest``). A range ``first..last`` starts from the stored hash of event
``first - 1``, whose own content the range before it vouches for; so a chain cut into ranges
and verified range by range (``verify_parallel``, one process each) is verified whole.

A whole-chain run also checks the ``audit_head`` row (the last event and its hash) and, when
an anchor file is configured (core.anchor), that the chain still reaches the anchored event
with the anchored hash: a cut-off tail with ``audit_head`` set back is found there.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, func, select

from jingban.core import anchor as anchoring
from jingban.core.models import AuditEvent, AuditHead

GENESIS = "0" * 64
STREAM_ROWS = 20_000
COLUMNS = (AuditEvent.id, AuditEvent.at, AuditEvent.actor, AuditEvent.channel, AuditEvent.act,
           AuditEvent.subject, AuditEvent.related, AuditEvent.reason, AuditEvent.before,
           AuditEvent.after, AuditEvent.prev_hash, AuditEvent.hash)
_string = json.encoder.encode_basestring  # a JSON string literal, non-ASCII kept (C)
_SM3 = hashlib.new("sm3")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    broken_at: int | None = None
    problem: str = ""
    anchored: int | None = None  # the anchored event the chain was held against


def _at(value: dt.datetime | str) -> str:
    if isinstance(value, str):  # formatted by PostgreSQL already (AT_TEXT)
        return value
    at = value.astimezone(dt.UTC) if value.tzinfo else value
    return at.replace(tzinfo=None).isoformat(timespec="microseconds")


def _text(value: str | None) -> str:
    return "null" if value is None else _string(value)


def digest(row) -> str:
    """SM3 of an event row's fields, exactly as audit._digest hashes the ORM event: the same
    canonical JSON array (every field after the id is a string or null), written directly."""
    body = ",".join([str(row[0]), _string(_at(row[1])), *map(_text, row[2:11])])
    h = _SM3.copy()
    h.update(f"[{body}]".encode())
    return h.hexdigest()


def _columns(conn: Connection) -> tuple:
    """The event's columns; on PostgreSQL the time comes as the UTC text the hash covers
    (parsing timestamps in Python is a third of the time)."""
    if conn.dialect.name != "postgresql":
        return COLUMNS
    at = func.to_char(func.timezone("UTC", AuditEvent.at), 'YYYY-MM-DD"T"HH24:MI:SS.US')
    return (COLUMNS[0], at, *COLUMNS[2:])


def _previous(conn: Connection, first: int) -> str | None:
    if first <= 1:
        return GENESIS
    return conn.execute(select(AuditEvent.hash).where(AuditEvent.id == first - 1)).scalar()


def walk(conn: Connection, first: int = 1, last: int | None = None) -> Verdict:
    """Verify events first..last (last: to the end); the first link that does not hold."""
    first = max(first, 1)
    prev = _previous(conn, first)
    if prev is None:
        return Verdict(False, 0, first - 1, f"事件 {first - 1} 缺失（已被删除），无法从第 {first} 条起校验")
    stmt = select(*_columns(conn)).where(AuditEvent.id >= first)
    if last is not None:
        stmt = stmt.where(AuditEvent.id <= last)
    rows = conn.execute(stmt.order_by(AuditEvent.id),
                        execution_options={"stream_results": True, "yield_per": STREAM_ROWS})
    expected = first
    for row in rows:
        problem = _link_problem(row, expected, prev)
        if problem:
            rows.close()
            return Verdict(False, expected - first, problem[0], problem[1])
        prev, expected = row[11], expected + 1
    if last is not None and expected <= last:
        return Verdict(False, expected - first, expected, f"事件 {expected} 至 {last} 缺失（已被删除）")
    return Verdict(True, expected - first)


def _link_problem(row, expected: int, prev: str) -> tuple[int, str] | None:
    if row[0] != expected:
        return expected, f"事件 {expected} 缺失（已被删除）"
    if row[10] != prev:
        return row[0], f"事件 {row[0]} 与前一事件的链接不符"
    if digest(row) != row[11]:
        return row[0], f"事件 {row[0]} 的内容已被改动"
    return None


def head(conn: Connection) -> tuple[int, str]:
    found = conn.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).first()
    return (int(found[0]), str(found[1])) if found else (0, GENESIS)


def check_ends(conn: Connection, walked: Verdict, seq: int, head_hash: str,
               anchor_file: tuple[Path, str] | None) -> Verdict:
    """After walking events 1..seq (the head read before the walk): the last one carries the
    head's hash, and the chain reaches the anchored event with the anchored hash."""
    stored = _hash_of(conn, seq) if seq else GENESIS
    if stored != head_hash:
        return Verdict(False, walked.checked, seq + 1, f"链尾事件 {seq} 缺失或链头被改动")
    if anchor_file is None:
        return walked
    return _against_anchor(conn, walked, *anchor_file)


def _hash_of(conn: Connection, event_id: int) -> str | None:
    return conn.execute(select(AuditEvent.hash).where(AuditEvent.id == event_id)).scalar()


def _against_anchor(conn: Connection, walked: Verdict, path: Path, secret: str) -> Verdict:
    try:
        anchored = anchoring.read(path, secret)
    except anchoring.AnchorError as exc:
        return Verdict(False, walked.checked, None, str(exc))
    if anchored is None:
        if walked.checked == 0:
            return walked
        return Verdict(False, walked.checked, None,
                       f"链头锚定文件 {path} 缺失（请查明原因；确认链完整后以 "
                       "jingban audit anchor 重新锚定）")
    if anchored.seq > walked.checked:
        return Verdict(False, walked.checked, walked.checked + 1,
                       f"链尾被截断：锚定的链头为第 {anchored.seq} 条（{anchored.at}），"
                       f"现仅存 {walked.checked} 条", anchored.seq)
    if anchored.seq and _hash_of(conn, anchored.seq) != anchored.hash:
        return Verdict(False, walked.checked, anchored.seq,
                       f"事件 {anchored.seq} 与锚定的链头哈希不符", anchored.seq)
    return Verdict(True, walked.checked, anchored=anchored.seq)


def verify(conn: Connection, first: int = 1, last: int | None = None,
           anchor_file: tuple[Path, str] | None = None) -> Verdict:
    """A range, or (first 1, no last) the whole chain up to its head, held to the anchor.
    Events appended while the walk runs lie beyond the head read first and wait for the next."""
    if first > 1 or last is not None:
        return walk(conn, first, last)
    seq, head_hash = head(conn)
    walked = walk(conn, 1, seq)
    return check_ends(conn, walked, seq, head_hash, anchor_file) if walked.ok else walked


# --- in parallel, one process per range ------------------------------------------------------

def _walk_url(url: str, first: int, last: int) -> Verdict:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return walk(conn, first, last)
    finally:
        engine.dispose()


def split(first: int, last: int, jobs: int) -> list[tuple[int, int]]:
    size = max(1, -(-(last - first + 1) // jobs))
    return [(start, min(start + size - 1, last)) for start in range(first, last + 1, size)]


def verify_parallel(url: str, jobs: int, first: int = 1, last: int | None = None,
                    anchor_file: tuple[Path, str] | None = None) -> Verdict:
    """``verify`` with the range cut into ``jobs`` parts walked by as many processes."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            seq, head_hash = head(conn)
            whole = first <= 1 and last is None
            parts = split(max(first, 1), seq if last is None else last, jobs)
            walked = _merge(_walk_all(url, parts))
            if not walked.ok or not whole:
                return walked
            return check_ends(conn, walked, seq, head_hash, anchor_file)
    finally:
        engine.dispose()


def _walk_all(url: str, parts: list[tuple[int, int]]) -> list[Verdict]:
    if not parts:
        return []
    with ProcessPoolExecutor(len(parts)) as pool:
        return list(pool.map(_walk_url, [url] * len(parts), *zip(*parts, strict=True)))


def _merge(verdicts: list[Verdict]) -> Verdict:
    """The parts in order: the first broken one, counting what came before it."""
    checked = 0
    for verdict in verdicts:
        if not verdict.ok:
            return Verdict(False, checked + verdict.checked, verdict.broken_at, verdict.problem)
        checked += verdict.checked
    return Verdict(True, checked)
