"""The agreements' sweep: every signed agreement whose term has ended is marked expired (到期),
and an institution left without a current or later agreement becomes 协议已到期. Set-based: the
ids are found in one query and handled in batches, one transaction each, so a crash loses at
most one batch and a rerun continues (an expired agreement no longer matches)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements.institutions.lifecycle import event, locked
from jingban.agreements.institutions.models import Agreement
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional

BATCH = 200


def ended_ids(db: Session, on: dt.date) -> list[int]:
    return list(db.scalars(select(Agreement.id).where(Agreement.status == "signed",
                                                      Agreement.ends_on < on).order_by(Agreement.id)))


@transactional
def expire(db: Session, actor: Actor, ids: list[int], on: dt.date) -> int:
    """Mark these agreements expired (those still signed and ended before ``on``)."""
    done = 0
    for agreement_id in ids:
        row = db.execute(select(Agreement).where(Agreement.id == agreement_id)
                         .with_for_update()).scalar()
        if row is None or row.status != "signed" or row.ends_on >= on:
            continue
        inst = locked(db, row.institution_id)
        row.status = "expired"
        later = db.scalar(select(Agreement.id).where(
            Agreement.institution_id == inst.id, Agreement.status == "signed", Agreement.ends_on >= on))
        if later is None and inst.status == "contracted":
            inst.status = "expired"
        event(db, actor, inst, "expire", f"服务协议{row.number}于{row.ends_on}期满",
              f"service_agreement:{row.id}", after=row)
        done += 1
    return done


def sweep(db: Session, actor: Actor, progress: Callable[[int, int], None] | None = None) -> int:
    """Expire every ended agreement; returns how many were expired now (0 on a rerun)."""
    require(actor, "agreements.manage")
    today = clock.today()
    ids = ended_ids(db, today)
    db.rollback()  # end the read before the batches' own transactions
    done = 0
    for start in range(0, len(ids), BATCH):
        done += expire(db, actor, ids[start:start + BATCH], today)
        if progress:
            progress(min(start + BATCH, len(ids)), len(ids))
    return done
