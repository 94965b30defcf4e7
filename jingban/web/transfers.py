"""Transfer pages: the clerk starts and follows transfers and sees overdue steps (/transfers);
the person applies and follows the progress on the portal (/my/transfers). Same services
as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.core import agency
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.http import RowId, get_db
from jingban.core.workdays import due_label
from jingban.transfers import protocol, rules, service
from jingban.transfers.schemas import TransferApply, TransferStart
from jingban.web.cases import own_key
from jingban.web.pages import page_actor, parse, posted, render, see_other, signed_in

router = APIRouter()
TITLES = {"ssn": "社会保障号码", "kind": "转移险种", "direction": "转移方向", "peer_region": "对方统筹地区",
          "reason": "理由"}
KIND_OPTIONS = {**rules.KINDS, "injury": "工伤保险", "maternity": "生育保险"}
DIRECTIONS = {"in": "转入本地（本机构为新参保地）", "out": "从本地转出（本机构为原参保地）"}


def _common(db: Session) -> dict[str, Any]:
    mine = agency.region(db)
    peers = {r: f"{a.name}（{r}）" for r, a in sorted(protocol.directory().items()) if r != mine}
    return {"kinds": KIND_OPTIONS, "directions": DIRECTIONS, "peers": peers, "rules": rules,
            "region": mine}


# --- staff -----------------------------------------------------------------------------------

def _list_page(request: Request, db: Session, actor: Actor, status: str | None, overdue: bool,
               code: int = 200, **context: Any):
    transfers = service.listing(db, actor, status or None, overdue)
    return render(request, "transfers.html", status=code, transfers=transfers,
                  overdue_of=service.is_overdue, filter_status=status or "",
                  filter_overdue=overdue, counts=service.outbox_counts(db), **_common(db),
                  **context)


@router.get("/transfers")
def transfers(request: Request, status: str | None = None, overdue: bool = False,
              actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    if status not in (None, "", *rules.STATUS):
        status = None
    return _list_page(request, db, actor, status, overdue)


@router.post("/transfers")
def start(request: Request, values: dict[str, Any] = Depends(posted),
          actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        case = service.apply(db, actor, parse(TransferStart, values, TITLES))
    except JingbanError as exc:
        return _list_page(request, db, actor, None, False, code=exc.status, error=exc,
                          values=values, form="start")
    return see_other(f"/cases/{case.id}",
                     f"已受理转移申请，业务件号{case.number}，审核通过后即向对方发出报文", request)


def _detail(request: Request, db: Session, actor: Actor, transfer_id: int, code: int = 200,
            **context: Any):
    transfer = service.get(db, actor, transfer_id)
    return render(request, "transfers_detail.html", status=code, t=transfer,
                  view=service.view(db, transfer), messages=service.messages(db, transfer),
                  **_common(db), **context)


@router.get("/transfers/{transfer_id}")
def detail(request: Request, transfer_id: RowId, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return _detail(request, db, actor, transfer_id)


@router.post("/transfers/{transfer_id}/confirm")
def confirm(request: Request, transfer_id: RowId, _values: dict = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        service.confirm(db, actor, transfer_id)
    except JingbanError as exc:
        return _detail(request, db, actor, transfer_id, code=exc.status, error=exc)
    return see_other(f"/transfers/{transfer_id}", "已确认信息表，已通知转出地", request)


@router.post("/transfers/{transfer_id}/refuse")
def refuse(request: Request, transfer_id: RowId, values: dict = Depends(posted),
           actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        service.refuse(db, actor, transfer_id, str(values.get("reason") or ""))
    except JingbanError as exc:
        return _detail(request, db, actor, transfer_id, code=exc.status, error=exc,
                       form="refuse", values=values)
    return see_other(f"/transfers/{transfer_id}", "已作出不予办理决定，已通知对方经办机构和本人", request)


# --- the person's portal -------------------------------------------------------------------------

def _portal_page(request: Request, db: Session, actor: Actor, code: int = 200, **context: Any):
    transfers = service.mine(db, actor)
    return render(request, "transfers_mine.html", status=code, transfers=transfers,
                  views=[service.view(db, t) for t in transfers], **_common(db), **context)


@router.get("/my/transfers")
def my_transfers(request: Request, actor: Actor = Depends(signed_in),
                 db: Session = Depends(get_db)):
    return _portal_page(request, db, actor)


@router.post("/my/transfers")
def my_apply(request: Request, values: dict[str, Any] = Depends(posted),
             actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    """网上申请: always for the signed-in person."""
    try:
        _, ssn = own_key(db, actor)
        data = parse(TransferApply, values, TITLES)
        case = service.apply(db, actor, TransferStart(ssn=ssn, **data.model_dump()))
    except JingbanError as exc:
        return _portal_page(request, db, actor, code=exc.status, error=exc, values=values,
                            form="apply")
    due = due_label(case.due_on, case.due_provisional)
    return see_other("/my/transfers", f"已提交转移申请（业务件号{case.number}），"
                                      f"将于{due}前办结，可在本页查看每一步进度", request)
