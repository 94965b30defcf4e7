"""Work-injury tables: the recognition decision (工伤认定) of each injury and what followed
it — appraisals (劳动能力鉴定), leave extensions, recurrences, devices.

The benefits themselves use the common tables (awards, payments): each is an Award of an
``injury_*`` kind whose breakdown names the recognition it rests on.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import BigInteger, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class Recognition(Base):
    """工伤认定: the administrative department's decision, recorded by the agency (第十七条至
    第二十条). ``own_wage`` is 本人工资 as bounded by 第六十四条 (fen), ``plain_wage`` the plain
    average it came from. ``grade``/``nursing_level`` hold the latest appraisal's conclusion;
    ``leave_until`` the end of 停工留薪期 (第三十三条) as last set."""

    __tablename__ = "injury_recognition"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"))
    decision_number: Mapped[str] = mapped_column(String(64), unique=True)  # 认定决定书文号
    decided_on: Mapped[dt.date] = mapped_column(Date)
    injury_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))  # injury | deemed
    description: Mapped[str] = mapped_column(String(300), default="")
    own_wage: Mapped[int] = mapped_column(BigInteger)
    plain_wage: Mapped[int] = mapped_column(BigInteger)
    leave_until: Mapped[dt.date | None] = mapped_column(Date)
    grade: Mapped[int | None] = mapped_column(Integer)
    nursing_level: Mapped[int | None] = mapped_column(Integer)
    died_on: Mapped[dt.date | None] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class InjuryEvent(Base):
    """What happened on a recognised injury, in order. ``kind``: appraisal_applied (劳动能力鉴定
    申请) | appraisal (its conclusion: ``grade``, ``nursing_level``) | extension (停工留薪期延长)
    | recurrence (旧伤复发) | device (辅助器具) | ending (终止劳动关系). ``detail`` is JSON."""

    __tablename__ = "injury_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    recognition_id: Mapped[int] = mapped_column(ForeignKey("injury_recognition.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    kind: Mapped[str] = mapped_column(String(24))
    event_date: Mapped[dt.date] = mapped_column(Date)
    document_number: Mapped[str] = mapped_column(String(64), default="")
    grade: Mapped[int | None] = mapped_column(Integer)
    nursing_level: Mapped[int | None] = mapped_column(Integer)
    leave_until: Mapped[dt.date | None] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)  # fen
    detail: Mapped[str] = mapped_column(Text, default="{}")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    recorded_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    @property
    def appraisal_kind(self) -> str:
        """An appraisal's kind: first | again (再次鉴定) | review (复查鉴定); '' for other events."""
        return json.loads(self.detail or "{}").get("kind", "first") if self.kind == "appraisal" else ""
