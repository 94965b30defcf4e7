"""The list's sweep: every listing whose period has ended is removed (期满移出). Set-based:
the expired ids are found in one query and removed in batches, one transaction each, so a
crash loses at most one batch and a rerun continues (a removed listing no longer matches)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.oversight.dishonesty import service

BATCH = 200


def sweep(db: Session, actor: Actor, progress: Callable[[int, int], None] | None = None) -> int:
    """Remove every expired listing; returns how many were removed now (0 on a rerun)."""
    require(actor, "oversight.dishonesty")
    ids = service.expired_ids(db, clock.today())
    db.rollback()  # end the read before the batches' own transactions
    removed = 0
    for start in range(0, len(ids), BATCH):
        removed += service.remove_expired(db, actor, ids[start:start + BATCH])
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return removed
