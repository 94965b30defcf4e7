"""Medical acts for the case engine: the manual reimbursement (BEN-MEDICAL-MANUAL) and the
chronic and special outpatient recognition (BEN-MEDICAL-CHRONIC) and its end
(BEN-MEDICAL-CHRONIC-END)."""

from __future__ import annotations

from jingban.benefits.common.acts import about_person
from jingban.benefits.medical import schemas, service
from jingban.cases.acts import Act

ACTS = (
    Act("benefits.reimburse_medical", "ssn", schemas.ManualClaimIn, service.reimburse, about_person),
    Act("benefits.recognise_chronic", "ssn", schemas.ChronicIn, service.recognise_chronic, about_person),
    Act("benefits.end_chronic", "ssn", schemas.ChronicEndIn, service.end_chronic, about_person),
)
