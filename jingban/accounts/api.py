"""Portal account activation under /api/v1 (no bearer: the person has no account yet)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.accounts import rules, service
from jingban.accounts.schemas import ActivatedOut, CodeRequest, ConfirmRequest, TicketOut
from jingban.core.auth import open_session
from jingban.core.http import get_db

router = APIRouter(tags=["门户账户激活 accounts"])


@router.post("/activation/code", status_code=202, response_model=TicketOut,
             summary="获取门户账户激活验证码（发送至登记的手机，每人10分钟内最多3次）")
def request_code(request: Request, data: CodeRequest, db: Session = Depends(get_db)):
    cfg = request.app.state.settings
    ticket = service.request_code(db, data.ssn, data.phone, secret=cfg.secret_key,
                                  profile=cfg.password_profile, channel="api")
    return TicketOut(ticket=ticket.value, expires_in=rules.CODE_SECONDS, message=service.SENT)


@router.post("/activation/confirm", status_code=201, response_model=ActivatedOut,
             summary="以短信验证码开通门户账户并设置密码（每个验证码最多错5次）")
def confirm(request: Request, data: ConfirmRequest, db: Session = Depends(get_db)):
    cfg = request.app.state.settings
    user = service.confirm(db, data.ticket, data.code, data.password, secret=cfg.secret_key,
                           profile=cfg.password_profile, channel="api")
    address = request.client.host if request.client else ""
    token = open_session(db, cfg.secret_key, user, "api", address)
    return ActivatedOut(username=user.username, access_token=token,
                        expires_in=cfg.token_ttl_seconds,
                        message="门户账户已开通，今后请用社会保障号码和新密码登录")
