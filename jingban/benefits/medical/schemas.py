"""Request and response models of medical benefits: the manual reimbursement
(BEN-MEDICAL-MANUAL) with its invoices, and the chronic and special outpatient recognition
(BEN-MEDICAL-CHRONIC)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field

from jingban.benefits.common.schemas import Strict

DIAGNOSIS = r"^[A-Za-z]\d{2}(\.\d{1,4})?$"  # ICD-10: E11 or E11.9


class LineIn(Strict):
    item: str = Field(min_length=1, max_length=100, description="项目或药品名称")
    category: Literal["甲", "乙", "丙"] = Field(description="医保目录类别：甲类、乙类、丙类（自费）")
    self_pay_bp: int | None = Field(default=None, ge=0, le=10000,
                                    description="乙类先行自付比例（万分之一），不填按目录默认")
    amount_fen: int = Field(description="金额（分）")
    code: str | None = Field(default=None, min_length=1, max_length=40,
                             description="医保项目编码（定点机构票据按其协议价格目录审核）")
    quantity: int = Field(default=1, ge=1, le=10000, description="数量")


class InvoiceIn(Strict):
    invoice_no: str = Field(min_length=1, max_length=40, description="票据号码")
    hospital: str = Field(min_length=1, max_length=100, description="就诊医疗机构")
    service_on: dt.date = Field(description="就诊（出院）日期")
    inpatient: bool = Field(description="住院（true）或门诊（false）")
    diagnosis: str = Field(pattern=DIAGNOSIS, description="诊断编码（ICD-10，如 E11.9）")
    institution_uscc: str | None = Field(
        default=None, min_length=18, max_length=18,
        description="定点医药机构统一社会信用代码（填写的，按其协议价格目录审核超范围、超标准、超限量）")
    lines: list[LineIn] = Field(min_length=1, max_length=200, description="费用明细")


class ManualClaimIn(Strict):
    """The payload of BEN-MEDICAL-MANUAL besides the person's SSN."""

    purpose: Literal["illness", "maternity"] = Field(
        default="illness",
        description="illness 疾病医疗费用（医疗保险基金）；maternity 生育医疗费用（生育保险基金）")
    bank_account: str = Field(pattern=r"^\d{12,30}$", description="本人社会保障卡金融账户（12–30位数字）")
    invoices: list[InvoiceIn] = Field(min_length=1, max_length=50, description="医疗费用票据")


class ChronicIn(Strict):
    """The payload of BEN-MEDICAL-CHRONIC besides the person's SSN."""

    disease: str = Field(pattern=r"^[A-Za-z]\d{2}$", description="门诊慢特病病种代码（ICD-10 类目，如 E11）")
    hospital: str = Field(min_length=1, max_length=100, description="出具诊断的定点医疗机构")
    diagnosed_on: dt.date = Field(description="诊断日期")


class ChronicEndIn(Strict):
    """The payload of BEN-MEDICAL-CHRONIC-END besides the person's SSN: the end of a
    recognition in force, from a date, with its reason."""

    disease: str = Field(pattern=r"^[A-Za-z]\d{2}$", description="门诊慢特病病种代码（ICD-10 类目，如 E11）")
    kind: Literal["revoke", "terminate"] = Field(
        description="revoke 撤销（不符合认定条件、材料虚假等）；terminate 终止（认定条件不再具备、停保等）")
    effective_on: dt.date = Field(
        description="自该日起不再享受门诊慢特病待遇（此前的门诊费用仍按慢特病报销）")
    reason: str = Field(min_length=2, max_length=300, description="撤销或终止的理由")


class LineDecisionIn(Strict):
    """A reviewer's decision on a flagged invoice line of a manual reimbursement under review."""

    invoice_no: str = Field(min_length=1, max_length=40, description="票据号码")
    line_no: int = Field(ge=1, le=200, description="该票据的第几条明细（从1起）")
    decision: Literal["accept", "cut", "refuse"] = Field(description="accept 认可；cut 核减；refuse 拒付")
    cut_fen: int | None = Field(default=None, description="核减金额（分，核减时填写）")
    reason: str = Field(default="", max_length=300, description="理由（核减、拒付必填）")
