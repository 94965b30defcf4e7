"""Requests and replies of breach handling."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Measure = Literal["urge", "withhold", "recover", "suspend_department", "terminate"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoticeIn(Strict):
    """违约处理告知: the measure proposed and the facts, told to the institution."""
    institution_id: int = Field(ge=1)
    measure: Measure
    facts: str = Field(min_length=1, max_length=4000, description="违约事实")
    department_id: int | None = Field(default=None, description="中止服务的部门")
    months: int | None = Field(default=None, description="中止部门服务的月数（1–12）")
    amount: str | None = Field(default=None, max_length=20, description="追回或不予拨付金额（元）")
    period_to: dt.date | None = Field(default=None, description="暂停拨付截止日期")
    termination_kind: Literal["breach", "illegal", "other"] | None = None


class StatementIn(Strict):
    text: str = Field(min_length=1, max_length=4000, description="陈述、申辩意见")


class ReasonIn(Strict):
    reason: str = Field(min_length=1, max_length=1000)


class BreachAct(Strict):
    """The decision case's payload."""
    breach_id: int = Field(ge=1)
    reason: str = Field(min_length=1, max_length=1000)


class BreachOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    institution_id: int
    agreement_id: int
    measure: str
    facts: str
    status: str
    noticed_on: dt.date
    statement_due: dt.date
    statement: str
    stated_on: dt.date | None
    department_id: int | None
    months: int | None
    amount_fen: int | None
    period_from: dt.date | None
    period_to: dt.date | None
    termination_kind: str | None
    decision: str
    decided_on: dt.date | None
    case_id: int | None
    credit_record_id: int | None


class RepaymentIn(Strict):
    """追回款到账: what the institution paid back under a decided recovery, and into which fund."""
    fund: Literal["medical_employee", "medical_resident", "injury", "maternity"] = Field(
        description="追回款缴入的基金（职工医保、居民医保、工伤、生育）")
    amount: str = Field(min_length=1, max_length=20, description="到账金额（元）")
    paid_on: dt.date | None = Field(default=None, description="到账日期，默认今天")
    reference: str = Field(min_length=1, max_length=64, description="银行回单号")


class RepaymentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    breach_id: int
    fund: str
    amount_fen: int
    paid_on: dt.date
    reference: str
    entry_id: int | None
