"""Response models of the monthly payroll.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

# --- payroll ----------------------------------------------------------------------------------

class PayrollKindLine(BaseModel):
    kind: str = Field(description="regular 按月发放 | back_pay 补发 | adjustment 重新核定补差 | refund 退还")
    name: str
    count: int
    gross: str = Field(description="应发（元）")
    deductions: str = Field(description="抵扣追回（元）")
    net: str = Field(description="实发（元）")


class PayrollSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    period: int
    status: str = Field(description="running 进行中（可续跑）| completed 已完成")
    payments: int
    gross: str = Field(description="应发合计（元）")
    deductions: str = Field(description="抵扣追回合计（元）")
    net: str = Field(description="实发合计（元）")
    bank_file: str
    bank_file_sha256: str
    bank_rows: int = Field(description="银行发放文件行数（实发为0的不进文件）")
    started_by: str
    started_at: dt.datetime
    finished_at: dt.datetime | None
    kinds: list[PayrollKindLine] = Field(
        default_factory=list, description="按类型合计：当月待遇及本批次一并发放的补发、补差、退还款")
    waiting_vouchers: list[int] = Field(
        default_factory=list, description="待出纳确认的本批次记账凭证编号；确认完毕前不能下载银行发放文件")


class ReturnProblem(BaseModel):
    line: int
    code: str
    field: str
    message: str
    reference: str


class ReturnImportOut(BaseModel):
    period: int
    recorded: int = Field(description="本次登记的退回笔数")
    repeated: int = Field(description="此前已登记（同一退回再次导入）的笔数")
    amount: str = Field(description="本次登记的退回金额（元）")
    problems: list[ReturnProblem]


class ReturnOut(BaseModel):
    reference: str
    amount: str
    reason: str
    fund: str
    returned_on: dt.date
    reissued: bool = Field(description="是否已随后续批次重新发放")
