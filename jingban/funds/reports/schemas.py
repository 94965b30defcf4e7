"""Request and response models of the fund reports (SPEC §9, R§50)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class FileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fund: str = Field(max_length=24, description="险种基金")
    period: int = Field(ge=190001, le=299912, description="报告月份 YYYYMM")
    reason: str = Field(default="", max_length=300, description="重报（更正后再次报送）的理由")


class ReportLine(BaseModel):
    account: int
    name: str
    class_: str = Field(alias="class", description="income 收入，expense 支出")
    amount: int = Field(description="本月发生额（分）")


class MonthlyReport(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    fund: str
    fund_name: str
    period: int
    due_on: dt.date = Field(description="报送截止日")
    lines: list[ReportLine]
    income: int = Field(description="本月收入合计（分）")
    expense: int = Field(description="本月支出合计（分）")
    surplus: int = Field(description="本月收支结余（分）")
    balances: dict[str, int] = Field(description="收入户、财政专户、支出户期末余额（分）")
    reserve: int = Field(description="三个银行账户余额合计（分）")
    accumulated: int = Field(description="累计结余：资产减负债（分）")
    average_expense: int = Field(description="近12个月有待遇支出月份的月均待遇支出（分）")
    reserve_months: float | None = Field(description="银行存款可支付月数；尚无支出时为空")
    warn_below: float = Field(description="可支付月数预警线")
    warning: bool = Field(description="可支付月数低于预警线")


class FiledOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    fund: str
    period: int
    version: int
    reason: str
    due_on: dt.date
    filed_on: dt.date
    late: bool = Field(description="晚于报送截止日报送")
    filed_by: str


class ReportState(BaseModel):
    fund: str
    fund_name: str
    period: int
    due_on: dt.date
    state: str = Field(description="open 未到报送期，due 待报送，overdue 逾期未报，filed 已报送，"
                                   "late 逾期报送")
    state_name: str
    versions: int
    latest_id: int | None
    filed_on: dt.date | None
    filed_by: str | None


class FundYear(BaseModel):
    fund: str
    fund_name: str
    participants: int = Field(description="年末参保人数")
    income: int = Field(description="年度基金收入（分）")
    expense: int = Field(description="年度基金支出（分）")
    balance: int = Field(description="年末累计结余（分）")
    returns: int = Field(description="年度收益：利息收入与委托投资收益（分）")


class DisclosureOut(BaseModel):
    year: int
    published_on: dt.date
    funds: list[FundYear]
