"""The inspection acts for the case engine: filing (OVS-INSPECT), the conclusion with the order to
correct (OVS-INSPECT-CONCLUDE, R§44) and the handover to the administrative department
(OVS-HANDOVER, R§44). The inspector takes each in; reviewers decide the last two."""

from __future__ import annotations

from jingban.cases.acts import Act
from jingban.oversight.inspections import schemas, service

ACTS = (
    Act("oversight.file_inspection", None, schemas.FilingIn, service.file_inspection,
        service.inspection_subject, service.filing_applicant),
    Act("oversight.conclude_inspection", None, schemas.ConcludeCaseIn, service.conclude_inspection,
        service.inspection_subject, service.conclusion_applicant),
    Act("oversight.hand_over", None, schemas.HandoverCaseIn, service.hand_over,
        service.inspection_subject, service.handover_applicant),
)
