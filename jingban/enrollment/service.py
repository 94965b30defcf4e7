"""Enrollment registry acts (SPEC §11): receive a department's file, decide a pair the model
doubted, collect a flagged person's missing or doubtful fields (E§13, E§14), and the reads.
The linkage run itself is ``batch.run``."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from jingban.core import audit, clock, privacy
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, JingbanError, NotFound, PermissionDenied
from jingban.core.files import safe_filename
from jingban.enrollment import rules
from jingban.enrollment.models import (
    RegistryEntry,
    RegistryFlag,
    ReviewPair,
    SourceFile,
    SourceRecord,
)

audit.ACT_NAMES.update({
    "enrollment.receive_file": "接收全民参保登记来源文件",
    "enrollment.link": "全民参保登记信息比对",
    "enrollment.update": "全民参保登记动态更新",
    "enrollment.decide_pair": "确认疑似同一人",
    "enrollment.collect": "采集全民参保登记信息",
})
MAX_ID = 2**31 - 1
RECORD_FIELDS = ("citizen_id", "id_problem", "name", "sex", "birth_date", "ethnicity",
                 "household_region", "household_type", "residence_region", "residence", "phone",
                 "employment_status", "insurances", "insured_region", "not_enrolled_reason")


def require_read(actor: Actor) -> None:
    if not can(actor, "enrollment.upload"):
        require(actor, "enrollment.read")


# --- source files (E§8–§10) -----------------------------------------------------------------

@transactional
def receive_file(db: Session, actor: Actor, *, source: str, filename: str,
                 content: bytes) -> SourceFile:
    """Keep a department file and every row as received; broken rows are listed, the rest
    taken in and, once the registry is built, placed in it at once (E§21, E§24). The same file
    again returns the first one and writes nothing."""
    require(actor, "enrollment.upload")
    header, items = rules.parse_file(source, content)
    sha256 = hashlib.sha256(content).hexdigest()
    if earlier := db.execute(select(SourceFile).where(SourceFile.source == source,
                                                      SourceFile.sha256 == sha256)).scalar():
        return earlier
    upload = SourceFile(source=source, filename=safe_filename(filename), sha256=sha256,
                        header=header, uploaded_by=actor.username, received_at=clock.now())
    db.add(upload)
    db.flush()
    today, lines = clock.today(), Counter(item.line for item in items)
    seen: Counter = Counter()
    for item in items:  # records sharing a line (JSON on one line) are told apart by their place
        seen[item.line] += 1
        key = f"{item.line}.{seen[item.line]}" if lines[item.line] > 1 else str(item.line)
        db.add(_record(upload, item, today, key))
    db.flush()
    _count(db, upload)
    from jingban.enrollment import batch  # the linkage libraries load only when needed

    placed = batch.follow_file(db, upload.id)
    audit.record(db, actor, "enrollment.receive_file", f"registry_file:{upload.id}",
                 after={"source": source, "total": upload.total, "rejected": upload.rejected,
                        "placed": placed})
    return upload


def _record(upload: SourceFile, item, today, key: str) -> SourceRecord:
    record = SourceRecord(file_id=upload.id, source=upload.source, line=item.line, raw=item.raw,
                          source_key=f"file:{upload.id}:{key}", received_at=upload.received_at)
    if item.data is None:
        record.status, record.error_code = "rejected", "registry.row"
        record.error_message, record.error_field = item.problem, None
        return record
    try:
        values = rules.normalise_row(item.data, today)
    except JingbanError as exc:
        record.status, record.error_code, record.error_message = "rejected", exc.code, exc.message
        record.error_field = (exc.field or "")[:64] or None
        return record
    for field, value in values.items():
        setattr(record, field, value)
    return record


def _count(db: Session, upload: SourceFile) -> None:
    rows = db.execute(select(SourceRecord.status, func.count()).where(
        SourceRecord.file_id == upload.id).group_by(SourceRecord.status)).all()
    counts = dict(rows)
    upload.accepted, upload.rejected = counts.get("accepted", 0), counts.get("rejected", 0)
    upload.total = upload.accepted + upload.rejected


def list_files(db: Session, actor: Actor, limit: int = 50) -> list[SourceFile]:
    require_read(actor)
    return list(db.execute(select(SourceFile).order_by(SourceFile.id.desc())
                           .limit(max(1, min(limit, 500)))).scalars())


def get_file(db: Session, actor: Actor, file_id: int) -> tuple[SourceFile, list[SourceRecord]]:
    """A file with its rejected rows (the broken rows to send back to the department)."""
    require_read(actor)
    upload = db.get(SourceFile, file_id) if 0 < file_id <= MAX_ID else None
    if upload is None:
        raise NotFound("registry.file_not_found", f"未找到来源文件 {file_id}", "file_id")
    bad = db.execute(select(SourceRecord).where(SourceRecord.file_id == file_id,
                                                SourceRecord.status == "rejected")
                     .order_by(SourceRecord.line)).scalars()
    return upload, list(bad)


# --- review pairs ----------------------------------------------------------------------------

def review_pairs(db: Session, actor: Actor, status: str | None = "open",
                 limit: int = 200) -> list[dict]:
    """Pairs between the review thresholds, each with both records side by side."""
    require_read(actor)
    stmt = select(ReviewPair).order_by(ReviewPair.probability.desc(), ReviewPair.id)
    if status:
        stmt = stmt.where(ReviewPair.status == status)
    pairs = list(db.execute(stmt.limit(max(1, min(limit, 2000)))).scalars())
    keys = {k for p in pairs for k in (p.left_key, p.right_key)}
    records = {r.source_key: r for r in db.execute(
        select(SourceRecord).where(SourceRecord.source_key.in_(keys))).scalars()} if keys else {}
    return [{"pair": p, "left": records.get(p.left_key), "right": records.get(p.right_key)}
            for p in pairs]


REVEALED = ("citizen_id", "phone", "residence", "raw")  # what a pair's records show in full


def reveal_pair(db: Session, actor: Actor, pair_id: int, reason: str | None) -> dict[str, dict]:
    """Both records of a pair with their citizen IDs, phones, residences and text as received
    in full, for the data administrator comparing them; on a stated reason, logged
    (``privacy.reveal``: the read log and the audit chain)."""
    require(actor, "enrollment.review")
    pair = db.get(ReviewPair, pair_id)
    if pair is None:
        raise NotFound("registry.pair_not_found", f"未找到疑似同一人记录 {pair_id}", "pair_id")
    found = {r.source_key: r for r in db.execute(select(SourceRecord).where(
        SourceRecord.source_key.in_((pair.left_key, pair.right_key)))).scalars()}
    sides = {side: {name: getattr(found[key], name) or "" for name in REVEALED}
             for side, key in (("left", pair.left_key), ("right", pair.right_key)) if key in found}
    flat = {f"{side}.{name}": value for side, values in sides.items() for name, value in values.items()}
    privacy.reveal(db, actor, f"registry_pair:{pair.id}", flat, reason)
    return sides


@transactional
def decide_pair(db: Session, actor: Actor, pair_id: int, decision: str, note: str = "") -> ReviewPair:
    """同一人 / 不是同一人: kept, and the next run links (or keeps apart) the two records."""
    require(actor, "enrollment.review")
    if decision not in ("same", "different"):
        raise InvalidInput("registry.decision", "确认结果应为 same（同一人）或 different（不是同一人）",
                           "decision")
    pair = db.get(ReviewPair, pair_id) if 0 < pair_id <= MAX_ID else None
    if pair is None:
        raise NotFound("registry.pair_not_found", f"未找到疑似同一人记录 {pair_id}", "pair_id")
    if pair.status != "open":
        raise Conflict("registry.pair_decided", "该疑似同一人记录已确认，不能重复确认", "pair_id")
    pair.status, pair.decided_by, pair.decided_at = decision, actor.username, clock.now()
    pair.note = (note or "")[:300]
    audit.record(db, actor, "enrollment.decide_pair", f"registry_pair:{pair.id}",
                 after={"decision": decision, "left": pair.left_key, "right": pair.right_key})
    return pair


# --- entries and flags -----------------------------------------------------------------------

def get_entry(db: Session, actor: Actor, entry_id: int) -> RegistryEntry:
    """One registry entry; a portal user sees only his own."""
    entry = db.get(RegistryEntry, entry_id) if 0 < entry_id <= MAX_ID else None
    if entry is None or entry.status == "retired":
        raise NotFound("registry.entry_not_found", f"未找到登记库记录 {entry_id}", "entry_id")
    _require_entry(actor, entry)
    audit.log_access(db, actor, f"registry_entry:{entry.id}", "enrollment.entry")
    return entry


def _require_entry(actor: Actor, entry: RegistryEntry) -> None:
    if "person" in actor.roles:
        if actor.subject != f"person:{entry.person_id}" or entry.person_id is None:
            raise PermissionDenied("registry.not_yours", "只能查看本人的登记信息")
        return
    require_read(actor)


def entry_for_person(db: Session, person_id: int) -> RegistryEntry | None:
    """The registry entry that links a registered person (None before the first run)."""
    return db.execute(select(RegistryEntry).join(
        SourceRecord, SourceRecord.entry_id == RegistryEntry.id).where(
        SourceRecord.source == "agency", SourceRecord.person_id == person_id,
        RegistryEntry.status != "retired")).scalars().first()


def open_flags(db: Session, entry_id: int) -> list[RegistryFlag]:
    return list(db.execute(select(RegistryFlag).where(
        RegistryFlag.entry_id == entry_id, RegistryFlag.status == "open")
        .order_by(RegistryFlag.id)).scalars())


def flags_of(db: Session, actor: Actor, entry_id: int) -> list[RegistryFlag]:
    get_entry(db, actor, entry_id)
    return list(db.execute(select(RegistryFlag).where(RegistryFlag.entry_id == entry_id)
                           .order_by(RegistryFlag.id)).scalars())


def records_of(db: Session, actor: Actor, entry_id: int) -> list[SourceRecord]:
    require_read(actor)
    return list(db.execute(select(SourceRecord).where(SourceRecord.entry_id == entry_id)
                           .order_by(SourceRecord.id)).scalars())


def prompt_fields(db: Session, entry: RegistryEntry) -> list[str]:
    """The doubtful or missing fields to collect (E§13): those the open flags name."""
    fields = [f for flag in open_flags(db, entry.id) for f in rules.split(flag.fields)]
    return [f for f in dict.fromkeys(fields) if f in rules.COLLECTABLE]


def entry_values(entry: RegistryEntry) -> dict:
    return {f: getattr(entry, f) for f in rules.CHOSEN}


def entry_sources(entry: RegistryEntry) -> dict[str, str]:
    return json.loads(entry.sources or "{}")


# --- collection during business (E§13, E§14, E§23) -------------------------------------------

@transactional
def collect(db: Session, actor: Actor, entry_id: int, values: dict[str, str]) -> RegistryEntry:
    """Take the fixed fields from the counter or the portal as a new ``collection`` row (its
    source), choose the entry's values again and clear the flags that no longer hold."""
    from jingban.enrollment import batch

    require(actor, "enrollment.collect")
    entry = db.get(RegistryEntry, entry_id) if 0 < entry_id <= MAX_ID else None
    if entry is None or entry.status == "retired":
        raise NotFound("registry.entry_not_found", f"未找到登记库记录 {entry_id}", "entry_id")
    _require_entry(actor, entry)
    given = check_collected(values)
    record = collection_record(db, entry, given)
    records = list(db.execute(select(SourceRecord).where(SourceRecord.entry_id == entry.id,
                                                         SourceRecord.status == "accepted")))
    rows = [r for (r,) in records]
    before = entry_values(entry)
    channel = {"counter": "柜台", "web": "网上", "api": "接口"}.get(actor.channel, actor.channel)
    batch.settle(db, entry, rows, open_flags(db, entry.id), entry.run_id,
                 f"{channel}采集：{record.source_key}", actor.username)
    audit.record(db, actor, "enrollment.collect", f"registry_entry:{entry.id}",
                 before={k: before[k] for k in given}, after={k: entry_values(entry)[k] for k in given})
    return entry


