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

from jingban.benefits.pension import schemas as ben
from jingban.benefits.recovery import schemas as rcv
from jingban.benefits.stops import schemas as stp
from jingban.benefits.survivor import schemas as svr
from jingban.benefits.verification import schemas as vrf
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput
from jingban.core.http import VALIDATION_MESSAGES
from jingban.records import schemas as rec
from jingban.records import service as records
from jingban.registration import schemas as reg
from jingban.registration import service as registration
from jingban.transfers import schemas as trf


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


def _pension(name: str):
    """A benefits act, imported when run (benefits.service itself uses the case engine)."""

    def run(db: Session, actor: Actor, key, data):
        from jingban.benefits.pension import service as benefits

        return getattr(benefits, name)(db, actor, key, data)

    return run


def _award_person(award) -> str:
    return f"person:{award.person_id}"


def _transfer(kinds: set[str], direction: str | None = None):
    """A transfer application's act, imported when run (transfers.service uses the engine)."""

    def run(db: Session, actor: Actor, key, data):
        from jingban.transfers import service as transfers

        return transfers.act_for(kinds, direction)(db, actor, key, data)

    return run


def _stops(module: str, name: str):
    """A stops/verification act, imported when run (those services use the case engine)."""

    def run(db: Session, actor: Actor, key, data):
        from importlib import import_module

        return getattr(import_module(f"jingban.benefits.{module}.service"), name)(db, actor, key, data)

    return run


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
    "benefits.determine_pension": Act("ssn", ben.PensionClaim, _pension("determine_pension"),
                                      _award_person),
    "benefits.redetermine_pension": Act("ssn", ben.Redetermination,
                                        _pension("redetermine_pension"), _award_person),
    "transfers.apply_pension": Act("ssn", trf.TransferApply, _transfer({"pension_enterprise"}),
                                   _award_person),
    "transfers.apply_pension_cross": Act(
        "ssn", trf.TransferApply, _transfer({"pension_cross", "pension_resident"}), _award_person),
    "transfers.apply_medical": Act("ssn", trf.TransferApply, _transfer({"medical_employee"}),
                                   _award_person),
    "transfers.apply_unemployment_in": Act(
        "ssn", trf.TransferApply, _transfer({"unemployment"}, "in"), _award_person),
    "transfers.apply_unemployment_out": Act(
        "ssn", trf.TransferApply, _transfer({"unemployment"}, "out"), _award_person),
    "benefits.record_stop": Act("ssn", stp.StopReportIn, _stops("stops", "record_stop"),
                                _award_person),
    "benefits.resume_award": Act("ssn", stp.ResumeIn, _stops("stops", "resume_award"), _person),
    "benefits.account_offset": Act("ssn", rcv.AccountOffsetCaseIn,
                                   _stops("recovery", "account_offset"), _person),
    "benefits.conclude_investigation": Act(
        "ssn", vrf.InvestigationIn, _stops("verification", "conclude_investigation"), _person),
    "cases.objection": Act(None, ObjectionRequest, _uphold, lambda parent: parent.subject,
                           _objection_applicant),
    "benefits.determine_survivor": Act(
        None, svr.SurvivorClaim, _stops("survivor", "determine_survivor"), _award_person,
        lambda db, data: _survivor_applicant(db, data)),
}


def _survivor_applicant(db: Session, data):
    from jingban.benefits.survivor import service as survivors  # uses the case engine

    return survivors.applicant(db, data)


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
