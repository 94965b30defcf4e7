"""``jingban keys rotate``: every sealed value re-sealed under the current data key, in batches.

Idempotent and resumable: a batch takes the next rows (by primary key) whose value is not yet
sealed under the current key and commits them, so a rerun after a crash or an interrupt
continues with what is left and a finished rotation finds nothing to do. Legacy plaintext is
sealed on the way. A column ``<name>_index`` next to a sealed ``<name>`` (the person's phone)
gets the blind index under the current key in the same update. Older keys stay in the ring:
audit snapshots keep what they sealed, and the chain is never rewritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import MetaData, String, Table, Text, and_, func, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from jingban.core import audit, crypto
from jingban.core.actor import Actor

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class SealedColumn:
    table: Table
    column: str
    kind: str

    @property
    def index(self) -> str | None:
        name = f"{self.column}_index"
        return name if name in self.table.c else None


def sealed_columns(metadata: MetaData) -> list[SealedColumn]:
    return [SealedColumn(table, col.name, kind) for table in metadata.sorted_tables
            for col in table.c if (kind := crypto.column_kind(col))]


def _raw(item: SealedColumn):
    return type_coerce(item.table.c[item.column], String)


def _stale(item: SealedColumn, kid: str):
    """Rows to look at: a sealed column's values under another key or in clear; a document's
    rows that name a phone or an account (Python decides which of them are stale)."""
    raw = _raw(item)
    if item.kind == "json":
        return or_(*(raw.like(f"%{name}%") for name in crypto.JSON_KINDS))
    return and_(raw.is_not(None), raw != "", raw.not_like(f"{crypto.PREFIX}:{kid}:%"))


def pending(db: Session, columns: list[SealedColumn]) -> dict[str, int]:
    """Values not yet under the current key, per ``table.column``."""
    kid = crypto.current().kid
    return {f"{c.table.name}.{c.column}": _documents_stale(db, c) if c.kind == "json" else
            db.execute(select(func.count()).select_from(c.table).where(_stale(c, kid))).scalar()
            for c in columns}


def _documents_stale(db: Session, item: SealedColumn) -> int:
    stale, after = 0, None
    while rows := _batch(db, item, after, 2000):
        stale += sum(crypto.json_stale(stored) for _, stored in rows)
        after = rows[-1][0]
    return stale


def _batch(db: Session, item: SealedColumn, after, size: int) -> list:
    pk = item.table.primary_key.columns.values()[0]
    kid = crypto.current().kid
    stmt = select(pk, _raw(item)).where(_stale(item, kid))
    if after is not None:
        stmt = stmt.where(pk > after)
    return db.execute(stmt.order_by(pk).limit(size)).all()


def _reseal(db: Session, item: SealedColumn, rows: list) -> None:
    pk = item.table.primary_key.columns.values()[0]
    for ident, stored in rows:
        if item.kind == "json":
            if crypto.json_stale(stored):
                sealed = crypto.seal_json(crypto.open_json(stored))
                db.execute(update(item.table).where(pk == ident).values(
                    {item.column: type_coerce(sealed, Text)}))
            continue
        plain = crypto.open_(stored, item.kind)
        values = {item.column: type_coerce(crypto.seal(plain, item.kind), String)}
        if item.index:
            values[item.index] = crypto.blind_index(plain)
        db.execute(update(item.table).where(pk == ident).values(values))


def rotate(db: Session, actor: Actor, columns: list[SealedColumn], *, size: int = 500,
           progress: Progress | None = None) -> dict[str, int]:
    """Re-seal every stale value; one commit per batch; returns the rows done per column."""
    total = sum(pending(db, columns).values())
    done, counts = 0, {}
    for item in columns:
        counts[f"{item.table.name}.{item.column}"] = 0
        after = None
        while rows := _batch(db, item, after, size):
            _reseal(db, item, rows)
            db.commit()
            after = rows[-1][0]
            done += len(rows)
            counts[f"{item.table.name}.{item.column}"] += len(rows)
            if progress:
                progress(done, total)
    audit.record(db, actor, "keys.rotate", f"key:{crypto.current().kid}",
                 after={k: v for k, v in counts.items() if v})
    db.commit()
    return counts


def unreadable(db: Session, columns: list[SealedColumn]) -> list[str]:
    """What the key ring cannot open: values under a key id the ring lacks, or a key that does
    not open what it is named for (a key file made anew after the real one was lost — its
    first key is ``k1`` again). One sample per key and column; empty when all reads (secaudit:
    checked after a restore)."""
    try:
        known = [key.kid for key in crypto.ring()]
    except crypto.DataKeyError as exc:
        return [exc.message]
    problems = []
    for item in columns:
        if item.kind == "json":
            continue
        raw, name = _raw(item), f"{item.table.name}.{item.column}"
        other = db.execute(select(raw).where(raw.like(f"{crypto.PREFIX}:%"), *(
            raw.not_like(f"{crypto.PREFIX}:{kid}:%") for kid in known)).limit(1)).scalar()
        if other:
            problems.append(f"{name}：数据密钥 {crypto.kid_of(other)} 不在密钥环中，无法解密")
        for kid in known:
            sample = db.execute(select(raw).where(raw.like(f"{crypto.PREFIX}:{kid}:%"))
                                .limit(1)).scalar()
            try:
                if sample:
                    crypto.open_(sample, item.kind)
            except crypto.DataKeyError:
                problems.append(f"{name}：数据密钥 {kid} 打不开以它加密的数据（密钥文件可能已被重新生成），"
                                "请放回原数据密钥")
    return problems


def new_key(db: Session, actor: Actor) -> crypto.DataKey:
    """``jingban keys new``: a new current data key in the key file, recorded in the audit
    chain (its id and where it is kept, never the key) before the file is written, so that no
    key comes into use unrecorded (secaudit)."""
    kid = crypto.next_kid()
    audit.record(db, actor, "keys.new", f"key:{kid}", after={"kid": kid,
                                                            "file": str(crypto.key_file())})
    db.flush()
    key = crypto.add_key(kid)
    db.commit()
    return key


audit.ACT_NAMES["keys.rotate"] = "数据密钥轮换（重新加密）"
audit.ACT_NAMES["keys.new"] = "生成数据密钥"