def check_collected(values: dict[str, str]) -> dict[str, str]:
    """The fields given (collectable ones only), each normalised once to check it."""
    given = {k: (v or "").strip() for k, v in values.items() if (v or "").strip()}
    if unknown := [k for k in given if k not in rules.COLLECTABLE]:
        raise InvalidInput("registry.field", f"不能采集的字段：{'、'.join(unknown)}", unknown[0])
    if not given:
        raise InvalidInput("registry.nothing", "请至少填写一项需要补充或更正的信息", None)
    today = clock.today()
    normalised = rules.normalise_row({"name": "核对", "birth_date": "2000-01-01", **given}, today)
    rules.check_collected(normalised, given, today)
    return given


def collection_record(db: Session, entry: RegistryEntry, given: dict[str, str],
                      source: str = "collection", key: str | None = None) -> SourceRecord:
    """The fixed fields as a new source row of the entry (the evidence of the new values)."""
    identity = {"name": entry.name, "citizen_id": entry.citizen_id,
                "birth_date": entry.birth_date.isoformat() if entry.birth_date else "",
                "sex": entry.sex, "household_region": entry.household_region}
    data = {k: v for k, v in {**identity, **given}.items() if v}
    normalised = rules.normalise_row(data, clock.today())
    if "citizen_id" in given and normalised["id_problem"]:
        problem = rules.ID_PROBLEMS.get(str(normalised["id_problem"]), "公民身份号码不正确")
        raise InvalidInput(str(normalised["id_problem"]), problem, "citizen_id")
    n = db.execute(select(func.count()).select_from(SourceRecord).where(
        SourceRecord.source == source, SourceRecord.entry_id == entry.id)).scalar_one()
    record = SourceRecord(source=source, source_key=key or f"collect:{entry.id}:{n + 1}",
                          raw=json.dumps(given, ensure_ascii=False), entry_id=entry.id,
                          received_at=clock.now())
    taken = set(given) | ({"id_problem", "sex", "birth_date"} if "citizen_id" in given else set())
    for field, value in normalised.items():  # only what was given: a later fix of the rest wins
        if field in taken:
            setattr(record, field, value)
    if "citizen_id" not in given:
        record.id_problem = "id.missing"
    db.add(record)
    db.flush()
    return record


