"""The linkage run (E§8–§10): take our own registrations in as source rows, link every
accepted row (exact ID, then the Splink model), build one registry entry per person, and
raise or clear the flags. Idempotent: a rerun over the same rows gives the same entries and
flags; decided pairs are reused. Collection (E§13) settles one entry the same way."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core import audit, clock, policy
from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import require
from jingban.core.config import Settings
from jingban.core.db import snapshot, transactional
from jingban.enrollment import linkage, rules
from jingban.enrollment.models import (
    LinkRun,
    RegistryEntry,
    RegistryFlag,
    ReviewPair,
    SourceRecord,
)
from jingban.registration.models import Person

FIELDS = ("source", "source_key", "person_id", "citizen_id", "id_problem", "name", "sex",
          "birth_date", "ethnicity", "household_region", "household_type", "residence_region",
          "residence", "phone", "employment_status", "insurances", "insured_region",
          "not_enrolled_reason")
Progress = Callable[[str, int], None]
COLLECTED = ("collection", "survey")  # rows an entry was given, not found


def thresholds(region: str) -> dict:
    """enrollment.linkage (policy/national/enrollment.yaml)."""
    return policy.value("enrollment.linkage", region, clock.today())


# --- our own registrations as source rows (E§8, E§22) ---------------------------------------

def agency_values(person: Person) -> dict:
    active = [e for e in person.enrollments if e.status == "active"]
    employed = any(e.employer_id for e in active)
    cid = rules.normalise_id(person.id_number if person.id_type == "citizen_id" else "",
                             clock.today())  # legacy rows may hold a 15-digit number
    return {"citizen_id": cid.number, "id_problem": cid.problem,
            "name": rules.normalise_name(person.name), "sex": person.sex,
            "birth_date": person.birth_date, "household_region": person.household_region or "",
            "residence": person.address or "", "phone": rules.normalise_phone(person.phone),
            "employment_status": "employed" if employed else "",
            "insurances": ";".join(sorted({e.insurance for e in active}))}


def sync_agency(db: Session) -> list[SourceRecord]:
    """One ``agency`` row per registered person, refreshed from registration (E§22); returns
    the rows that are new or changed."""
    persons = list(db.execute(select(Person).order_by(Person.id)).scalars())
    known = {r.source_key: r for r in db.execute(
        select(SourceRecord).where(SourceRecord.source == "agency")).scalars()}
    changed = [record for person in persons
               if (record := _agency_row(db, person, known.get(f"person:{person.id}"))) is not None]
    db.flush()
    return changed


def _agency_row(db: Session, person: Person, record: SourceRecord | None) -> SourceRecord | None:
    """The person's ``agency`` row brought up to date; None when nothing changed."""
    record = record or SourceRecord(source="agency", source_key=f"person:{person.id}",
                                    person_id=person.id, received_at=clock.now())
    values = agency_values(person)
    dirty = [f for f, v in values.items() if getattr(record, f) != v]
    for field in dirty:
        setattr(record, field, values[field])
    if record.id is None:
        db.add(record)
    return record if dirty or record.id is None or person.status == "deceased" else None


# --- the run ---------------------------------------------------------------------------------

def as_row(record: SourceRecord) -> dict:
    row = {f: getattr(record, f) for f in FIELDS}
    row["order"] = record.id
    return row


def model_row(record: SourceRecord) -> dict:
    """What the model compares (birth date as YYYYMMDD so edit distance sees swapped digits)."""
    return {"unique_id": record.id, "citizen_id": record.citizen_id or None,
            "name": rules.name_key(record.name) or None,
            "birth_date": record.birth_date.strftime("%Y%m%d") if record.birth_date else None,
            "area": record.household_region or None, "sex": record.sex or None,
            "phone": record.phone or None, "id_valid": bool(valid_id(record))}


def valid_id(record: SourceRecord) -> str:
    return record.citizen_id if record.citizen_id and not record.id_problem else ""


