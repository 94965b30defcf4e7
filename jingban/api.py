"""The application: every area's router under /api/v1, the pages, the error handlers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from sqlalchemy.engine import Engine

from jingban import __version__
from jingban.accounts.api import router as accounts_router
from jingban.agreements.api import router as agreements_router  # agreements
from jingban.agreements.claims.api import router as claims_router  # claims
from jingban.benefits.payroll.api import router as payroll_router
from jingban.benefits.pension.api import router as pension_router
from jingban.benefits.recovery.api import router as recovery_router
from jingban.benefits.stops.api import router as stops_router
from jingban.benefits.unemployment.api import router as unemployment_router  # unemployment
from jingban.benefits.verification.api import router as verification_router
from jingban.cases.api import router as cases_router
from jingban.core import policy
from jingban.core.api import router as core_router
from jingban.core.config import Settings
from jingban.core.db import make_engine, make_sessionmaker
from jingban.core.errors import JingbanError
from jingban.core.http import ReadOnlyRoles, error_response, install_error_handlers
from jingban.core.security_api import router as security_router  # seclogin
from jingban.core.security_http import install as install_security  # seclogin
from jingban.enrollment.api import router as enrollment_router  # enrollment
from jingban.funds.budget.api import router as budget_router
from jingban.funds.ledger.api import router as ledger_router
from jingban.funds.reconciliation.api import router as reconciliation_router
from jingban.funds.reports.api import router as fund_reports_router
from jingban.notices.api import router as notices_router
from jingban.oversight.api import router as oversight_router
from jingban.oversight.challenges.api import router as challenges_router  # oversight-complaints
from jingban.oversight.complaints.api import router as complaints_router  # oversight-complaints
from jingban.oversight.dishonesty.api import router as dishonesty_router
from jingban.oversight.inspections.api import router as inspections_router
from jingban.oversight.monitors.api import router as monitors_router
from jingban.oversight.penalties.api import router as penalties_router
from jingban.records.api import router as records_router
from jingban.records.proofs_api import router as proofs_router
from jingban.registration.api import router as registration_router
from jingban.sharing.api import router as sharing_router
from jingban.transfers.api import router as transfers_router
from jingban.web.routes import install as install_pages
from jingban.wiring import install as install_wiring

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    install_wiring()
    settings = settings or Settings.from_env()
    engine = engine or make_engine(settings.database_url)
    policy.use(settings.policy_dirs)
    app = FastAPI(title="经办 Jingban", version=__version__,
                  description="社会保险经办管理信息系统接口。所有接口（除登录外）均需 Bearer 凭证。")
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine, settings)
    app.state.render_error = _render_json
    install_error_handlers(app)
    for router in (core_router, registration_router, cases_router, notices_router,
                   sharing_router,
                   records_router, pension_router, payroll_router, proofs_router, transfers_router,
                   accounts_router, stops_router, verification_router,
                   recovery_router, oversight_router, reconciliation_router, ledger_router,
                   budget_router, fund_reports_router):
        app.include_router(router, prefix=API_PREFIX)
    for router in (complaints_router, challenges_router):  # oversight-complaints (issue 12)
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(dishonesty_router, prefix=API_PREFIX)  # oversight-dishonesty
    app.add_middleware(ReadOnlyRoles)  # inside the session middleware install_pages adds
    for router in (inspections_router, penalties_router):  # oversight: inspections, penalties
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(monitors_router, prefix=API_PREFIX)  # issue 12 item 3: anomaly monitors
    app.include_router(agreements_router, prefix=API_PREFIX)  # agreements
    app.include_router(claims_router, prefix=API_PREFIX)  # claims (issue 13 items 3–5)
    app.include_router(unemployment_router, prefix=API_PREFIX)  # unemployment
    app.include_router(enrollment_router, prefix=API_PREFIX)  # enrollment
    install_pages(app)
    app.include_router(security_router, prefix=API_PREFIX)  # seclogin
    install_security(app)  # seclogin: headers, 413, the docs page without inline script
    return app


async def _render_json(request: Request, exc: JingbanError):
    return error_response(exc)
