"""Sharing tables: files received from other departments and every record in them, as received."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from jingban.core.clock import now
from jingban.core.db import Base


class FeedBatch(Base):
    """共享数据批次: one file from the registration authority or the population departments."""

    __tablename__ = "feed_batch"
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # employer | population
    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    header: Mapped[str] = mapped_column(Text, default="")  # a CSV file's header line, as received
    uploaded_by: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=now)
    total: Mapped[int] = mapped_column(Integer, default=0)
    processed: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    skipped: Mapped[int] = mapped_column(Integer, default=0)
    records: Mapped[list[FeedRecord]] = relationship(back_populates="batch",
                                                     order_by="FeedRecord.line")

    # Not stored: set by service.receive_batch when this very file had been received before.
    repeat = False

    __table_args__ = (UniqueConstraint("kind", "sha256"),)


class FeedRecord(Base):
    """共享数据记录: one row or object of a feed file, kept exactly as received (evidence)."""

    __tablename__ = "feed_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("feed_batch.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    line: Mapped[int] = mapped_column(Integer)
    raw: Mapped[str] = mapped_column(Text)
    idem_key: Mapped[str] = mapped_column(String(64))  # the source's event_id, else SM3 of the record
    status: Mapped[str] = mapped_column(String(16))  # processed | rejected | duplicate | skipped
    subject: Mapped[str] = mapped_column(String(80), default="")  # e.g. person:12
    note: Mapped[str] = mapped_column(String(300), default="")
    error_code: Mapped[str] = mapped_column(String(64), default="")
    error_message: Mapped[str] = mapped_column(Text, default="")
    error_field: Mapped[str | None] = mapped_column(String(64))
    batch: Mapped[FeedBatch] = relationship(back_populates="records")

    # Exactly once: a source event takes effect in at most one processed record.
    __table_args__ = (
        Index("ix_feed_record_key", "kind", "idem_key"),
        Index("uq_feed_record_processed", "kind", "idem_key", unique=True,
              sqlite_where=text("status = 'processed'"),
              postgresql_where=text("status = 'processed'")),
    )
