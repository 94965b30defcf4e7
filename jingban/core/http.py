"""HTTP plumbing shared by every router: sessions, the acting user, errors as JSON."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, FastAPI, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.exc import DataError
from sqlalchemy.orm import Session
from starlette.exceptions import HTTPException as StarletteHTTPException

from jingban.core.actor import Actor
from jingban.core.auth import actor_for, user_from_token
from jingban.core.config import Settings
from jingban.core.errors import AuthError, InvalidInput, JingbanError, PermissionDenied
from jingban.core.rules import READ_ONLY_ROLES

RowId = Annotated[int, Path(ge=1, le=2**31 - 1, description="记录编号")]

bearer = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)

VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "string_too_short": "不能为空或长度不足",
    "string_too_long": "超过允许的最大长度",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "date_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_parsing": "日期格式应为 YYYY-MM-DD",
    "date_from_datetime_inexact": "日期格式应为 YYYY-MM-DD",
    "date_type": "日期格式应为 YYYY-MM-DD",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "decimal_parsing": "应为数字",
    "decimal_type": "应为数字",
    "greater_than": "数值过小",
    "greater_than_equal": "数值过小",
    "less_than": "数值过大",
    "less_than_equal": "数值过大",
    "extra_forbidden": "不允许的字段",
    "json_invalid": "请求内容不是合法的 JSON",
    "model_attributes_type": "请求内容格式不正确",
    "dict_type": "请求内容格式不正确",
    "string_type": "应为文本",
    "bool_parsing": "应为是或否",
}


def settings(request: Request) -> Settings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    db = request.app.state.sessionmaker()
    try:
        yield db
    finally:
        db.close()


def api_actor(request: Request, token: str | None = Depends(bearer),
              db: Session = Depends(get_db)) -> Actor:
    """The user behind the bearer token (every API endpoint except /auth/token needs one)."""
    if not token:
        raise AuthError("auth.missing_token", "未登录：缺少登录凭证（Authorization: Bearer …）")
    cfg: Settings = request.app.state.settings
    user = user_from_token(db, cfg.secret_key, token, cfg.token_ttl_seconds, cfg.region)
    return actor_for(user, "api")


def error_response(exc: JingbanError) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
    return JSONResponse({"error": exc.to_dict()}, status_code=exc.status, headers=headers)


def _field(loc: tuple) -> str | None:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "header")]
    return ".".join(parts) or None


def validation_error(exc: RequestValidationError) -> JingbanError:
    first = exc.errors()[0]
    kind = first.get("type", "")
    message = VALIDATION_MESSAGES.get(kind, "字段格式不正确")
    # invalid JSON: the loc is (body, character offset), not a field
    field = "body" if kind == "json_invalid" else _field(tuple(first.get("loc", ())))
    ctx = first.get("ctx", {})
    if kind == "literal_error" and "expected" in ctx:
        choices = re.findall(r"'([^']*)'", str(ctx["expected"])) or [str(ctx["expected"])]
        message += f"，可选值：{'、'.join(choices)}"
    if kind == "value_error" and re.search(r"[\u4e00-\u9fff]", said := str(ctx.get("error", ""))):
        message = said  # a model validator's own Chinese message says what is wrong
    text = f"{field}：{message}" if field else message
    error = JingbanError(f"validation.{kind or 'invalid'}", text, field)
    error.status = 422
    return error


def install_error_handlers(app: FastAPI) -> None:
    document_errors(app)  # fuzzload: the OpenAPI document, built later, declares these answers

    @app.exception_handler(JingbanError)
    async def _jingban(request: Request, exc: JingbanError):
        return await request.app.state.render_error(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        return await request.app.state.render_error(request, validation_error(exc))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError):
        # Safety net: input the database cannot store (NUL characters, out-of-range numbers).
        error = InvalidInput("db.invalid_value", "输入包含无法保存的字符或超出范围的数值")
        return await request.app.state.render_error(request, error)

    @app.exception_handler(OverflowError)  # fuzzload: SQLite's DataError for an integer past 64 bits
    async def _overflow(request: Request, exc: OverflowError):
        return await _data(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        codes = {404: ("http.not_found", "请求的地址不存在"),
                 405: ("http.method", "不支持该请求方法")}
        code, message = codes.get(exc.status_code, ("http.error", str(exc.detail)))
        error = JingbanError(code, message)
        error.status = exc.status_code
        return await request.app.state.render_error(request, error)


# --- read-only roles (R§47) ----------------------------------------------------------------------

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Signing in and out changes no business data; a supervisor must be able to do both.
SIGN_IN_PATHS = frozenset({"/api/v1/auth/token", "/login", "/logout", "/api/v1/auth/logout"})


class ReadOnlyRoles:
    """ASGI middleware: a write request (POST/PUT/PATCH/DELETE) by a user holding a read-only
    role (行政监督, R§47) is refused with 403 before routing, validation or any body parsing,
    so no route — API or page, including ones added later — is reachable with that role.
    Installed inside the session middleware, so a page's signed-in session is seen too."""

    def __init__(self, app, session_token: str = "token"):
        self.app = app
        self.session_token = session_token

    async def __call__(self, scope, receive, send):
        if (scope["type"] != "http" or scope["method"] not in WRITE_METHODS
                or scope["path"] in SIGN_IN_PATHS):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        tokens = [t for t in (_bearer(request), scope.get("session", {}).get(self.session_token))
                  if t]
        if tokens and await run_in_threadpool(_read_only, request.app, tokens):
            error = PermissionDenied("auth.read_only", "行政监督岗为只读监督角色，不能办理、修改或提交"
                                                       "任何业务（《社会保险经办条例》第四十七条）")
            response = await request.app.state.render_error(request, error)
            return await response(scope, receive, send)
        return await self.app(scope, receive, send)


