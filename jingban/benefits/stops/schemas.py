"""Request and response models for stops and resumptions (R§25, R§26).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from jingban.benefits.common.schemas import Strict

StopReason = Literal["death", "declared_dead", "imprisonment", "nationality_loss", "other",
                     "reemployment", "enlistment", "emigration", "pension_start", "refused_work"]
Reporter = Literal["person", "employer", "relative"]




# --- stops -------------------------------------------------------------------------------------

class StopReportIn(Strict):
    """停发事由报告 (BEN-STOP-REPORT): the payload besides the recipient's SSN."""

    reason: StopReason = Field(description="停发事由：death 死亡，declared_dead 被宣告死亡，imprisonment "
                                           "在押服刑（暂停），nationality_loss 丧失国籍，other 其他；"
                                           "失业保险金：reemployment 重新就业，enlistment 应征服兵役，"
                                           "emigration 移居境外，pension_start 享受基本养老保险待遇，"
                                           "refused_work 两次拒不接受推荐的工作或培训")
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
    due_provisional: bool = Field(description="截止日跨入尚未公布节假日安排的年度，按周一至周五暂定")
    late: bool = Field(description="是否逾期报告")
    source: str
    reporter_name: str
    awards: int = Field(description="停发或暂停的待遇数")
    overpaid: int = Field(description="责令退回的多发金额（分）")
