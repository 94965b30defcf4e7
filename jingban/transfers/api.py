"""Transfer endpoints under /api/v1: the inbox other agencies post signed messages to (no
bearer token: the signature is the credential), applications, the clerk's acts and the reads."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from jingban.core import agency
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import InvalidInput
from jingban.core.http import RowId, api_actor, get_db
from jingban.transfers import batch, protocol, service
from jingban.transfers.schemas import TransferRefuse, TransferStart

router = APIRouter(tags=["关系转移 transfers"])


@router.post("/transfers/inbox", summary="接收其他经办机构的转移报文（Ed25519 签名，SM3 摘要）",
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}})
async def inbox(request: Request):
    """The body is read up to the policy's size limit (413 beyond it) before any parsing."""
    limit = await run_in_threadpool(_with_db, request, service.max_body_bytes)
    envelope = _json_object(await _bounded_body(request, limit))
    status, answer = await run_in_threadpool(_with_db, request,
                                             lambda db: service.receive(db, envelope))
    return JSONResponse(answer, status_code=status)


def _with_db(request: Request, work):
    with request.app.state.sessionmaker() as db:
        return work(db)


def _too_large(limit: int) -> protocol.TooLarge:
    return protocol.TooLarge("transfers.too_large",
                             f"报文超过收件箱允许的最大长度（{limit} 字节），拒收", "body")


async def _bounded_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidInput("transfers.envelope", "报文不是有效的 JSON", "body") from None
    if not isinstance(data, dict):
        raise InvalidInput("transfers.envelope", "报文格式不正确", "body")
    return data


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
            "due_on": case.due_on, "due_provisional": case.due_provisional, "item": case.item_code}


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
