"""Registration tables: employers, persons, enrollments, cards, assigned-SSN counters."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jingban.core.clock import now
from jingban.core.crypto import Sealed, blind_index, phone_index_default
from jingban.core.db import Base
from jingban.core.privacy import new_public_id  # sec15


class Employer(Base):
    """用人单位 (keyed by USCC 统一社会信用代码)."""

    __tablename__ = "employer"
    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(300), default="")
    legal_rep: Mapped[str] = mapped_column(String(64), default="")
    phone: Mapped[str] = mapped_column(Sealed("phone"), default="")  # SM4-GCM (secdata)
    phone_index: Mapped[str | None] = mapped_column(String(80), index=True,  # secaudit
                                                    default=phone_index_default)  # secaudit
    bank_name: Mapped[str] = mapped_column(String(100), default="")
    bank_account: Mapped[str] = mapped_column(Sealed("bank_account"), default="")  # secdata
    industry_code: Mapped[str] = mapped_column(String(8), default="")
    injury_risk_class: Mapped[int | None] = mapped_column(Integer)
    region: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(16), default="active")
    flag: Mapped[str] = mapped_column(String(200), default="")
    registered_on: Mapped[dt.date] = mapped_column(Date)
    cancelled_on: Mapped[dt.date | None] = mapped_column(Date)


class Liability(Base):
    """单位欠缴的社会保险费、滞纳金、罚款 — blocks cancellation until settled (R§10)."""

    __tablename__ = "employer_liability"
    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)  # fen
    period: Mapped[int | None] = mapped_column(Integer)  # YYYYMM
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Person(Base):
    """参保人. ``ssn`` is the citizen ID, a residence-permit number or an assigned number."""

    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    ssn: Mapped[str] = mapped_column(String(18), unique=True)
    # sec15: the opaque id staff URLs name the person by (never the SSN); NULL only for rows a
    # bench loads by raw SQL
    public_id: Mapped[str | None] = mapped_column(String(16), unique=True, index=True,
                                                  default=new_public_id)
    id_type: Mapped[str] = mapped_column(String(16))
    id_number: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(64), index=True)
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    nationality: Mapped[str] = mapped_column(String(3), default="CHN")
    # 退休人员类别 male / female_55 (原55岁：女干部) / female_50 (原50岁：女工人); None = 未登记
    retirement_category: Mapped[str | None] = mapped_column(String(12))
    household_region: Mapped[str] = mapped_column(String(6), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    phone: Mapped[str] = mapped_column(Sealed("phone"), default="")  # SM4-GCM (secdata)
    # keyed SM3 blind index of the phone, so that search by phone works (secdata)
    phone_index: Mapped[str | None] = mapped_column(String(80), index=True,
                                                    default=phone_index_default)
    status: Mapped[str] = mapped_column(String(16), default="active")
    death_date: Mapped[dt.date | None] = mapped_column(Date)
    registered_on: Mapped[dt.date] = mapped_column(Date)
    enrollments: Mapped[list[Enrollment]] = relationship(
        back_populates="person", order_by="Enrollment.id", lazy="selectin"
    )
    cards: Mapped[list[Card]] = relationship(order_by="Card.id", lazy="selectin")

    __table_args__ = (Index("uq_person_id_document", "id_type", "id_number", "nationality",
                            unique=True),)


class Enrollment(Base):
    """参保登记: one insurance, through an employer or individually, from start to end."""

    __tablename__ = "enrollment"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    insurance: Mapped[str] = mapped_column(String(24))
    exclusive_key: Mapped[str] = mapped_column(String(40))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    contribution_base: Mapped[int | None] = mapped_column(BigInteger)  # fen
    status: Mapped[str] = mapped_column(String(16), default="active")
    end_reason: Mapped[str] = mapped_column(String(200), default="")
    # 终止就业原因 (coded, rules.SEPARATIONS): read by the unemployment claim (issue 11)
    separation: Mapped[str | None] = mapped_column(String(24))
    person: Mapped[Person] = relationship(back_populates="enrollments")
    employer: Mapped[Employer | None] = relationship(lazy="joined")

    # 重复参保 guard that holds under concurrency too: one active row per exclusive key.
    __table_args__ = (
        Index("uq_enrollment_active", "person_id", "exclusive_key", unique=True,
              sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
    )


class Card(Base):
    """社会保障卡（实体/电子）与医保电子凭证 (R§7)."""

    __tablename__ = "card"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    number: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    status_on: Mapped[dt.date] = mapped_column(Date)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("card.id"))


class SsnCounter(Base):
    """Per-region sequence for assigned SSNs (see core.ids)."""

    __tablename__ = "ssn_counter"
    region: Mapped[str] = mapped_column(String(6), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


@event.listens_for(Person.phone, "set")
def _index_phone(target: Person, value: str | None, _old, _initiator) -> None:
    """The blind index follows every change of the phone (secdata)."""
    target.phone_index = blind_index(value)


@event.listens_for(Employer.phone, "set")  # secaudit
def _index_employer_phone(target: Employer, value: str | None, _old, _initiator) -> None:
    """Employer phones are searchable by their blind index too (secaudit)."""
    target.phone_index = blind_index(value)
