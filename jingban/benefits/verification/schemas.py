"""Request and response models for eligibility verification (R§26).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jingban.benefits.common.schemas import Strict
from jingban.benefits.stops.schemas import StopReason

CertMethod = Literal["face", "remote", "counter", "employer", "third_party"]
AgentKind = Literal["employer", "third_party"]
TaskResult = Literal["alive", "suspect", "unreachable"]




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
