"""Kernel endpoints: tokens, users, audit verification, the working-day calculator."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Depends, Form, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from jingban.core import agency, audit, auth, logins
from jingban.core.actor import Actor
from jingban.core.http import api_actor, get_db

router = APIRouter(tags=["内核 core"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    roles: list[str] = Field(min_length=1)
    display_name: str = Field(default="", max_length=64)
    formal_staff: bool = False


class RolesUpdate(BaseModel):
    roles: list[str] = Field(min_length=1)
    formal_staff: bool | None = None


class UserOut(BaseModel):
    username: str
    display_name: str
    roles: list[str]
    formal_staff: bool
    active: bool


def user_out(user) -> UserOut:
    return UserOut(username=user.username, display_name=user.display_name,
                   roles=sorted(user.role_names), formal_staff=user.formal_staff,
                   active=user.active)


class VerdictOut(BaseModel):
    ok: bool
    checked: int
    broken_at: int | None
    problem: str


class DueOut(BaseModel):
    due: dt.date
    provisional: bool


@router.post("/auth/token", response_model=TokenOut, summary="登录，取得接口凭证")
def token(request: Request, username: str = Form(...), password: str = Form(...),
          db: Session = Depends(get_db)):
    cfg = request.app.state.settings
    address = request.client.host if request.client else ""
    user = logins.sign_in(db, username, password, address=address, region=cfg.region,
                          profile=cfg.password_profile, demo=cfg.demo_mode)  # seclogin
    return TokenOut(access_token=auth.open_session(db, cfg.secret_key, user, "api", address),
                    expires_in=cfg.token_ttl_seconds)


@router.get("/auth/me", response_model=UserOut, summary="当前用户")
def me(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    from jingban.core.models import User

    return user_out(db.get(User, actor.user_id))


@router.post("/users", status_code=201, response_model=UserOut, summary="新增用户（系统管理员）")
def create_user(request: Request, data: UserCreate, actor: Actor = Depends(api_actor),
                db: Session = Depends(get_db)):
    user = auth.create_user(db, actor, data.username, data.password, set(data.roles),
                            display_name=data.display_name, formal_staff=data.formal_staff,
                            profile=request.app.state.settings.password_profile)
    return user_out(user)


@router.put("/users/{username}/roles", response_model=UserOut, summary="调整用户角色")
def set_roles(username: str, data: RolesUpdate, actor: Actor = Depends(api_actor),
              db: Session = Depends(get_db)):
    return user_out(auth.set_roles(db, actor, username, set(data.roles), data.formal_staff))


@router.get("/audit/verify", response_model=VerdictOut, summary="校验审计哈希链")
def verify(actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    auth.require(actor, "audit.verify")
    verdict = audit.verify(db)
    return VerdictOut(ok=verdict.ok, checked=verdict.checked, broken_at=verdict.broken_at,
                      problem=verdict.problem)


@router.get("/workdays/due", response_model=DueOut, summary="按工作日计算办结期限")
def due(received: dt.date, days: int = Query(ge=1, le=365), _: Actor = Depends(api_actor),
        db: Session = Depends(get_db)):
    result = agency.due_date(db, received, days)
    return DueOut(due=result.due, provisional=result.provisional)