@transactional
def run(db: Session, actor: Actor, settings: Settings, progress: Progress | None = None) -> LinkRun:
    """Link every accepted source row and rebuild the registry's entries and flags."""
    require(actor, "enrollment.link")
    started, tick = time.monotonic(), progress or (lambda _s, _n: None)
    limits = thresholds(settings.region)
    link = LinkRun(started_by=actor.username, started_at=clock.now(), backend=linkage.backend(),
                   match_threshold=limits["match"], review_threshold=limits["review"])
    db.add(link)
    sync_agency(db)
    records = list(db.execute(select(SourceRecord).where(SourceRecord.status == "accepted")
                              .order_by(SourceRecord.id)).scalars())
    tick("records", len(records))
    groups = _cluster(db, link, records, limits)
    tick("clusters", len(groups))
    by_id = {r.id: r for r in records}
    link.entries, link.flags = _rebuild(db, link, [[by_id[i] for i in g] for g in groups])
    link.records, link.finished_at = len(records), clock.now()
    link.seconds = round(time.monotonic() - started, 3)
    audit.record(db, actor, "enrollment.link", f"registry_run:{link.id}", after={
        "records": link.records, "entries": link.entries, "exact": link.exact_links,
        "model": link.model_links, "review": link.review_pairs, "flags": link.flags})
    return link


def _cluster(db: Session, link: LinkRun, records: list[SourceRecord], limits: dict) -> list[list[int]]:
    """Exact valid-ID links, a collected value with its entry's rows, the pairs a person
    decided, then the model's links strongest first, under ``linkage.Persons``' rule."""
    rows = [model_row(r) for r in records]
    found = linkage.exact_groups(rows)
    link.exact_links += sum(1 for item, root in found.parent.items() if item != root)
    for a, b in collected_pairs(records):
        link.exact_links += found.union(a, b)
    persons = linkage.Persons(found, rows)
    pairs = linkage.strongest_first(linkage.model_pairs(
        rows, limits["review"], train=len(rows) >= limits["min_train"], max_pairs=float(limits["u_pairs"])))
    keys = {r.id: r.source_key for r in records}
    decided = {(p.left_key, p.right_key): p for p in db.execute(select(ReviewPair)).scalars()}
    db.flush()
    undecided = []
    for pair in pairs:
        key = tuple(sorted((keys[pair.left], keys[pair.right])))
        verdict = decided.get(key)
        if verdict is None or verdict.status == "open":
            undecided.append((pair, key))
        elif verdict.status == "same":
            link.model_links += persons.join(pair.left, pair.right, decided=True)
    for pair, key in undecided:
        if persons.same(pair.left, pair.right):
            continue
        if pair.probability >= limits["match"] and persons.join(pair.left, pair.right):
            link.model_links += 1
            continue
        _review(db, decided, key, pair.probability, link.id)
        link.review_pairs += 1
    return found.groups()


def collected_pairs(records: Sequence[SourceRecord]) -> list[tuple[int, int]]:
    """A value collected for an entry stays with the rows that entry had (E§13)."""
    first: dict[int, int] = {}
    for record in records:
        if record.source not in COLLECTED and record.entry_id and record.entry_id not in first:
            first[record.entry_id] = record.id
    return [(first[r.entry_id], r.id) for r in records
            if r.source in COLLECTED and r.entry_id in first]


def _review(db: Session, decided: dict, key: tuple, probability: float, run_id: int) -> None:
    pair = decided.get(key)
    if pair is None:
        pair = decided[key] = ReviewPair(left_key=key[0], right_key=key[1], status="open")
        db.add(pair)
    pair.probability, pair.run_id = round(probability, 6), run_id


# --- entries ---------------------------------------------------------------------------------