# --- statistics and lists (E§27–§31) ---------------------------------------------------------

STAT_COLUMNS = (RegistryEntry.id, RegistryEntry.name, RegistryEntry.citizen_id,
                RegistryEntry.sex, RegistryEntry.birth_date, RegistryEntry.household_region,
                RegistryEntry.employment_status, RegistryEntry.insured_here,
                RegistryEntry.insured_elsewhere, RegistryEntry.not_enrolled_reason,
                RegistryEntry.status, RegistryEntry.phone)
LIVE = RegistryEntry.status.not_in(("retired", "deceased"))  # the living residents
HERE = func.coalesce(RegistryEntry.insured_here, "") != ""
ELSEWHERE = func.coalesce(RegistryEntry.insured_elsewhere, "") != ""
ENROLLED = or_(HERE, ELSEWHERE)


def _flag(condition) -> Any:
    return case((condition, 1), else_=0)


def _codes() -> Any:
    """The insurance codes as a table, to join the ;-joined lists against."""
    from jingban.registration.rules import INSURANCES

    return union_all(*(select(literal(c).label("code")) for c in INSURANCES)).subquery("codes")


def _holds(code) -> Any:
    both = literal(";") + func.coalesce(RegistryEntry.insured_here, "") + literal(";") \
        + func.coalesce(RegistryEntry.insured_elsewhere, "") + literal(";")
    return both.like(literal("%;") + code + literal(";%"))


