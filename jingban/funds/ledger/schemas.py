"""Request and response models of the ledger (SPEC §9): vouchers, signatures, trial balance, and
the requests that open a manual entry's or a reversal's case (SPEC §2)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field


class ManualLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account: int = Field(ge=1000, le=9999, description="会计科目编码（funds.chart）")
    debit: str = Field(default="0", max_length=20, description="借方金额（元，最多两位小数）")
    credit: str = Field(default="0", max_length=20, description="贷方金额（元，最多两位小数）")
    fund: str | None = Field(default=None, max_length=24,
                             description="该行所属险种基金（可省略；填写时须与凭证的险种基金相同）")


class ManualEntryIn(BaseModel):
    """手工记账凭证 (FUND-MANUAL): prepared by the accountant, booked on final approval."""

    model_config = ConfigDict(extra="forbid")
    fund: str = Field(max_length=24, description="险种基金")
    memo: str = Field(min_length=1, max_length=300, description="摘要（记账事由）")
    entry_on: dt.date | None = Field(default=None, description="记账日期（默认审批通过当日；不得晚于今天）")
    lines: list[ManualLineIn] = Field(min_length=2, max_length=50, description="分录（科目、借方、贷方）")


class ReversalIn(BaseModel):
    """冲销 (FUND-REVERSAL): the entry to undo and why."""

    model_config = ConfigDict(extra="forbid")
    entry_id: int = Field(ge=1, le=2**31 - 1, description="被冲销的记账凭证号")
    reason: str = Field(min_length=1, max_length=300, description="冲销理由")


class InterestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fund: str = Field(max_length=24)
    bank: str = Field(max_length=12, description="income 收入户 / fiscal 财政专户 / expenditure 支出户")
    amount: str = Field(max_length=20, description="利息金额（元）")
    reference: str = Field(min_length=1, max_length=40, description="银行结息单号")


class CloseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fund: str = Field(max_length=24)
    period: int = Field(ge=190001, le=299912, description="会计期间 YYYYMM")


class LineOut(BaseModel):
    account: int
    name: str = Field(description="科目名称")
    debit: int = Field(description="借方（分）")
    credit: int = Field(description="贷方（分）")


class SignatureOut(BaseModel):
    step: str = Field(description="confirm 出纳确认 / approve 复核审批")
    step_name: str
    username: str
    signed_at: dt.datetime


class EntrySummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    fund: str
    period: int
    entry_on: dt.date
    kind: str = Field(description="auto 业务自动记账 / sweep 归集 / interest 利息 / manual 手工记账 / "
                                  "reversal 冲销")
    source: str
    memo: str
    amount: int = Field(description="借方合计（分）")
    reverses_id: int | None
    case_id: int | None
    booked_by: str = Field(description="制单人")
    booked_at: dt.datetime
    state: str = Field(default="", description="awaiting_approve 待复核审批 / awaiting_confirm 待出纳确认 / "
                                               "done 已完成")


class EntryOut(EntrySummary):
    fund_name: str
    state_name: str
    needed: list[str] = Field(description="该凭证需要的签章步骤")
    lines: list[LineOut]
    signatures: list[SignatureOut]
    reversed_by: int | None = Field(description="冲销本凭证的凭证号")
    reversal_case: int | None = Field(description="办理中的冲销业务件")


class CaseRef(BaseModel):
    id: int
    number: str | None
    item: str
    status: str
    levels_done: int
    levels_required: int
    due_on: dt.date | None


class AwaitingOut(BaseModel):
    step: str
    entries: list[EntrySummary]
    cases: list[CaseRef] = Field(description="待本人审核的手工记账、冲销业务件（仅 approve）")


class TrialRow(BaseModel):
    account: int
    name: str
    class_: str = Field(alias="class", serialization_alias="class")
    class_name: str
    debit: int
    credit: int
    balance: int


class TrialBalanceOut(BaseModel):
    fund: str
    fund_name: str
    period: int
    rows: list[TrialRow]
    debit: int
    credit: int
    balanced: bool


class ClosedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    fund: str
    period: int
    closed_by: str
    closed_at: dt.datetime


class SweepOut(BaseModel):
    period: int
    entries: list[EntrySummary] = Field(description="本次归集的凭证（已归集的不再重复）")
