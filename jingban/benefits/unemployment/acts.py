"""Unemployment acts for the case engine: the claim (BEN-UNEMPLOYMENT) and the
training subsidy (BEN-TRAINING)."""

from __future__ import annotations

from jingban.benefits.common.acts import about_person
from jingban.benefits.unemployment import schemas, service
from jingban.cases.acts import Act

ACTS = (
    Act("benefits.determine_unemployment", "ssn", schemas.UnemploymentClaim,
        service.determine_unemployment, about_person),
    Act("benefits.grant_training_subsidy", "ssn", schemas.TrainingClaim,
        service.grant_training_subsidy, about_person),
)
