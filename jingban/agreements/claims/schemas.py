"""Request models for claims, their review and the monthly settlement (R§20–§22, Z-6)."""

from __future__ import annotations

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


class ObjectionIn(Strict):
    """机构对核减、拒付明细的异议 (the act of AGR-CLAIM-OBJECTION)."""

    settlement_id: int = Field(ge=1, le=2**31 - 1)
    line_ids: list[int] = Field(min_length=1, max_length=500, description="异议的明细号")
    reason: str = Field(min_length=1, max_length=500, description="异议理由")
