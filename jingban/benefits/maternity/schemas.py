"""Request and response models of maternity benefits: the pregnancy record (生育登记) and the
maternity allowance claim (生育津贴, BEN-MATERNITY)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from jingban.benefits.common.schemas import Strict


class PregnancyIn(Strict):
    expected_on: dt.date = Field(description="预产期")
    hospital: str = Field(default="", max_length=100, description="产检医疗机构")


class MaternityClaim(Strict):
    """The payload of BEN-MATERNITY besides the claimant's SSN."""

    birth_date: dt.date = Field(description="分娩日期")
    babies: int = Field(default=1, ge=1, le=9, description="婴儿数（多胞胎每多一个增加15天）")
    difficult_birth: bool = Field(default=False, description="难产（增加15天）")
    birth_order: int = Field(default=1, ge=1, le=9, description="本次生育为第几孩（本地区延长生育假按孩次）")
    bank_account: str = Field(pattern=r"^\d{12,30}$", description="本人社会保障卡金融账户（12–30位数字）")


class Line(BaseModel):
    label: str
    value: str
    note: str = ""


class MaternityPreview(BaseModel):
    """What a determination would say (the clerk's screen, the person's estimate)."""

    ssn: str
    name: str
    eligible: bool
    problems: list[str]
    days: int = Field(description="生育津贴天数")
    average: str = Field(description="用人单位上年度职工月平均工资（元）")
    amount: str = Field(description="生育津贴（元）")
    lines: list[Line]
    basis: str