def _key(dimension: str, today: dt.date) -> Any:
    """The SQL value an entry groups under (``insurance`` is joined, see ``_insurance``)."""
    if dimension == "age_band":
        bands = [(and_(RegistryEntry.birth_date > after, RegistryEntry.birth_date <= upto)
                  if after else RegistryEntry.birth_date <= upto, label)
                 for label, after, upto in rules.band_limits(today)]
        return case(*bands, else_="未知")
    if dimension == "where":
        return case((and_(HERE, ELSEWHERE), "both"), (HERE, "here"), (ELSEWHERE, "elsewhere"),
                    else_="none")
    if dimension == "not_enrolled_reason":
        return func.coalesce(func.nullif(RegistryEntry.not_enrolled_reason, ""), "unknown")
    return func.coalesce(getattr(RegistryEntry, dimension), "")


def _scope(stmt, region: str | None):
    stmt = stmt.where(LIVE)
    return stmt.where(RegistryEntry.household_region == region) if region else stmt


def _counts(key) -> tuple:
    return (key.label("value"), func.count().label("persons"),
            func.sum(_flag(ENROLLED)).label("enrolled"),
            func.sum(_flag(RegistryEntry.status == "investigate")).label("investigate"))


def tabulate(db: Session, dimension: str, today: dt.date, region: str | None = None) -> list[dict]:
    """One GROUP BY per dimension (E§28, E§30): persons, enrolled (here or elsewhere),
    coverage % and the needs-investigation count per value. ``base`` is the coverage's
    denominator: the group's persons, but for an insurance every resident in the registry
    (in scope) — who should be covered — with its holders here or elsewhere as numerator
    (E§28: 各项社会保险人群的覆盖)."""
    base = None
    if dimension == "insurance":
        codes = _codes()
        stmt = _scope(select(*_counts(codes.c.code)).select_from(RegistryEntry).join(
            codes, _holds(codes.c.code)), region).group_by(codes.c.code)
        none = _scope(select(*_counts(literal("none"))).where(~ENROLLED), region)
        found = [*db.execute(stmt), *db.execute(none)]
        base = db.execute(_scope(select(func.count()).select_from(RegistryEntry), region)).scalar_one()
    else:
        key = _key(dimension, today)
        stmt = _scope(select(*_counts(key)), region)
        if dimension == "not_enrolled_reason":
            stmt = stmt.where(~ENROLLED)
        found = list(db.execute(stmt.group_by(key)))
    rows = [{"value": r.value, "label": rules.value_label(dimension, r.value), "persons": r.persons,
             "enrolled": int(r.enrolled or 0), "investigate": int(r.investigate or 0),
             "base": r.persons if base is None else base,
             "coverage": rules.rate(int(r.enrolled or 0), r.persons if base is None else base)}
            for r in found if r.persons]
    return sorted(rows, key=lambda r: (-r["persons"], r["value"]))


