"""Security plumbing on every response and request (issue 15 item 2, bad input):

- the security headers (Content-Security-Policy with no inline script, frame-ancestors and
  X-Frame-Options, X-Content-Type-Options, Referrer-Policy) on every page and API answer;
- cookies marked Secure when the request came over HTTPS (HttpOnly and SameSite are set by the
  session middleware);
- request bodies larger than the settings allow refused with 413 before any route reads them;
- the API documentation page without its inline script (a static file starts Swagger UI) and
  with Swagger UI served by the app itself (no CDN; the same CSP as every page);
- the access log (uvicorn's) with the citizen IDs, SSNs, phones and bank accounts that staff
  URLs carry (``/persons/{ssn}``, ``?q=139…``) masked; the Referrer-Policy keeps those URLs
  from reaching any other site.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import re
from importlib.resources import files
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse, HTMLResponse
from starlette.requests import Request

from jingban.core.errors import JingbanError, NotFound
from jingban.core.privacy import mask_id

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
HEADERS = ((b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"same-origin"), (b"cross-origin-opener-policy", b"same-origin"))


def is_https(scope) -> bool:
    return scope.get("scheme") == "https"


def _secure_cookie(value: bytes) -> bytes:
    return value if b"secure" in value.lower().split(b"; ") else value + b"; Secure"


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response; Secure cookies over HTTPS."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        https = is_https(scope)

        async def sending(message):
            if message["type"] == "http.response.start":
                headers = [(k, _secure_cookie(v) if https and k.lower() == b"set-cookie" else v)
                           for k, v in message.get("headers", [])]
                headers += [(b"content-security-policy", CSP.encode()), *HEADERS]
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000"))
                message = {**message, "headers": headers}
            await send(message)

        return await self.app(scope, receive, sending)


class BodyTooLarge(JingbanError):
    status = 413


def _too_large(limit: int) -> BodyTooLarge:
    size = f"{limit // (1 << 20)}MB" if limit >= 1 << 20 else f"{limit // 1024}KB"
    return BodyTooLarge("http.too_large", f"请求内容超过允许的大小（{size}），请拆分后提交", "body")


class BodyLimit:
    """ASGI middleware: a body above settings.max_body_bytes (file uploads, multipart:
    settings.max_upload_bytes) is refused with 413 — by its Content-Length before routing, or,
    sent in chunks, as soon as the running count passes the limit."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            return await self.app(scope, receive, send)
        request = Request(scope, receive)
        cfg = request.app.state.settings
        multipart = request.headers.get("content-type", "").startswith("multipart/")
        limit = cfg.max_upload_bytes if multipart else cfg.max_body_bytes
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return await self._refuse(request, limit, scope, send)
        await self._counted(request, limit, scope, receive, send)

    async def _counted(self, request: Request, limit: int, scope, receive, send) -> None:
        """A body without a (truthful) length: counted as it arrives; past the limit the 413
        goes out at once, the app sees the client gone, and whatever it answers is dropped."""
        seen, started, refused = 0, False, False

        async def receiving():
            nonlocal seen, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit and not started:
                refused = True
                await self._refuse(request, limit, scope, send)
                return {"type": "http.disconnect"}
            return message

        async def sending(message):
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receiving, sending)
        except Exception:
            if not refused:
                raise

    @staticmethod
    async def _refuse(request: Request, limit: int, scope, send) -> None:
        # outside the session middleware: an error page gets a throwaway session
        scope = {**scope, "session": scope.get("session", {})}
        response = await request.app.state.render_error(Request(scope), _too_large(limit))
        await response(scope, _no_body, send)


async def _no_body():
    return {"type": "http.request", "body": b"", "more_body": False}


# Swagger UI's files (5.x, for OpenAPI 3.1), served by the app itself from the pinned
# fastapi-offline package (no CDN, no third-party origin on /docs; each carries its SRI hash).
DOCS_ASSETS_PATH = "/docs/assets"
DOCS_ASSETS = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "text/javascript",
               "favicon.png": "image/png"}
VENDOR = Path(str(files("fastapi_offline") / "static"))
INIT_JS = Path(__file__).parents[1] / "web" / "static" / "swagger-init.js"


@functools.cache
def integrity(path: Path) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def docs_asset(name: str) -> FileResponse:
    if name not in DOCS_ASSETS:
        raise NotFound("docs.asset_not_found", "未找到该接口文档文件", "name")
    return FileResponse(VENDOR / name, media_type=DOCS_ASSETS[name],
                        headers={"Cache-Control": "public, max-age=86400"})


def docs_page(openapi_url: str, title: str) -> HTMLResponse:
    def sri(name: str) -> str:
        return integrity(VENDOR / name)
    return HTMLResponse(f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title} - 接口文档</title>
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="icon" type="image/png" href="{DOCS_ASSETS_PATH}/favicon.png">
<link rel="stylesheet" href="{DOCS_ASSETS_PATH}/swagger-ui.css" integrity="{sri('swagger-ui.css')}"></head>
<body><div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{DOCS_ASSETS_PATH}/swagger-ui-bundle.js" integrity="{sri('swagger-ui-bundle.js')}"></script>
<script src="/static/swagger-init.js" integrity="{integrity(INIT_JS)}"></script></body></html>""")


# a citizen ID, an assigned SSN (country + region + sequence + check), a phone or bank account
PERSONAL = re.compile(r"(?<![0-9A-Za-z])(?:[A-Z]{3}\d{14}[0-9A-Z]|\d{17}[0-9Xx]|\d{11,30})"
                      r"(?![0-9A-Za-z])")


def mask_personal(text: str) -> str:
    """The text with every ID, SSN, phone or account number in it masked (3301****1234)."""
    return PERSONAL.sub(lambda m: mask_id(m.group()), text)


class AccessLogMask(logging.Filter):
    """Masks the personal numbers in the request line of each access-log record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(mask_personal(a) if isinstance(a, str) else a
                                for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = mask_personal(record.msg)
        return True


def mask_access_log(logger: logging.Logger | None = None) -> None:
    logger = logger or logging.getLogger("uvicorn.access")
    if not any(isinstance(f, AccessLogMask) for f in logger.filters):
        logger.addFilter(AccessLogMask())


def install(app: FastAPI) -> None:
    """The middlewares above (outermost: they wrap the sessions too), the docs page with its
    own assets (ReDoc, which only comes from a CDN, is not served) and the access log's mask."""
    mask_access_log()
    if app.docs_url:
        path, title, spec = app.docs_url, app.title, app.openapi_url
        dropped = {path, app.redoc_url}
        app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) not in dropped]
        app.add_api_route(path, lambda: docs_page(spec, title), include_in_schema=False)
        app.add_api_route(DOCS_ASSETS_PATH + "/{name}", docs_asset, include_in_schema=False)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
