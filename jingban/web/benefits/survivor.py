"""Survivor benefit pages (遗属待遇): the agency's work list of deaths to follow up, the clerk's
claim screen with the calculation shown, and the survivor benefits determined."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.benefits.survivor import service as survivors
from jingban.benefits.survivor.schemas import RELATIONSHIPS
from jingban.cases import catalog
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.http import get_db
from jingban.web import intake
from jingban.web.pages import page_actor, posted, render, see_other
from jingban.web.person_links import QuerySsn  # secfix

router = APIRouter()
Form = dict[str, Any]
TITLES = {"applicant_name": "申领遗属姓名", "applicant_id_number": "申领遗属公民身份号码",
          "relationship": "与参保人关系", "bank_account": "申领遗属银行账号", "phone": "联系电话"}


def _page(request: Request, db: Session, actor: Actor, values: Form, status: int = 200,
          **context: Any):
    found, problem = None, None
    ssn = str(values.get("ssn") or "").strip().upper()[:18]
    if ssn:
        try:
            found = survivors.preview(db, actor, ssn)
        except JingbanError as exc:
            problem = exc
    return render(request, "benefits_survivors.html", status=status, found=found, problem=problem,
                  item=catalog.item(survivors.ITEM), values=values, relationships=RELATIONSHIPS,
                  prompts=survivors.prompts(db, actor), awards=survivors.awards(db, actor),
                  **context)


@router.get("/benefits/survivors")
def survivor_screen(request: Request, ssn: QuerySsn, actor: Actor = Depends(page_actor),  # secfix
                    db: Session = Depends(get_db)):
    return _page(request, db, actor, {"ssn": ssn, "request_id": intake.new_request_id()})


@router.post("/benefits/survivors")
def survivor_submit(request: Request, values: Form = Depends(posted),
                    actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    item = catalog.item(survivors.ITEM)
    try:
        case, repeated = intake.submit(db, actor, item, values)
    except JingbanError as exc:
        db.rollback()
        return _page(request, db, actor, values, status=exc.status,
                     error=intake.on_form(exc, TITLES), form="claim")
    return see_other(f"/cases/{case.id}", intake.notice(item, case, repeated), request)
