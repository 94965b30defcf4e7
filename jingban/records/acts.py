"""Records' acts for the case engine (registered by ``jingban.wiring``)."""

from __future__ import annotations

from jingban.cases.acts import Act
from jingban.records import schemas as rec
from jingban.records import service as records
from jingban.registration.service import person_subject

ACTS = (
    Act("records.record_deemed_service", "ssn", rec.DeemedServiceCreate,
        records.record_deemed_service, person_subject),
    Act("records.correct_record", "ssn", rec.RecordCorrection, records.correct_record,
        person_subject),
)
