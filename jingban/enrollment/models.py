"""Universal enrollment registry tables (全民参保登记库, E§7–§14): the source files and their
rows as received, the registry built from them, the linkage runs, the pairs a data
administrator decides, and the flags with their reasons."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.crypto import Sealed, blind_index, phone_index_default
from jingban.core.db import Base


class SourceFile(Base):
    """登记库来源文件: one department file (police, civil affairs, health, …) as uploaded."""

    __tablename__ = "registry_source_file"
    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    header: Mapped[str] = mapped_column(Text, default="")
    uploaded_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    total: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("source", "sha256"),)


class SourceRecord(Base):
    """来源记录: one row of a source, its text as received and its normalised values.

    ``source_key`` identifies the row across runs (agency rows: ``person:<id>``; collected
    values: ``collect:<n>``; file rows: ``file:<id>:<line>``). ``entry_id`` is the registry
    entry the last linkage run put it in."""

    __tablename__ = "registry_source_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int | None] = mapped_column(ForeignKey("registry_source_file.id"), index=True)
    source: Mapped[str] = mapped_column(String(16), index=True)
    source_key: Mapped[str] = mapped_column(String(80), unique=True)
    line: Mapped[int] = mapped_column(Integer, default=0)
    raw: Mapped[str] = mapped_column(Sealed("source_row", None), default="")  # SM4-GCM: IDs, phones
    status: Mapped[str] = mapped_column(String(16), default="accepted")  # accepted | rejected
    error_code: Mapped[str] = mapped_column(String(64), default="")
    error_message: Mapped[str] = mapped_column(Text, default="")
    error_field: Mapped[str | None] = mapped_column(String(64))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    citizen_id: Mapped[str] = mapped_column(String(18), default="", index=True)
    id_problem: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(64), default="")
    sex: Mapped[str] = mapped_column(String(1), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(16), default="")
    household_region: Mapped[str] = mapped_column(String(12), default="")
    household_type: Mapped[str] = mapped_column(String(16), default="")
    residence_region: Mapped[str] = mapped_column(String(12), default="")
    residence: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(Sealed("phone"), default="")  # SM4-GCM, normalised
    phone_index: Mapped[str | None] = mapped_column(String(80), index=True,  # keyed SM3
                                                    default=phone_index_default)
    employment_status: Mapped[str] = mapped_column(String(16), default="")
    insurances: Mapped[str] = mapped_column(String(300), default="")  # ;-joined codes
    insured_region: Mapped[str] = mapped_column(String(12), default="")
    not_enrolled_reason: Mapped[str] = mapped_column(String(100), default="")
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("registry_entry.id"), index=True)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class RegistryEntry(Base):
    """全民参保登记库的一人一条 (E§7): the values chosen from the person's linked records.

    ``sources`` names, per field, the source its value came from (JSON)."""

    __tablename__ = "registry_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    anchor: Mapped[str] = mapped_column(String(80), unique=True)  # citizen ID, else first record
    citizen_id: Mapped[str] = mapped_column(String(18), default="", index=True)
    name: Mapped[str] = mapped_column(String(64), default="", index=True)
    sex: Mapped[str] = mapped_column(String(1), default="")
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    ethnicity: Mapped[str] = mapped_column(String(16), default="")
    household_region: Mapped[str] = mapped_column(String(12), default="", index=True)
    household_type: Mapped[str] = mapped_column(String(16), default="")
    residence_region: Mapped[str] = mapped_column(String(12), default="")
    residence: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(Sealed("phone"), default="")  # SM4-GCM, normalised
    phone_index: Mapped[str | None] = mapped_column(String(80), index=True,  # keyed SM3
                                                    default=phone_index_default)
    employment_status: Mapped[str] = mapped_column(String(16), default="")
    insured_here: Mapped[str] = mapped_column(String(300), default="")  # ;-joined codes
    insured_elsewhere: Mapped[str] = mapped_column(String(300), default="")
    elsewhere_region: Mapped[str] = mapped_column(String(12), default="")
    not_enrolled_reason: Mapped[str] = mapped_column(String(100), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    record_count: Mapped[int] = mapped_column(Integer, default=0)
    sources: Mapped[str] = mapped_column(Text, default="{}")
    status: Mapped[str] = mapped_column(String(16), default="confirmed")
    # confirmed | investigate | deceased | retired (merged into another entry)
    run_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class LinkRun(Base):
    """比对批次: one linkage run over every accepted source record."""

    __tablename__ = "registry_link_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    backend: Mapped[str] = mapped_column(String(16), default="duckdb")
    records: Mapped[int] = mapped_column(Integer, default=0)
    exact_links: Mapped[int] = mapped_column(Integer, default=0)
    model_links: Mapped[int] = mapped_column(Integer, default=0)
    review_pairs: Mapped[int] = mapped_column(Integer, default=0)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[int] = mapped_column(Integer, default=0)
    match_threshold: Mapped[float] = mapped_column(Float, default=0.0)
    review_threshold: Mapped[float] = mapped_column(Float, default=0.0)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)


class ReviewPair(Base):
    """待人工确认的疑似同一人: a pair the model scored between the review thresholds.

    The data administrator's decision (same | different) is kept and reused by later runs."""

    __tablename__ = "registry_review_pair"
    id: Mapped[int] = mapped_column(primary_key=True)
    left_key: Mapped[str] = mapped_column(String(80))
    right_key: Mapped[str] = mapped_column(String(80))
    probability: Mapped[float] = mapped_column(Float)
    run_id: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | same | different
    decided_by: Mapped[str] = mapped_column(String(64), default="")
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (UniqueConstraint("left_key", "right_key"),)


