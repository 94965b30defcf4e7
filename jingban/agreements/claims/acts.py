"""The claims acts for the case engine: the monthly settlement (AGR-CLAIM-SETTLE), prepared by
the accountant and approved at two levels, and the institution's objection to cut lines
(AGR-CLAIM-OBJECTION, the objection of cases/objection.py for a settlement's lines)."""

from __future__ import annotations

from jingban.agreements.claims import schemas, settlement
from jingban.cases.acts import Act

ACTS = (
    Act("agreements.settle_claims", None, schemas.SettleIn, settlement.settle,
        settlement.settle_subject, settlement.settle_applicant),
    Act("agreements.claims_objection", None, schemas.ObjectionIn, settlement.reinstate,
        settlement.settle_subject, settlement.objection_applicant),
)
