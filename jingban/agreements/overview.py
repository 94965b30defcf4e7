"""The supervisor's read of service agreements (行政监督, R§47 (四)): every institution with its
agreements, the breach measures taken and the monthly settlements — the figures a supervision
page shows and charts. Read-only; the page logs the view."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements.breaches import rules as breach_rules
from jingban.agreements.breaches import service as breaches
from jingban.agreements.claims import settlement
from jingban.agreements.institutions import rules
from jingban.agreements.institutions.models import Agreement, Institution
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.funds.ledger import service as ledger


def overview(db: Session, actor: Actor) -> dict[str, Any]:
    """Institutions with their agreements, breaches newest first, settlements by month."""
    require(actor, "agreements.read")
    require(actor, "claims.read")
    names = dict(db.execute(select(Institution.id, Institution.name)).all())
    institutions = list(db.scalars(select(Institution).order_by(Institution.id).limit(2000)))
    by_inst: dict[int, list[Agreement]] = defaultdict(list)
    for agreement in db.scalars(select(Agreement).order_by(Agreement.starts_on, Agreement.id)):
        by_inst[agreement.institution_id].append(agreement)
    measures = breaches.breaches(db, actor)
    rows = settlement.settlements(db, actor)
    months: dict[int, dict[str, int]] = defaultdict(lambda: {"claimed": 0, "cut": 0, "fund": 0})
    for row in rows:
        months[row.period]["claimed"] += row.claimed_fen
        months[row.period]["cut"] += row.cut_fen
        months[row.period]["fund"] += row.fund_fen
    return {
        "institutions": [{"row": i, "kind": rules.INSTITUTION_KINDS.get(i.kind, i.kind),
                          "status": rules.STATUSES.get(i.status, i.status),
                          "agreements": by_inst.get(i.id, [])} for i in institutions],
        "agreement_statuses": rules.AGREEMENT_STATUSES,
        "breaches": [{"row": b, "institution": names.get(b.institution_id, ""),
                      "measure": breaches.describe(db, b),
                      "status": breach_rules.STATUSES.get(b.status, b.status),
                      "repaid_fen": breaches.repaid_fen(db, b.id)} for b in measures],
        "settlements": [{"row": s, "institution": names.get(s.institution_id, ""),
                         "fund": ledger.fund_name(s.fund),
                         "status": settlement.STATUSES.get(s.status, s.status)} for s in rows],
        "months": dict(sorted(months.items())),
    }

