"""Pension acts for the case engine: determination and re-determination (BEN-PENSION…)."""

from __future__ import annotations

from jingban.benefits.common.acts import about_person
from jingban.benefits.pension import schemas, service
from jingban.cases.acts import Act

ACTS = (
    Act("benefits.determine_pension", "ssn", schemas.PensionClaim, service.determine_pension,
        about_person),
    Act("benefits.redetermine_pension", "ssn", schemas.Redetermination,
        service.redetermine_pension, about_person),
)
