"""Page plumbing: templates, the login session, CSRF, form parsing, errors as HTML."""

from __future__ import annotations

import hmac
import re
import secrets
from pathlib import Path
from typing import Any, TypeVar, get_args
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context  # load15
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import URL  # load15

from jingban.core.actor import Actor
from jingban.core.auth import PERMISSIONS, actor_for, open_session, user_from_token
from jingban.core.errors import AuthError, InvalidInput, JingbanError, PermissionDenied
from jingban.core.http import VALIDATION_MESSAGES, get_db
from jingban.core.models import User
from jingban.core.rules import PORTAL_ROLES
from jingban.web.display import FILTERS, FORMAT_HINTS, GLOBALS, label

HERE = Path(__file__).parent
SESSION_COOKIE = "jingban_session"

templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters.update(FILTERS)
templates.env.globals.update(GLOBALS)


@pass_context
def url_for(context: dict, name: str, /, **params: Any) -> URL:  # load15
    """Starlette's url_for with each path worked out once per app: looking a name up walks
    every route (hundreds here) and took most of a small page's rendering time."""
    request: Request = context["request"]
    paths = request.app.state._state.setdefault("url_paths", {})
    key = (name, tuple(sorted(params.items())))
    if key not in paths:
        provider = request.scope.get("router") or request.scope["app"]
        paths[key] = provider.url_path_for(name, **params)
    return paths[key].make_absolute_url(base_url=request.base_url)


templates.env.globals["url_for"] = url_for  # load15

M = TypeVar("M", bound=BaseModel)
CHINESE = re.compile(r"[\u4e00-\u9fff]")


# --- rendering -------------------------------------------------------------------------------

def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    if not request.session.get("csrf"):
        request.session["csrf"] = secrets.token_urlsafe(32)
    return request.session["csrf"]


# Where each staff role lands (the first page its permissions allow), in this order.
LANDINGS = (("registration.read", "/"), ("cases.review", "/cases/queue"),
            ("benefits.payroll_read", "/benefits/payroll"), ("records.import", "/records/imports"),
            ("sharing.upload", "/feeds"), ("sharing.read", "/feeds"))


# oversight-complaints: the complaint post lands on its list
LANDINGS = (*LANDINGS, ("complaints.handle", "/oversight/complaints"))
LANDINGS = (*LANDINGS, ("users.manage", "/admin/locks"))  # seclogin: the sysadmin's lock list
LANDINGS = (*LANDINGS, ("agreements.manage", "/agreements"))  # agreements


def landing(roles: frozenset[str]) -> str:
    """The first page these roles may see; "/" (the search, or a notice) when there is none."""
    return next((url for permission, url in LANDINGS if roles & PERMISSIONS[permission]), "/")


def render(request: Request, name: str, status: int = 200, **context: Any) -> Response:
    """A staff page. ``form``/``values``/``error`` say which form failed, with what input."""
    roles = frozenset(request.session.get("roles", ()))
    base = {"csrf": csrf_token(request), "me": request.session.get("display_name"),
            "flash": request.session.pop("flash", None), "form": None, "values": {},
            "error": None, "portal": bool(roles & PORTAL_ROLES), "home_url": landing(roles),
            "may": {name: bool(roles & allowed) for name, allowed in PERMISSIONS.items()}}
    return templates.TemplateResponse(request, f"staff/{name}", {**base, **context},
                                      status_code=status)


def see_other(url: str, message: str | None = None, request: Request | None = None) -> Response:
    """Redirect after a successful POST, with a one-time notice for the next page."""
    if message and request is not None:
        request.session["flash"] = message
    return RedirectResponse(url, status_code=303)


# --- session and CSRF ------------------------------------------------------------------------

def sign_in(request: Request, user: User, db: Session) -> None:
    """A fresh session (new CSRF token) holding a signed token, as the API uses."""
    request.session.clear()
    address = request.client.host if request.client else ""
    channel = "web" if is_portal(user.role_names) else "counter"
    request.session["token"] = open_session(db, request.app.state.settings.secret_key, user,
                                            channel, address)
    request.session["display_name"] = user.display_name or user.username
    request.session["roles"] = sorted(user.role_names)  # for the menu only; acts check again


def signed_in(request: Request, db: Session = Depends(get_db)) -> Actor:
    """Whoever is signed in: staff at the counter (柜台), portal users on the web (网上)."""
    token = request.session.get("token")
    if not token:
        raise AuthError("auth.login_required", "请先登录")
    cfg = request.app.state.settings
    user = user_from_token(db, cfg.secret_key, token, cfg.token_ttl_seconds, cfg.region)
    return actor_for(user, "web" if is_portal(user.role_names) else "counter")


def is_portal(roles: frozenset[str]) -> bool:
    return bool(roles & PORTAL_ROLES)


def page_actor(actor: Actor = Depends(signed_in)) -> Actor:
    """The signed-in staff member; portal users (参保人、参保单位) may not use staff pages."""
    if is_portal(actor.roles):
        raise PermissionDenied("auth.staff_only", "该页面仅供经办机构工作人员使用，请进入“我的业务”")
    return actor


async def posted(request: Request) -> dict[str, Any]:
    """The submitted form, once its CSRF token matches the session's (every page POST)."""
    form = await request.form()
    expected = request.session.get("csrf", "")
    sent = str(form.get("csrf_token") or request.headers.get("X-CSRF-Token") or "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise PermissionDenied("csrf.invalid", "页面已失效或请求来源无法验证，请刷新页面后重新提交")
    return {key: value for key, value in form.items() if key != "csrf_token"}


def safe_next(target: str | None) -> str:
    """Only local paths: never send a signed-in user to another site."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def login_redirect(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    url = f"/login?next={quote(target)}" if request.method == "GET" else "/login"
    if request.headers.get("HX-Request"):
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# --- forms -----------------------------------------------------------------------------------

def _takes_text(annotation: Any) -> bool:
    return annotation is str or str in get_args(annotation)


def parse(schema: type[M], values: dict[str, Any], titles: dict[str, str] | None = None) -> M:
    """Form fields into the API's request model; a blank non-text field counts as not given."""
    fields = schema.model_fields
    data = {k: v for k, v in values.items()
            if k in fields and (v != "" or _takes_text(fields[k].annotation))}
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise form_error(exc, titles) from None


def form_error(exc: ValidationError, titles: dict[str, str] | None = None) -> InvalidInput:
    """The first problem, named as the form names the field (``titles``, else the label)."""
    first = exc.errors()[0]
    kind = first.get("type", "invalid")
    field = ".".join(str(p) for p in first.get("loc", ())) or None
    message = VALIDATION_MESSAGES.get(kind, "字段格式不正确")
    if kind == "string_pattern_mismatch" and field in FORMAT_HINTS:
        message = FORMAT_HINTS[field]
    if kind == "value_error" and CHINESE.search(said := str(first.get("ctx", {}).get("error", ""))):
        message = said  # a validator's own Chinese message says what is wrong
    title = (titles or {}).get(field or "") or label(field)
    return InvalidInput(f"validation.{kind}", f"{title}：{message}" if field else message, field)


# --- errors ----------------------------------------------------------------------------------

def html_errors(render_json):
    """Pages get an HTML error page (and the login page when signed out); /api keeps JSON."""

    async def render_error(request: Request, exc: JingbanError) -> Response:
        if request.url.path.startswith("/api/"):
            return await render_json(request, exc)
        if isinstance(exc, AuthError):
            return login_redirect(request)
        return render(request, "error.html", status=exc.status, error=exc)

    return render_error
