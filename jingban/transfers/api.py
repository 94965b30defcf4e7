"""Transfer endpoints under /api/v1: the inbox other agencies post signed messages to (no
bearer token: the signature is the credential), applications, the clerk's acts and the reads."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Body, Depends, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from jingban.core import agency
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.http import RowId, api_actor, get_db
from jingban.transfers import batch, protocol, service
from jingban.transfers.schemas import TransferRefuse, TransferStart

router = APIRouter(tags=["关系转移 transfers"])


@router.post("/transfers/inbox", summary="接收其他经办机构的转移报文（Ed25519 签名，SM3 摘要）")
def inbox(envelope: dict[str, Any] = Body(...), db: Session = Depends(get_db)):
    status, answer = service.receive(db, envelope)
    return JSONResponse(answer, status_code=status)


@router.get("/transfers/agency", summary="本经办机构的地区代码与转移报文验签公钥")
def this_agency(db: Session = Depends(get_db)):
    key = protocol.signing_key(db.info.get("signing_key"))
    return {"region": agency.region(db), "public_key": protocol.public_key_b64(key),
            "agencies": sorted(protocol.directory())}


@router.post("/transfers", status_code=201, summary="受理关系转移接续申请（作为业务件办理）")
def apply(data: TransferStart, request_id: str | None = Query(default=None, max_length=64),
          actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    case = service.apply(db, actor, data, request_id=request_id)
    return {"case_id": case.id, "number": case.number, "status": case.status,
            "due_on": case.due_on, "item": case.item_code}


@router.get("/transfers", summary="转移业务列表（可只列逾期环节）")
def listing(status: Literal["open", "completed", "refused"] | None = None,
            overdue: bool = False, actor: Actor = Depends(api_actor),
            db: Session = Depends(get_db)):
    return [service.view(db, t) for t in service.listing(db, actor, status, overdue)]


@router.get("/transfers/mine", summary="本人的转移进度（参保人）")
def mine(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [service.view(db, t) for t in service.mine(db, actor)]


@router.get("/transfers/{transfer_id}", summary="转移业务详情与各环节时限")
def detail(transfer_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.view(db, service.get(db, actor, transfer_id))


@router.post("/transfers/{transfer_id}/confirm", summary="转入地确认信息表")
def confirm(transfer_id: RowId, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return service.view(db, service.confirm(db, actor, transfer_id))


@router.post("/transfers/{transfer_id}/refuse", summary="不予办理（说明理由，通知对方与本人）")
def refuse(transfer_id: RowId, data: TransferRefuse, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    return service.view(db, service.refuse(db, actor, transfer_id, data.reason))


@router.post("/transfers/deliver", summary="立即投递待发送的转移报文（一轮）")
def deliver(request: Request, actor: Actor = Depends(api_actor)):
    require(actor, "transfers.deliver")
    return dict(batch.deliver(request.app.state.sessionmaker))
