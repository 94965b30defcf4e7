"""Request and response models for cases."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Agent(Strict):
    """授权代办人 (R§30)."""

    name: str = Field(min_length=1, max_length=64)
    id_number: str = Field(min_length=1, max_length=40)
    authorization: str = Field(min_length=1, max_length=200, description="授权委托书编号或说明")


class CaseCreate(Strict):
    item: str = Field(min_length=1, max_length=32, description="事项编码")
    payload: dict[str, Any] = Field(description="事项所需的业务数据")
    materials: list[str] = Field(default_factory=list, description="已提交的材料编码")
    agent: Agent | None = None
    request_id: str | None = Field(default=None, max_length=64,
                                   description="客户端请求编号：重复提交返回同一业务件")


class Decision(Strict):
    level: int = Field(ge=1, le=3)
    decision: Literal["approve", "reject"]
    reason: str = Field(default="", max_length=500)


class MaterialCodes(Strict):
    codes: list[str] = Field(min_length=1)
    note: str = Field(default="", max_length=500)


class Reason(Strict):
    reason: str = Field(min_length=1, max_length=500)


class Resubmission(Strict):
    reason: str = Field(min_length=1, max_length=500)
    payload: dict[str, Any] | None = None


class Claim(Strict):
    assignee: str | None = Field(default=None, max_length=64)


class MaterialOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    basis: str
    state: str


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: dt.datetime
    actor: str
    action: str
    level: int | None
    round: int
    note: str


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str
    message: str
    created_at: dt.datetime


class CaseOut(BaseModel):
    id: int
    number: str
    item: str
    item_name: str
    channel: str
    status: str
    status_name: str
    subject: str | None
    applicant_key: str
    applicant_name: str
    agent_name: str
    received_on: dt.date
    due_on: dt.date | None
    due_provisional: bool
    remaining_wd: int
    levels_required: int
    levels_done: int
    intake_by: str
    assigned_to: str | None
    completed_on: dt.date | None
    outcome: str
    payload: dict[str, Any]
    materials: list[MaterialOut]
    timeline: list[StepOut]
    notifications: list[NotificationOut]


class CaseBrief(BaseModel):
    id: int
    number: str
    item: str
    item_name: str
    status: str
    applicant_name: str
    received_on: dt.date
    due_on: dt.date | None
    due_provisional: bool = Field(description="期限跨入尚未公布节假日安排的年度，按周一至周五暂定")
    levels_required: int
    levels_done: int
    assigned_to: str | None
