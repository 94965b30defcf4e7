"""Case pages (业务件): intake per catalog item, the case with its review actions, the
reviewer's queue, due lists and the SLA dashboard. The same engine calls as /api/v1/cases."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.cases import acts, catalog, rules, service
from jingban.cases.models import Case
from jingban.cases.rules import Item
from jingban.cases.schemas import Decision, Reason
from jingban.core import clock, privacy  # secaudit
from jingban.core.actor import Actor
from jingban.core.auth import can
from jingban.core.errors import JingbanError, PermissionDenied
from jingban.core.http import RowId, get_db
from jingban.registration.models import Employer, Person
from jingban.web import intake
from jingban.web.benefits import calc as benefit_calc
from jingban.web.display import label, show
from jingban.web.pages import page_actor, parse, posted, render, see_other, signed_in
from jingban.web.person_links import QuerySsn  # secfix

router = APIRouter()

Form = dict[str, Any]


# --- intake ----------------------------------------------------------------------------------

# Items taken in on their own page rather than the generic form (the voucher's lines, the
# voucher a reversal undoes).
OWN_PAGES = {"FUND-MANUAL": ("/funds/manual", "受理"), "FUND-REVERSAL": ("/funds/entries", "选择凭证")}
OWN_PAGES.update({"BEN-INJURY-MEDICAL": ("/benefits/injury#injury-medical", "受理"),  # injury
                  "BEN-INJURY-DEATH": ("/benefits/injury#injury-death", "受理")})  # injury


@router.get("/cases/new")
def intake_index(request: Request, actor: Actor = Depends(page_actor)):
    """The catalog items this user may take in (the engine's intake rule, one place)."""
    return render(request, "case_items.html", items=service.intake_items(actor),
                  own_pages=OWN_PAGES)


def _intake_page(request: Request, item: Item, status: int = 200, **context: Any):
    fields = intake.fields_of(item)
    return render(request, "case_intake.html", status=status, item=item, fields=fields,
                  **context)


@router.get("/cases/new/{code}")
def intake_form(request: Request, code: str, ssn: QuerySsn, actor: Actor = Depends(page_actor)):  # secfix
    """The form for one item; ``?person=`` or ``?uscc=`` names the applicant already known."""  # secfix
    item = catalog.item(code)
    service.require_intake(actor, item)
    known = {k: v for k, v in {"ssn": ssn, "uscc": request.query_params.get("uscc")}.items() if v}  # secfix
    return _intake_page(request, item, values={**known, "request_id": intake.new_request_id()})


@router.post("/cases/new/{code}")
def intake_submit(request: Request, code: str, values: Form = Depends(posted),
                  actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    item = catalog.item(code)
    try:
        case, repeated = intake.submit(db, actor, item, values)
    except JingbanError as exc:
        titles = {f.name: f.title for f in intake.fields_of(item)}
        return _intake_page(request, item, status=exc.status, error=intake.on_form(exc, titles),
                            values=values)
    return see_other(f"/cases/{case.id}", intake.notice(item, case, repeated), request)


# --- lists -----------------------------------------------------------------------------------

@router.get("/cases/queue")
def queue(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return render(request, "case_queue.html", cases=service.queue(db, actor), user=actor.username)


@router.get("/cases/deadlines")
def deadlines(request: Request, within: int = Query(default=3, ge=1, le=30),
              actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return render(request, "case_deadlines.html", lists=service.due_list(db, actor, within),
                  within=within, today=clock.today())


@router.get("/cases/dashboard")
def dashboard(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return render(request, "case_dashboard.html", sla=service.dashboard(db, actor))


# --- the case --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Actions:
    """What this user can do on this case now (the engine checks every rule again)."""

    level: int | None = None  # the review level this user may decide
    claim: bool = False
    request: bool = False
    supply: bool = False
    resubmit: bool = False
    close: bool = False


def actions(actor: Actor, case: Case) -> Actions:
    reviewing = case.status == "in_review" and case.levels_done < case.levels_required
    level = case.levels_done + 1 if reviewing else None
    mine = level is not None and rules.REVIEW_ROLES[level] in actor.roles
    clerk = can(actor, "cases.intake")
    return Actions(level=level if mine else None,
                   claim=mine and case.assigned_to != actor.username,
                   request=mine, supply=clerk and case.status == "awaiting_materials",
                   resubmit=clerk and case.status == "returned",
                   close=clerk and case.status in rules.OPEN)


def _payload_rows(item: Item, case: Case, actor: Actor) -> list[tuple[str, str]]:
    """The application's fields as staff read them: a coded value by its name on the form;
    IDs, phones, accounts and addresses masked for the roles that do not need them (secaudit)."""
    fields = {f.name: f for f in intake.fields_of(item)}
    rows = []
    for k, v in privacy.redact(service.payload_of(case), actor).items():  # secaudit
        field = fields.get(k)
        names = (field.options if field else None) or {}
        rows.append(((field.title if field else "") or label(k), names.get(str(v)) or show(k, v)))
    return rows


def _case_page(request: Request, db: Session, actor: Actor, case: Case, status: int = 200,
               **context: Any):
    """Staff see the review screen; the applicant sees progress only."""
    item = catalog.item(case.item_code)
    base = {"case": case, "item": item, "payload": _payload_rows(item, case, actor),
            "notes": service.notifications(db, case),
            "paused": case.status in rules.OPEN and case.clock_from is None}
    if not can(actor, "cases.read"):
        return render(request, "portal_case.html", status=status, **base, **context)
    return render(request, "case.html", status=status, acts=actions(actor, case), **base,
                  calculation=benefit_calc.calculation(db, actor, case), **context)


@router.get("/cases/{case_id}")
def case_page(request: Request, case_id: RowId, actor: Actor = Depends(signed_in),
              db: Session = Depends(get_db)):
    return _case_page(request, db, actor, service.get_case(db, actor, case_id))


def _case_act(request: Request, db: Session, actor: Actor, case_id: int, form: str,
              values: Form, act: Callable[[], Case], done: str):
    """Run one act on the case; a refusal shows the case again with the reason in Chinese."""
    try:
        act()
    except JingbanError as exc:
        case = service.get_case(db, actor, case_id)
        return _case_page(request, db, actor, case, status=exc.status, form=form, error=exc,
                          values=values)
    return see_other(f"/cases/{case_id}", done, request)


@router.post("/cases/{case_id}/claim")
def claim(request: Request, case_id: RowId, values: Form = Depends(posted),
          actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _case_act(request, db, actor, case_id, "claim", values,
                     lambda: service.claim(db, actor, case_id), "已领取，请办理审核")


@router.post("/cases/{case_id}/decide")
def decide(request: Request, case_id: RowId, values: Form = Depends(posted),
           actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    def act() -> Case:
        data = parse(Decision, values)
        return service.decide(db, actor, case_id, data.level, data.decision, data.reason)

    done = "已退回申请人" if values.get("decision") == "reject" else "审核意见已提交"
    return _case_act(request, db, actor, case_id, "decide", values, act, done)


@router.post("/cases/{case_id}/missing")
def request_materials(request: Request, case_id: RowId, values: Form = Depends(posted),
                      actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _case_act(request, db, actor, case_id, "missing", values,
                     lambda: service.request_materials(db, actor, case_id,
                                                       intake.provided(values),
                                                       str(values.get("note", ""))[:500]),
                     "已一次性告知申请人补正材料，办理时限暂停计算")


@router.post("/cases/{case_id}/materials")
def supply_materials(request: Request, case_id: RowId, values: Form = Depends(posted),
                     actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _case_act(request, db, actor, case_id, "supply", values,
                     lambda: service.supply_materials(db, actor, case_id,
                                                      intake.provided(values)),
                     "补正材料已登记")


@router.post("/cases/{case_id}/resubmit")
def resubmit(request: Request, case_id: RowId, values: Form = Depends(posted),
             actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _case_act(request, db, actor, case_id, "resubmit", values,
                     lambda: service.resubmit(db, actor, case_id, parse(Reason, values).reason),
                     "已重新提交审核")


@router.post("/cases/{case_id}/close")
def close(request: Request, case_id: RowId, values: Form = Depends(posted),
          actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _case_act(request, db, actor, case_id, "close", values,
                     lambda: service.close(db, actor, case_id, parse(Reason, values).reason),
                     "业务件已终止办理")


# --- the applicant's portal (我的业务) ----------------------------------------------------------

@router.get("/my")
def my_cases(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    return render(request, "portal_home.html", cases=service.applicant_cases(db, actor))


def own_key(db: Session, actor: Actor) -> tuple[str, str]:
    """("ssn", SSN) or ("uscc", USCC) of the person or employer a portal user is."""
    kind, _, ident = (actor.subject or "").partition(":")
    model = {"person": Person, "employer": Employer}.get(kind)
    row = db.get(model, int(ident)) if model and ident.isdigit() else None
    if row is None:
        raise PermissionDenied("case.no_subject", "当前用户未关联参保人或参保单位")
    return ("ssn", row.ssn) if kind == "person" else ("uscc", row.uscc)


def _portal_items(actor: Actor) -> list[Item]:
    """Items the applicant can start online: web channel, act attached, and either about the
    user himself (own key) or, for a person, as a deceased insured's dependant."""
    kind = (actor.subject or "").partition(":")[0]
    key = {"person": "ssn", "employer": "uscc"}.get(kind)
    return [i for i in catalog.load().values()
            if "web" in i.channels and i.act
            and (kind == "person" if i.applicant == "dependant"
                 else (act := acts.get(i.act)) is not None and act.key == key)]


def _portal_item(actor: Actor, code: str) -> Item:
    item = catalog.item(code)
    if item not in _portal_items(actor):
        raise PermissionDenied("case.portal_item", f"{item.name}不能在网上为本人申请，请到柜台办理")
    return item


@router.get("/my/apply")
def portal_items(request: Request, actor: Actor = Depends(signed_in)):
    return render(request, "portal_apply.html", items=_portal_items(actor))


@router.get("/my/apply/{code}")
def portal_form(request: Request, code: str, actor: Actor = Depends(signed_in)):
    item = _portal_item(actor, code)
    return _intake_page(request, item, portal=True, values={"request_id": intake.new_request_id()})


@router.post("/my/apply/{code}")
def portal_submit(request: Request, code: str, values: Form = Depends(posted),
                  actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    """网上申请: the applicant is always the user himself, whatever the form says — the subject
    too, except that a dependant names the deceased insured (the engine checks the death)."""
    item = _portal_item(actor, code)
    key, own = own_key(db, actor)
    if item.applicant == "dependant":
        person = db.execute(select(Person).where(Person.ssn == own)).scalar_one()
        values = {**values, "applicant_id_number": person.id_number, "applicant_name": person.name}
    else:
        values = {**values, key: own}
    try:
        case, repeated = intake.submit(db, actor, item, values)
    except JingbanError as exc:
        titles = {f.name: f.title for f in intake.fields_of(item)}
        return _intake_page(request, item, status=exc.status, portal=True,
                            error=intake.on_form(exc, titles), values=values)
    return see_other(f"/cases/{case.id}", intake.notice(item, case, repeated), request)
