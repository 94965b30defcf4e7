"""Request and response models for reconsideration and litigation (R§52)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ChallengeIn(_Strict):
    case_number: str = Field(min_length=1, max_length=24, description="被申请复议或被诉的业务件号")
    kind: Literal["reconsideration", "litigation"] = Field(
        description="reconsideration 行政复议，litigation 行政诉讼")
    body: str = Field(min_length=1, max_length=200, description="复议机关或人民法院")
    reference: str = Field(min_length=1, max_length=64, description="案号")
    claimant: str = Field(min_length=1, max_length=200, description="申请人或原告")
    claims: str = Field(min_length=1, max_length=4000, description="复议请求或诉讼请求")
    filed_on: dt.date = Field(description="申请或起诉日期")
    known_on: dt.date | None = Field(default=None, description="申请人知道或者应当知道该决定的日期"
                                                                "（默认为业务件作出决定之日）")
    late_reason: str = Field(default="", max_length=1000,
                             description="超过申请（起诉）期限的正当理由（不可抗力等）")


class ChallengeOutcomeIn(_Strict):
    outcome: Literal["upheld", "revoked", "changed", "withdrawn"] = Field(
        description="upheld 维持（驳回请求），revoked 撤销，changed 变更，withdrawn 撤回或终止")
    decided_on: dt.date = Field(description="复议决定或裁判日期")
    decision_reference: str = Field(min_length=1, max_length=64, description="复议决定书或判决书文号")
    note: str = Field(default="", max_length=2000, description="决定要点")


class ChallengeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    case_id: int
    case_number: str = ""
    case_status: str = ""
    kind: str
    body: str
    reference: str
    claimant: str
    claims: str
    filed_on: dt.date
    known_on: dt.date | None = None
    filing_due: dt.date | None = Field(default=None, description="法定申请（起诉）期限的最后一日")
    late_reason: str = ""
    limit: str = Field(default="", description="适用的期限：reconsideration、litigation、"
                                                "litigation_after_reconsideration（行诉法第四十五条）")
    limit_basis: str = ""
    filed_late: bool = False
    status: str
    outcome: str | None
    decided_on: dt.date | None
    decision_reference: str
    outcome_note: str
    reopened_round: int | None
    recorded_by: str
    decided_by: str | None
