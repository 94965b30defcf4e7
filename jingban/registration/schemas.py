"""Request and response models for registration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

EmployerKind = Literal["enterprise", "government", "institution", "social_org",
                       "individual_business", "other"]
Insurance = Literal["pension_enterprise", "pension_institution", "pension_resident",
                    "medical_employee", "medical_resident", "injury", "unemployment", "maternity"]
IdType = Literal["citizen_id", "foreign", "hmt"]
RetirementCategory = Literal["male", "female_55", "female_50"]
CardKind = Literal["ss_card", "ss_ecard", "medical_evoucher"]
CardStatus = Literal["applied", "issued", "active", "lost", "replaced", "revoked"]

Text = Field(default="", max_length=300)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class EmployerCreate(Strict):
    uscc: str = Field(min_length=1, max_length=40, description="统一社会信用代码")
    name: str = Field(min_length=1, max_length=200, description="单位名称")
    kind: EmployerKind = Field(description="单位类型")
    region: str = Field(description="所在地行政区划代码")
    address: str = Text
    legal_rep: str = Field(default="", max_length=64, description="法定代表人或负责人")
    phone: str = Field(default="", max_length=32)
    bank_name: str = Field(default="", max_length=100)
    bank_account: str = Field(default="", max_length=40)
    industry_code: str = Field(default="", max_length=8, description="国民经济行业分类代码")
    injury_risk_class: int | None = Field(default=None, ge=1, le=8, description="工伤保险行业风险类别")
    registered_on: dt.date | None = Field(default=None, description="登记日期，默认今天")


class EmployerChange(Strict):
    reason: str = Field(min_length=1, max_length=300, description="变更原因")
    name: str | None = Field(default=None, min_length=1, max_length=200)
    kind: EmployerKind | None = None
    region: str | None = None
    address: str | None = Field(default=None, max_length=300)
    legal_rep: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    bank_name: str | None = Field(default=None, max_length=100)
    bank_account: str | None = Field(default=None, max_length=40)
    industry_code: str | None = Field(default=None, max_length=8)
    injury_risk_class: int | None = Field(default=None, ge=1, le=8)


class EmployerCancel(Strict):
    reason: str = Field(min_length=1, max_length=300)
    cancelled_on: dt.date | None = None


class LiabilityCreate(Strict):
    kind: Literal["arrears", "late_fee", "fine"]
    amount: Decimal = Field(gt=0, description="金额（元）")
    period: int | None = Field(default=None, ge=199001, le=210012, description="费款所属期 YYYYMM")
    note: str = Text


class EmployerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    uscc: str
    name: str
    kind: str
    region: str
    address: str
    legal_rep: str
    phone: str
    bank_name: str
    bank_account: str
    industry_code: str
    injury_risk_class: int | None
    status: str
    flag: str
    registered_on: dt.date
    cancelled_on: dt.date | None


class PersonCreate(Strict):
    id_type: IdType = Field(default="citizen_id", description="证件类型：居民身份证/外国人/港澳台")
    id_number: str = Field(min_length=1, max_length=40, description="证件号码")
    name: str = Field(min_length=1, max_length=64)
    sex: Literal["M", "F"] | None = Field(default=None, description="非身份证登记时必填")
    birth_date: dt.date | None = Field(default=None, description="非身份证登记时必填")
    nationality: str = Field(default="CHN", min_length=3, max_length=3,
                             description="国籍 ISO 3166-1 三位字母；港澳台居民为 HKG/MAC/TWN")
    household_region: str = Field(default="", max_length=6, description="户籍地行政区划代码")
    address: str = Text
    phone: str = Field(default="", max_length=32)
    retirement_category: RetirementCategory | None = Field(
        default=None,
        description="退休人员类别：male 男；female_55 原55岁（女干部）；female_50 原50岁（女工人）")


class PersonChange(Strict):
    reason: str = Field(min_length=1, max_length=300)
    retirement_category: RetirementCategory | None = Field(default=None, description="退休人员类别")
    household_region: str | None = Field(default=None, max_length=6)
    address: str | None = Field(default=None, max_length=300)
    phone: str | None = Field(default=None, max_length=32)


class PersonCancel(Strict):
    reason: str = Field(min_length=1, max_length=300, description="注销原因")


class IdentityCorrection(Strict):
    reason: str = Field(min_length=1, max_length=300, description="更正原因及依据")
    name: str | None = Field(default=None, min_length=1, max_length=64, description="更正后的姓名")
    id_number: str | None = Field(default=None, max_length=18, description="更正后的公民身份号码")


class EnrollmentCreate(Strict):
    insurance: Insurance
    employer_uscc: str | None = Field(default=None, description="职工参保时的单位；个人参保留空")
    start_date: dt.date
    contribution_base: Decimal | None = Field(default=None, description="缴费基数（元）")


# 终止就业原因 codes (rules.SEPARATIONS).
Separation = Literal["contract_expired", "dismissed", "discharged", "employer_closed",
                     "employer_fault", "mutual_by_employer", "resigned", "mutual_by_person",
                     "retired", "other"]


class EnrollmentEnd(Strict):
    end_date: dt.date
    reason: str = Field(min_length=1, max_length=200)
    separation: Separation | None = Field(
        default=None,
        description="终止就业原因代码（单位职工减员时填写，失业保险金申领据此认定是否非本人意愿中断就业）")


class EnrollmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    insurance: str
    employer_uscc: str | None
    employer_name: str | None
    start_date: dt.date
    end_date: dt.date | None
    contribution_base: Decimal | None = Field(description="缴费基数（元）")
    status: str
    end_reason: str
    separation: str | None = Field(default=None, description="终止就业原因代码")  # unemployment


class CardCreate(Strict):
    kind: CardKind
    number: str = Field(min_length=1, max_length=40)


class CardStatusChange(Strict):
    status: CardStatus
    reason: str = Field(min_length=1, max_length=200)
    new_number: str | None = Field(default=None, max_length=40, description="补换卡时的新卡号")


class CardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    number: str
    status: str
    status_on: dt.date
    replaces_id: int | None


class PersonOut(BaseModel):
    ssn: str
    id_type: str
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    nationality: str
    household_region: str
    address: str
    phone: str
    status: str
    death_date: dt.date | None
    registered_on: dt.date
    retirement_category: str | None
    enrollments: list[EnrollmentOut]
    cards: list[CardOut]


class HistoryEntry(BaseModel):
    seq: int
    at: dt.datetime
    actor: str
    channel: str
    act: str
    act_name: str
    reason: str
    changes: dict[str, list]


# --- personal data (secdata) -------------------------------------------------------------------

class RevealRequest(Strict):
    reason: str = Field(min_length=1, max_length=300, description="查看完整信息的理由（留痕）")


class PersonalOut(BaseModel):
    """完整个人信息：仅在说明理由后返回，并记录查询留痕."""

    ssn: str
    id_number: str
    phone: str
    address: str


class AccessOut(BaseModel):
    """查询留痕: who looked at the record, when, what and why."""

    model_config = ConfigDict(from_attributes=True)
    at: dt.datetime
    actor: str
    view: str
    reason: str
