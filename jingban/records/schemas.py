"""Requests and responses of records: imports, interest runs, rights records, corrections."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from jingban.registration.schemas import EnrollmentOut

Yuan = Decimal


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RowProblem(BaseModel):
    line: int
    status: Literal["rejected", "duplicate"]
    record_id: str
    code: str
    message: str
    field: str | None


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    filename: str
    sha256: str
    encoding: str
    uploaded_by: str
    received_at: dt.datetime
    total: int
    posted: int
    arrears: int
    rejected: int
    duplicate: int

    @field_validator("received_at")
    @classmethod
    def _utc(cls, value: dt.datetime) -> dt.datetime:
        """Stored UTC; SQLite hands it back naive, PostgreSQL in the session's zone."""
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class BatchReceipt(BatchOut):
    repeat: bool = Field(description="同一文件此前已导入：返回原批次，未重复入账")
    problems: list[RowProblem] = Field(description="未入账的行（拒绝或重复），逐行说明原因")


class RejectOut(RowProblem):
    raw: str = Field(description="原始行内容（按收到时保存）")


class BatchDetail(BatchOut):
    rows: list[RejectOut]


class InterestRunRequest(Strict):
    year: int = Field(ge=1990, le=2100, description="计息年度")


class InterestRunOut(BaseModel):
    scheme: str
    year: int
    rate: str
    persons: int
    interest: Yuan = Field(description="本年度计息合计（元）")
    repeat: bool


class DeemedServiceCreate(Strict):
    """视同缴费年限认定（依据人事档案）."""

    insurance: Literal["pension_enterprise", "pension_institution"]
    months: int = Field(ge=1, le=600, description="视同缴费月数")
    from_date: dt.date = Field(description="视同缴费期间开始日期")
    to_date: dt.date = Field(description="视同缴费期间结束日期")
    evidence: str = Field(min_length=1, max_length=300, description="人事档案中的依据（材料名称、页码）")
    reason: str = Field(min_length=1, max_length=300)


class RecordCorrection(Strict):
    """缴费记录或个人账户记账的冲正：只新增一条冲正记录，原记录保留."""

    contribution_id: int | None = Field(default=None, ge=1, le=2**62)
    entry_id: int | None = Field(default=None, ge=1, le=2**62)
    reason: str = Field(min_length=1, max_length=300)

    @model_validator(mode="after")
    def _one_target(self) -> RecordCorrection:
        if (self.contribution_id is None) == (self.entry_id is None):
            raise ValueError("须且只能指定 contribution_id 或 entry_id 之一")
        return self


class ContributionOut(BaseModel):
    id: int
    kind: Literal["posted", "reversal"]
    reverses_id: int | None
    reversed_by_id: int | None
    insurance: str
    period: int
    employer_uscc: str | None
    base: Yuan | None
    employer_amount: Yuan
    personal_amount: Yuan
    paid_on: dt.date
    record_id: str | None
    case_id: int | None = Field(description="冲正记录：批准冲正的业务件编号")
    transfer_out_ref: str | None = Field(default=None, description="已随关系转移转出：转移编号")
    transfer_in_ref: str | None = Field(default=None, description="随关系转移转入：转移编号")
    note: str = Field(default="", description="说明（已转出/转入）")


class TransferLineOut(BaseModel):
    """关系转移接续 as the rights record states it."""

    ref: str
    kind: str
    direction: Literal["in", "out"]
    direction_name: str
    peer_region: str
    status: str
    months: int
    deemed_months: int
    amount: Yuan
    completed_on: dt.date | None


class YearLine(BaseModel):
    year: int
    insurance: str
    months: int
    base_min: Yuan | None
    base_max: Yuan | None
    employer_total: Yuan
    personal_total: Yuan


class AccountYearOut(BaseModel):
    scheme: str
    year: int
    opening: Yuan
    credited: Yuan
    interest: Yuan
    closing: Yuan
    rate: str


class EntryOut(BaseModel):
    id: int
    scheme: str
    year: int
    kind: str
    amount: Yuan
    period: int | None
    contribution_id: int | None
    reverses_id: int | None
    reversed_by_id: int | None
    case_id: int | None = Field(description="冲正记录：批准冲正的业务件编号")


class BalanceOut(BaseModel):
    scheme: str
    balance: Yuan = Field(description="个人账户累计储存额（元）")


class YearsOut(BaseModel):
    insurance: str
    actual_months: int
    deemed_months: int
    total_months: int
    total: str = Field(description="累计缴费年限（含视同），如“12年3个月”")


class DeemedOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    insurance: str
    months: int
    from_date: dt.date
    to_date: dt.date
    evidence: str
    case_id: int | None = Field(description="认定视同缴费年限的业务件编号")


class RightsRecord(BaseModel):
    """个人权益记录."""

    ssn: str
    name: str
    enrollments: list[EnrollmentOut]
    by_year: list[YearLine]
    contributions: list[ContributionOut]
    balances: list[BalanceOut]
    accounts: list[AccountYearOut]
    entries: list[EntryOut]
    contribution_years: list[YearsOut]
    deemed: list[DeemedOut]
    transfers: list[TransferLineOut] = []


class StaffOut(BaseModel):
    ssn: str
    name: str
    insurances: list[str]
    contribution_base: Yuan | None
    since: dt.date
    last_paid_period: int | None


class ArrearsOut(BaseModel):
    id: int
    record_id: str
    ssn: str
    name: str
    insurance: str
    period: int
    base: Yuan | None
    employer_amount: Yuan
    personal_amount: Yuan
    total: Yuan
    liability_id: int | None