class RegistryFlag(Base):
    """登记标识 (E§10): 重复参保, 未参保, 未参全, 信息不准 — each with its reason and the
    fields to collect; cleared by collection (E§13) with the source of the new value."""

    __tablename__ = "registry_flag"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("registry_entry.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # duplicate | not_enrolled | partial | inaccurate
    reason: Mapped[str] = mapped_column(String(300))
    fields: Mapped[str] = mapped_column(String(200), default="")  # ;-joined field names
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | cleared
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    run_id: Mapped[int | None] = mapped_column(Integer)
    cleared_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    cleared_by: Mapped[str] = mapped_column(String(64), default="")
    cleared_source: Mapped[str] = mapped_column(String(80), default="")


class SurveyList(Base):
    """入户调查名单 (E§17, E§18): the people of one division to visit, and the team (2–3
    surveyors) that visits them."""

    __tablename__ = "registry_survey_list"
    id: Mapped[int] = mapped_column(primary_key=True)
    division: Mapped[str] = mapped_column(String(12), index=True)  # 6-digit county … 12-digit community
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    team: Mapped[str] = mapped_column(String(200), default="")  # ;-joined surveyor usernames
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed


class SurveyItem(Base):
    """One person on a survey list (全民参保登记表): what the surveyor entered, the grassroots
    platform's review and the county's approval (E§19); approved values enter the registry."""

    __tablename__ = "registry_survey_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("registry_survey_list.id"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("registry_entry.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    # pending | entered | reviewed | approved | returned
    values: Mapped[str] = mapped_column(Text, default="{}")
    entered_by: Mapped[str] = mapped_column(String(64), default="")
    entered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str] = mapped_column(String(64), default="")
    approved_by: Mapped[str] = mapped_column(String(64), default="")
    note: Mapped[str] = mapped_column(String(300), default="")

    __table_args__ = (UniqueConstraint("list_id", "entry_id"),)


@event.listens_for(SourceRecord.phone, "set")
@event.listens_for(RegistryEntry.phone, "set")
def _index_phone(target: SourceRecord | RegistryEntry, value: str | None, _old, _initiator) -> None:
    """The blind index follows every change of the phone (as the person's, secdata)."""
    target.phone_index = blind_index(value)
