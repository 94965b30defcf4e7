"""The funds acts for the case engine: a manual entry (FUND-MANUAL) and a reversal
(FUND-REVERSAL), high-risk (SPEC §2): the accountant takes the case in, three reviewers decide,
the last one's approval books the voucher and is its 复核审批 signature."""

from __future__ import annotations

from jingban.cases.acts import Act
from jingban.funds.ledger import schemas, service

ACTS = (
    Act("funds.manual_entry", None, schemas.ManualEntryIn, service.manual_entry,
        service.entry_subject, service.manual_applicant),
    Act("funds.reverse_entry", None, schemas.ReversalIn, service.reverse_entry,
        service.entry_subject, service.reversal_applicant),
)
