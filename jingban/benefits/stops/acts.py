"""Stop acts for the case engine: a reported stopping event, a resumption."""

from __future__ import annotations

from jingban.benefits.common.acts import about_person
from jingban.benefits.stops import schemas, service
from jingban.cases.acts import Act
from jingban.registration.service import person_subject

ACTS = (
    Act("benefits.record_stop", "ssn", schemas.StopReportIn, service.record_stop, about_person),
    Act("benefits.resume_award", "ssn", schemas.ResumeIn, service.resume_award, person_subject),
)
