"""Medical benefit tables: the manual reimbursements (手工报销) with the invoice lines the person
brought, and the chronic and special outpatient recognitions (门诊慢特病认定).

The payment itself is a one-off award and payment in the common tables, paid by the payroll."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class ManualClaim(Base):
    """手工报销: one decided reimbursement of a person's invoices (R§20), split by the shared
    policy split (agreements.claims.split) bill by bill, in service-date order, against the
    fund payments of the year (direct settlement and earlier manual claims)."""

    __tablename__ = "medical_manual_claim"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    award_id: Mapped[int | None] = mapped_column(ForeignKey("benefit_award.id"))
    fund: Mapped[str] = mapped_column(String(24))  # medical_employee | medical_resident | maternity
    year: Mapped[int] = mapped_column(Integer)  # the service year (the cap's year)
    total_fen: Mapped[int] = mapped_column(BigInteger)
    fund_fen: Mapped[int] = mapped_column(BigInteger)
    person_fen: Mapped[int] = mapped_column(BigInteger)
    chronic_deductible_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # 慢特病年度起付线已负担
    ytd_before_fen: Mapped[int] = mapped_column(BigInteger)  # fund paid this year before it
    bills: Mapped[str] = mapped_column(Text)  # JSON: per invoice its coverage and split
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class ManualLine(Base):
    """票据明细: one line of an invoice as entered from the person's papers."""

    __tablename__ = "medical_manual_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("medical_manual_claim.id"), index=True)
    invoice_no: Mapped[str] = mapped_column(String(40))
    hospital: Mapped[str] = mapped_column(String(100))
    service_on: Mapped[dt.date] = mapped_column(Date)
    inpatient: Mapped[bool] = mapped_column(Boolean)
    diagnosis: Mapped[str] = mapped_column(String(20))
    item: Mapped[str] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(2))  # 甲 | 乙 | 丙
    self_pay_bp: Mapped[int | None] = mapped_column(Integer)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    # med11: the claim review (Z-6) of the line and the reviewer's decision on a flagged one
    code: Mapped[str | None] = mapped_column(String(40))
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    flags: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{"rule", "cut_fen"}]
    decision: Mapped[str | None] = mapped_column(String(8))  # accept | cut | refuse
    cut_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str | None] = mapped_column(String(300))


class LineDecision(Base):
    """审核结论 on a flagged invoice line of a manual reimbursement still under review (Z-6(3)):
    the reviewer's accept, cut or refuse with a reason, by the case, the invoice and the line's
    number on it (1-based); final approval splits the accepted amount."""

    __tablename__ = "medical_line_decision"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id"), index=True)
    invoice_no: Mapped[str] = mapped_column(String(40))
    line_no: Mapped[int] = mapped_column(Integer)
    decision: Mapped[str] = mapped_column(String(8))
    cut_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(300))
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class ChronicRecognition(Base):
    """门诊慢特病认定: a disease recognised for a person from ``valid_from`` to ``valid_to``; while
    in force, the person's outpatient bills for it are split like covered care (年度起付线、
    慢特病支付比例) instead of being his own. ``status``: active | revoked (撤销: it should not have
    been granted) | ended (终止: the grounds lapsed). An end takes effect on ``ended_from``: bills
    from that day are no longer chronic, bills before it still are; ``valid_to`` stays as
    granted, so the record keeps its history."""

    __tablename__ = "medical_chronic_recognition"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    disease: Mapped[str] = mapped_column(String(12))  # ICD-10 category code, e.g. E11
    hospital: Mapped[str] = mapped_column(String(100))  # 出具诊断的定点医疗机构
    diagnosed_on: Mapped[dt.date] = mapped_column(Date)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    decided_on: Mapped[dt.date] = mapped_column(Date)
    decided_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    ended_from: Mapped[dt.date | None] = mapped_column(Date)  # first day no longer in force
    end_reason: Mapped[str | None] = mapped_column(String(300))
    end_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    ended_on: Mapped[dt.date | None] = mapped_column(Date)
    ended_by: Mapped[str | None] = mapped_column(String(64))
