"""Registration endpoints under /api/v1 — thin: HTTP in, service call, HTTP out."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Header, Query
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jingban.cases.api import case_out, submit_for
from jingban.cases.schemas import CaseOut
from jingban.cases.service import submit
from jingban.core import privacy
from jingban.core.actor import Actor
from jingban.core.http import RowId, api_actor, get_db
from jingban.core.money import to_yuan
from jingban.registration import service
from jingban.registration.models import Enrollment, Liability, Person
from jingban.registration.schemas import (  # secdata
    AccessOut,
    CardCreate,
    CardOut,
    CardStatusChange,
    EmployerCancel,
    EmployerChange,
    EmployerCreate,
    EmployerOut,
    EnrollmentCreate,
    EnrollmentEnd,
    EnrollmentOut,
    HistoryEntry,
    IdentityCorrection,
    LiabilityCreate,
    PersonalOut,
    PersonCancel,
    PersonChange,
    PersonCreate,
    PersonOut,
    RevealRequest,
)

router = APIRouter(tags=["登记 registration"])
RequestId = Header(default=None, alias="X-Request-Id", max_length=64,
                   description="客户端请求编号：重复提交返回同一业务件")


def enrollment_out(e: Enrollment) -> EnrollmentOut:
    return EnrollmentOut(
        id=e.id, insurance=e.insurance, employer_uscc=e.employer.uscc if e.employer else None,
        employer_name=e.employer.name if e.employer else None, start_date=e.start_date,
        end_date=e.end_date, status=e.status, end_reason=e.end_reason, separation=e.separation,
        contribution_base=to_yuan(e.contribution_base) if e.contribution_base is not None
        else None)


def person_out(p: Person) -> PersonOut:
    return PersonOut(
        ssn=p.ssn, id_type=p.id_type, id_number=p.id_number, name=p.name, sex=p.sex,
        birth_date=p.birth_date, nationality=p.nationality, household_region=p.household_region,
        address=p.address, phone=p.phone, status=p.status, death_date=p.death_date,
        registered_on=p.registered_on, retirement_category=p.retirement_category,
        enrollments=[enrollment_out(e) for e in p.enrollments],
        cards=[CardOut.model_validate(c) for c in p.cards])


class LiabilityOut(BaseModel):
    id: int
    kind: str
    amount: str = Field(description="金额（元）")
    period: int | None
    settled: bool


def liability_out(item: Liability) -> LiabilityOut:
    return LiabilityOut(id=item.id, kind=item.kind, amount=str(to_yuan(item.amount)),
                        period=item.period, settled=item.settled_at is not None)


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=300)



@router.post("/employers", status_code=201, response_model=EmployerOut,
             summary="单位参保登记（事项 REG-EMPLOYER，受理即办结）")
def create_employer(data: EmployerCreate, actor: Actor = Depends(api_actor),
                    db: Session = Depends(get_db), request_id: str | None = RequestId):
    case = submit(db, actor, "REG-EMPLOYER", data.model_dump(mode="json", exclude_none=True),
                  request_id=request_id)
    return employer_shown(service.get_employer(db, actor, case.applicant_key), actor)


@router.get("/employers/{uscc}", response_model=EmployerOut, summary="查询单位登记信息")
def read_employer(uscc: str, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return employer_shown(service.get_employer(db, actor, uscc), actor)


@router.patch("/employers/{uscc}", status_code=202, response_model=CaseOut,
              summary="单位登记信息变更（事项 REG-EMPLOYER-CHANGE，受理后审核）")
def patch_employer(uscc: str, data: EmployerChange, actor: Actor = Depends(api_actor),
                   db: Session = Depends(get_db), request_id: str | None = RequestId):
    payload = {"uscc": uscc, **data.model_dump(mode="json", exclude_none=True)}
    return case_out(db, submit(db, actor, "REG-EMPLOYER-CHANGE", payload, request_id=request_id))


@router.post("/employers/{uscc}/cancel", status_code=202, response_model=CaseOut,
             summary="单位注销登记（事项 REG-EMPLOYER-CANCEL，两级审核）")
def cancel_employer(uscc: str, data: EmployerCancel, actor: Actor = Depends(api_actor),
                    db: Session = Depends(get_db), request_id: str | None = RequestId):
    payload = {"uscc": uscc, **data.model_dump(mode="json", exclude_none=True)}
    return case_out(db, submit(db, actor, "REG-EMPLOYER-CANCEL", payload, request_id=request_id))


@router.get("/employers/{uscc}/history", response_model=list[HistoryEntry],
            summary="单位登记变更历史")
def employer_history(uscc: str, actor: Actor = Depends(api_actor),
                     db: Session = Depends(get_db)):
    return service.employer_history(db, actor, uscc)


@router.post("/employers/{uscc}/liabilities", status_code=201, response_model=LiabilityOut,
             summary="登记单位欠费、滞纳金或罚款")
def add_liability(uscc: str, data: LiabilityCreate, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    return liability_out(service.record_liability(db, actor, uscc, data))


@router.post("/employers/{uscc}/liabilities/{liability_id}/settle",
             response_model=LiabilityOut, summary="结清单位欠费")
def settle_liability(uscc: str, liability_id: RowId, data: Reason,
                     actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return liability_out(service.settle_liability(db, actor, uscc, liability_id, data.reason))


@router.post("/persons", status_code=201, response_model=PersonOut,
             summary="个人参保登记（事项 REG-PERSON，受理即办结）")
def create_person(data: PersonCreate, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db), request_id: str | None = RequestId):
    case = submit(db, actor, "REG-PERSON", data.model_dump(mode="json", exclude_none=True),
                  request_id=request_id)
    return shown(person_out(service.get_person(db, actor, case.applicant_key)), actor)


@router.get("/persons/{ssn}", response_model=PersonOut, summary="查询个人参保信息（留痕）")
def read_person(ssn: str, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return shown(person_out(service.get_person(db, actor, ssn)), actor)


@router.patch("/persons/{ssn}", response_model=PersonOut,
              summary="个人登记信息变更（事项 REG-PERSON-CHANGE，受理即办结）")
def patch_person(ssn: str, data: PersonChange, actor: Actor = Depends(api_actor),
                 db: Session = Depends(get_db), request_id: str | None = RequestId):
    payload = {"ssn": ssn, **data.model_dump(mode="json", exclude_none=True)}
    case = submit(db, actor, "REG-PERSON-CHANGE", payload, request_id=request_id)
    return shown(person_out(service.get_person(db, actor, case.applicant_key)), actor)


class PersonCancelRequest(PersonCancel):
    materials: list[str] = Field(default_factory=list, description="已提交的材料编码")


class CorrectionRequest(IdentityCorrection):
    materials: list[str] = Field(default_factory=list, description="已提交的材料编码")


@router.post("/persons/{ssn}/cancel", status_code=202, response_model=CaseOut,
             summary="个人注销登记（事项 REG-PERSON-CANCEL，受理后审核）")
def cancel_person(ssn: str, data: PersonCancelRequest, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db), request_id: str | None = RequestId):
    return submit_for(db, actor, "REG-PERSON-CANCEL", {"ssn": ssn}, data, request_id)


@router.post("/persons/{ssn}/corrections", status_code=202, response_model=CaseOut,
             summary="姓名或公民身份号码更正（事项 REG-PERSON-CORRECT，三级审核）")
def correct_person(ssn: str, data: CorrectionRequest, actor: Actor = Depends(api_actor),
                   db: Session = Depends(get_db), request_id: str | None = RequestId):
    return submit_for(db, actor, "REG-PERSON-CORRECT", {"ssn": ssn}, data, request_id)


@router.get("/persons/{ssn}/history", response_model=list[HistoryEntry],
            summary="个人登记与参保历史")
def person_history(ssn: str, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.person_history(db, actor, ssn)


@router.post("/persons/{ssn}/enrollments", status_code=201, response_model=EnrollmentOut,
             summary="参保登记（增员）")
def create_enrollment(ssn: str, data: EnrollmentCreate, actor: Actor = Depends(api_actor),
                      db: Session = Depends(get_db)):
    return enrollment_out(service.enroll(db, actor, ssn, data))


@router.post("/persons/{ssn}/enrollments/{enrollment_id}/end", response_model=EnrollmentOut,
             summary="停保（减员）")
def end_enrollment(ssn: str, enrollment_id: RowId, data: EnrollmentEnd,
                   actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return enrollment_out(service.end_enrollment(db, actor, ssn, enrollment_id, data))


@router.post("/persons/{ssn}/cards", status_code=201, response_model=CardOut,
             summary="申领社会保障卡或医保电子凭证")
def create_card(ssn: str, data: CardCreate, actor: Actor = Depends(api_actor),
                db: Session = Depends(get_db)):
    return service.issue_card(db, actor, ssn, data)


@router.post("/persons/{ssn}/cards/{card_id}/status", response_model=CardOut,
             summary="卡状态变更（启用、挂失、补换、注销）")
def card_status(ssn: str, card_id: RowId, data: CardStatusChange,
                actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.change_card(db, actor, ssn, card_id, data)


@router.get("/search", summary="按名称、统一社会信用代码或社会保障号码检索")
def search(q: str = Query(min_length=1, max_length=64), actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    found = service.search(db, actor, q)
    return {
        "employers": [employer_shown(e, actor).model_dump(mode="json")
                      for e in found["employers"]],
        "persons": [{"ssn": p.ssn, "name": p.name, "status": p.status}
                    for p in found["persons"]],
    }




# --- personal data (secdata, issue 15 item 1) ---------------------------------------------------

def shown(out: PersonOut, actor: Actor) -> PersonOut:
    """The person as this actor may see it: the SSN (the key the route is called by) as it is,
    the citizen ID, phone and address masked unless the role needs them in full."""
    return privacy.redact(out, actor, keep=("ssn",))


def employer_shown(employer, actor: Actor) -> EmployerOut:
    """The unit's phone and bank account masked; its registered address is public (营业执照)."""
    return privacy.redact(EmployerOut.model_validate(employer), actor, keep=("address",))


@router.post("/persons/{ssn}/reveal", response_model=PersonalOut,
             summary="查看完整个人信息（须说明理由，记录查询留痕）")
def reveal_person(ssn: str, data: RevealRequest, actor: Actor = Depends(api_actor),
                  db: Session = Depends(get_db)):
    return service.reveal_person(db, actor, ssn, data.reason)


@router.get("/persons/{ssn}/views", response_model=list[AccessOut],
            summary="查询留痕：谁在何时查看了该参保人的信息")
def person_views(ssn: str, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.person_views(db, actor, ssn)[1]
