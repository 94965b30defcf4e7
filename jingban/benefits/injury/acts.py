"""Work-injury acts for the case engine: each item's final approval (BEN-INJURY-*)."""

from __future__ import annotations

from jingban.benefits.common.acts import about_person
from jingban.benefits.injury import schemas, service
from jingban.cases.acts import Act

ACTS = (
    Act("benefits.record_injury_recognition", "ssn", schemas.RecognitionIn,
        service.record_recognition, about_person),
    Act("benefits.apply_injury_appraisal", "ssn", schemas.AppraisalApplyIn,
        service.apply_appraisal, about_person),
    Act("benefits.record_injury_appraisal", "ssn", schemas.AppraisalIn,
        service.record_appraisal, about_person),
    Act("benefits.extend_injury_leave", "ssn", schemas.ExtensionIn, service.extend_leave, about_person),
    Act("benefits.record_injury_recurrence", "ssn", schemas.RecurrenceIn,
        service.record_recurrence, about_person),
    Act("benefits.grant_injury_device", "ssn", schemas.DeviceIn, service.grant_device, about_person),
    Act("benefits.determine_injury_disability", "ssn", schemas.DisabilityIn,
        service.determine_disability, about_person),
    Act("benefits.grant_injury_ending", "ssn", schemas.EndingIn, service.grant_ending, about_person),
    Act("benefits.determine_injury_death", "ssn", schemas.DeathIn, service.determine_death, about_person),
    Act("benefits.reimburse_injury_medical", "ssn", schemas.ReimbursementIn,
        service.reimburse_medical, about_person),
)
