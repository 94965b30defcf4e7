"""Records tables: collector files, posted contributions, arrears, individual accounts.

Contributions and account entries are append-only: a correction is a new row with
``reverses_id`` pointing to the row it cancels (DESIGN §4).
"""

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
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from jingban.core.clock import now
from jingban.core.db import Base

BigId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite autoincrements INTEGER keys only


class ContributionBatch(Base):
    """征收数据批次: one file of collection records from the tax collector (征收机构)."""

    __tablename__ = "contribution_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    encoding: Mapped[str] = mapped_column(String(16))
    uploaded_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    total: Mapped[int] = mapped_column(Integer, default=0)
    posted: Mapped[int] = mapped_column(Integer, default=0)
    arrears: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)

    # Not stored: set by service.import_contributions when this very file came before.
    repeat = False


# Contribution and account_entry take millions of rows a year and declare no FOREIGN KEY:
# PostgreSQL checks each one with a row trigger, which cost more than the rest of the import
# (0.86 of 1.38 s for 75k contributions; bench/RESULTS.md). Integrity holds without them:
# the import writes person_id/employer_id/batch_id from joins on person, employer and the
# batch in the same transaction and refuses a row without them (batch.CHECK_SQL);
# corrections copy the ids of a row they have just loaded; reverses_id/contribution_id name
# rows loaded or drawn in the same transaction; and persons, employers, batches,
# contributions and entries are never deleted (cancellation is a status, corrections are new
# rows). The smaller tables keep their foreign keys.


class Contribution(Base):
    """缴费记录: one posted contribution (per person, insurance, 费款所属期), integer fen.

    ``kind`` is ``posted`` (from the collector) or ``reversal`` (a correction through a case,
    amounts negated, ``reverses_id`` naming the original, ``case_id`` the approved case)."""

    __tablename__ = "contribution"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    batch_id: Mapped[int | None] = mapped_column(Integer)  # contribution_batch.id
    line: Mapped[int | None] = mapped_column(Integer)
    record_id: Mapped[str | None] = mapped_column(String(64), unique=True)  # collector's id
    person_id: Mapped[int] = mapped_column(Integer, index=True)  # person.id
    # employer.id; not indexed: an employer's contributions are found through its staff's
    # person_id (see service.employer_persons), one index less to keep on every insert
    employer_id: Mapped[int | None] = mapped_column(Integer)
    insurance: Mapped[str] = mapped_column(String(24))
    period: Mapped[int] = mapped_column(Integer)  # YYYYMM
    base: Mapped[int | None] = mapped_column(BigInteger)
    employer_amount: Mapped[int] = mapped_column(BigInteger)
    personal_amount: Mapped[int] = mapped_column(BigInteger)
    account_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # to the 个人账户
    subsidy_amount: Mapped[int] = mapped_column(BigInteger, default=0)  # 政府补贴（城乡居民）
    paid_on: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16), default="posted")
    reverses_id: Mapped[int | None] = mapped_column(BigId)  # contribution.id
    case_id: Mapped[int | None] = mapped_column(Integer)  # case_file.id of a reversal
    posted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    # 关系转移接续: the transfer that carried this row away (old place; it no longer counts
    # here and cannot move again) or merged it here (new place).
    transfer_out_ref: Mapped[str | None] = mapped_column(String(48))
    transfer_in_ref: Mapped[str | None] = mapped_column(String(48))

    __table_args__ = (
        Index("uq_contribution_reverses", "reverses_id", unique=True,
              sqlite_where=text("reverses_id IS NOT NULL"),
              postgresql_where=text("reverses_id IS NOT NULL")),
    )


