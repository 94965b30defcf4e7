"""Request and response models for credit records."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SubjectKind = Literal["person", "employer", "institution", "staff"]


class CreditIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    subject_kind: SubjectKind = Field(
        description="person 个人，employer 用人单位，institution 服务机构，staff 工作人员")
    subject_key: str = Field(min_length=1, max_length=40, description="社会保障号码、统一社会信用代码或工号")
    subject_name: str = Field(default="", max_length=200)
    act: str = Field(min_length=1, max_length=40, description="失信行为代码")
    description: str = Field(min_length=1, max_length=500, description="事实经过")
    source_ref: str = Field(min_length=1, max_length=64, description="来源业务（如业务件号）")


class CreditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    subject_kind: str
    subject_key: str
    subject_name: str
    act: str
    act_name: str = ""
    description: str
    basis: str
    source_ref: str
    recorded_on: dt.date
    recorded_by: str
    status: str
