"""Request and response models of unemployment benefits (失业保险金申领, BEN-UNEMPLOYMENT).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from jingban.benefits.common.schemas import Strict
from jingban.registration.schemas import Separation


class UnemploymentClaim(Strict):
    """The payload of BEN-UNEMPLOYMENT besides the claimant's SSN."""

    registration_date: dt.date = Field(
        description="失业登记日期（公共就业服务机构办理失业登记之日，自该日起发放）")
    bank_account: str = Field(pattern=r"^\d{12,30}$", description="本人社会保障卡金融账户（12–30位数字）")
    separation: Separation | None = Field(
        default=None,
        description="失业保险关系转入人员：在原参保地终止就业的原因（依终止或解除劳动关系证明）；"
                    "本地有参保记录的以登记为准")


class RefusalIn(Strict):
    """无正当理由拒不接受推荐的适当工作或培训 (one refusal, recorded by the clerk)."""

    refused_on: dt.date = Field(description="拒绝日期")
    note: str = Field(min_length=1, max_length=300, description="推荐的工作或培训及拒绝情况")


class Line(BaseModel):
    label: str
    value: str
    note: str = ""


class UnemploymentPreview(BaseModel):
    """What a determination made today would say (also the portal's estimate)."""

    ssn: str
    name: str
    eligible: bool
    problems: list[str]
    monthly: str = Field(description="失业保险金月标准（元）")
    months: int = Field(description="领取期限（月）")
    new_months: int = Field(description="本次缴费年限对应的月数")
    carried_months: int = Field(description="前次未领完并入的月数")
    total: str = Field(description="应领失业保险金总额（元）")
    start_period: int | None = Field(description="起发月份 YYYYMM")
    last_period: int | None = Field(description="最后发放月份 YYYYMM")
    lines: list[Line]
    basis: str


class TrainingClaim(Strict):
    """技能提升补贴申领 (BEN-TRAINING): the certificate and the account it is paid to."""

    certificate_number: str = Field(min_length=4, max_length=40, description="证书编号")
    certificate_level: Literal[1, 2, 3, 4, 5] = Field(
        description="证书等级：5 五级/初级工，4 四级/中级工，3 三级/高级工，2 二级/技师，1 一级/高级技师")
    occupation: str = Field(min_length=1, max_length=64, description="职业（工种）")
    issued_on: dt.date = Field(description="证书核发日期")
    bank_account: str = Field(pattern=r"^\d{12,30}$", description="本人社会保障卡金融账户（12–30位数字）")
