"""Requests and replies of institutions and agreements."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["medical", "pharmacy", "rehab", "device", "training", "bank"]
AgreementKind = Literal["medical", "injury", "rehab", "device", "training", "payment"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class DepartmentIn(Strict):
    code: str = Field(min_length=1, max_length=32, description="科室编码")
    name: str = Field(min_length=1, max_length=100, description="科室名称")


class ApplicationIn(Strict):
    """定点申请: the institution, its licence and departments."""
    uscc: str = Field(min_length=18, max_length=18, description="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200)
    kind: Kind = Field(description="medical 医疗机构，pharmacy 零售药店，rehab 康复，device 辅具，"
                                   "training 培训机构，bank 银行")
    level: str = Field(default="", max_length=32, description="等级（如 三级甲等）")
    address: str = Field(min_length=1, max_length=300)
    licence_no: str = Field(min_length=1, max_length=64, description="执业许可证或经营许可证号")
    licence_valid_to: dt.date = Field(description="许可证有效期至")
    departments: list[DepartmentIn] = Field(default=[], max_length=200)


class ReviewIn(Strict):
    """评估审核 with the on-site evaluation record (现场评估)."""
    institution_id: int = Field(ge=1)
    evaluated_on: dt.date = Field(description="现场评估日期")
    result: Literal["pass", "fail"]
    note: str = Field(min_length=1, max_length=2000, description="现场评估记录")


class SignIn(Strict):
    """签订服务协议: the dated agreement with its terms."""
    institution_id: int = Field(ge=1)
    kind: AgreementKind
    starts_on: dt.date
    ends_on: dt.date
    terms: dict = Field(description="协议条款（服务范围、结算方式、违约责任等）")


class RenewIn(Strict):
    """续签: a new term after the current one, the terms carried over unless given."""
    agreement_id: int = Field(ge=1)
    ends_on: dt.date
    terms: dict | None = None


class EvaluateIn(Strict):
    """年度考核评价 with a score of 0–100."""
    institution_id: int = Field(ge=1)
    year: int = Field(ge=2000, le=2100)
    score: int = Field(ge=0, le=100)
    note: str = Field(min_length=1, max_length=2000)


class PriceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    unit: str
    unit_price_fen: int
    category: str
    self_pay_bp: int
    daily_limit: int | None
    sex_only: str | None
    min_age: int | None
    max_age: int | None
    valid_from: dt.date
    valid_to: dt.date | None


class AgreementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    institution_id: int
    number: str
    kind: str
    starts_on: dt.date
    ends_on: dt.date
    terms: dict
    status: str
    suspended_from: dt.date | None
    suspended_to: dt.date | None
    terminated_on: dt.date | None
    termination_kind: str | None
    case_id: int | None


class DepartmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    suspended_until: dt.date | None


class InstitutionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    uscc: str
    name: str
    kind: str
    level: str
    address: str
    licence_no: str
    licence_valid_to: dt.date | None
    status: str
