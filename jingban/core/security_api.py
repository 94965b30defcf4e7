"""Sign-out and account locks under /api/v1 (issue 15 item 2)."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jingban.core import logins, sessions
from jingban.core.actor import Actor
from jingban.core.auth import token_session
from jingban.core.excel import workbook, xlsx_response
from jingban.core.http import api_actor, bearer, get_db

router = APIRouter(tags=["内核 core"])


class LockOut(BaseModel):
    username: str
    locked_at: dt.datetime
    failures: int
    until: dt.datetime | None = Field(description="自动解除时间；为空表示须由系统管理员解锁")


class UnlockIn(BaseModel):
    reason: str = Field(default="", max_length=200, description="解锁原因（如已核实本人）")


@router.post("/auth/logout", status_code=204, summary="退出：注销本凭证的会话，凭证随即失效")
def logout(request: Request, _: Actor = Depends(api_actor), token: str | None = Depends(bearer),
           db: Session = Depends(get_db)):
    sessions.end(db, token_session(request.app.state.settings.secret_key, token))
    return Response(status_code=204)


@router.get("/users/locks", response_model=list[LockOut], summary="被锁定的账号（系统管理员）")
def locks(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return [LockOut(username=name, locked_at=lock.locked_at, failures=lock.failures,
                    until=lock.until) for lock, name in logins.locks(db, actor)]


@router.get("/users/locks.xlsx", summary="被锁定的账号（Excel）")
def locks_xlsx(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    content = workbook("被锁定账号", logins.LOCK_HEADERS, logins.lock_rows(db, actor))
    return xlsx_response(content, "被锁定账号.xlsx")


@router.post("/users/{username}/unlock", status_code=204, summary="解除账号锁定（系统管理员）")
def unlock(username: str, data: UnlockIn | None = None, actor: Actor = Depends(api_actor),
           db: Session = Depends(get_db)):
    logins.unlock(db, actor, username, data.reason if data else "")
    return Response(status_code=204)