def summary(db: Session, region: str | None = None) -> dict:
    """Headline figures: persons, enrolled, coverage, 全民参保登记率 (entries confirmed without
    an investigation pending, E§31)."""
    row = db.execute(_scope(select(func.count(), func.sum(_flag(ENROLLED)),
                                   func.sum(_flag(RegistryEntry.status == "confirmed"))),
                            region)).one()
    total, enrolled, confirmed = row[0], int(row[1] or 0), int(row[2] or 0)
    return {"persons": total, "enrolled": enrolled, "coverage": rules.rate(enrolled, total),
            "confirmed": confirmed, "registration_rate": rules.rate(confirmed, total),
            "investigate": total - confirmed}


def statistics(db: Session, actor: Actor, region: str | None = None) -> dict:
    """The coverage tables by every dimension, with the headline figures."""
    require_read(actor)
    today = clock.today()
    return {"summary": summary(db, region),
            "tables": {d: tabulate(db, d, today, region) for d in rules.DIMENSIONS}}


def _check_dimension(dimension: str | None) -> None:
    if dimension and dimension not in rules.DIMENSIONS:
        raise InvalidInput("registry.dimension", "统计维度应为：" + "、".join(
            f"{k}（{v}）" for k, v in rules.DIMENSIONS.items()), "dimension")


