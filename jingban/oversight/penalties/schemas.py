"""Request and response models for penalties (R§55, R§57) and the money collected (Z-13(1))."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jingban.registration.schemas import Insurance

PenaltyKind = Literal["fraud", "obstruction"]
Fund = Insurance  # one fund per insurance (分险种建账)
Yuan = Field(max_length=20, description="金额（元，最多两位小数）")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ProposalIn(Strict):
    """处罚建议: the facts and, for fraud, the amount obtained; the legal range is computed."""

    kind: PenaltyKind = Field(description="fraud 骗取社会保险基金支出（R§55），"
                                          "obstruction 服务机构拒绝、阻碍监督检查（R§57）")
    inspection_id: int | None = Field(default=None, ge=1, le=2**31 - 1, description="所依据的核查")
    subject_kind: Literal["employer", "person", "institution"] | None = Field(
        default=None, description="被处罚对象类型（填写核查时可省略，取核查对象）")
    subject_ref: str | None = Field(default=None, max_length=40,
                                    description="统一社会信用代码、社会保障号码或机构编码")
    amount: str = Field(default="0", max_length=20, description="骗取金额（元，R§55 必填）")
    fund: Fund | None = Field(default=None, description="被骗取的险种基金（R§55 必填；追回款缴入其收入户）")
    facts: str = Field(min_length=1, max_length=2000, description="违法事实")


class DecisionIn(Strict):
    """处罚决定: the chosen fine inside the legal range, and why."""

    fine: str = Field(max_length=20, description="罚款金额（元，须在法定幅度内）")
    reason: str = Field(min_length=1, max_length=1000, description="裁量理由")


class DecisionCaseIn(DecisionIn):
    """OVS-PENALTY 的业务件内容."""

    penalty_id: int = Field(ge=1, le=2**31 - 1)


class PaymentIn(Strict):
    """收回款项: one collection of recovered money or of the fine."""

    part: Literal["recovered", "fine"] = Field(description="recovered 追回的基金，fine 罚款")
    amount: str = Field(max_length=20, description="金额（元）")
    collected_on: dt.date | None = Field(default=None, description="收回日期，默认今天")


class FundIn(Strict):
    """补记险种基金 of a fraud penalty recorded without one (before migration 0035)."""

    fund: Fund = Field(description="被骗取的险种基金（追回款缴入其收入户）")
    reason: str = Field(min_length=1, max_length=500, description="补记依据（如原处罚决定书所载）")


class DepositIn(Strict):
    deposited_on: dt.date | None = Field(default=None, description="缴入日期，默认今天")
    reference: str = Field(min_length=1, max_length=64, description="缴款票据号")


class PaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    penalty_id: int
    part: str
    amount: int = Field(description="分")
    collected_on: dt.date
    deposit_due: dt.date = Field(description="缴入期限（Z-13(1) 十个工作日）")
    due_provisional: bool
    deposited_on: dt.date | None
    deposit_ref: str
    overdue: bool = False
    entry_id: int | None = Field(default=None, description="基金记账凭证（追回款缴入收入户后）")


class PenaltyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    inspection_id: int | None
    kind: str
    kind_name: str = ""
    subject_kind: str
    subject_ref: str
    subject_name: str
    facts: str
    basis: str
    amount: int = Field(description="骗取金额（分），责令退回")
    fund: str | None = Field(default=None, description="被骗取的险种基金")
    credit_record_id: int | None = Field(default=None, description="作出骗取处罚决定后记录的失信行为")
    range_low: int = Field(description="法定罚款幅度下限（分）")
    range_high: int = Field(description="法定罚款幅度上限（分）")
    range_label: str = ""
    status: str
    status_name: str = ""
    proposed_on: dt.date
    proposed_by: str
    decision_case_id: int | None
    fine: int | None = Field(description="决定的罚款金额（分）")
    decision_reason: str
    decided_on: dt.date | None
    decided_by: str
    owed: dict[str, int] = Field(default={}, description="应收回：recovered 追回基金，fine 罚款（分）")
    collected: dict[str, int] = Field(default={}, description="已收回（分）")
    payments: list[PaymentOut] = []
