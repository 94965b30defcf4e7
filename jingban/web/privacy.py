"""Personal data on the pages (secdata, issue 15 item 1): the "show" button of the person page
(full values on a stated reason, logged), the person's read log (查询留痕) for staff, with its
Excel export, and 谁查看了我的信息 on the person's portal."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.core import clock
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.excel import workbook, xlsx_response
from jingban.core.http import get_db
from jingban.registration import service
from jingban.web.pages import page_actor, posted, render, signed_in
from jingban.web.person_links import PersonSsn  # sec15
from jingban.web.staff import person_page

router = APIRouter()

VIEW_NAMES = {"record": "查看个人登记信息", "history": "查看登记与参保历史", "rights": "查看个人权益记录",
              "proof": "核验权益证明", "pension": "查看养老金核定", "pension_preview": "养老金测算",
              "survivor_preview": "遗属待遇测算", "recovery": "查看多领待遇追回", "export": "导出清单",
              "reveal": "查看完整信息（身份号码、联系电话、地址）"}


def view_name(view: str) -> str:
    return VIEW_NAMES.get(view, view)


@router.post("/persons/{pid}/reveal")
async def reveal(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
                 db: Session = Depends(get_db), values: dict = Depends(posted)):
    """The show button: the same person page with the full values, once a reason is given."""
    try:
        revealed = service.reveal_person(db, actor, ssn, values.get("reason"))
    except JingbanError as exc:
        return person_page(request, db, actor, service.find_person(db, ssn), status=exc.status,
                            form="reveal", error=exc, values=values)
    return person_page(request, db, actor, service.find_person(db, ssn), revealed=revealed)


def _rows(entries) -> list[tuple]:
    return [(clock.local(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.actor, view_name(e.view),
             e.reason or "") for e in entries]


@router.get("/persons/{pid}/views")
def person_views(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
                 db: Session = Depends(get_db)):
    person, entries = service.person_views(db, actor, ssn)
    return render(request, "person_views.html", person=person, rows=_rows(entries))


@router.get("/persons/{pid}/views.xlsx")
def person_views_xlsx(ssn: PersonSsn, actor: Actor = Depends(page_actor),
                      db: Session = Depends(get_db)):
    person, entries = service.person_views(db, actor, ssn)
    content = workbook("查询留痕", ("时间", "查看人", "查看内容", "理由"), _rows(entries))
    return xlsx_response(content, f"查询留痕_{person.name}.xlsx")


@router.get("/my/views")
def my_views(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    """谁查看了我的信息: every staff read of my record (R§49)."""
    return render(request, "portal_views.html", rows=_rows(service.my_views(db, actor)))
