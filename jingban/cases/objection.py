"""The engine's own act: an objection (异议, D§18, R§52) to a refused case.

Upheld, it reopens the refused case and runs that case's act after all.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from jingban.cases import service
from jingban.cases.acts import Act
from jingban.core.actor import Actor


class ObjectionRequest(BaseModel):
    """异议: the applicant disputes a refusal; upheld, the original item is done after all."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    case_number: str = Field(min_length=1, max_length=24, description="被异议的业务件号")
    reason: str = Field(min_length=1, max_length=500, description="异议理由")


def _uphold(db: Session, actor: Actor, _key, data: ObjectionRequest):
    return service.uphold_objection(db, actor, data.case_number, data.reason)


def _applicant(db: Session, data: ObjectionRequest):
    parent = service.by_number(db, data.case_number)
    return parent.subject, parent.applicant_key, parent.applicant_name


ACTS = (
    Act("cases.objection", None, ObjectionRequest, _uphold, lambda parent: parent.subject,
        _applicant),
)
