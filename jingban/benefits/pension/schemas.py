"""Request and response models for pension estimates (待遇测算), claims and determinations.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jingban.benefits.common.schemas import Strict

Category = Literal["male", "female_55", "female_50"]


class RetirementQuery(Strict):
    birth_date: dt.date = Field(description="出生日期")
    category: Category = Field(
        description="人员类别：male 男职工，female_55 / female_50 原退休年龄55/50周岁的女职工")


class RetirementEstimate(BaseModel):
    category: str
    retirement_age_months: int = Field(description="法定退休年龄（月）")
    retirement_age: str = Field(description="法定退休年龄，如“60岁4个月”")
    delay_months: int
    retirement_month: str = Field(description="退休时间 YYYY-MM")
    min_contribution_months: int
    earliest_flexible_month: str = Field(description="弹性提前退休的最早时间")
    latest_flexible_month: str = Field(description="弹性延迟退休的最晚时间")
    basis: str


class PensionQuery(Strict):
    region: str = Field(min_length=6, max_length=6, description="统筹地区行政区划代码")
    retirement_month: str = Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="退休时间 YYYY-MM")
    contribution_months: int = Field(ge=0, le=900, description="缴费月数（含视同缴费）")
    average_index: Decimal = Field(ge=0, le=10, description="平均缴费指数")
    # Bounded: an account of a hundred million yuan is already far beyond any real one.
    account_balance: Decimal = Field(ge=0, le=100_000_000, decimal_places=2,
                                     description="个人账户储存额（元）")
    retirement_age_months: int | None = Field(
        default=None, ge=480, le=840,
        description="退休年龄（月），用于确定计发月数；不填时须同时提供出生日期和人员类别，按法定退休年龄计算")
    birth_date: dt.date | None = Field(default=None, description="出生日期（不填退休年龄时必填）")
    category: Category | None = Field(default=None, description="人员类别（不填退休年龄时必填）")


class PensionEstimate(BaseModel):
    basic: str = Field(description="基础养老金（元/月）")
    account: str = Field(description="个人账户养老金（元/月）")
    total: str = Field(description="合计（元/月）")
    eligible: bool = Field(description="是否满足按月领取的最低缴费年限")
    parameters: dict = Field(description="测算所用的参数")


# --- claims and determination -------------------------------------------------------------------

class PensionClaim(Strict):
    """基本养老金申领 (BEN-PENSION): the payload besides the applicant's SSN."""

    bank_account: str = Field(pattern=r"^\d{12,30}$",
                              description="社会保障卡金融账户账号（养老金发放账户）")
    retirement_age_months: int | None = Field(
        default=None, ge=480, le=840,
        description="弹性退休时选择的退休年龄（月）；不填按法定退休年龄")


class Redetermination(Strict):
    """待遇重新核定 (BEN-PENSION-REDETERMINE): an objection to the amount with its evidence."""

    reason: str = Field(min_length=1, max_length=500, description="异议理由及所附证明材料")


class DeterminationLine(BaseModel):
    label: str
    value: str
    note: str = ""


class DeterminationPreview(BaseModel):
    ssn: str
    name: str
    eligible: bool
    problems: list[str] = Field(description="不符合条件的原因（一次列明）")
    checks: list[DeterminationLine] = Field(description="资格核查项目及结果")
    basic: str = Field(description="基础养老金（元/月）")
    account: str = Field(description="个人账户养老金（元/月）")
    total: str = Field(description="月基本养老金合计（元）")
    start_period: int = Field(description="若今日核定，起发月份 YYYYMM（核定次月）")
    lines: list[DeterminationLine] = Field(description="计发明细")
    basis: str


class AwardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    status: str
    start_period: int
    last_period: int | None
    monthly_amount: int = Field(description="月待遇（分）")
    basic_amount: int
    account_amount: int
    basis: str
    decided_on: dt.date
    replaces_id: int | None
    case_id: int | None
