"""Verification's act for the case engine: the conclusion of an investigation (R§26)."""

from __future__ import annotations

from jingban.benefits.verification import schemas, service
from jingban.cases.acts import Act
from jingban.registration.service import person_subject

ACTS = (
    Act("benefits.conclude_investigation", "ssn", schemas.InvestigationIn,
        service.conclude_investigation, person_subject),
)
