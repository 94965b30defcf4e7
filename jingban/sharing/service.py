"""Information sharing acts (SPEC §12): receive a department's feed file and apply it once.

Every record is kept as received; each is applied in its own SAVEPOINT through the
registration services (channel "feed"), so a refused record leaves nothing behind while the
rest of the file goes on, and its effects show in the subject's own history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from jingban.benefits.stops import service as stops
from jingban.benefits.survivor import service as survivors
from jingban.core import audit, clock, ids
from jingban.core.actor import Actor
from jingban.core.audit import canonical, sm3
from jingban.core.auth import can, require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, JingbanError, NotFound
from jingban.core.files import safe_filename
from jingban.registration import service as registration
from jingban.registration.models import Employer, Person
from jingban.registration.schemas import (
    EmployerCancel,
    EmployerChange,
    EmployerCreate,
    PersonChange,
    PersonCreate,
)
from jingban.sharing import rules
from jingban.sharing.models import FeedBatch, FeedRecord
from jingban.sharing.schemas import (
    EmployerEvent,
    EmploymentEvent,
    ExitEvent,
    JudicialEvent,
    PopulationEvent,
)

audit.ACT_NAMES.update({
    "sharing.receive_batch": "接收共享数据文件",
})

EMPLOYER_CHANGE_REASON = "登记管理机关变更信息共享"
EMPLOYER_CANCEL_REASON = "登记管理机关注销信息共享"
DEATH_REASON = "死亡信息共享"
MOVE_REASON = "户籍迁移信息共享"
MAX_ID = 2**31 - 1  # INTEGER keys; a larger number names nothing (and overflows the driver)


@dataclass(frozen=True)
class Outcome:
    subject: str
    note: str = ""


def batch_subject(batch: FeedBatch) -> str:
    return f"feed_batch:{batch.id}"


# --- reads ---------------------------------------------------------------------------------

def _require_read(actor: Actor) -> None:
    if not can(actor, "sharing.upload"):
        require(actor, "sharing.read")


def get_batch(db: Session, actor: Actor, batch_id: int) -> FeedBatch:
    """A batch with all its records, in file order."""
    _require_read(actor)
    if not 0 < batch_id <= MAX_ID:
        raise NotFound("sharing.batch_not_found", f"未找到共享数据批次 {batch_id}", "batch_id")
    batch = db.execute(select(FeedBatch).where(FeedBatch.id == batch_id)
                       .options(selectinload(FeedBatch.records))).scalar()
    if batch is None:
        raise NotFound("sharing.batch_not_found", f"未找到共享数据批次 {batch_id}", "batch_id")
    return batch


def list_batches(db: Session, actor: Actor, limit: int = 50) -> list[FeedBatch]:
    """The latest batches first."""
    _require_read(actor)
    stmt = select(FeedBatch).order_by(FeedBatch.id.desc()).limit(max(1, min(limit, 500)))
    return list(db.execute(stmt).scalars())


# --- the act -------------------------------------------------------------------------------

@transactional
def receive_batch(db: Session, actor: Actor, *, kind: str, filename: str,
                  content: bytes) -> FeedBatch:
    """Receive one feed file. The same file again returns the first batch and writes nothing."""
    require(actor, "sharing.upload")
    header, items = rules.parse(kind, content)
    sha256 = hashlib.sha256(content).hexdigest()
    if earlier := db.execute(select(FeedBatch).where(FeedBatch.kind == kind,
                                                     FeedBatch.sha256 == sha256)).scalar():
        earlier.repeat = True
        return earlier
    batch = FeedBatch(kind=kind, filename=safe_filename(filename), sha256=sha256, header=header,
                      uploaded_by=actor.username, received_at=clock.now())
    db.add(batch)
    # Flushed before the first SAVEPOINT: on SQLite the transaction must already be open,
    # or releasing the savepoint would commit it.
    db.flush()
    feed_actor = actor.via("feed")
    for item in items:
        batch.records.append(_process(db, feed_actor, kind, item))
    _count(batch)
    audit.record(db, actor, "sharing.receive_batch", batch_subject(batch), after=_summary(batch))
    return batch


def _process(db: Session, actor: Actor, kind: str, item: rules.Item) -> FeedRecord:
    """Apply one record once; what it did (or why not) goes on its evidence row."""
    record = FeedRecord(kind=kind, line=item.line, raw=item.raw, idem_key=item.key)
    if _already_processed(db, kind, record.idem_key):
        record.status, record.note = "duplicate", "该事件此前已处理，未重复办理"
        return record
    try:
        with db.begin_nested():
            outcome = _apply(db, actor, kind, item)
    except (JingbanError, ValidationError) as exc:
        error = rules.as_error(kind, exc)
        if error.code in rules.SKIPPED:
            record.status, record.note = "skipped", rules.SKIPPED[error.code]
        else:
            record.status = "rejected"
            record.error_code, record.error_message = error.code, error.message
            record.error_field = error.field[:64] if error.field else None
        return record
    record.status, record.subject, record.note = "processed", outcome.subject, outcome.note
    return record


def _already_processed(db: Session, kind: str, key: str) -> bool:
    return db.execute(select(FeedRecord.id).where(
        FeedRecord.kind == kind, FeedRecord.idem_key == key,
        FeedRecord.status == "processed")).first() is not None


def _apply(db: Session, actor: Actor, kind: str, item: rules.Item) -> Outcome:
    if item.problem:
        raise InvalidInput("sharing.record", item.problem, None)
    if kind == "employer":
        event = EmployerEvent.model_validate(item.data)
        return EMPLOYER_ACTIONS[event.action](db, actor, event)
    if kind in FACT_FEEDS:
        return _fact(db, actor, kind, FACT_FEEDS[kind].model_validate(item.data), item.key)
    event = PopulationEvent.model_validate(item.data)
    return POPULATION_EVENTS[event.event](db, actor, event)


def _count(batch: FeedBatch) -> None:
    statuses = [r.status for r in batch.records]
    batch.total = len(statuses)
    for status in rules.STATUS:
        setattr(batch, status, statuses.count(status))


def _summary(batch: FeedBatch) -> dict:
    return {"kind": batch.kind, "filename": batch.filename, "sha256": batch.sha256,
            **{k: getattr(batch, k) for k in ("total", *rules.STATUS)}}


# --- employer feed (R§8: registered together with business registration) -------------------

def _employer_setup(db: Session, actor: Actor, e: EmployerEvent) -> Outcome:
    for field in ("name", "kind", "region"):
        if getattr(e, field) is None:
            raise rules.missing("employer", field)
    if (known := _known_employer(db, actor, e.uscc)) is not None:
        return _compare(db, actor, known, e)
    employer = registration.register_employer(db, actor, EmployerCreate(
        uscc=e.uscc, name=e.name, kind=e.kind, region=e.region, address=e.address or "",
        legal_rep=e.legal_rep or "", registered_on=e.effective_date))
    return Outcome(registration.employer_subject(employer))


def _known_employer(db: Session, actor: Actor, uscc: str) -> Employer | None:
    try:
        return registration.get_employer(db, actor, uscc)
    except NotFound:
        return None


def _compare(db: Session, actor: Actor, employer: Employer, e: EmployerEvent) -> Outcome:
    """Already registered: compare with what the registration authority says and flag any
    difference for staff to follow up (R§9); the feed does not overwrite on its own."""
    differ = [rules.EMPLOYER_FIELD_NAMES[f] for f in rules.EMPLOYER_FIELD_NAMES
              if getattr(e, f) is not None and getattr(e, f) != getattr(employer, f)]
    if not differ:
        raise Conflict("employer.exists", "该单位已办理参保登记", "uscc")
    flag = f"登记管理机关共享信息与参保登记不一致：{'、'.join(differ)}，待核实"
    registration.flag_employer(db, actor, employer.uscc, flag, "共享信息比对（《社会保险经办条例》第九条）")
    return Outcome(registration.employer_subject(employer), flag)


def _employer_change(db: Session, actor: Actor, e: EmployerEvent) -> Outcome:
    fields = e.model_dump(include={"name", "kind", "region", "address", "legal_rep"},
                          exclude_none=True)
    if not fields:
        raise InvalidInput("sharing.no_fields", "变更记录没有提供任何变更内容", None)
    employer = registration.change_employer(db, actor, e.uscc,
                                            EmployerChange(reason=EMPLOYER_CHANGE_REASON, **fields))
    return Outcome(registration.employer_subject(employer))


def _employer_cancel(db: Session, actor: Actor, e: EmployerEvent) -> Outcome:
    """Cancel; when registration refuses (R§10: arrears, staff still enrolled), flag instead."""
    try:
        with db.begin_nested():
            employer = registration.cancel_employer(db, actor, e.uscc, EmployerCancel(
                reason=EMPLOYER_CANCEL_REASON, cancelled_on=e.effective_date))
        return Outcome(registration.employer_subject(employer))
    except Conflict as exc:
        if exc.code not in rules.CANCEL_FLAGS:
            raise
        refusal = exc
    flag = rules.CANCEL_FLAGS[refusal.code]
    employer = registration.flag_employer(db, actor, e.uscc, flag, refusal.message)
    return Outcome(registration.employer_subject(employer), f"未注销，已标记待处理：{refusal.message}")


EMPLOYER_ACTIONS: dict[str, Callable[[Session, Actor, EmployerEvent], Outcome]] = {
    "setup": _employer_setup, "change": _employer_change, "cancel": _employer_cancel,
}


# --- population feed (births, deaths, household moves) -------------------------------------

def _citizen(e: PopulationEvent) -> str:
    return ids.parse_citizen_id(e.citizen_id, clock.today(), "citizen_id").number


def _birth(db: Session, actor: Actor, e: PopulationEvent) -> Outcome:
    ssn = _citizen(e)
    if e.name is None:
        raise rules.missing("population", "name")
    person = registration.register_person(db, actor, PersonCreate(
        id_type="citizen_id", id_number=ssn, name=e.name, birth_date=e.birth_date,
        household_region=e.household_region or "", address=e.address or ""))
    return Outcome(registration.person_subject(person))


def _death(db: Session, actor: Actor, e: PopulationEvent) -> Outcome:
    ssn = _citizen(e)
    died = e.death_date or e.effective_date
    if died is None:
        raise rules.missing("population", "death_date")
    person = registration.record_death(db, actor, ssn, died, DEATH_REASON)
    key = e.event_id or sm3(canonical(e.model_dump(mode="json")))
    note = stops.receive_fact(db, actor, kind="death", ssn=ssn, name=e.name or person.name,
                              fact_date=died, source="population", source_ref=key)
    # SPEC §12: open a survivor-benefit prompt
    if survivors.prompt_after_death(db, actor, person):
        note = f"{note}；已提示可申领遗属待遇"
    return Outcome(registration.person_subject(person), note)


def _move(db: Session, actor: Actor, e: PopulationEvent) -> Outcome:
    ssn = _citizen(e)
    if e.household_region is None and e.address is None:
        raise rules.missing("population", "household_region")
    person = registration.change_person(db, actor, ssn, PersonChange(
        reason=MOVE_REASON, household_region=e.household_region, address=e.address))
    return Outcome(registration.person_subject(person))


POPULATION_EVENTS: dict[str, Callable[[Session, Actor, PopulationEvent], Outcome]] = {
    "birth": _birth, "death": _death, "move": _move,
}


# --- judicial and exit feeds (R§25, R§26): facts for stopping and eligibility verification ------

FACT_FEEDS: dict[str, type[JudicialEvent] | type[ExitEvent] | type[EmploymentEvent]] = {
    "judicial": JudicialEvent, "exit": ExitEvent,
    "employment": EmploymentEvent,  # unemployment: re-employment and enlistment stop it
}


def _fact(db: Session, actor: Actor, kind: str, e: JudicialEvent | ExitEvent | EmploymentEvent,
          key: str) -> Outcome:
    """Kept as a fact for the matching run; an imprisonment suspends the person's awards."""
    ssn = _citizen(e)
    if e.event_date > clock.today():
        raise InvalidInput("sharing.event_date", "收监、释放、出境、就业或入伍日期不能晚于今天", "event_date")
    note = stops.receive_fact(db, actor, kind=e.event, ssn=ssn, name=e.name or "",
                              fact_date=e.event_date, source=kind, source_ref=key)
    person = db.execute(select(Person).where(Person.ssn == ssn)).scalar()
    return Outcome(registration.person_subject(person) if person else "", note)

