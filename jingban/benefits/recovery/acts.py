"""Recovery's act for the case engine: an offset from the individual account (R§46)."""

from __future__ import annotations

from jingban.benefits.recovery import schemas, service
from jingban.cases.acts import Act
from jingban.registration.service import person_subject

ACTS = (
    Act("benefits.account_offset", "ssn", schemas.AccountOffsetCaseIn, service.account_offset,
        person_subject),
)