def _on(dimension: str, value: str, today: dt.date) -> Any:
    """The entries a statistic's cell counts (the drill-down's WHERE)."""
    if dimension == "insurance":
        return ~ENROLLED if value == "none" else _holds(literal(value))
    condition = _key(dimension, today) == value
    return and_(condition, ~ENROLLED) if dimension == "not_enrolled_reason" else condition


def entries(db: Session, actor: Actor, *, dimension: str | None = None, value: str | None = None,
            flag: str | None = None, enrolled: bool | None = None, limit: int = 500) -> list[dict]:
    """The person list behind a statistic (drill-down, E§30): entries with ``value`` on the
    dimension, optionally only those with an open flag of a kind."""
    require_read(actor)
    _check_dimension(dimension)
    if flag and flag not in rules.FLAG_KINDS:
        raise InvalidInput("registry.flag", "标识应为：" + "、".join(rules.FLAG_KINDS), "flag")
    stmt = _scope(select(*STAT_COLUMNS), None).order_by(RegistryEntry.id)
    if dimension:
        stmt = stmt.where(_on(dimension, value or "", clock.today()))
    if enrolled is not None:
        stmt = stmt.where(ENROLLED if enrolled else ~ENROLLED)
    if flag:
        stmt = stmt.where(RegistryEntry.id.in_(select(RegistryFlag.entry_id).where(
            RegistryFlag.kind == flag, RegistryFlag.status == "open")))
    stmt = stmt.limit(max(1, min(limit, 100000)))
    return [dict(row._mapping) for row in db.execute(stmt)]


def entries_xlsx(db: Session, actor: Actor, **filters) -> bytes:
    from jingban.core.excel import workbook

    rows = entries(db, actor, **filters, limit=100000)
    return workbook("登记库人员明细", ("登记库编号", "姓名", "公民身份号码", "性别", "出生日期",
                                "户口所在地", "就业状态", "本地参保险种", "异地参保险种",
                                "未参保原因", "登记状态"),
                    [(r["id"], r["name"], r["citizen_id"], rules.SEX_NAMES.get(r["sex"], ""),
                      r["birth_date"], r["household_region"],
                      rules.EMPLOYMENT.get(r["employment_status"], ""),
                      insurance_names(r["insured_here"]), insurance_names(r["insured_elsewhere"]),
                      rules.REASONS.get(r["not_enrolled_reason"], ""),
                      rules.ENTRY_STATUS.get(r["status"], "")) for r in rows])


def statistics_xlsx(db: Session, actor: Actor) -> bytes:
    from jingban.core.excel import workbook

    found = statistics(db, actor)
    rows = [(rules.DIMENSIONS[d], r["label"], r["persons"], r["enrolled"], r["coverage"],
             r["investigate"], r["base"]) for d, table in found["tables"].items() for r in table]
    return workbook("全民参保登记统计", ("维度", "分组", "人数", "参保人数", "参保率（%）",
                                 "需调查登记人数", "参保率的分母（人）"), rows)


def insurance_names(codes: str) -> str:
    return rules.insurance_names(codes)


def runs(db: Session, actor: Actor, limit: int = 20) -> list:
    from jingban.enrollment.models import LinkRun

    require_read(actor)
    return list(db.execute(select(LinkRun).order_by(LinkRun.id.desc()).limit(limit)).scalars())


def my_entry(db: Session, actor: Actor) -> RegistryEntry | None:
    """The portal user's own entry (E§14, E§23)."""
    require(actor, "enrollment.collect")
    if not (actor.subject or "").startswith("person:"):
        raise PermissionDenied("registry.not_person", "仅参保人本人可查看", None)
    return entry_for_person(db, int(actor.subject.split(":", 1)[1]))
