"""What the printed benefit decisions share: the award looked up for its reader (staff with the
read logged, or the person his own) and the routes against it (R§52, periods from policy)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award
from jingban.cases.service import remedies
from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import NotFound
from jingban.registration.models import Person
from jingban.registration.service import person_subject

__all__ = ["award_for", "remedies"]


def award_for(db: Session, actor: Actor, award_id: int, kind: str, *, code: str, name: str,
              view: str) -> tuple[Award, Person]:
    """The award of ``kind`` a decision prints, with its person; ``code`` and ``name`` word the
    not-found error, ``view`` names the logged read of a staff reader."""
    award = db.get(Award, award_id) if 0 < award_id <= 2**31 - 1 else None
    if award is None or award.kind != kind:
        raise NotFound(code, f"未找到{name} {award_id}", "award_id")
    person = db.get(Person, award.person_id)
    if actor.subject != person_subject(person):
        require(actor, "benefits.read")
        audit.log_access(db, actor, person_subject(person), view)
    return award, person
