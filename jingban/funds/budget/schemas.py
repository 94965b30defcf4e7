"""Request and response models for the fund budget (R§39). Amounts are integer fen."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, field_validator


class DraftIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fund: str = Field(max_length=24, description="险种基金")
    year: int = Field(ge=1900, le=2999, description="预算年度（下一年度）")


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str = Field(max_length=24, description="预算项目代码（funds.budget_items）")
    amount: int = Field(description="预算数（分，整数，不得为负）")
    note: str = Field(default="", max_length=300, description="说明")

    @field_validator("amount", mode="before")
    @classmethod
    def _not_a_flag(cls, value):
        # JSON true/false is no amount; the lax int would take true as 1 fen
        if isinstance(value, bool):
            raise ValueError("预算数应为以分为单位的整数，不能是 true/false")
        return value


class ItemsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    items: list[ItemIn] = Field(max_length=50)


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(max_length=300, description="退回理由（必填）")


class BudgetSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    fund: str
    year: int
    version: int
    revises_id: int | None = Field(description="本版调整的已批准版本")
    status: str = Field(description="draft 编制中，submitted 待审核，returned 已退回，approved 已批准，"
                                    "superseded 已被调整版本取代")
    prepared_by: str
    submitted_by: str | None
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    return_reason: str


class ItemOut(BaseModel):
    item: str
    name: str
    side: str = Field(description="income 收入，expense 支出")
    accounts: list[int] = Field(description="对应会计科目")
    actual: int = Field(description="测算依据月份的实际数（分）")
    estimate: int = Field(description="全年测算（分）")
    amount: int = Field(description="预算数（分）")
    note: str


class BudgetOut(BudgetSummary):
    basis_from: int = Field(description="测算依据起始期间 YYYYMM")
    basis_to: int
    basis_months: int
    items: list[ItemOut]
    income: int = Field(description="收入合计（分）")
    expense: int = Field(description="支出合计（分）")
    balance: int = Field(description="本年收支结余（分）")
    opening_balance: int = Field(description="预计年初累计结余（分）")
    closing_balance: int = Field(description="预计年末累计结余（分）")
    history: list[BudgetSummary] = Field(description="该险种该年度的全部版本")


class ExecutionRow(BaseModel):
    item: str
    name: str
    side: str
    budget: int = Field(description="预算数（分）")
    months: list[int] = Field(description="各月实际（分），与 periods 对应")
    cumulative: int
    percent: float | None = Field(description="执行率（%），无预算数时为空")
    remaining: int
    flag: str | None = Field(description="预警：偏离时间进度超过预警线，或无预算数但已发生")


class ExecutionOut(BaseModel):
    budget: BudgetSummary
    periods: list[int]
    time_share: float = Field(description="时间进度（%）")
    threshold: float = Field(description="预警线（百分点）")
    rows: list[ExecutionRow]
    totals: list[ExecutionRow]
