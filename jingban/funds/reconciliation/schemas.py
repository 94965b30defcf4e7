"""Request and response models for reconciliation (Z-10(1)3)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=300, description="差异处理理由（必填）")


class DifferenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str = Field(description="missing_in_ledger 银行已记、账上未记；missing_in_statement 账上已记、"
                                  "银行未记；amount 金额不符；date 日期不符")
    direction: str
    statement_amount: int | None = Field(description="对账单金额（分）")
    ledger_amount: int | None = Field(description="账面金额（分）")
    statement_on: dt.date | None
    ledger_on: dt.date | None
    entry_id: int | None
    status: str = Field(description="open 待处理，resolved 已处理")
    reason: str
    resolved_by: str | None
    resolved_at: dt.datetime | None


class ProblemRow(BaseModel):
    line: int
    field: str | None
    message: str | None
    raw: str


class ReconciliationSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    fund: str
    account: str
    period: int
    status: str = Field(description="balanced 平衡，differences 有差异，resolved 差异已处理")
    ledger_balance: int = Field(description="账面本期收支净额（分）")
    statement_balance: int = Field(description="对账单本期收支净额（分）")
    updated_by: str


class ReconciliationOut(ReconciliationSummary):
    repeat: bool = Field(default=False, description="同一文件此前已导入：返回原对账结果，未重复对账")
    differences: list[DifferenceOut]
    problems: list[ProblemRow]
