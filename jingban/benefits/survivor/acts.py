"""Survivor act for the case engine: a dependant's claim (BEN-SURVIVOR), its applicant the
dependant, its subject the deceased."""

from __future__ import annotations

from jingban.benefits.common.acts import about_person
from jingban.benefits.survivor import schemas, service
from jingban.cases.acts import Act

ACTS = (
    Act("benefits.determine_survivor", None, schemas.SurvivorClaim, service.determine_survivor,
        about_person, service.applicant),
)
