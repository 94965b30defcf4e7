"""The penalty act for the case engine: the decision (OVS-PENALTY, R§55, R§57), three levels."""

from __future__ import annotations

from jingban.cases.acts import Act
from jingban.oversight.penalties import schemas, service

ACTS = (
    Act("oversight.decide_penalty", None, schemas.DecisionCaseIn, service.decide,
        service.penalty_subject, service.decision_applicant),
)