def _rebuild(db: Session, link: LinkRun, clusters: list[list[SourceRecord]]) -> tuple[int, int]:
    entries = {e.id: e for e in db.execute(select(RegistryEntry)).scalars()}
    by_anchor = {e.anchor: e for e in entries.values()}
    flags = _flags_by_entry(db)
    claimed: set[int] = set()
    raised = 0
    for records in clusters:
        entry = _entry_for(db, records, entries, by_anchor, claimed)
        claimed.add(entry.id)
        raised += settle(db, entry, records, flags.get(entry.id, []), link.id, f"比对批次{link.id}")
    for entry in entries.values():
        if entry.id not in claimed and entry.status != "retired":
            entry.status, entry.anchor, entry.record_count = "retired", f"retired:{entry.id}", 0
            _clear(flags.get(entry.id, []), set(), "system", f"比对批次{link.id}：记录已并入他人")
    return len(claimed), raised


def _flags_by_entry(db: Session) -> dict[int, list[RegistryFlag]]:
    out: dict[int, list[RegistryFlag]] = {}
    for flag in db.execute(select(RegistryFlag).where(RegistryFlag.status == "open")).scalars():
        out.setdefault(flag.entry_id, []).append(flag)
    return out


def anchor_of(records: Sequence[SourceRecord]) -> str:
    ids = Counter(valid_id(r) for r in records if valid_id(r))
    if ids:
        return ids.most_common(1)[0][0]
    return "rec:" + min(r.source_key for r in records)


def _entry_for(db: Session, records: list[SourceRecord], entries: dict, by_anchor: dict,
               claimed: set[int]) -> RegistryEntry:
    """Keep the entry most of the cluster's rows were in last time; else the anchor's; else new."""
    anchor = anchor_of(records)
    before = Counter(r.entry_id for r in records if r.entry_id and r.entry_id not in claimed)
    entry = next((entries[i] for i, _ in before.most_common() if i in entries), None)
    if entry is None and anchor in by_anchor and by_anchor[anchor].id not in claimed:
        entry = by_anchor[anchor]
    if entry is None:
        entry = RegistryEntry(anchor=f"new:{min(r.id for r in records)}")
        db.add(entry)
        db.flush()
        entries[entry.id] = entry
    if entry.anchor != anchor:
        if (holder := by_anchor.get(anchor)) is not None and holder is not entry:
            holder.anchor = f"moved:{holder.id}"
            by_anchor[holder.anchor] = holder
            db.flush()
        by_anchor.pop(entry.anchor, None)
        entry.anchor, by_anchor[anchor] = anchor, entry
        db.flush()
    return entry


def settle(db: Session, entry: RegistryEntry, records: Sequence[SourceRecord],
           open_flags: list[RegistryFlag], run_id: int | None, source: str,
           actor: str = "system") -> int:
    """Choose the entry's values from its rows and bring its flags up to date: a flag that no
    longer holds is cleared (naming ``source``), a new one raised. Returns how many are open."""
    rows = [as_row(r) for r in records]
    values, origin = rules.choose(rows)
    for field, value in values.items():
        setattr(entry, field, value)
    agency = [r for r in records if r.source == "agency"]
    elsewhere = [r for r in records if r.source == "elsewhere"]
    entry.person_id = agency[0].person_id if agency else entry.person_id
    entry.insured_here = ";".join(sorted({c for r in agency for c in rules.split(r.insurances)}))
    entry.insured_elsewhere = ";".join(sorted({c for r in elsewhere for c in rules.split(r.insurances)}))
    entry.elsewhere_region = next((r.insured_region for r in elsewhere if r.insured_region), "")
    entry.record_count, entry.sources, entry.run_id = len(records), json.dumps(origin), run_id
    entry.updated_at = clock.now()
    for record in records:
        if record.entry_id != entry.id:
            record.entry_id = entry.id
    facts = _facts(db, entry, values, rows, agency)
    kept = _sync_flags(db, entry, open_flags, rules.flags(facts, clock.today()), run_id, source, actor)
    entry.status = rules.entry_status(facts.deceased, [f.kind for f in kept])
    return len(kept)


