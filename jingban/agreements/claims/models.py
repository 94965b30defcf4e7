"""Direct-settlement claims (医疗费用直接结算, R§20–§22): the institution's monthly upload as
received, its claims and item lines, the review flags and decisions, the review runs and the
monthly settlement per institution and fund."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base


class ClaimUpload(Base):
    """费用上传批次: one file of one institution for one month, its text as received. The same
    file (by SM3 of its bytes) is processed once."""

    __tablename__ = "claim_upload"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"), index=True)
    period: Mapped[int] = mapped_column(Integer)  # YYYYMM
    filename: Mapped[str] = mapped_column(String(200))
    encoding: Mapped[str] = mapped_column(String(16))
    digest: Mapped[str] = mapped_column(String(64))
    raw: Mapped[str] = mapped_column(Text)  # the file as received (decoded; broken rows as \\x)
    rows: Mapped[int] = mapped_column(Integer, default=0)
    claims: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    problems: Mapped[str] = mapped_column(Text, default="[]")  # JSON: [{row, claim_no, message}]
    received_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (UniqueConstraint("institution_id", "digest"),)


class Claim(Base):
    """一次住院或门诊的费用结算单, as the institution declared it."""

    __tablename__ = "claim"
    id: Mapped[int] = mapped_column(primary_key=True)
    upload_id: Mapped[int] = mapped_column(ForeignKey("claim_upload.id"), index=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"))
    period: Mapped[int] = mapped_column(Integer)
    claim_no: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    fund: Mapped[str] = mapped_column(String(24))
    inpatient: Mapped[bool] = mapped_column(Boolean)
    admission_on: Mapped[dt.date] = mapped_column(Date)
    discharge_on: Mapped[dt.date] = mapped_column(Date)
    diagnosis: Mapped[str] = mapped_column(String(20))
    total_fen: Mapped[int] = mapped_column(BigInteger)
    raw: Mapped[str] = mapped_column(Text)  # the claim's rows (or JSON object) as received
    status: Mapped[str] = mapped_column(String(12), default="received")  # received / settled
    settlement_id: Mapped[int | None] = mapped_column(ForeignKey("claim_settlement.id"), index=True)
    ytd_before_fen: Mapped[int | None] = mapped_column(BigInteger)  # fund paid this year before
    accepted_fen: Mapped[int | None] = mapped_column(BigInteger)
    fund_fen: Mapped[int | None] = mapped_column(BigInteger)
    person_fen: Mapped[int | None] = mapped_column(BigInteger)
    split: Mapped[str] = mapped_column(Text, default="")  # JSON of split.Split

    __table_args__ = (UniqueConstraint("institution_id", "claim_no"),
                      Index("ix_claim_period_institution", "period", "institution_id"))


class ClaimLine(Base):
    """费用明细: one item line of a claim."""

    __tablename__ = "claim_line"
    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(40))
    service_on: Mapped[dt.date] = mapped_column(Date)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_fen: Mapped[int] = mapped_column(BigInteger)
    amount_fen: Mapped[int] = mapped_column(BigInteger)


class ClaimFlag(Base):
    """审核疑点: a rule that flagged a line, with the cut it suggests."""

    __tablename__ = "claim_flag"
    id: Mapped[int] = mapped_column(primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("claim_line.id"))
    rule: Mapped[str] = mapped_column(String(24))
    cut_fen: Mapped[int] = mapped_column(BigInteger)
    run_id: Mapped[int] = mapped_column(ForeignKey("claim_review_run.id"), index=True)

    __table_args__ = (UniqueConstraint("line_id", "rule"),)


class ClaimDecision(Base):
    """审核结论 on a flagged line: accept, cut (by an amount) or refuse, with the reason."""

    __tablename__ = "claim_decision"
    line_id: Mapped[int] = mapped_column(ForeignKey("claim_line.id"), primary_key=True)
    decision: Mapped[str] = mapped_column(String(8))
    cut_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(300), default="")
    decided_by: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    reinstated_case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    # the (supplementary) settlement that paid the reinstated line (claims13)
    settled_in_id: Mapped[int | None] = mapped_column(ForeignKey("claim_settlement.id"))


class ClaimReviewRun(Base):
    """一次月度审核: the set-based run over a month's stored lines, with its hits per rule."""

    __tablename__ = "claim_review_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[int] = mapped_column(Integer, index=True)
    upload_through: Mapped[int] = mapped_column(Integer, default=0)  # the last upload it saw
    claims: Mapped[int] = mapped_column(Integer, default=0)
    lines: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[str] = mapped_column(Text, default="{}")  # JSON rule → new flags
    millis: Mapped[int] = mapped_column(Integer, default=0)
    run_by: Mapped[str] = mapped_column(String(64))
    run_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)


class ClaimSettlement(Base):
    """月度结算: one institution, one fund, one month — the accepted amount after the split,
    approved through its case, booked to the ledger and paid, or withheld (R§43). The month's
    first settlement is number 1; a supplementary settlement (补充结算, 2, 3…) covers the claims
    uploaded after it and the lines reinstated by an upheld objection."""

    __tablename__ = "claim_settlement"
    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("service_institution.id"))
    fund: Mapped[str] = mapped_column(String(24))
    period: Mapped[int] = mapped_column(Integer)
    sequence: Mapped[int] = mapped_column(Integer, default=1)  # 第几次结算 of the month
    status: Mapped[str] = mapped_column(String(12))  # in_review / paid / withheld / returned
    claims: Mapped[int] = mapped_column(Integer)
    claimed_fen: Mapped[int] = mapped_column(BigInteger)
    cut_fen: Mapped[int] = mapped_column(BigInteger)
    accepted_fen: Mapped[int] = mapped_column(BigInteger)  # claimed − cut + reinstated
    reinstated_fen: Mapped[int] = mapped_column(BigInteger, default=0)  # 异议成立补拨的明细金额
    fund_fen: Mapped[int] = mapped_column(BigInteger)
    person_fen: Mapped[int] = mapped_column(BigInteger)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("fund_entry.id"))
    prepared_by: Mapped[str] = mapped_column(String(64))
    prepared_on: Mapped[dt.date] = mapped_column(Date)
    approved_on: Mapped[dt.date | None] = mapped_column(Date)
    paid_on: Mapped[dt.date | None] = mapped_column(Date)

    __table_args__ = (UniqueConstraint("institution_id", "fund", "period", "sequence"),)


class ClaimAdjustment(Base):
    """补拨: a claim of an earlier settlement re-split in a supplementary settlement after an
    upheld objection reinstated some of its lines — the differences it adds (claims13)."""

    __tablename__ = "claim_adjustment"
    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("claim_settlement.id"), index=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claim.id"), index=True)
    ytd_before_fen: Mapped[int] = mapped_column(BigInteger)  # the person's other fund payments
    accepted_fen: Mapped[int] = mapped_column(BigInteger)  # added to the claim's accepted amount
    fund_fen: Mapped[int] = mapped_column(BigInteger)
    person_fen: Mapped[int] = mapped_column(BigInteger)
    split: Mapped[str] = mapped_column(Text)  # JSON of the claim's new split.Split

    __table_args__ = (UniqueConstraint("settlement_id", "claim_id"),)
