"""Transfer requests: an application (the payload of the TRF-* case items) and clerk acts."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Kind = Literal["pension_enterprise", "pension_cross", "pension_resident", "medical_employee",
               "unemployment", "injury", "maternity"]


class TransferApply(BaseModel):
    """转移接续申请. ``direction``: ``in`` — this agency is the new place (转入本地);
    ``out`` — this agency is the old place (从本地转出)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: Kind = Field(description="转移险种")
    direction: Literal["in", "out"] = Field(description="in 转入本地 / out 从本地转出")
    peer_region: str = Field(pattern=r"^\d{6}$", description="对方统筹地区代码")
    # An old place that paid the benefit through this system answers from its own award
    # (the real months left); the number here only serves an old place that did not.
    received_months: int = Field(default=0, ge=0, le=24,
                                 description="失业保险转移：在转出地已领取失业保险金的月数（0–24）；"
                                             "转出地本系统有失业保险金记录的，以其记录为准")

    @model_validator(mode="after")
    def _received_only_for_unemployment(self) -> TransferApply:
        if self.received_months and self.kind != "unemployment":
            raise ValueError("已领取失业保险金月数仅在失业保险关系转移时填写")
        return self


class TransferStart(TransferApply):
    ssn: str = Field(min_length=15, max_length=18, description="社会保障号码")


class TransferRefuse(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=1, max_length=500, description="不予办理的理由")


# --- the messages between agencies (each step's payload, checked before it is applied) --------

Region = Annotated[str, Field(pattern=r"^\d{6}$")]
Fen = Annotated[int, Field(ge=0, le=10**13)]
Period = Annotated[int, Field(ge=190001, le=299912)]


class Payload(BaseModel):
    """Strict types (``"ssn": 123`` is refused, not coerced); unknown fields are ignored, so a
    peer on a newer version can add some."""

    model_config = ConfigDict(extra="ignore", strict=True)


class Identity(Payload):
    """转移申请 / 联系函: who moves, between which places."""

    kind: Literal["pension_enterprise", "pension_cross", "pension_resident", "medical_employee",
                  "unemployment"]
    ssn: str = Field(min_length=15, max_length=18)
    name: str = Field(min_length=1, max_length=64)
    old_region: Region
    new_region: Region
    applied_at: Literal["new", "old"]
    applied_on: dt.date = Field(strict=False)  # an ISO date string in JSON
    received_months: int = Field(default=0, ge=0, le=24)


class Line(Payload):
    id: int | None = None
    insurance: str = Field(max_length=24)
    period: Period
    base: Fen | None = None
    employer_amount: int
    personal_amount: int
    account_amount: int = 0
    paid_on: dt.date = Field(strict=False)
    local: bool = True


class Amounts(Payload):
    account: Fen
    pooled: Fen
    total: Fen
    basis: str = ""


class InfoSheet(Payload):
    """信息表."""

    kind: str = Field(max_length=24)
    ssn: str = Field(min_length=15, max_length=18)
    name: str = Field(max_length=64)
    contributions: list[Line]
    deemed_months: int = Field(ge=0, le=1200)
    deemed_ids: list[int] = []
    balance: int
    interest: int = 0
    months: int = Field(ge=0, le=1200)
    amount: Amounts


class Confirmation(Payload):
    confirmed_by: str = Field(max_length=64)


class Funds(Payload):
    amount: Amounts


class Completion(Payload):
    months: int = Field(ge=0)
    total: Fen


class Refusal(Payload):
    code: str = Field(min_length=1, max_length=64)
    message: str = Field(min_length=1, max_length=1000)


PAYLOADS: dict[str, type[Payload]] = {
    "application": Identity, "contact_letter": Identity, "info_sheet": InfoSheet,
    "confirmation": Confirmation, "funds": Funds, "completion": Completion, "refusal": Refusal}