def _bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _read_only(app: FastAPI, tokens: list[str]) -> bool:
    """Whether any credential sent names an active user holding a read-only role; a bad
    credential is left to the route (401 as usual)."""
    cfg: Settings = app.state.settings
    with app.state.sessionmaker() as db:
        for token in tokens:
            try:
                user = user_from_token(db, cfg.secret_key, token, cfg.token_ttl_seconds,
                                       cfg.region)
            except AuthError:
                continue
            if user.role_names & READ_ONLY_ROLES:
                return True
    return False


# --- the error answers in the OpenAPI contract (fuzzload) ----------------------------------------

# fuzzload: every API answer outside 2xx is {"error": {code, message, field}} (error_response);
# the contract says so for each status the house errors use, instead of FastAPI's default 422.
ERROR_STATUSES = {"400": "请求不合法", "401": "未登录或登录凭证无效", "403": "无权办理",
                  "404": "记录不存在", "409": "与现有记录或状态冲突", "413": "请求内容过大",
                  "422": "输入不合法", "423": "账号已锁定", "429": "尝试过于频繁"}
ERROR_SCHEMA = {"type": "object", "required": ["error"], "additionalProperties": False,
                "properties": {"error": {"$ref": "#/components/schemas/ErrorDetail"}}}
ERROR_DETAIL = {"type": "object", "required": ["code", "message", "field"],
                "additionalProperties": False,
                "properties": {"code": {"type": "string"}, "message": {"type": "string"},
                               "field": {"anyOf": [{"type": "string"}, {"type": "null"}]}}}


def document_errors(app: FastAPI) -> None:  # fuzzload
    """Declare the house error answer on every operation of the app's OpenAPI document."""
    build = app.openapi

    def openapi() -> dict:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = build()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update({"Error": ERROR_SCHEMA, "ErrorDetail": ERROR_DETAIL})
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        answer = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_STATUSES.items():
                    responses[status] = {"description": description, **answer}
        return schema

    app.openapi = openapi
