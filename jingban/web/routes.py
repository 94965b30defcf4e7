"""Mount the staff pages: session cookie, static files, page routers, HTML errors."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from jingban.web import (
    activation,
    auth,
    cases,
    feeds,
    funds_reconciliation,
    person_links,  # sec15
    proofs,
    records,
    staff,
)
from jingban.web import agreements as agreement_pages  # agreements
from jingban.web import claims as claim_pages  # claims
from jingban.web import enrollment as enrollment_pages  # enrollment
from jingban.web import funds_budget as budget_pages
from jingban.web import funds_ledger as ledger_pages
from jingban.web import funds_reports as fund_report_pages
from jingban.web import oversight_challenges as challenge_pages  # ovs
from jingban.web import oversight_complaints as complaint_pages  # oversight-complaints
from jingban.web import oversight_dishonesty as dishonesty_pages
from jingban.web import oversight_inspections as inspection_pages
from jingban.web import oversight_monitors as monitor_pages
from jingban.web import oversight_portal as credit_portal_pages  # ovs
from jingban.web import portal as portal_pages
from jingban.web import privacy as privacy_pages  # secdata
from jingban.web import security as security_pages  # seclogin
from jingban.web import supervision as supervision_pages
from jingban.web import transfers as transfer_pages
from jingban.web.benefits import injury as injury_pages  # injury
from jingban.web.benefits import maternity as maternity_pages  # medmat
from jingban.web.benefits import medical as medical_pages  # medmat
from jingban.web.benefits import payroll as payroll_pages
from jingban.web.benefits import pension as pension_pages
from jingban.web.benefits import recovery as recovery_pages
from jingban.web.benefits import stops as stop_pages
from jingban.web.benefits import survivor as survivor_pages
from jingban.web.benefits import unemployment as unemployment_pages  # unemployment
from jingban.web.benefits import verification as verification_pages
from jingban.web.pages import (
    HERE,
    SESSION_COOKIE,
    html_errors,
    templates,  # sec15
)


def install(app: FastAPI) -> None:
    app.add_middleware(SessionMiddleware, secret_key=app.state.settings.secret_key,
                       session_cookie=SESSION_COOKIE, same_site="lax",
                       max_age=app.state.settings.token_ttl_seconds)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (auth, cases, portal_pages, staff, feeds, records, activation, proofs, pension_pages,
                   payroll_pages, transfer_pages, stop_pages, verification_pages, recovery_pages,
                   survivor_pages, funds_reconciliation, ledger_pages, budget_pages,
                   fund_report_pages):
        app.include_router(module.router, include_in_schema=False)
    app.include_router(complaint_pages.router, include_in_schema=False)  # oversight-complaints
    for module in (dishonesty_pages, supervision_pages):  # oversight-dishonesty
        app.include_router(module.router, include_in_schema=False)
    app.include_router(inspection_pages.router, include_in_schema=False)  # oversight: inspections
    app.include_router(monitor_pages.router, include_in_schema=False)  # issue 12 item 3
    app.include_router(challenge_pages.router, include_in_schema=False)  # ovs
    app.include_router(credit_portal_pages.router, include_in_schema=False)  # ovs
    app.include_router(privacy_pages.router, include_in_schema=False)  # secdata
    app.include_router(security_pages.router, include_in_schema=False)  # seclogin
    app.include_router(claim_pages.router, include_in_schema=False)  # claims
    app.include_router(unemployment_pages.router, include_in_schema=False)  # unemployment
    app.include_router(injury_pages.router, include_in_schema=False)  # injury
    app.include_router(medical_pages.router, include_in_schema=False)  # medmat
    app.include_router(maternity_pages.router, include_in_schema=False)  # medmat
    app.include_router(enrollment_pages.router, include_in_schema=False)  # enrollment
    app.state.render_error = html_errors(app.state.render_error)
    person_links.install(app, templates)  # sec15: persons named by public_id in URLs
    app.include_router(agreement_pages.router, include_in_schema=False)  # agreements
