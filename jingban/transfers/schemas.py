"""Transfer requests: an application (the payload of the TRF-* case items) and clerk acts."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["pension_enterprise", "pension_cross", "pension_resident", "medical_employee",
               "unemployment", "injury", "maternity"]


class TransferApply(BaseModel):
    """转移接续申请. ``direction``: ``in`` — this agency is the new place (转入本地);
    ``out`` — this agency is the old place (从本地转出)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    kind: Kind = Field(description="转移险种")
    direction: Literal["in", "out"] = Field(description="in 转入本地 / out 从本地转出")
    peer_region: str = Field(pattern=r"^\d{6}$", description="对方统筹地区代码")


class TransferStart(TransferApply):
    ssn: str = Field(min_length=15, max_length=18, description="社会保障号码")


class TransferRefuse(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=1, max_length=500, description="不予办理的理由")
