"""Every area's tables, imported so that Base.metadata is complete (Alembic, tests)."""

from jingban.benefits.common import models as benefit_common_models  # noqa: F401
from jingban.benefits.recovery import models as benefit_recovery_models  # noqa: F401
from jingban.benefits.stops import models as benefit_stops_models  # noqa: F401
from jingban.benefits.unemployment import models as unemployment_models  # noqa: F401  # unemployment
from jingban.benefits.verification import models as benefit_verification_models  # noqa: F401
from jingban.cases import models as cases_models  # noqa: F401
from jingban.core import models as core_models  # noqa: F401
from jingban.core.db import Base
from jingban.enrollment import models as enrollment_models  # noqa: F401  # enrollment
from jingban.funds.budget import models as funds_budget_models  # noqa: F401
from jingban.funds.ledger import models as funds_ledger_models  # noqa: F401
from jingban.funds.reconciliation import models as funds_reconciliation_models  # noqa: F401
from jingban.funds.reports import models as funds_reports_models  # noqa: F401
from jingban.notices import models as notices_models  # noqa: F401
from jingban.oversight import models as oversight_models  # noqa: F401
from jingban.oversight.challenges import models as oversight_challenge_models  # noqa: F401
from jingban.oversight.complaints import models as oversight_complaint_models  # noqa: F401
from jingban.oversight.dishonesty import models as oversight_dishonesty_models  # noqa: F401
from jingban.oversight.inspections import models as inspections_models  # noqa: F401
from jingban.oversight.monitors import models as oversight_monitor_models  # noqa: F401
from jingban.oversight.penalties import models as penalties_models  # noqa: F401
from jingban.records import models as records_models  # noqa: F401
from jingban.registration import models as registration_models  # noqa: F401
from jingban.sharing import models as sharing_models  # noqa: F401
from jingban.transfers import models as transfers_models  # noqa: F401

metadata = Base.metadata
from jingban.agreements.breaches import models as agreements_breach_models  # noqa: F401,E402  # agreements
from jingban.agreements.claims import models as claims_models  # noqa: F401,E402  # claims
from jingban.agreements.institutions import models as agreements_models  # noqa: F401,E402  # agreements
from jingban.benefits.injury import models as injury_models  # noqa: F401,E402  # injury
from jingban.benefits.maternity import models as maternity_models  # noqa: F401,E402  # medmat
from jingban.benefits.medical import models as medical_models  # noqa: F401,E402  # medmat
from jingban.core import login_models as core_login_models  # noqa: F401,E402  # seclogin
