"""The agreements area's acts for the case engine: the institution's lifecycle (R§33: AGR-APPLY,
AGR-REVIEW, AGR-SIGN, AGR-RENEW, AGR-EVALUATE) and the breach decision (R§43: AGR-BREACH)."""

from __future__ import annotations

from jingban.agreements.breaches import service as breaches
from jingban.agreements.breaches.schemas import BreachAct
from jingban.agreements.institutions import lifecycle
from jingban.agreements.institutions.schemas import (
    ApplicationIn,
    EvaluateIn,
    RenewIn,
    ReviewIn,
    SignIn,
)
from jingban.cases.acts import Act

ACTS = (
    Act("agreements.apply", None, ApplicationIn, lifecycle.apply, lifecycle.subject_of,
        lifecycle.apply_applicant),
    Act("agreements.review", None, ReviewIn, lifecycle.review, lifecycle.subject_of,
        lifecycle.institution_applicant),
    Act("agreements.sign", None, SignIn, lifecycle.sign, lifecycle.subject_of,
        lifecycle.institution_applicant),
    Act("agreements.renew", None, RenewIn, lifecycle.renew, lifecycle.subject_of,
        lifecycle.institution_applicant),
    Act("agreements.evaluate", None, EvaluateIn, lifecycle.evaluate, lifecycle.subject_of,
        lifecycle.institution_applicant),
    Act("agreements.decide_breach", None, BreachAct, breaches.decide, breaches.case_subject,
        breaches.decision_applicant),
)
