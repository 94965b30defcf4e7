"""Request and response models for inspections (核查, R§42; R§44)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

InspectKind = Literal["employer", "person", "institution"]
Department = Literal["hrss", "healthcare"]
KIND_HELP = ("employer 用人单位（统一社会信用代码），person 个人（社会保障号码），"
             "institution 社会保险服务机构（机构编码）")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class InspectionIn(Strict):
    """立案核查 one subject."""

    subject_kind: InspectKind = Field(description=KIND_HELP)
    subject_ref: str = Field(min_length=1, max_length=40,
                             description="统一社会信用代码、社会保障号码或机构编码")
    reason: str = Field(min_length=1, max_length=300, description="核查事由")
    origin: str | None = Field(default=None, max_length=64,
                               description="来源（如 hit:123 疑点、complaint:45 举报）；同一来源只立案一次")


class FilingIn(InspectionIn):
    """OVS-INSPECT 的业务件内容 (the act run at filing)."""

    plan_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class PlanIn(Strict):
    """核查计划: a random sample of one kind of subject, or a targeted list."""

    name: str = Field(min_length=1, max_length=200, description="计划名称")
    subject_kind: InspectKind = Field(description=KIND_HELP)
    method: Literal["random", "targeted"] = Field(description="random 随机抽查，targeted 定向核查")
    size: int | None = Field(default=None, ge=1, le=100000, description="随机抽查的抽取数量")
    seed: int | None = Field(default=None, ge=0, le=2**31 - 1,
                             description="随机种子（不填则自动生成并记录；同一种子可复现抽取结果）")
    refs: list[str] = Field(default=[], max_length=1000, description="定向核查的对象编码清单")
    reason: str = Field(min_length=1, max_length=300, description="核查事由")


class ConclusionIn(Strict):
    """核查结论: the findings and, where there is a violation, the order to correct."""

    findings: str = Field(min_length=1, max_length=2000, description="核查发现的事实")
    violation: bool = Field(description="是否存在违反社会保险法律、法规、规章的行为")
    order_text: str = Field(default="", max_length=1000, description="责令改正的事项（有违规时必填）")
    correction_wd: int | None = Field(default=None, ge=1, le=365,
                                      description="改正期限（工作日），不填按政策参数")
    refer: bool = Field(default=False, description="依法应当由行政部门处理（无需等待改正期限即可移交）")


class ConcludeCaseIn(ConclusionIn):
    """OVS-INSPECT-CONCLUDE 的业务件内容."""

    inspection_id: int = Field(ge=1, le=2**31 - 1)


class CorrectionIn(Strict):
    corrected_on: dt.date | None = Field(default=None, description="改正日期，默认今天")
    note: str = Field(min_length=1, max_length=300, description="改正情况（核实结果）")


class HandoverIn(Strict):
    department: Department = Field(description="hrss 人力资源社会保障行政部门，healthcare 医疗保障行政部门")
    note: str = Field(default="", max_length=300, description="移交说明")


class HandoverCaseIn(HandoverIn):
    """OVS-HANDOVER 的业务件内容."""

    inspection_id: int = Field(ge=1, le=2**31 - 1)


class InspectionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    case_id: int
    case_number: str | None = None
    plan_id: int | None
    subject_kind: str
    subject_ref: str
    subject_name: str
    scope: str = ""
    reason: str
    origin: str | None
    status: str
    status_name: str = ""
    opened_on: dt.date
    opened_by: str
    conclusion_case_id: int | None
    findings: str
    violation: bool | None
    order_text: str
    refer: bool
    ordered_on: dt.date | None
    correct_by: dt.date | None
    due_provisional: bool
    overdue: bool = Field(default=False, description="改正期限已届满仍未改正")
    corrected_on: dt.date | None
    correction_note: str
    handover_case_id: int | None
    department: str
    handover_number: str | None
    handed_over_on: dt.date | None
    closed_on: dt.date | None


class PlanOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    method: str
    subject_kind: str
    seed: int | None
    population: int
    size: int
    reason: str
    created_on: dt.date
    created_by: str
    inspections: list[InspectionOut] = []


class CaseRef(BaseModel):
    """The case an act opened."""

    case_id: int
    case_number: str | None
    item_code: str
    status: str
    due_on: dt.date | None
