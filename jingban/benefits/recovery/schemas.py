"""Request and response models for overpayment recovery (R§46).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jingban.benefits.common.schemas import Strict

# --- recovery ----------------------------------------------------------------------------------

class AgreementIn(Strict):
    """还款协议: monthly instalments of the balance."""

    instalments: int = Field(ge=2, le=120, description="分期期数（按月）")
    first_due: dt.date = Field(description="第一期还款日")
    signed_by: str = Field(min_length=1, max_length=64, description="协议签订人（本人或继承人）")


class RepaymentIn(Strict):
    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="还款金额（元）")
    paid_on: dt.date | None = Field(default=None, description="还款日期，默认今日")
    reference: str = Field(min_length=1, max_length=64, description="收款凭证号")


class AccountOffsetIn(Strict):
    scheme: Literal["pension_enterprise", "pension_resident"] = Field(
        default="pension_enterprise", description="抵扣的个人账户")
    amount: Decimal | None = Field(default=None, gt=0, max_digits=14, decimal_places=2,
                                   description="抵扣金额（元），默认可抵扣的全部")


class AccountOffsetRequest(AccountOffsetIn):
    """个人账户余额抵扣的申请: high-risk, so with the reason the reviewers weigh."""

    reason: str = Field(min_length=1, max_length=300,
                        description="抵扣理由（如：参保人已死亡，继承人未退回，经核实个人账户尚有余额）")


class AccountOffsetCaseIn(AccountOffsetRequest):
    """BEN-ACCOUNT-OFFSET (2 levels): the payload besides the debtor's SSN."""

    debt_id: int = Field(ge=1, le=2**31 - 1, description="追回款编号")


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str = Field(
        description="order 责令退回，repayment 退回，deduction 待遇抵扣，account 个人账户抵扣，cancel 撤销")
    amount: int = Field(description="金额（分），责令退回为正，其余为负")
    entry_on: dt.date
    payment_id: int | None
    instalment_id: int | None
    reference: str


class InstalmentOut(BaseModel):
    seq: int
    due_on: dt.date
    amount: int = Field(description="应还（分）")
    paid: int = Field(description="已还（分），按期次顺序冲抵")


class DebtOut(BaseModel):
    id: int
    award_id: int | None
    reason: str
    first_period: int | None
    last_period: int | None
    principal: int = Field(description="责令退回金额（分）")
    balance: int = Field(description="欠款余额（分）")
    status: str = Field(description="open 待退回，agreement 分期还款中，settled 已结清，defaulted 违约待追缴")
    ordered_on: dt.date
    due_on: dt.date
    due_provisional: bool = Field(description="期限跨入尚未公布节假日安排的年度，按周一至周五暂定")
    signed_by: str | None = Field(description="还款协议签订人")
    entries: list[EntryOut]
    instalments: list[InstalmentOut]


class LedgerOut(BaseModel):
    ssn: str
    name: str
    balance: int = Field(description="全部欠款余额（分）")
    debts: list[DebtOut]


class SweepOut(BaseModel):
    settled: list[int] = Field(description="已结清的追回款编号")
    reminded: list[int] = Field(description="本次催告的追回款编号（责令退回期限已过、未签协议）")
    defaulted: list[int] = Field(description="本次认定违约的追回款编号")
