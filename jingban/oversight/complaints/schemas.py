"""Request and response models for complaints and reports (举报投诉, R§51)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["report", "complaint"]
AccusedKind = Literal["employer", "person", "institution", "other"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class _Accused(_Strict):
    kind: Kind = Field(default="report", description="report 举报，complaint 投诉")
    accused_kind: AccusedKind = Field(description="被举报对象：employer 用人单位，person 个人，"
                                                  "institution 服务机构，other 其他")
    accused_ref: str = Field(default="", max_length=40,
                             description="被举报对象的统一社会信用代码、社会保障号码或机构编码（如知道）")
    accused_name: str = Field(min_length=1, max_length=200, description="被举报对象名称或姓名")
    facts: str = Field(min_length=1, max_length=4000, description="举报投诉的事实和线索")
    request_id: str | None = Field(default=None, max_length=64, description="防重复提交编号")


class ComplaintIn(_Accused):
    """A report from anyone (the public form): anonymous, or real-name with a way to reach them."""

    anonymous: bool = Field(default=False, description="匿名举报")
    wants_notice: bool = Field(default=False, description="实名举报人要求告知受理情况")
    reporter_name: str = Field(default="", max_length=64, description="举报人姓名（实名）")
    reporter_id_number: str = Field(default="", max_length=40, description="举报人证件号码（实名）")
    reporter_phone: str = Field(default="", max_length=32, pattern=r"^[0-9+\- ]*$",
                                description="举报人联系电话")
    reporter_email: str = Field(default="", max_length=120, description="举报人电子邮箱")

    @model_validator(mode="after")
    def _reporter(self):
        given = any((self.reporter_name, self.reporter_id_number, self.reporter_phone,
                     self.reporter_email))
        if self.anonymous and (given or self.wants_notice):
            raise ValueError("匿名举报不填写举报人信息，也无法告知受理情况")
        if not self.anonymous and not self.reporter_name:
            raise ValueError("实名举报须填写举报人姓名")
        if not self.anonymous and not (self.reporter_phone or self.reporter_email):
            raise ValueError("实名举报须留下联系电话或电子邮箱")
        return self


class CounterComplaintIn(ComplaintIn):
    """Taken at the counter (来访) or on the phone by the complaint post."""

    channel: Literal["counter", "phone"] = Field(description="counter 柜台来访，phone 电话")


class PortalComplaintIn(_Accused):
    """Filed online by a signed-in person or unit: real-name as the account, unless anonymous."""

    anonymous: bool = Field(default=False, description="匿名举报（不留账户身份）")
    wants_notice: bool = Field(default=True, description="要求告知受理情况")
    reporter_email: str = Field(default="", max_length=120, description="电子邮箱（可选）")


class ScreeningIn(_Strict):
    screening: Literal["accepted", "not_accepted", "transferred"] = Field(
        description="accepted 受理，not_accepted 不予受理，transferred 移送有管辖权的部门")
    reason: str = Field(default="", max_length=1000, description="审查意见；不予受理须说明理由")
    transferred_to: str = Field(default="", max_length=200, description="移送去向（有管辖权的部门）")
    late_reason: str = Field(default="", max_length=1000, description="超过审查时限的原因")


class NoticeIn(_Strict):
    channel: Literal["paper", "email", "sms"] = Field(description="paper 纸质通知，email 电子邮件，sms 短信")
    note: str = Field(default="", max_length=500)
    late_reason: str = Field(default="", max_length=1000, description="超过告知时限的原因")


class InvestigationIn(_Strict):
    inspection_case_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                           description="关联的核查业务件（由核查模块立案）")
    note: str = Field(min_length=1, max_length=2000, description="调查安排")


class OutcomeIn(_Strict):
    outcome: Literal["confirmed", "partly_confirmed", "unfounded"] = Field(
        description="confirmed 查证属实，partly_confirmed 部分属实，unfounded 查无实据")
    note: str = Field(min_length=1, max_length=2000, description="处理结果")
    confirmed_yuan: Decimal = Field(default=Decimal(0), ge=0, le=Decimal("1000000000"),
                                    max_digits=14, decimal_places=2, description="查实金额（元）")

    @model_validator(mode="after")
    def _amount(self):
        if self.outcome == "unfounded" and self.confirmed_yuan:
            raise ValueError("查无实据的举报不能有查实金额")
        return self


class RewardIn(_Strict):
    reference: str = Field(min_length=1, max_length=64, description="奖励发放凭证号")
    note: str = Field(default="", max_length=500)


class StepOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    at: dt.datetime
    actor: str
    action: str
    note: str
    on_time: bool | None


class ComplaintOut(BaseModel):
    """A complaint as the asking user may see it: ``identity_shown`` is false, and the
    reporter fields are empty, for everyone but the complaint post."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    number: str
    kind: str
    channel: str
    anonymous: bool
    wants_notice: bool
    identity_shown: bool = False
    reporter_name: str | None = None
    reporter_id_number: str | None = None
    reporter_phone: str | None = None
    reporter_email: str | None = None
    accused_kind: str
    accused_ref: str
    accused_name: str
    facts: str
    status: str
    status_name: str = ""
    received_on: dt.date
    screening_due: dt.date
    notice_due: dt.date | None
    due_provisional: bool = Field(default=False, description="时限跨越尚未公布的年度日历，为暂定")
    due_provisional: bool
    screening: str | None
    screening_reason: str
    transferred_to: str
    screened_on: dt.date | None
    noticed_on: dt.date | None
    inspection_case_id: int | None
    outcome: str | None
    outcome_note: str
    confirmed_fen: int
    concluded_on: dt.date | None
    reward_fen: int | None
    reward_paid_on: dt.date | None
    steps: list[StepOut] = []


class ReceiptOut(BaseModel):
    """What a reporter gets back: the number to quote, nothing else."""

    number: str
    received_on: dt.date
    screening_due: dt.date
    notice_due: dt.date | None
    due_provisional: bool = Field(default=False, description="时限跨越尚未公布的年度日历，为暂定")
