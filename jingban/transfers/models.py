"""Transfer tables: one transfer per side, its steps with due dates, the signed messages
exchanged with the peer agency (inbox and outbox), and the fund movements per insurance."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jingban.core.clock import now
from jingban.core.db import Base


class Transfer(Base):
    """关系转移接续: this agency's side of one transfer. ``ref`` is shared by both agencies;
    ``role`` says whether this agency is the new place (转入地, ``new``) or the old (``old``).
    ``status``: open | completed | refused."""

    __tablename__ = "transfer"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(48), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    role: Mapped[str] = mapped_column(String(4))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    ssn: Mapped[str] = mapped_column(String(18), index=True)
    name: Mapped[str] = mapped_column(String(64))
    old_region: Mapped[str] = mapped_column(String(6))
    new_region: Mapped[str] = mapped_column(String(6))
    applied_at: Mapped[str] = mapped_column(String(4))  # new | old: where the person applied
    applied_on: Mapped[dt.date] = mapped_column(Date)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"))
    status: Mapped[str] = mapped_column(String(12), default="open")
    step: Mapped[str] = mapped_column(String(16))  # the step now awaited
    due_on: Mapped[dt.date] = mapped_column(Date)  # the whole transfer's limit
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    info: Mapped[str] = mapped_column(Text, default="")  # the information sheet (JSON)
    months: Mapped[int] = mapped_column(Integer, default=0)
    deemed_months: Mapped[int] = mapped_column(Integer, default=0)
    account_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    pooled_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    total_amount: Mapped[int] = mapped_column(BigInteger, default=0)
    merged: Mapped[bool] = mapped_column(Boolean, default=False)  # history taken into records
    outcome_code: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    completed_on: Mapped[dt.date | None] = mapped_column(Date)
    steps: Mapped[list[TransferStep]] = relationship(order_by="TransferStep.seq",
                                                     lazy="selectin", back_populates="transfer")

    # Not stored: what the case engine tells the person on approval — the transfer has only
    # started; it reports its own completion at the end.
    follow_up = ""


class TransferStep(Base):
    """One step of the protocol with its sub-deadline (working days from the previous step)."""

    __tablename__ = "transfer_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfer.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(16))
    side: Mapped[str] = mapped_column(String(4))
    wd: Mapped[int | None] = mapped_column(Integer)
    due_on: Mapped[dt.date | None] = mapped_column(Date)
    provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    transfer: Mapped[Transfer] = relationship(back_populates="steps")

    __table_args__ = (UniqueConstraint("transfer_id", "code"),)

    @property
    def met(self) -> bool | None:
        if self.done_on is None or self.due_on is None:
            return None
        return self.done_on <= self.due_on


class TransferMessage(Base):
    """A signed inter-agency message: ``direction`` out (outbox, delivered until acknowledged)
    or in (inbox, kept with the acknowledgement it was answered with, so a replay or a duplicate
    gets the same answer and changes nothing).

    ``status`` out: pending | acked | refused (the peer refused the business act) | rejected
    (the peer refused the message itself); in: accepted | refused."""

    __tablename__ = "transfer_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    direction: Mapped[str] = mapped_column(String(4))
    message_id: Mapped[str] = mapped_column(String(64))
    peer_region: Mapped[str] = mapped_column(String(6))
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(48), index=True)
    digest: Mapped[str] = mapped_column(String(64))
    envelope: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12))
    ack: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True),
                                                               index=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("direction", "peer_region", "message_id"),)


class FundMovement(Base):
    """转移基金: money leaving (out) or arriving (in) per insurance, for the funds ledger to post
    (``posted`` stays false until the funds area books it)."""

    __tablename__ = "transfer_fund_movement"
    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(ForeignKey("transfer.id"), index=True)
    insurance: Mapped[str] = mapped_column(String(24))
    direction: Mapped[str] = mapped_column(String(4))
    account_amount: Mapped[int] = mapped_column(BigInteger)
    pooled_amount: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    peer_region: Mapped[str] = mapped_column(String(6))
    recorded_on: Mapped[dt.date] = mapped_column(Date)
    posted: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("transfer_id", "insurance", "direction"),)
