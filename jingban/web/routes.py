"""Mount the staff pages: session cookie, static files, page routers, HTML errors."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from jingban.web import activation, auth, benefits, cases, feeds, proofs, records, staff
from jingban.web import benefit_stops as benefit_stop_pages
from jingban.web import portal as portal_pages
from jingban.web import survivors as survivor_pages
from jingban.web import transfers as transfer_pages
from jingban.web.pages import HERE, SESSION_COOKIE, html_errors


def install(app: FastAPI) -> None:
    app.add_middleware(SessionMiddleware, secret_key=app.state.settings.secret_key,
                       session_cookie=SESSION_COOKIE, same_site="lax",
                       max_age=app.state.settings.token_ttl_seconds)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, cases, portal_pages, staff, feeds, records, activation, proofs, benefits,
                   transfer_pages, benefit_stop_pages, survivor_pages):
        app.include_router(module.router, include_in_schema=False)
    app.state.render_error = html_errors(app.state.render_error)
