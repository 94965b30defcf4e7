"""Sign in and sign out (登录、退出)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.core import logins, sessions
from jingban.core.auth import token_session
from jingban.core.errors import JingbanError
from jingban.core.http import get_db
from jingban.web.pages import posted, render, safe_next, see_other, sign_in

router = APIRouter()


@router.get("/login")
def login_page(request: Request, next: str = "/"):
    return render(request, "login.html", values={"next": safe_next(next)})


@router.post("/login")
def login(request: Request, values: dict[str, Any] = Depends(posted),
          db: Session = Depends(get_db)):
    username, password = str(values.get("username", "")), str(values.get("password", ""))
    cfg = request.app.state.settings
    try:
        user = logins.sign_in(db, username, password, region=cfg.region,
                              address=request.client.host if request.client else "",
                              profile=cfg.password_profile, demo=cfg.demo_mode)
    except JingbanError as exc:
        shown = {"username": username, "next": safe_next(values.get("next"))}
        return render(request, "login.html", status=exc.status, error=exc, values=shown)
    sign_in(request, user, db)
    return see_other(safe_next(values.get("next")))


@router.post("/logout")
def logout(request: Request, _: dict[str, Any] = Depends(posted),
           db: Session = Depends(get_db)):
    """Sign out: the server-side session ends, so the token it held is refused from now on."""
    sessions.end(db, token_session(request.app.state.settings.secret_key,
                                   request.session.get("token")))
    request.session.clear()
    return see_other("/login", "已安全退出", request)
