"""Maternity acts for the case engine: the maternity allowance (BEN-MATERNITY)."""

from __future__ import annotations

from jingban.benefits.common.acts import about_person
from jingban.benefits.maternity import schemas, service
from jingban.cases.acts import Act

ACTS = (
    Act("benefits.determine_maternity", "ssn", schemas.MaternityClaim, service.determine_allowance,
        about_person),
)
