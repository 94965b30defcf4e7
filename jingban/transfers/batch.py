"""Delivery of the outbox to the peer agencies: until acknowledged, with exponential backoff.

One pass (``deliver``) claims the due messages, posts each to its peer's inbox with no
transaction open, and records the outcome in its own transaction. Each attempt signs the
message again with a fresh sent_at (same message id and payload), so the peer's freshness
window never refuses a message only because the peer was down for long. ``jingban transfers deliver``
runs passes from the command line; ``jingban serve`` (and ``jingban demo``) runs them in a
background thread every ``JINGBAN_TRANSFER_DELIVERY_INTERVAL`` seconds (default 5; 0 = off).
An agency that was down gets its messages once it answers again, and its own outbox, kept
in its database, goes out when it is back.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from jingban.core import crash
from jingban.core.errors import JingbanError
from jingban.transfers import protocol, service

INBOX_PATH = "/api/v1/transfers/inbox"
TIMEOUT_SECONDS = 10
log = logging.getLogger("jingban.transfers")


def post(url: str, envelope: dict) -> tuple[int | None, dict | None, str]:
    """(HTTP status or None when unreachable, JSON answer, error text)."""
    request = urllib.request.Request(url, data=json.dumps(envelope).encode("utf-8"),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as reply:
            return reply.status, _json(reply.read()), ""
    except urllib.error.HTTPError as exc:
        return exc.code, _json(exc.read()), f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError) as exc:
        return None, None, f"无法连接对方经办机构：{getattr(exc, 'reason', exc)}"


def _json(body: bytes) -> dict | None:
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def deliver(sessions: sessionmaker[Session], limit: int = 50,
            sender: Callable[[str, dict], tuple[int | None, dict | None, str]] = post,
            progress: Callable[[], None] | None = None) -> Counter[str]:
    """One delivery pass; counts of outcomes (acked, refused, rejected, pending = retry)."""
    with sessions() as db:
        claimed = service.due_messages(db, limit)
    counts: Counter[str] = Counter()
    for pk in claimed:
        with sessions() as db:
            envelope, region = service.outgoing(db, pk)
        try:
            url = protocol.agency(region).base_url + INBOX_PATH
            status, answer, error = sender(url, envelope)
        except JingbanError as exc:  # the peer left the directory: keep trying, say why
            status, answer, error = None, None, exc.message
        crash.point("transfers.delivery")  # secops: kill -9 drill, sent, outcome not recorded
        with sessions() as db:
            counts[service.record_delivery(db, pk, status, answer, error).status] += 1
        if progress:
            progress()
    return counts


def deliver_until_idle(sessions: sessionmaker[Session], rounds: int = 20,
                       progress: Callable[[], None] | None = None) -> Counter[str]:
    """Passes until nothing is due now (later retries stay for the next run)."""
    total: Counter[str] = Counter()
    for _ in range(rounds):
        counts = deliver(sessions, progress=progress)
        if not counts:
            break
        total.update(counts)
    return total


def due_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as db:
        return service.due_count(db)


def interval() -> float:
    return float(os.environ.get("JINGBAN_TRANSFER_DELIVERY_INTERVAL", "5"))


def start_loop(sessions: sessionmaker[Session], every: float | None = None) -> threading.Event:
    """The background delivery loop of a serving process; set the returned event to stop it."""
    stop = threading.Event()
    every = interval() if every is None else every
    if every <= 0:
        stop.set()
        return stop

    def run() -> None:
        while not stop.wait(every):
            try:
                deliver(sessions)
            except Exception:  # noqa: BLE001 - the loop must outlive one bad pass; it is logged
                log.exception("转移报文投递出错，稍后重试")

    threading.Thread(target=run, name="transfer-delivery", daemon=True).start()
    return stop
