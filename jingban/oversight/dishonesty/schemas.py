"""Request and response models of the serious-dishonesty list."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ListedKind = Literal["person", "employer", "institution"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProposalIn(Strict):
    """拟列入: the inspector proposes a subject whose credit records meet the criteria."""

    subject_kind: ListedKind = Field(description="person 个人，employer 用人单位，institution 服务机构")
    subject_key: str = Field(min_length=1, max_length=40,
                             description="社会保障号码、统一社会信用代码或机构编码")
    reason: str = Field(min_length=1, max_length=500, description="拟列入的事实与理由")
    inspection_case_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                           description="关联的核查业务件（可空）")


class StatementIn(Strict):
    """陈述申辩: what the subject says, in writing or recorded at the counter."""

    text: str = Field(min_length=1, max_length=2000, description="陈述申辩内容")


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=500, description="理由")


class ListingAct(Strict):
    """The payload of a list case (列入审批、异议、信用修复): which listing, and why."""

    listing_id: int = Field(ge=1, le=2**31 - 1, description="名单条目编号")
    reason: str = Field(min_length=1, max_length=500, description="理由")


class ListingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    subject_kind: str
    subject_key: str
    subject_name: str
    status: str
    status_name: str = ""
    criterion: str
    facts: str
    basis: str
    reason: str
    inspection_case_id: int | None
    proposed_on: dt.date
    noticed_on: dt.date | None
    statement_due: dt.date | None
    due_provisional: bool
    statement: str
    decision_case_id: int | None
    listed_on: dt.date | None
    listed_until: dt.date | None
    repair_from: dt.date | None
    objection_case_id: int | None
    repair_case_id: int | None
    ended_on: dt.date | None
    end_reason: str


class HistoryLine(BaseModel):
    on: dt.date
    step: str
    name: str
    note: str
    by: str
    ref: str


class PublicEntry(BaseModel):
    """What the public page shows (no login): never a person's full number."""

    subject_kind: str
    subject_name: str
    subject_key: str
    facts: str
    basis: str
    listed_on: dt.date
    listed_until: dt.date
