"""Request and response models of the anomaly monitors."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RunIn(Strict):
    on: dt.date | None = Field(default=None, description="监测日期（默认今天）")
    only: str | None = Field(default=None, max_length=32, description="只运行该监测项目（代码）")


class ExplainIn(Strict):
    reason: str = Field(min_length=5, max_length=500, description="核实后的合理解释（关闭疑点的理由）")


class InspectIn(Strict):
    reason: str = Field(min_length=2, max_length=500, description="转入核查的理由")


class MonitorOut(BaseModel):
    code: str
    name: str
    basis: str


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    monitor: str
    monitor_name: str = ""
    run_on: dt.date
    status: str
    hits: int
    started_by: str
    repeat: bool = False


class HitOut(BaseModel):
    id: int
    monitor: str
    monitor_name: str
    basis: str
    fact_key: str
    raised_on: dt.date
    subject_kind: str
    subject_ref: str
    subject_name: str
    description: str
    fact_date: dt.date | None
    period: int | None
    value_before: int | None
    value_after: int | None
    amount: int | None = Field(description="金额（分）")
    months: int | None
    ref: str
    status: str
    status_name: str
    closed_reason: str
    closed_by: str
    closed_on: dt.date | None
    inspection_case_id: int | None


class HitPage(BaseModel):
    total: int
    rows: list[HitOut]