def _facts(db: Session, entry: RegistryEntry, values: dict, rows: list[dict],
           agency: list[SourceRecord]) -> rules.Facts:
    problems = []
    chosen = next((r for r in rows if r["citizen_id"] == values["citizen_id"]), None)
    if chosen and chosen["id_problem"] and chosen["id_problem"] != "id.missing":
        problems.append(("citizen_id", rules.ID_PROBLEMS.get(chosen["id_problem"], "公民身份号码不正确")))
    persons = {r.person_id for r in agency}
    deceased = any(db.get(Person, p).status == "deceased" for p in persons if p)
    return rules.Facts(values, tuple(rules.split(entry.insured_here)),
                       tuple(rules.split(entry.insured_elsewhere)), len(persons),
                       tuple(problems), tuple(rules.conflicts(rows)), deceased)


def _sync_flags(db: Session, entry: RegistryEntry, open_flags: list[RegistryFlag],
                found: list[rules.Flag], run_id: int | None, source: str,
                actor: str) -> list[RegistryFlag]:
    current = {f.kind: f for f in open_flags}
    kept = []
    for flag in found:
        row = current.pop(flag.kind, None)
        if row is None:
            row = RegistryFlag(entry_id=entry.id, kind=flag.kind, raised_at=clock.now())
            db.add(row)
        row.reason, row.fields, row.run_id = flag.reason[:300], ";".join(flag.fields), run_id
        kept.append(row)
    _clear(list(current.values()), set(), actor, source)
    return kept


def _clear(flags: list[RegistryFlag], keep: set[str], actor: str, source: str) -> None:
    for flag in flags:
        if flag.kind not in keep and flag.status == "open":
            flag.status, flag.cleared_at = "cleared", clock.now()
            flag.cleared_by, flag.cleared_source = actor[:64], source[:80]


# --- dynamic updates (E§20–§24) --------------------------------------------------------------

@transactional
def update(db: Session, actor: Actor, settings: Settings) -> LinkRun:
    """Bring the registry up to date without relinking: changed registrations and rows not yet
    in an entry join the entry their valid citizen ID names (or their own), else a new entry;
    the full run (``run``) later links what only the model can."""
    require(actor, "enrollment.link")
    started = time.monotonic()
    limits = thresholds(settings.region)
    link = LinkRun(started_by=actor.username, started_at=clock.now(), backend="incremental",
                   match_threshold=limits["match"], review_threshold=limits["review"])
    db.add(link)
    changed = {r.id: r for r in sync_agency(db)}
    for record in db.execute(select(SourceRecord).where(SourceRecord.status == "accepted",
                                                        SourceRecord.entry_id.is_(None))).scalars():
        changed[record.id] = record
    touched = _place(db, list(changed.values()))
    db.flush()
    for entry in touched:
        entry.run_id = link.id
    link.flags = _settle_touched(db, touched, f"动态更新{link.id}")
    link.records, link.entries, link.finished_at = len(changed), len(touched), clock.now()
    link.seconds = round(time.monotonic() - started, 3)
    audit.record(db, actor, "enrollment.update", f"registry_run:{link.id}",
                 after={"records": link.records, "entries": link.entries})
    return link


def _place(db: Session, records: list[SourceRecord]) -> list[RegistryEntry]:
    touched: dict[int, RegistryEntry] = {}
    for record in records:
        entry = _by_id_number(db, record) or (db.get(RegistryEntry, record.entry_id)
                                              if record.entry_id else None)
        if entry is None or entry.status == "retired":
            entry = RegistryEntry(anchor=valid_id(record) or f"rec:{record.source_key}")
            db.add(entry)
            db.flush()
        if record.entry_id and record.entry_id != entry.id and (old := db.get(
                RegistryEntry, record.entry_id)) is not None:
            touched[old.id] = old  # the entry it leaves is settled again too
        record.entry_id = entry.id
        touched[entry.id] = entry
    db.flush()
    return list(touched.values())


