"""Enrollment registry requests and answers (validation lives here)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Source = Literal["police", "civil", "health", "education", "tax", "market", "elsewhere"]
FlagKind = Literal["duplicate", "not_enrolled", "partial", "inaccurate"]
Dimension = Literal["household_region", "age_band", "sex", "employment_status", "where",
                    "not_enrolled_reason", "insurance"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Orm(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class RejectedRow(BaseModel):
    line: int
    code: str
    message: str
    field: str | None


class FileOut(Orm):
    id: int
    source: str
    filename: str
    uploaded_by: str
    received_at: dt.datetime
    total: int
    accepted: int
    rejected: int


class FileDetail(FileOut):
    rejected_rows: list[RejectedRow] = []


class RunOut(Orm):
    id: int
    started_by: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    backend: str
    records: int
    exact_links: int
    model_links: int
    review_pairs: int
    entries: int
    flags: int
    match_threshold: float
    review_threshold: float
    seconds: float


class RecordOut(Orm):
    id: int
    source: str
    source_key: str
    line: int
    raw: str
    citizen_id: str
    id_problem: str
    name: str
    sex: str
    birth_date: dt.date | None
    household_region: str
    residence: str
    phone: str
    employment_status: str
    insurances: str
    insured_region: str


class PairOut(BaseModel):
    id: int
    probability: float
    status: str
    decided_by: str
    left: RecordOut | None
    right: RecordOut | None


class DecisionIn(Strict):
    decision: Literal["same", "different"] = Field(description="same 同一人 / different 不是同一人")
    note: str = Field(default="", max_length=300)


class FlagOut(Orm):
    id: int
    kind: str
    reason: str
    fields: str
    status: str
    raised_at: dt.datetime
    cleared_at: dt.datetime | None
    cleared_by: str
    cleared_source: str


class EntryOut(Orm):
    id: int
    citizen_id: str
    name: str
    sex: str
    birth_date: dt.date | None
    ethnicity: str
    household_region: str
    household_type: str
    residence_region: str
    residence: str
    phone: str
    employment_status: str
    insured_here: str
    insured_elsewhere: str
    elsewhere_region: str
    not_enrolled_reason: str
    person_id: int | None
    record_count: int
    status: str


class EntryDetail(EntryOut):
    sources: dict[str, str]
    flags: list[FlagOut]
    prompt_fields: list[str]


class CollectIn(Strict):
    """补充或更正的登记信息 (E§13, E§14): only the fields given are taken."""

    name: str | None = Field(default=None, max_length=64)
    citizen_id: str | None = Field(default=None, max_length=40)
    birth_date: str | None = Field(default=None, max_length=20)
    ethnicity: str | None = Field(default=None, max_length=16)
    household_region: str | None = Field(default=None, max_length=12)
    household_type: str | None = Field(default=None, max_length=20)
    residence_region: str | None = Field(default=None, max_length=12)
    residence: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=32)
    employment_status: str | None = Field(default=None, max_length=20)
    not_enrolled_reason: str | None = Field(default=None, max_length=30)


class StatRow(BaseModel):
    value: str
    label: str
    persons: int
    enrolled: int
    base: int = Field(description="参保率的分母：本组人数；按险种统计时为全部登记人员")
    coverage: float
    investigate: int


class Statistics(BaseModel):
    summary: dict[str, float]
    tables: dict[str, list[StatRow]]


class ListedEntry(BaseModel):
    id: int
    name: str
    citizen_id: str
    sex: str
    birth_date: dt.date | None
    household_region: str
    employment_status: str
    insured_here: str
    insured_elsewhere: str
    not_enrolled_reason: str
    status: str


class SurveyListIn(Strict):
    division: str = Field(max_length=12, description="行政区划代码（6位县、9位乡镇街道、12位社区村）")


class TeamIn(Strict):
    team: list[str] = Field(min_length=1, max_length=5, description="调查员用户名（2-3人）")


class ReviewIn(Strict):
    accept: bool
    note: str = Field(default="", max_length=300)


class SurveyListOut(Orm):
    id: int
    division: str
    created_by: str
    created_at: dt.datetime
    team: str
    status: str


class SurveyItemOut(BaseModel):
    id: int
    entry_id: int
    name: str
    status: str
    values: dict[str, str]
    entered_by: str
    reviewed_by: str
    approved_by: str
    note: str
