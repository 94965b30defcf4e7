"""Portal account activation pages (门户账户激活, SPEC §4 item 7) and the large-text switch
(R§30). The rule lives in jingban.accounts.service, which the API calls too; the page keeps
the service's signed ticket in the browser session."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.accounts import service
from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.http import get_db
from jingban.web.pages import posted, render, safe_next, see_other, sign_in

router = APIRouter()

SESSION_KEY = "activation"
TEXT_COOKIE = "jingban_text"


# --- pages ----------------------------------------------------------------------------------------

@router.get("/activate")
def activate_page(request: Request):
    return render(request, "activate.html")


@router.post("/activate")
def activate_request(request: Request, values: dict[str, Any] = Depends(posted),
                     db: Session = Depends(get_db)):
    ssn, phone = str(values.get("ssn", "")).strip().upper(), str(values.get("phone", ""))
    cfg = request.app.state.settings
    try:
        ticket = service.request_code(db, ssn, phone, secret=cfg.secret_key,
                                      profile=cfg.password_profile)
    except JingbanError as exc:
        return render(request, "activate.html", status=exc.status, error=exc,
                      values={"ssn": ssn, "phone": phone})
    request.session[SESSION_KEY] = ticket.value
    return see_other("/activate/confirm", service.SENT, request)


@router.get("/activate/confirm")
def confirm_page(request: Request):
    return render(request, "activate_confirm.html")


@router.post("/activate/confirm")
def confirm(request: Request, values: dict[str, Any] = Depends(posted),
            db: Session = Depends(get_db)):
    password = str(values.get("password", ""))
    cfg = request.app.state.settings
    try:
        if password != str(values.get("password2", "")):
            raise InvalidInput("user.password_confirm", "两次输入的新密码不一致", "password2")
        user = service.confirm(db, request.session.get(SESSION_KEY),
                               str(values.get("code", "")), password, secret=cfg.secret_key,
                               profile=cfg.password_profile)
    except JingbanError as exc:
        db.rollback()
        if exc.code in ("activation.expired", "activation.too_many", "activation.used"):
            request.session.pop(SESSION_KEY, None)
        return render(request, "activate_confirm.html", status=exc.status, error=exc)
    request.session.pop(SESSION_KEY, None)
    sign_in(request, user, db)
    return see_other("/my", "门户账户已开通，今后请用社会保障号码和新密码登录", request)


# --- large text (大字模式) --------------------------------------------------------------------------

@router.post("/text-size")
def text_size(request: Request, values: dict[str, Any] = Depends(posted)):
    reply = see_other(safe_next(str(values.get("next") or "/")))
    if values.get("large") == "1":
        reply.set_cookie(TEXT_COOKIE, "large", max_age=365 * 24 * 3600, samesite="lax",
                         httponly=True)
    else:
        reply.delete_cookie(TEXT_COOKIE)
    return reply

