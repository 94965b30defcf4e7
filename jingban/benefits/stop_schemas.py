"""Request and response models for stops, eligibility verification and recovery (R§25, R§26, R§46).

Kept apart from schemas.py (claims, payroll) so the two halves of the benefits area can grow
side by side; both follow the same conventions.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

StopReason = Literal["death", "declared_dead", "imprisonment", "nationality_loss", "other"]
Reporter = Literal["person", "employer", "relative"]
CertMethod = Literal["face", "remote", "counter", "employer", "third_party"]
AgentKind = Literal["employer", "third_party"]
TaskResult = Literal["alive", "suspect", "unreachable"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- stops -------------------------------------------------------------------------------------

class StopReportIn(Strict):
    """停发事由报告 (BEN-STOP-REPORT): the payload besides the recipient's SSN."""

    reason: StopReason = Field(description="停发事由：death 死亡，declared_dead 被宣告死亡，imprisonment "
                                           "在押服刑（暂停），nationality_loss 丧失国籍，other 其他")
    event_date: dt.date = Field(description="事由发生日期（死亡日期、收监日期等）")
    reporter: Reporter = Field(description="报告人：person 本人，employer 用人单位，relative 亲属")
    reporter_name: str = Field(default="", max_length=64, description="报告人姓名或单位名称")
    reporter_phone: str = Field(default="", max_length=32, description="报告人联系电话")
    reported_on: dt.date | None = Field(default=None, description="报告日期，默认受理当日")
    note: str = Field(default="", max_length=300, description="核实情况说明（如死亡证明编号）")


class ResumeIn(Strict):
    """恢复发放 (BEN-RESUME, 3 levels): why the suspension ends and the back-payment decision."""

    reason: Literal["release", "wrong_match"] = Field(
        description="release 刑满释放（或假释、监外执行），wrong_match 比对信息有误")
    event_date: dt.date = Field(description="释放日期；信息有误的填核实日期")
    back_pay: bool = Field(default=True, description="是否补发暂停期间应发的待遇")
    note: str = Field(default="", max_length=300, description="核实情况及依据")


class StopReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    reason: str
    event_date: dt.date
    reported_on: dt.date
    report_due_on: dt.date = Field(description="应报告截止日（事由发生后20个工作日）")
    late: bool = Field(description="是否逾期报告")
    source: str
    reporter_name: str
    awards: int = Field(description="停发或暂停的待遇数")
    overpaid: int = Field(description="责令退回的多发金额（分）")


# --- verification ------------------------------------------------------------------------------

class CertificationIn(Strict):
    """资格认证: a recipient confirmed as still entitled."""

    method: CertMethod = Field(description="face 人脸识别，remote 远程视频，counter 柜台，employer 单位核实，"
                                           "third_party 第三方核实")
    confirmed_on: dt.date | None = Field(default=None, description="认证日期，默认今日")
    reference: str = Field(default="", max_length=64, description="认证流水号或核实记录编号")


class TaskIn(Strict):
    """委托核实: entrust an unconfirmed recipient to the employer or a third party."""

    agent_kind: AgentKind = Field(description="employer 用人单位，third_party 第三方机构")
    agent_key: str = Field(min_length=1, max_length=40, description="受托方统一社会信用代码")
    agent_name: str = Field(default="", max_length=200, description="受托方名称（第三方机构必填）")


class TaskResultIn(Strict):
    result: TaskResult = Field(
        description="alive 确认符合领取条件，suspect 疑似丧失资格，unreachable 无法联系")
    note: str = Field(default="", max_length=300, description="核实情况")


class InvestigationFindings(Strict):
    """调查核实: the findings and the proposed conclusion."""

    conclusion: Literal["stop", "confirm"] = Field(
        description="stop 确认丧失资格，停发（在押服刑为暂停）；confirm 确认符合条件，继续发放")
    reason: StopReason | None = Field(default=None, description="停发事由（结论为停发时必填）")
    event_date: dt.date | None = Field(default=None, description="事由发生日期（结论为停发时必填）")
    findings: str = Field(min_length=1, max_length=300, description="调查核实情况")


class InvestigationIn(InvestigationFindings):
    """调查核实 (BEN-VERIFY-INVESTIGATE, 3 levels): the payload besides the recipient's SSN."""

    hit_id: int = Field(ge=1, le=2**62, description="比对疑点编号")


class RunOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    run_on: dt.date
    recipients: int
    hits: int = Field(description="本次新发现的疑点数")
    unconfirmed: int = Field(description="超过认证周期未确认资格的人数")
    started_by: str
    finished_at: dt.datetime | None
    repeat: bool = Field(default=False, description="当日已比对过：返回原批次，未重复比对")


class HitOut(BaseModel):
    id: int
    run_id: int | None
    award_id: int
    kind: str
    fact_date: dt.date | None
    status: str
    case_id: int | None
    ssn: str
    name: str


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    award_id: int
    agent_kind: str
    agent_key: str
    agent_name: str
    entrusted_on: dt.date
    due_on: dt.date
    due_provisional: bool = Field(description="期限跨入尚未公布节假日安排的年度，按周一至周五暂定")
    status: str
    result: str
    result_on: dt.date | None
    result_note: str


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
