"""The service acts catalog items run, with the shape of their payload.

A payload is ``{"ssn"|"uscc": key, ...fields of the act's request model}``. Later areas add
their acts here when they attach them to catalog items.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput
from jingban.core.http import VALIDATION_MESSAGES
from jingban.records import schemas as rec
from jingban.records import service as records
from jingban.registration import schemas as reg
from jingban.registration import service as registration


@dataclass(frozen=True)
class Act:
    key: str | None  # payload field naming the existing subject, or None when the act creates it
    schema: type[BaseModel]
    run: Callable[[Session, Actor, str | None, Any], Any]
    subject: Callable[[Any], str]
    # (subject, applicant key, name) for acts whose applicant is found another way
    applicant: Callable[[Session, Any], tuple[str | None, str, str]] | None = None


def _person(result) -> str:
    return registration.person_subject(result)


def _employer(result) -> str:
    return registration.employer_subject(result)


class ObjectionRequest(BaseModel):
    """异议: the applicant disputes a refusal; upheld, the original item is done after all."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    case_number: str = Field(min_length=1, max_length=24, description="被异议的业务件号")
    reason: str = Field(min_length=1, max_length=500, description="异议理由")


def _uphold(db: Session, actor: Actor, _key, data: ObjectionRequest):
    from jingban.cases import service  # the engine runs this act, and this act reopens a case

    return service.uphold_objection(db, actor, data.case_number, data.reason)


def _objection_applicant(db: Session, data: ObjectionRequest):
    from jingban.cases import service

    parent = service.by_number(db, data.case_number)
    return parent.subject, parent.applicant_key, parent.applicant_name


ACTS: dict[str, Act] = {
    "registration.register_person": Act(
        None, reg.PersonCreate, lambda db, a, _, d: registration.register_person(db, a, d), _person),
    "registration.change_person": Act(
        "ssn", reg.PersonChange, registration.change_person, _person),
    "registration.cancel_person": Act(
        "ssn", reg.PersonCancel, registration.cancel_person, _person),
    "registration.correct_identity": Act(
        "ssn", reg.IdentityCorrection, registration.correct_identity, _person),
    "registration.register_employer": Act(
        None, reg.EmployerCreate, lambda db, a, _, d: registration.register_employer(db, a, d),
        _employer),
    "registration.change_employer": Act(
        "uscc", reg.EmployerChange, registration.change_employer, _employer),
    "registration.cancel_employer": Act(
        "uscc", reg.EmployerCancel, registration.cancel_employer, _employer),
    "records.record_deemed_service": Act(
        "ssn", rec.DeemedServiceCreate, records.record_deemed_service, _person),
    "records.correct_record": Act("ssn", rec.RecordCorrection, records.correct_record, _person),
    "cases.objection": Act(None, ObjectionRequest, _uphold, lambda parent: parent.subject,
                           _objection_applicant),
}


def parse_payload(act: Act, payload: dict) -> tuple[str | None, BaseModel]:
    """The subject key and the validated request model; errors name the payload field."""
    body = dict(payload or {})
    key = None
    if act.key:
        key = str(body.pop(act.key, "") or "").strip().upper()
        if not key:
            raise InvalidInput("case.payload", f"缺少 payload.{act.key}", f"payload.{act.key}")
    try:
        return key, act.schema.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "payload." + ".".join(str(p) for p in first["loc"])
        message = VALIDATION_MESSAGES.get(first["type"], "字段格式不正确")
        raise InvalidInput(f"validation.{first['type']}", f"{field}：{message}", field) from None
