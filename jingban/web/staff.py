"""Counter pages for registration (参保登记). Registration items go through the case engine
(level 0 completes at intake; changes and cancellations wait for review); enrollments and
cards are direct service calls, as in /api/v1."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.cases import catalog
from jingban.cases import service as case_service
from jingban.cases.models import Case
from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.auth import can
from jingban.core.db import snapshot
from jingban.core.errors import JingbanError
from jingban.core.http import get_db
from jingban.registration import rules, service
from jingban.registration.models import Person
from jingban.registration.schemas import (
    CardCreate,
    CardStatusChange,
    EmployerCancel,
    EmployerChange,
    EmployerCreate,
    EnrollmentCreate,
    EnrollmentEnd,
    PersonCreate,
)
from jingban.web import intake
from jingban.web.pages import (
    is_portal,
    landing,
    page_actor,
    parse,
    posted,
    render,
    see_other,
    signed_in,
)
from jingban.web.person_links import PersonSsn, person_path  # sec15

router = APIRouter()

Form = dict[str, Any]


# --- home and search -------------------------------------------------------------------------

@router.get("/")
def home(request: Request, q: str = "", actor: Actor = Depends(signed_in),
         db: Session = Depends(get_db)):
    if is_portal(actor.roles):
        return see_other("/my/employer" if "employer" in actor.roles else "/my")
    if not can(actor, "registration.read"):  # e.g. the accountant: to a page the role may see
        target = landing(actor.roles)
        if target != "/":
            return see_other(target)
        return render(request, "home.html", q="", found={"employers": [], "persons": []})
    return render(request, "home.html", q=q, found=service.search(db, actor, q[:64]))


@router.get("/search")
def search(request: Request, q: str = "", actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    """HTMX fragment: live results under the search box."""
    return render(request, "_search_results.html", q=q, found=service.search(db, actor, q[:64]))


# --- employers -------------------------------------------------------------------------------

def _submit(db: Session, actor: Actor, code: str, values: Form, payload: dict) -> Case:
    """A registration item through the case engine, from a registration page."""
    case, _ = intake.submit(db, actor, catalog.item(code), values, payload)
    return case


def _done(request: Request, case: Case, url: str, done: str):
    """Level 0 finished at intake: back to the record; otherwise to the case under review."""
    if case.status == "completed":
        return see_other(url, f"{done}（业务件号{case.number}）", request)
    return see_other(f"/cases/{case.id}",
                     intake.notice(catalog.item(case.item_code), case), request)


def _dump(model) -> dict:
    return model.model_dump(mode="json", exclude_unset=True)


@router.get("/employers/new")
def employer_new(request: Request, _: Actor = Depends(page_actor)):
    return render(request, "employer_new.html", values={
        "region": request.app.state.settings.region, "request_id": intake.new_request_id()})


@router.post("/employers")
def employer_create(request: Request, values: Form = Depends(posted),
                    actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        case = _submit(db, actor, "REG-EMPLOYER", values, _dump(parse(EmployerCreate, values)))
    except JingbanError as exc:
        return render(request, "employer_new.html", status=exc.status, error=intake.on_form(exc),
                      values=values)
    return _done(request, case, f"/employers/{case.applicant_key}", "单位参保登记已办结")


@router.get("/employers/{uscc}")
def employer_detail(request: Request, uscc: str, actor: Actor = Depends(page_actor),
                    db: Session = Depends(get_db)):
    employer = service.get_employer(db, actor, uscc)
    return render(request, "employer_detail.html", employer=employer,
                  owed=service.outstanding(db, employer),
                  history=service.employer_history(db, actor, uscc),
                  liability_kinds=rules.LIABILITY_KINDS)


@router.get("/employers/{uscc}/change")
def employer_change_page(request: Request, uscc: str, actor: Actor = Depends(page_actor),
                         db: Session = Depends(get_db)):
    employer = service.get_employer(db, actor, uscc)
    current = {k: "" if v is None else str(v) for k, v in snapshot(employer).items()}
    return render(request, "employer_change.html", employer=employer,
                  values={**current, "request_id": intake.new_request_id()},
                  item=catalog.item("REG-EMPLOYER-CHANGE"))


@router.post("/employers/{uscc}/change")
def employer_change(request: Request, uscc: str, values: Form = Depends(posted),
                    actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _employer_case(request, db, actor, uscc, values, EmployerChange,
                          "REG-EMPLOYER-CHANGE", "employer_change.html", "单位登记信息变更已办结")


def _employer_case(request: Request, db: Session, actor: Actor, uscc: str, values: Form,
                   schema, code: str, template: str, done: str):
    """Take an employer item in through the case engine; on refusal show its form again."""
    try:
        payload = {"uscc": uscc, **_dump(parse(schema, values))}
        case = _submit(db, actor, code, values, payload)
    except JingbanError as exc:
        employer = service.get_employer(db, actor, uscc)
        return render(request, template, status=exc.status, error=intake.on_form(exc),
                      values=values, employer=employer, item=catalog.item(code))
    return _done(request, case, f"/employers/{uscc}", done)


@router.get("/employers/{uscc}/cancel")
def employer_cancel_page(request: Request, uscc: str, actor: Actor = Depends(page_actor),
                         db: Session = Depends(get_db)):
    employer = service.get_employer(db, actor, uscc)
    return render(request, "employer_cancel.html", employer=employer,
                  values={"cancelled_on": clock.today().isoformat(),
                          "request_id": intake.new_request_id()},
                  item=catalog.item("REG-EMPLOYER-CANCEL"))


@router.post("/employers/{uscc}/cancel")
def employer_cancel(request: Request, uscc: str, values: Form = Depends(posted),
                    actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _employer_case(request, db, actor, uscc, values, EmployerCancel,
                          "REG-EMPLOYER-CANCEL", "employer_cancel.html", "单位注销登记已办结")


# --- persons ---------------------------------------------------------------------------------

@router.get("/persons/new")
def person_new(request: Request, _: Actor = Depends(page_actor)):
    return render(request, "person_new.html", values={
        "id_type": "citizen_id", "nationality": "CHN", "request_id": intake.new_request_id()})


@router.post("/persons")
def person_create(request: Request, values: Form = Depends(posted),
                  actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        case = _submit(db, actor, "REG-PERSON", values, _dump(parse(PersonCreate, values)))
    except JingbanError as exc:
        return render(request, "person_new.html", status=exc.status, error=intake.on_form(exc),
                      values=values)
    url = person_path(case.applicant_key, db) if case.status == "completed" else ""
    return _done(request, case, url, "个人参保登记已办结")


def _person_page(request: Request, db: Session, actor: Actor, person: Person, status: int = 200,
                 **context: Any):
    """The person's record with its forms and cases; ``form`` names the one that failed."""
    moves = {c.id: {m: rules.CARD_STATUS[m]
                    for m in sorted(rules.CARD_TRANSITIONS[c.kind].get(c.status, ()))}
             for c in person.cards}
    defaults = {"start_date": clock.today().replace(day=1).isoformat(),
                "end_date": clock.today().isoformat()}
    cases = case_service.cases_of(db, actor, service.person_subject(person))
    return render(request, "person_detail.html", status=status, person=person,
                  card_moves=moves, defaults=defaults, cases=cases, **context)