def _by_id_number(db: Session, record: SourceRecord) -> RegistryEntry | None:
    number = valid_id(record)
    if not number:
        return None
    return db.execute(select(RegistryEntry).where(RegistryEntry.citizen_id == number,
                                                  RegistryEntry.status != "retired")
                      .order_by(RegistryEntry.id)).scalars().first()


def built(db: Session) -> bool:
    """Whether a linkage run has built the registry (before it, the first run takes all in)."""
    return db.execute(select(LinkRun.id).limit(1)).first() is not None


def _settle_touched(db: Session, touched: list[RegistryEntry], source: str) -> int:
    raised = 0
    for entry in touched:
        records = list(db.execute(select(SourceRecord).where(
            SourceRecord.entry_id == entry.id, SourceRecord.status == "accepted")).scalars())
        flags = list(db.execute(select(RegistryFlag).where(
            RegistryFlag.entry_id == entry.id, RegistryFlag.status == "open")).scalars())
        raised += settle(db, entry, records, flags, entry.run_id, source)
    return raised


EVENTS = {"registered": "参保登记", "changed": "登记信息变更", "corrected": "身份信息更正",
          "enrolled": "参保", "stopped": "停保", "died": "死亡", "cancelled": "注销登记"}


def follow_person(db: Session, person: Person, event: str) -> None:
    """A registration event (E§22): the person's agency row is refreshed and placed by its
    citizen ID, and the entries it touches are settled again — no relink. Registered with
    ``registration.on_person_changed`` by jingban.wiring; runs in the event's transaction."""
    if not built(db):
        return
    record = _agency_row(db, person, db.execute(select(SourceRecord).where(
        SourceRecord.source_key == f"person:{person.id}")).scalar())
    if record is None:
        return
    db.flush()
    _follow(db, _place(db, [record]), f"业务变动：{EVENTS.get(event, event)}", f"person:{person.id}")


def follow_file(db: Session, file_id: int) -> int:
    """A new department file (E§21, E§24): its accepted rows join the entry their valid
    citizen ID names (or a new one) and those entries are settled again. Returns the rows placed."""
    if not built(db):
        return 0
    records = list(db.execute(select(SourceRecord).where(
        SourceRecord.file_id == file_id, SourceRecord.status == "accepted")).scalars())
    _follow(db, _place(db, records), f"来源文件{file_id}", f"registry_file:{file_id}")
    return len(records)


SHOWN = ("status", "citizen_id", "name", "sex", "birth_date", "ethnicity", "household_region",
         "household_type", "residence_region", "residence", "phone", "employment_status",
         "insured_here", "insured_elsewhere", "elsewhere_region", "not_enrolled_reason",
         "person_id", "record_count")


def _follow(db: Session, touched: list[RegistryEntry], source: str, related: str) -> None:
    """Settle the entries a live hook touched and record, in the same transaction, one audit
    event naming the source and, per entry, the fields that changed and the open flags."""
    before = {e.id: _state(db, e) for e in touched}
    _settle_touched(db, touched, source)
    changes = {}
    for entry in touched:
        old, new = before[entry.id], _state(db, entry)
        if fields := [k for k in new if new[k] != old[k]]:
            changes[f"registry_entry:{entry.id}"] = {
                "before": {k: old[k] for k in fields}, "after": {k: new[k] for k in fields}}
    if changes:
        audit.record(db, SYSTEM, "enrollment.follow", related, reason=source[:200],
                     after={"source": source, "entries": changes})


def _state(db: Session, entry: RegistryEntry) -> dict:
    """What the audit keeps of an entry (its phone sealed, as in every snapshot)."""
    values = snapshot(entry) if entry.id is not None else {}
    state = {k: values.get(k) for k in SHOWN}
    state["flags"] = sorted(db.execute(select(RegistryFlag.kind).where(
        RegistryFlag.entry_id == entry.id, RegistryFlag.status == "open")).scalars())
    return state
