"""Request models for claims, their review and the monthly settlement (R§20–§22, Z-6)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Fund = Literal["medical_employee", "medical_resident", "maternity", "injury"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DecisionIn(Strict):
    """审核结论 on one flagged line."""

    decision: Literal["accept", "cut", "refuse"] = Field(description="accept 认可，cut 核减，refuse 拒付")
    cut: str | None = Field(default=None, max_length=20, description="核减金额（元，核减时必填）")
    reason: str = Field(default="", max_length=300, description="理由（核减、拒付必填）")


class ReviewIn(Strict):
    period: int = Field(ge=200001, le=210012, description="结算月份 YYYYMM")


class SettleIn(Strict):
    """月度结算: one institution, one fund, one month (the act of AGR-CLAIM-SETTLE)."""

    institution_id: int = Field(ge=1, le=2**31 - 1)
    fund: Fund
    period: int = Field(ge=200001, le=210012)
    supplementary: bool = Field(default=False, description="补充结算（该月首次结算之后）")


class ObjectionIn(Strict):
    """机构对核减、拒付明细的异议 (the act of AGR-CLAIM-OBJECTION)."""

    settlement_id: int = Field(ge=1, le=2**31 - 1)
    line_ids: list[int] = Field(min_length=1, max_length=500, description="异议的明细号")
    reason: str = Field(min_length=1, max_length=500, description="异议理由")


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ProblemOut(Out):
    row: int
    claim_no: str
    message: str


class UploadOut(Out):
    id: int
    institution_id: int
    period: int
    filename: str
    encoding: str
    rows: int
    claims: int
    lines: int
    problems: list[ProblemOut] = []


class RunOut(Out):
    id: int
    period: int
    claims: int
    lines: int
    hits: dict[str, int]
    millis: int


class FlagItem(Out):
    rule: str
    name: str
    cut_fen: int


class FlagOut(Out):
    line_id: int
    claim_no: str
    institution_id: int
    institution: str
    ssn: str
    person: str
    code: str
    service_on: dt.date
    quantity: int
    unit_price_fen: int
    amount_fen: int
    flags: list[FlagItem]
    suggested_cut_fen: int
    decision: str | None = None
    cut_fen: int | None = None
    reason: str | None = None
    decided_by: str | None = None


class DecisionOut(Out):
    line_id: int
    decision: str
    cut_fen: int
    reason: str
    decided_by: str


class CaseRef(Out):
    case_id: int
    case_number: str
    item_code: str
    status: str


class CutOut(Out):
    line_id: int
    claim_no: str
    code: str
    service_on: dt.date
    amount_fen: int
    decision: str
    decision_name: str
    cut_fen: int
    reason: str
    reinstated: bool
    paid_in: int | None = None  # the number of the settlement that paid the reinstated line


class SettlementOut(Out):
    id: int
    institution_id: int
    fund: str
    period: int
    sequence: int = 1
    status: str
    claims: int
    claimed_fen: int
    cut_fen: int
    accepted_fen: int
    reinstated_fen: int = 0
    fund_fen: int
    person_fen: int
    case_id: int | None
    entry_id: int | None
    approved_on: dt.date | None
    paid_on: dt.date | None
    cuts: list[CutOut] = []


class SettleRequest(Strict):
    institution_id: int = Field(ge=1, le=2**31 - 1)
    fund: Fund
    period: int = Field(ge=200001, le=210012)
    supplementary: bool = Field(default=False, description="补充结算：首次结算后上传的结算单和异议成立的明细")


class ObjectionRequest(Strict):
    line_ids: list[int] = Field(min_length=1, max_length=500, description="异议的明细号")
    reason: str = Field(min_length=1, max_length=500, description="异议理由")
