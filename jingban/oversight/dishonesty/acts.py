"""The list's acts for the case engine: the decision to list (OVS-DISHONESTY-LIST, 初审+复核),
the objection (OVS-DISHONESTY-OBJECTION) and credit repair (OVS-DISHONESTY-REPAIR)."""

from __future__ import annotations

from jingban.cases.acts import Act
from jingban.oversight.dishonesty import service
from jingban.oversight.dishonesty.schemas import ListingAct

ACTS = (
    Act("oversight.dishonesty.list", None, ListingAct, service.list_subject,
        service.listing_subject, service.decision_applicant),
    Act("oversight.dishonesty.objection", None, ListingAct, service.uphold_objection,
        service.case_subject, service.subject_applicant),
    Act("oversight.dishonesty.repair", None, ListingAct, service.repair,
        service.case_subject, service.subject_applicant),
)
