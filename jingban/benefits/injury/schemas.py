"""Request models of work-injury items (工伤保险待遇, R§21–§22): the payload of each case item
besides the injured person's SSN (for a death, the deceased's).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from jingban.benefits.common.schemas import Strict

Bank = Field(pattern=r"^\d{12,30}$", description="社会保障卡金融账户（12–30位数字）")


class RecognitionIn(Strict):
    """工伤认定结论登记 (BEN-INJURY-RECOGNITION): the department's decision as received."""

    decision_number: str = Field(min_length=4, max_length=64, description="认定工伤决定书文号")
    decided_on: dt.date = Field(description="认定决定日期")
    injury_date: dt.date = Field(description="事故伤害发生（或职业病诊断）日期")
    employer_uscc: str = Field(pattern=r"^[0-9A-HJ-NPQRTUWXY]{18}$", description="用人单位统一社会信用代码")
    kind: Literal["injury", "deemed"] = Field(default="injury",
                                             description="injury 认定为工伤，deemed 视同工伤")
    description: str = Field(default="", max_length=300, description="伤害部位及情形")
    leave_until: dt.date | None = Field(default=None,
                                        description="停工留薪期截止日期（医疗机构出具的休假证明）")


class AppraisalApplyIn(Strict):
    """劳动能力鉴定申请 (BEN-INJURY-APPRAISAL-APPLY): sent on to the appraisal committee."""

    decision_number: str = Field(min_length=4, max_length=64, description="所依据的认定工伤决定书文号")
    applied_on: dt.date = Field(description="申请日期")
    applicant: Literal["person", "employer", "relative"] = Field(default="person",
                                                                 description="申请人：本人、用人单位或近亲属")
    note: str = Field(default="", max_length=300, description="诊断证明、病历材料说明")


class AppraisalIn(Strict):
    """劳动能力鉴定结论登记 (BEN-INJURY-APPRAISAL): the committee's conclusion."""

    decision_number: str = Field(min_length=4, max_length=64, description="所依据的认定工伤决定书文号")
    conclusion_number: str = Field(min_length=4, max_length=64, description="鉴定结论书编号")
    concluded_on: dt.date = Field(description="鉴定结论作出日期")
    grade: int = Field(description="伤残等级（一级至十级）")
    nursing_level: Literal[0, 1, 2, 3] = Field(
        default=0, description="生活自理障碍：0 无，1 完全不能自理，2 大部分不能自理，3 部分不能自理")
    kind: Literal["first", "again", "review"] = Field(
        default="first", description="first 初次鉴定；again 再次鉴定（《工伤保险条例》第二十六条）；"
                                     "review 复查鉴定（第二十八条）：重新核定随伤残等级而定的待遇")


class ExtensionIn(Strict):
    """停工留薪期延长 (BEN-INJURY-EXTENSION): confirmed by the appraisal committee (第三十三条)."""

    decision_number: str = Field(min_length=4, max_length=64, description="认定工伤决定书文号")
    confirmation_number: str = Field(min_length=4, max_length=64, description="劳动能力鉴定委员会确认书编号")
    leave_until: dt.date = Field(description="延长后的停工留薪期截止日期")


class RecurrenceIn(Strict):
    """旧伤复发 (BEN-INJURY-RECURRENCE): confirmed as needing treatment (第三十八条)."""

    decision_number: str = Field(min_length=4, max_length=64, description="认定工伤决定书文号")
    confirmation_number: str = Field(min_length=4, max_length=64, description="旧伤复发确认书编号")
    recurred_on: dt.date = Field(description="复发日期")
    leave_until: dt.date = Field(description="复发后的停工留薪期截止日期")


class DeviceIn(Strict):
    """辅助器具配置 (BEN-INJURY-DEVICE): confirmed by the appraisal committee (第三十二条)."""

    decision_number: str = Field(min_length=4, max_length=64, description="认定工伤决定书文号")
    confirmation_number: str = Field(min_length=4, max_length=64, description="配置辅助器具确认书编号")
    device: str = Field(min_length=1, max_length=32, description="辅助器具目录编码")
    price: int = Field(gt=0, le=100_000_000, description="配置费用（分）")
    bank_account: str = Bank


class DisabilityIn(Strict):
    """伤残待遇核定 (BEN-INJURY-DISABILITY) on the latest appraisal."""

    decision_number: str = Field(min_length=4, max_length=64, description="认定工伤决定书文号")
    bank_account: str = Bank
    work_arranged: bool = Field(default=True, description="五、六级：用人单位是否安排了适当工作")


class EndingIn(Strict):
    """终止或解除劳动关系的一次性补助金 (BEN-INJURY-ENDING), grades 5–10."""

    decision_number: str = Field(min_length=4, max_length=64, description="认定工伤决定书文号")
    ended_on: dt.date = Field(description="终止或解除劳动关系日期")
    bank_account: str = Bank


class DependantIn(Strict):
    ssn: str = Field(min_length=15, max_length=18, description="供养亲属社会保障号码（须已登记）")
    relationship: Literal["spouse", "child", "parent", "grandparent", "grandchild", "sibling"]
    orphan_or_alone: bool = Field(default=False, description="孤儿或孤寡老人（+10%）")
    unable_to_work: bool = Field(default=False, description="完全丧失劳动能力（子女年满18周岁后继续领取）")
    bank_account: str = Bank


class DeathIn(Strict):
    """因工死亡待遇 (BEN-INJURY-DEATH): the grants to the claimant, pensions to each dependant."""

    decision_number: str = Field(min_length=4, max_length=64, description="认定工伤（因工死亡）决定书文号")
    death_date: dt.date = Field(description="死亡日期")
    payee_name: str = Field(min_length=1, max_length=64,
                            description="丧葬补助金、一次性工亡补助金领取人（近亲属）")
    bank_account: str = Bank
    dependants: list[DependantIn] = Field(default_factory=list, max_length=12, description="供养亲属")


class BillLineIn(Strict):
    amount: int = Field(gt=0, le=100_000_000, description="金额（分）")
    category: Literal["甲", "乙", "丙"] = Field(description="工伤保险诊疗项目、药品目录类别")
    name: str = Field(default="", max_length=64, description="项目名称")


class ReimbursementIn(Strict):
    """工伤医疗费手工报销 (BEN-INJURY-MEDICAL, 20 wd): the invoices of one treatment."""

    decision_number: str = Field(min_length=4, max_length=64, description="认定工伤决定书文号")
    invoice_number: str = Field(min_length=4, max_length=40, description="医疗收费票据号")
    treated_on: dt.date = Field(description="就诊（出院）日期")
    lines: list[BillLineIn] = Field(min_length=1, max_length=200, description="费用明细")
    bank_account: str = Bank


class DependantStopIn(Strict):
    """A dependant's pension ends: remarriage, adoption (劳社部令第18号 第四条)."""

    reason: Literal["remarriage", "adoption"] = Field(description="remarriage 再婚，adoption 被他人收养")
    event_date: dt.date = Field(description="事由发生日期")
    note: str = Field(default="", max_length=300)
