"""Feed records as the departments send them, and the batch responses."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

from jingban.registration.rules import EMPLOYER_KINDS
from jingban.registration.schemas import EmployerKind

FeedKind = Literal["employer", "population", "judicial", "exit", "employment"]
RecordStatus = Literal["processed", "rejected", "duplicate", "skipped"]


def _feed_date(value: object) -> object:
    """YYYY-MM-DD or YYYYMMDD; anything else (and 2023-02-30) is not a date."""
    if isinstance(value, dt.date) or not isinstance(value, str):
        return value
    text = value.strip()
    if re.fullmatch(r"\d{8}", text):
        text = f"{text[:4]}-{text[4:6]}-{text[6:]}"
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PydanticCustomError("date_invalid", "not a date") from None


def _employer_kind(value: object) -> object:
    """The code (enterprise…) or its Chinese name (企业…)."""
    by_name = {name: code for code, name in EMPLOYER_KINDS.items()}
    return by_name.get(value.strip(), value) if isinstance(value, str) else value


FeedDate = Annotated[dt.date, BeforeValidator(_feed_date)]
FeedEmployerKind = Annotated[EmployerKind, BeforeValidator(_employer_kind)]


class FeedRow(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True)
    event_id: str | None = Field(default=None, max_length=64, description="来源部门的事件编号")
    effective_date: FeedDate | None = Field(default=None, description="生效日期")


class EmployerEvent(FeedRow):
    """登记管理机关（市场监管/民政/编办）的单位设立、变更、注销信息."""

    action: Literal["setup", "change", "cancel"]
    uscc: str = Field(min_length=1, max_length=40)
    name: str | None = Field(default=None, max_length=200)
    kind: FeedEmployerKind | None = None
    region: str | None = Field(default=None, max_length=6)
    address: str | None = Field(default=None, max_length=300)
    legal_rep: str | None = Field(default=None, max_length=64)


class PopulationEvent(FeedRow):
    """公安/卫健/民政的出生、死亡、户籍迁移信息."""

    event: Literal["birth", "death", "move"]
    citizen_id: str = Field(min_length=1, max_length=40)
    name: str | None = Field(default=None, max_length=64)
    birth_date: FeedDate | None = None
    death_date: FeedDate | None = None
    household_region: str | None = Field(default=None, max_length=6)
    address: str | None = Field(default=None, max_length=300)


class JudicialEvent(FeedRow):
    """司法行政机关的在押服刑（收监）与刑满释放信息 (R§25, R§26)."""

    event: Literal["imprisonment", "release"]
    citizen_id: str = Field(min_length=1, max_length=40)
    name: str | None = Field(default=None, max_length=64)
    event_date: FeedDate
    institution: str | None = Field(default=None, max_length=200)


class ExitEvent(FeedRow):
    """公安出入境管理机关的定居境外与丧失（退出）中国国籍信息 (R§25, R§26)."""

    event: Literal["emigration", "nationality_loss"]
    citizen_id: str = Field(min_length=1, max_length=40)
    name: str | None = Field(default=None, max_length=64)
    event_date: FeedDate
    country: str | None = Field(default=None, max_length=64)


class EmploymentEvent(FeedRow):
    """公共就业服务机构的就业登记与兵役机关的应征入伍信息: either ends an unemployment benefit
    (《社会保险法》第五十一条). ``event``: reemployment 重新就业, enlistment 应征服兵役."""

    event: Literal["reemployment", "enlistment"]
    citizen_id: str = Field(min_length=1, max_length=40)
    name: str | None = Field(default=None, max_length=64)
    event_date: FeedDate
    unit: str | None = Field(default=None, max_length=200)


class BatchOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str
    filename: str
    sha256: str
    uploaded_by: str
    received_at: dt.datetime
    total: int
    processed: int
    rejected: int
    duplicate: int
    skipped: int


class RejectedRow(BaseModel):
    line: int
    code: str
    message: str
    field: str | None


class BatchReceipt(BatchOut):
    repeat: bool = Field(description="同一文件此前已接收：返回原批次，未重复处理")
    rejected_rows: list[RejectedRow]


class RecordOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    line: int
    status: RecordStatus
    idem_key: str
    subject: str
    note: str
    error_code: str
    error_message: str
    error_field: str | None
    raw: str


class BatchDetail(BatchOut):
    header: str
    records: list[RecordOut]