class ContributionReject(Base):
    """A row of a collector file that was not posted, kept as received with the reason."""

    __tablename__ = "contribution_reject"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("contribution_batch.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    record_id: Mapped[str] = mapped_column(String(64), default="")
    status: Mapped[str] = mapped_column(String(16))  # rejected | duplicate
    error_code: Mapped[str] = mapped_column(String(64))
    error_message: Mapped[str] = mapped_column(Text)
    error_field: Mapped[str | None] = mapped_column(String(64))


class Arrears(Base):
    """欠费: contributions the collector reports due and unpaid (a row without paid date).

    Each employer's open arrears stand behind one registration liability per period, which
    blocks cancellation (R§10); a later paid row for the same month settles it."""

    __tablename__ = "arrears"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("contribution_batch.id"), index=True)
    line: Mapped[int] = mapped_column(Integer)
    record_id: Mapped[str] = mapped_column(String(64), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employer.id"), index=True)
    insurance: Mapped[str] = mapped_column(String(24))
    period: Mapped[int] = mapped_column(Integer)
    base: Mapped[int | None] = mapped_column(BigInteger)
    employer_amount: Mapped[int] = mapped_column(BigInteger)
    personal_amount: Mapped[int] = mapped_column(BigInteger)
    liability_id: Mapped[int | None] = mapped_column(ForeignKey("employer_liability.id"))
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("contribution.id"))
    settled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class AccountEntry(Base):
    """个人账户记账: one credit (or reversal) to a person's pension account in a year (记账年度).

    ``kind``: contribution | subsidy | interest | reversal (``case_id``: its approved case) |
    interest_moved (this year's interest up to a transfer out, which moves with the
    balance) | transfer_out | transfer_in (``period``: the month the balance moved)."""

    __tablename__ = "account_entry"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(Integer, index=True)  # person.id
    scheme: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)  # fen, negative for a reversal
    period: Mapped[int | None] = mapped_column(Integer)
    # contribution.id; not indexed: a correction finds the credits through person_id
    contribution_id: Mapped[int | None] = mapped_column(BigId)
    reverses_id: Mapped[int | None] = mapped_column(BigId)  # account_entry.id
    case_id: Mapped[int | None] = mapped_column(Integer)  # case_file.id of a reversal
    posted_on: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        Index("uq_account_entry_reverses", "reverses_id", unique=True,
              sqlite_where=text("reverses_id IS NOT NULL"),
              postgresql_where=text("reverses_id IS NOT NULL")),
        Index("uq_account_entry_interest", "person_id", "scheme", "year", unique=True,
              sqlite_where=text("kind = 'interest'"),
              postgresql_where=text("kind = 'interest'")),
        # the account pension is drawn once per person and month (benefits payroll)
        Index("uq_account_entry_payout", "person_id", "scheme", "period", unique=True,
              sqlite_where=text("kind = 'payout'"),
              postgresql_where=text("kind = 'payout'")),
    )


class InterestRun(Base):
    """记账利率计息批次: one per scheme and year; its presence closes the year for crediting."""

    __tablename__ = "interest_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    rate: Mapped[str] = mapped_column(String(16))
    persons: Mapped[int] = mapped_column(Integer, default=0)
    interest: Mapped[int] = mapped_column(BigInteger, default=0)
    run_by: Mapped[str] = mapped_column(String(64))
    run_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)

    __table_args__ = (UniqueConstraint("scheme", "year"),)


class AccountYear(Base):
    """个人账户年度对账单: the year's figures per person and scheme, written by the interest run."""

    __tablename__ = "account_year"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    scheme: Mapped[str] = mapped_column(String(24))
    year: Mapped[int] = mapped_column(Integer)
    opening: Mapped[int] = mapped_column(BigInteger)
    credited: Mapped[int] = mapped_column(BigInteger)
    interest: Mapped[int] = mapped_column(BigInteger)
    closing: Mapped[int] = mapped_column(BigInteger)
    rate: Mapped[str] = mapped_column(String(16))

    __table_args__ = (UniqueConstraint("person_id", "scheme", "year"),)


class DeemedService(Base):
    """视同缴费年限: months before the scheme existed, from the personnel file, set by a case."""

    __tablename__ = "deemed_service"
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    insurance: Mapped[str] = mapped_column(String(24))
    months: Mapped[int] = mapped_column(Integer)
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(String(300))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))  # the approving case
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    transfer_out_ref: Mapped[str | None] = mapped_column(String(48))  # moved away with it


class Proof(Base):
    """出具的证明 (参保证明、个人权益记录单): what it stated, frozen, under a verification code.

    ``facts`` is the canonical JSON of exactly what the proof states (the PDF is rendered
    from it, always the same); ``digest`` is its SM3 hash with the code. ``year`` is set for
    the yearly statement (one per person and year, D§33)."""

    __tablename__ = "proof"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    year: Mapped[int | None] = mapped_column(Integer)
    issued_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    issued_by: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    facts: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))

    __table_args__ = (
        Index("uq_proof_yearly", "person_id", "kind", "year", unique=True,
              sqlite_where=text("year IS NOT NULL"),
              postgresql_where=text("year IS NOT NULL")),
    )