@router.get("/persons/{pid}")
def person_detail(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
                  db: Session = Depends(get_db)):
    return _person_page(request, db, actor, service.get_person(db, actor, ssn))


def _person_act(request: Request, db: Session, actor: Actor, ssn: str, form: str,
                values: Form, act, done: str):
    """Run one act from the person page; on refusal show the page again with the input."""
    try:
        act()
    except JingbanError as exc:
        person = service.get_person(db, actor, ssn)
        return _person_page(request, db, actor, person, status=exc.status, form=form, error=exc,
                            values=values)
    return see_other(person_path(ssn, db), done, request)


@router.post("/persons/{pid}/enrollments")
def enrollment_create(request: Request, ssn: PersonSsn, values: Form = Depends(posted),
                      actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _person_act(request, db, actor, ssn, "enroll", values,
                       lambda: service.enroll(db, actor, ssn, parse(EnrollmentCreate, values)),
                       "参保登记（增员）已办结")


@router.post("/persons/{pid}/enrollments/{enrollment_id}/end")
def enrollment_end(request: Request, ssn: PersonSsn, enrollment_id: int,
                   values: Form = Depends(posted), actor: Actor = Depends(page_actor),
                   db: Session = Depends(get_db)):
    return _person_act(request, db, actor, ssn, f"end-{enrollment_id}", values,
                       lambda: service.end_enrollment(db, actor, ssn, enrollment_id,
                                                      parse(EnrollmentEnd, values)),
                       "停保（减员）已办结")


@router.post("/persons/{pid}/cards")
def card_create(request: Request, ssn: PersonSsn, values: Form = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _person_act(request, db, actor, ssn, "card", values,
                       lambda: service.issue_card(db, actor, ssn, parse(CardCreate, values)),
                       "申领已受理")


@router.post("/persons/{pid}/cards/{card_id}/status")
def card_status(request: Request, ssn: PersonSsn, card_id: int, values: Form = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _person_act(request, db, actor, ssn, f"card-{card_id}", values,
                       lambda: service.change_card(db, actor, ssn, card_id,
                                                   parse(CardStatusChange, values)),
                       "卡状态变更已办结")


@router.get("/persons/{pid}/history")
def person_history(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
                   db: Session = Depends(get_db)):
    history = service.person_history(db, actor, ssn)
    return render(request, "person_history.html", ssn=ssn.strip().upper(), history=history)

person_page = _person_page  # secdata: the person page again, with the values the show button revealed
