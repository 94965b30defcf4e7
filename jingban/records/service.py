"""Records acts (SPEC §4): import the collector's file, credit interest, deemed years,
corrections; and the reads (rights record, employer staff and arrears). The only writer."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import case, exists, func, insert, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from jingban.core import audit, clock, crash, locks
from jingban.core.actor import Actor
from jingban.core.agency import latest_param, param
from jingban.core.auth import require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound, PolicyError
from jingban.core.files import safe_filename
from jingban.core.money import format_yuan, to_yuan
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.records import batch, rules
from jingban.records.models import (
    AccountEntry,
    AccountYear,
    Arrears,
    Contribution,
    ContributionBatch,
    ContributionReject,
    DeemedService,
    InterestRun,
)
from jingban.records.schemas import DeemedServiceCreate, RecordCorrection
from jingban.registration import service as registration
from jingban.registration.models import Employer, Enrollment, Liability, Person
from jingban.registration.rules import INSURANCES
from jingban.registration.schemas import LiabilityCreate

audit.ACT_NAMES.update({
    "records.import_contributions": "导入征收机构缴费数据",
    "records.credit_interest": "个人账户年度计息",
    "records.record_deemed_service": "认定视同缴费年限",
    "records.correct_record": "缴费记录/个人账户冲正",
    "records.merge_transferred": "转入缴费历史与个人账户",
    "records.transfer_out_account": "个人账户转出",
})
MAX_ID = 2**31 - 1
ARREARS_NOTE = "征收机构报送欠费（批次{batch}），待缴清"


def batch_subject(item: ContributionBatch) -> str:
    return f"contribution_batch:{item.id}"


def person_of(db: Session, ssn: str) -> Person:
    code = (ssn or "").strip().upper()
    found = db.execute(select(Person).where(Person.ssn == code)).scalar()
    if found is None:
        raise NotFound("person.not_found", f"未找到社会保障号码为 {code} 的参保人", "ssn")
    return found


def _employer(db: Session, uscc: str) -> Employer:
    code = (uscc or "").strip().upper()
    found = db.execute(select(Employer).where(Employer.uscc == code)).scalar()
    if found is None:
        raise NotFound("employer.not_found", f"未找到统一社会信用代码为 {code} 的参保单位", "uscc")
    return found


def may_read(actor: Actor, subject: str) -> None:
    """Staff, or the person or employer themself (权益记录免费查询, R§32)."""
    if actor.subject != subject:
        require(actor, "records.read")


def _require_case(actor: Actor) -> None:
    """Deemed years and corrections take effect only through an approved case (final
    reviewer, channel "case"); intake's dry run runs with the clerk."""
    require(actor, {"case": "cases.review"}.get(actor.channel, "records.correct"))


# --- import ------------------------------------------------------------------------------------

@transactional
def import_contributions(db: Session, actor: Actor, *, filename: str,
                         content: bytes) -> ContributionBatch:
    """Receive one collector file: post the valid rows, keep the others with their reasons,
    record arrears as employer liabilities. The same file again returns the first batch."""
    require(actor, "records.import")
    text_, encoding = rules.decode(content)
    sha256 = hashlib.sha256(content).hexdigest()
    locks.serialize(db, f"records.import:{sha256}")  # secops: the same file again waits, is a repeat
    if earlier := db.execute(select(ContributionBatch)
                             .where(ContributionBatch.sha256 == sha256)).scalar():
        earlier.repeat = True
        return earlier
    frame = batch.read(text_)
    today, now = clock.today(), clock.now()
    checked = batch.split_duplicates(batch.check_format(frame, today, _closed_years(db)))
    good = checked.filter(pl.col("error_code").is_null())
    item = ContributionBatch(filename=safe_filename(filename), sha256=sha256, encoding=encoding,
                             uploaded_by=actor.username, received_at=now, total=frame.height)
    db.add(item)
    db.flush()
    rates, tiers = batch.rate_rows(db, sorted(good["period"].unique().to_list()))
    batch.stage(db, good.select(batch.STAGED), rates, tiers)
    counts = batch.post(db, item.id, now, today)
    crash.point("records.import")  # secops: kill -9 drill, rows posted, nothing committed
    totals = batch.posted_totals(db)
    _book_income(db, actor, item, [(i, n, fen) for i, n, fen, _ in totals])
    _book_subsidies(db, actor, item, [(i, subsidy) for i, _, _, subsidy in totals if subsidy])
    _store_problems(db, item, checked, batch.refused(db))
    batch.drop_temp(db)
    _liabilities(db, actor.via("feed"), item)
    item.posted, item.arrears = counts["posted"], counts["arrears"]
    audit.record(db, actor, "records.import_contributions", batch_subject(item),
                 after=snapshot(item))
    return item


def _book_income(db: Session, actor: Actor, item: ContributionBatch,
                 totals: list[tuple[str, int, int]]) -> int:
    """社会保险费收入 of the file: one ledger entry per insurance fund (SPEC §9)."""
    booked = 0
    for insurance, rows, fen in totals:
        memo = (f"征收机构缴费文件 {item.filename}（批次 {item.id}）"
                f"{INSURANCES.get(insurance, insurance)} {rows} 笔 {format_yuan(fen)} 元")
        booked += ledger.book_contribution(db, actor, insurance, fen,
                                           f"contribution:{item.id}:{insurance}", memo) is not None
    return booked


def book_all_contributions(db: Session, actor: Actor) -> int:
    """Back-fill: the files posted before the ledger existed, totals by one GROUP BY over
    their contributions; a file already booked is skipped, so a second run books none."""
    sources = db.execute(select(JournalEntry.source)
                         .where(JournalEntry.source.startswith("contribution:"))).scalars()
    booked = {int(x) for s in sources if (x := s.split(":")[1]).isdigit()}  # batch ids
    waiting = [b for b in db.execute(select(ContributionBatch).order_by(ContributionBatch.id))
               .scalars() if b.id not in booked]
    if not waiting:
        return 0
    sums = db.execute(
        select(Contribution.batch_id, Contribution.insurance, func.count(),
               func.sum(Contribution.employer_amount + Contribution.personal_amount))
        .where(Contribution.batch_id.in_([b.id for b in waiting]), Contribution.kind == "posted")
        .group_by(Contribution.batch_id, Contribution.insurance)
        .order_by(Contribution.batch_id, Contribution.insurance)).all()
    return sum(_book_file(db, actor, item, [(i, int(n), int(fen or 0))
                                            for b, i, n, fen in sums if b == item.id])
               for item in waiting)


@transactional
def _book_file(db: Session, actor: Actor, item: ContributionBatch,
               totals: list[tuple[str, int, int]]) -> int:
    return _book_income(db, actor, item, totals)


def _book_subsidies(db: Session, actor: Actor, item: ContributionBatch,
                    totals: list[tuple[str, int]]) -> int:
    """财政补贴收入 of the file: the resident subsidies posted with its contributions (政府补贴,
    credited to the persons' accounts), one ledger entry per insurance fund (SPEC §9)."""
    booked = 0
    for insurance, fen in totals:
        memo = (f"征收机构缴费文件 {item.filename}（批次 {item.id}）{INSURANCES.get(insurance, insurance)}"
                f"缴费补贴（政府补贴）{format_yuan(fen)} 元")
        booked += ledger.book_subsidy(db, actor, insurance, fen, f"subsidy:{item.id}:{insurance}",
                                      memo) is not None
    return booked


def book_all_subsidies(db: Session, actor: Actor) -> int:
    """Back-fill: the subsidies of files posted before the ledger booked them, by one GROUP BY
    over the subsidised contributions; a file and fund booked already is skipped."""
    booked = set(db.execute(select(JournalEntry.source)
                            .where(JournalEntry.source.startswith("subsidy:"))).scalars())
    sums = db.execute(
        select(Contribution.batch_id, Contribution.insurance, func.sum(Contribution.subsidy_amount))
        .where(Contribution.batch_id.is_not(None), Contribution.kind == "posted",
               Contribution.subsidy_amount > 0)
        .group_by(Contribution.batch_id, Contribution.insurance)
        .order_by(Contribution.batch_id, Contribution.insurance)).all()
    waiting: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for batch_id, insurance, fen in sums:
        if f"subsidy:{batch_id}:{insurance}" not in booked:
            waiting[int(batch_id)].append((insurance, int(fen)))
    return sum(_book_subsidy_file(db, actor, db.get(ContributionBatch, batch_id), totals)
               for batch_id, totals in waiting.items())


@transactional
def _book_subsidy_file(db: Session, actor: Actor, item: ContributionBatch,
                       totals: list[tuple[str, int]]) -> int:
    return _book_subsidies(db, actor, item, totals)


def _closed_years(db: Session) -> set[int]:
    return set(db.execute(select(InterestRun.year).distinct()).scalars())


def _store_problems(db: Session, item: ContributionBatch, checked: pl.DataFrame,
                    refused: pl.DataFrame) -> None:
    """Every row not posted is kept as received, with its code, message and field."""
    mine = checked.filter(pl.col("error_code").is_not_null()).select("line", "error_code",
                                                                       "error_field")
    found = refused.with_columns(error_field=pl.col("error_code").replace_strict(
        rules.ROW_FIELDS, default=None, return_dtype=pl.String))
    problems = pl.concat([mine, found]).join(checked.select("line", "raw", "record_id"), on="line")
    rows = [{"batch_id": item.id, "line": r["line"], "raw": r["raw"],
             "record_id": (r["record_id"] or "")[:64], "error_code": r["error_code"],
             "error_field": r["error_field"],
             "status": "duplicate" if r["error_code"] in rules.DUPLICATE_CODES else "rejected",
             "error_message": rules.row_message(r["error_code"], r["error_field"])}
            for r in problems.sort("line").iter_rows(named=True)]
    if rows:
        db.execute(insert(ContributionReject), rows)
    item.duplicate = sum(r["status"] == "duplicate" for r in rows)
    item.rejected = len(rows) - item.duplicate


def _liabilities(db: Session, actor: Actor, item: ContributionBatch) -> None:
    """Arrears stand behind registration liabilities (one per employer and period): paid
    months settle theirs, what is still owed is recorded again (refreshed)."""
    settled = db.execute(
        select(Arrears.liability_id).join(Contribution, Contribution.id == Arrears.settled_by_id)
        .where(Contribution.batch_id == item.id, Arrears.liability_id.is_not(None)).distinct()
    ).scalars().all()
    for liability_id in settled:
        _refresh(db, actor, item, liability_id)
    new = db.execute(
        select(Arrears.employer_id, Arrears.period,
               func.sum(Arrears.employer_amount + Arrears.personal_amount))
        .where(Arrears.batch_id == item.id, Arrears.employer_id.is_not(None))
        .group_by(Arrears.employer_id, Arrears.period).order_by(Arrears.employer_id, Arrears.period)
    ).all()
    for employer_id, period, total in new:
        liability = _record_liability(db, actor, item, employer_id, period, int(total))
        db.execute(update(Arrears).where(Arrears.batch_id == item.id,
                                         Arrears.employer_id == employer_id,
                                         Arrears.period == period)
                   .values(liability_id=liability.id))


def _record_liability(db: Session, actor: Actor, item: ContributionBatch, employer_id: int,
                      period: int, fen: int) -> Liability:
    uscc = db.get(Employer, employer_id).uscc
    return registration.record_liability(db, actor, uscc, LiabilityCreate(
        kind="arrears", amount=to_yuan(fen), period=period,
        note=ARREARS_NOTE.format(batch=item.id)))


def _refresh(db: Session, actor: Actor, item: ContributionBatch, liability_id: int) -> None:
    liability = db.get(Liability, liability_id)
    uscc = db.get(Employer, liability.employer_id).uscc
    still = db.execute(select(func.sum(Arrears.employer_amount + Arrears.personal_amount))
                       .where(Arrears.liability_id == liability_id,
                              Arrears.settled_at.is_(None))).scalar()
    if liability.settled_at is None:
        registration.settle_liability(db, actor, uscc, liability_id,
                                      f"征收机构报送已缴费（批次{item.id}）")
    if still:
        new = _record_liability(db, actor, item, liability.employer_id, liability.period,
                                int(still))
        db.execute(update(Arrears).where(Arrears.liability_id == liability_id,
                                         Arrears.settled_at.is_(None))
                   .values(liability_id=new.id))


def get_batch(db: Session, actor: Actor, batch_id: int) -> tuple[ContributionBatch,
                                                                  list[ContributionReject]]:
    require(actor, "records.read")
    found = db.get(ContributionBatch, batch_id) if 0 < batch_id <= MAX_ID else None
    if found is None:
        raise NotFound("records.batch_not_found", f"未找到缴费数据批次 {batch_id}", "batch_id")
    return found, problems_of(db, found)


def problems_of(db: Session, item: ContributionBatch) -> list[ContributionReject]:
    stmt = select(ContributionReject).where(ContributionReject.batch_id == item.id)
    return list(db.execute(stmt.order_by(ContributionReject.line)).scalars())


def list_batches(db: Session, actor: Actor, limit: int = 50) -> list[ContributionBatch]:
    require(actor, "records.read")
    stmt = select(ContributionBatch).order_by(ContributionBatch.id.desc()).limit(limit)
    return list(db.execute(stmt).scalars())


# --- interest ------------------------------------------------------------------------------------

@transactional
def credit_interest(db: Session, actor: Actor, year: int) -> list[tuple[InterestRun, bool]]:
    """年度计息 at the published 记账利率 for every account of every scheme; a scheme already
    run for the year is left alone (rerun = no-op). (run, repeat) per scheme."""
    require(actor, "records.interest")
    today = clock.today()
    if year >= today.year:
        raise Conflict("records.year_open", f"{year}年度尚未结束，不能计息", "year")
    try:
        rate = Decimal(str(param(db, "records.crediting_rate", dt.date(year, 1, 1))))
    except PolicyError:
        raise PolicyError("policy.no_value", f"{year}年度个人账户记账利率尚未公布（或未配置），"
                          "不能计息", "year") from None
    runs = []
    for scheme in rules.SCHEMES:
        done = db.execute(select(InterestRun).where(InterestRun.scheme == scheme,
                                                    InterestRun.year == year)).scalar()
        runs.append((done, True) if done else (_run(db, actor, scheme, year, rate, today), False))
    return runs


def _run(db: Session, actor: Actor, scheme: str, year: int, rate: Decimal,
         today: dt.date) -> InterestRun:
    earlier = db.execute(select(AccountEntry.id).where(AccountEntry.scheme == scheme,
                                                       AccountEntry.year < year).limit(1)).first()
    previous = db.execute(select(InterestRun.id).where(InterestRun.scheme == scheme,
                                                       InterestRun.year == year - 1)).first()
    if earlier and not previous:
        raise Conflict("records.interest_order",
                       f"{rules.SCHEMES[scheme]}个人账户{year - 1}年度尚未计息，请按年度顺序计息", "year")
    persons, total = batch.credit_interest(db, scheme, year, rate, today)
    crash.point("records.interest")  # secops: kill -9 drill, one scheme credited
    run = InterestRun(scheme=scheme, year=year, rate=str(rate), persons=persons, interest=total,
                      run_by=actor.username, run_at=clock.now())
    db.add(run)
    db.flush()
    audit.record(db, actor, "records.credit_interest", f"interest_run:{scheme}:{year}",
                 after=snapshot(run))
    return run


# --- deemed years and corrections (through approved cases) ---------------------------------------

@transactional
def record_deemed_service(db: Session, actor: Actor, ssn: str,
                          data: DeemedServiceCreate) -> Person:
    """视同缴费年限 from the personnel file (人事档案), approved through REC-DEEMED-YEARS."""
    _require_case(actor)
    person = person_of(db, ssn)
    if db.execute(select(DeemedService.id).where(DeemedService.person_id == person.id,
                                                 DeemedService.insurance == data.insurance)).first():
        raise Conflict("records.deemed_exists", "该险种的视同缴费年限已认定", "insurance")
    today = clock.today()
    cutoff = dt.date.fromisoformat(str(param(db, "records.deemed_cutoff", today)))
    if problem := rules.deemed_problem(data.months, data.from_date, data.to_date,
                                       person.birth_date, cutoff,
                                       param(db, "records.deemed_min_age", today)):
        raise InvalidInput("records.deemed_period", problem, "to_date")
    row = DeemedService(person_id=person.id, insurance=data.insurance, months=data.months,
                        from_date=data.from_date, to_date=data.to_date, evidence=data.evidence,
                        case_id=actor.case_id, recorded_by=actor.username)
    db.add(row)
    db.flush()
    audit.record(db, actor, "records.record_deemed_service", registration.person_subject(person),
                 after=snapshot(row), reason=data.reason)
    return person


@transactional
def correct_record(db: Session, actor: Actor, ssn: str, data: RecordCorrection) -> Person:
    """冲正: a new reversing row pointing to the original (never an edit), through the
    high-risk item REC-CORRECTION; a reversed contribution takes its account credits along."""
    _require_case(actor)
    person = person_of(db, ssn)
    closed, today = _closed_years(db), clock.today()
    if data.contribution_id is not None:
        after = _reverse_contribution(db, actor, person, data.contribution_id, closed, today)
    else:
        entry = _entry(db, person, data.entry_id)
        after = {"entries": [_reverse_entry(db, entry, None, closed, today, actor.case_id)]}
    audit.record(db, actor, "records.correct_record", registration.person_subject(person),
                 after=after, reason=data.reason)
    return person


def _reverse_contribution(db: Session, actor: Actor, person: Person, contribution_id: int,
                          closed: set[int], today: dt.date) -> dict[str, Any]:
    case_id = actor.case_id
    original = db.get(Contribution, contribution_id) if contribution_id <= 2**62 else None
    if original is None or original.person_id != person.id:
        raise NotFound("records.contribution_not_found", "未找到该参保人的这条缴费记录",
                       "contribution_id")
    if original.kind != "posted":
        raise Conflict("records.not_reversible", "冲正记录本身不能再冲正", "contribution_id")
    _not_reversed(db, Contribution, original.id, "contribution_id")
    reversal = Contribution(
        person_id=person.id, employer_id=original.employer_id, insurance=original.insurance,
        period=original.period, base=original.base, employer_amount=-original.employer_amount,
        personal_amount=-original.personal_amount, account_amount=-original.account_amount,
        subsidy_amount=-original.subsidy_amount, paid_on=today, kind="reversal",
        reverses_id=original.id, case_id=case_id, posted_at=clock.now())
    db.add(reversal)
    db.flush()
    credits = db.execute(select(AccountEntry).where(
        AccountEntry.person_id == person.id, AccountEntry.contribution_id == original.id,
        AccountEntry.kind.in_(["contribution", "subsidy"]))).scalars().all()
    entries = [_reverse_entry(db, e, reversal.id, closed, today, case_id) for e in credits]
    booked = _book_reversal(db, actor, original, reversal)
    return {"contribution": snapshot(reversal), "entries": entries,
            "fund_entry": booked.id if booked else None}


def reversal_source(reversal: Contribution) -> str:
    """The ledger source of a contribution's 冲正 (under ``contribution:``, so the collector's
    reconciliation sees it beside the files' income)."""
    return f"contribution:reversal:{reversal.id}"


def _book_reversal(db: Session, actor: Actor, original: Contribution,
                   reversal: Contribution) -> JournalEntry | None:
    """冲正 takes the row's share back out of its fund's income (SPEC §9): what its collector
    file booked — employer + personal as contribution income, the resident subsidy as fiscal
    subsidy. A row merged in by a transfer came with the transfer's fund movement (transfer
    income, booked by transfers), not as contribution income, and leaves the ledger alone."""
    if original.batch_id is None:
        return None
    amount, subsidy = original.employer_amount + original.personal_amount, original.subsidy_amount
    memo = (f"缴费记录冲正（缴费记录 {original.id}，{INSURANCES.get(original.insurance, original.insurance)}"
            f" {original.period}，批次 {original.batch_id}，业务件 {reversal.case_id or ''}）"
            f"冲减社会保险费收入 {format_yuan(amount)} 元"
            + (f"、财政补贴收入 {format_yuan(subsidy)} 元" if subsidy else ""))
    return ledger.book_contribution_reversal(db, actor, original.insurance, amount,
                                             original.subsidy_amount, reversal_source(reversal), memo)


def book_all_reversals(db: Session, actor: Actor) -> int:
    """Back-fill: contribution 冲正 made before the ledger booked them; a second run books none.
    (Reversals are few: found through the partial unique index on ``reverses_id``.)"""
    booked = set(db.execute(select(JournalEntry.source)
                            .where(JournalEntry.source.startswith("contribution:reversal:"))).scalars())
    original = aliased(Contribution)
    rows = db.execute(select(Contribution, original)
                      .join(original, original.id == Contribution.reverses_id)
                      .where(Contribution.reverses_id.is_not(None), Contribution.kind == "reversal",
                             original.batch_id.is_not(None))
                      .order_by(Contribution.id)).all()
    return sum(_book_reversal_once(db, actor, o, r) for r, o in rows
               if reversal_source(r) not in booked)


@transactional
def _book_reversal_once(db: Session, actor: Actor, original: Contribution,
                        reversal: Contribution) -> int:
    return _book_reversal(db, actor, original, reversal) is not None


def _entry(db: Session, person: Person, entry_id: int) -> AccountEntry:
    entry = db.get(AccountEntry, entry_id) if entry_id <= 2**62 else None
    if entry is None or entry.person_id != person.id:
        raise NotFound("records.entry_not_found", "未找到该参保人的这条个人账户记账记录", "entry_id")
    if entry.kind == "reversal":
        raise Conflict("records.not_reversible", "冲正记录本身不能再冲正", "entry_id")
    return entry


def _reverse_entry(db: Session, entry: AccountEntry, contribution_id: int | None,
                   closed: set[int], today: dt.date, case_id: int | None) -> dict[str, Any]:
    _not_reversed(db, AccountEntry, entry.id, "entry_id")
    year = today.year if entry.year in closed else entry.year
    reversal = AccountEntry(person_id=entry.person_id, scheme=entry.scheme, year=year,
                            kind="reversal", amount=-entry.amount, period=entry.period,
                            contribution_id=contribution_id, reverses_id=entry.id,
                            case_id=case_id, posted_on=today)
    db.add(reversal)
    db.flush()
    return snapshot(reversal)


def _not_reversed(db: Session, model, row_id: int, field: str) -> None:
    if db.execute(select(model.id).where(model.reverses_id == row_id)).first():
        raise Conflict("records.already_reversed", "该记录已冲正，不能重复冲正", field)


# --- reads -----------------------------------------------------------------------------------------

def rights(db: Session, actor: Actor, ssn: str) -> dict[str, Any]:
    """个人权益记录: enrollments, months and bases by year, account by year, contribution years.
    Staff reads are logged (查询留痕)."""
    person = person_of(db, ssn)
    may_read(actor, registration.person_subject(person))
    rows = db.execute(select(Contribution, Employer.uscc)
                      .outerjoin(Employer, Employer.id == Contribution.employer_id)
                      .where(Contribution.person_id == person.id)
                      .order_by(Contribution.period, Contribution.id)).all()
    reversed_by = {c.reverses_id: c.id for c, _ in rows if c.reverses_id}
    # Rows carried away by a transfer are the new place's now: shown, marked, not counted.
    effective = [c for c, _ in rows if c.kind == "posted" and c.id not in reversed_by
                 and not c.transfer_out_ref]
    transfers = transfer_lines(db, [person.id])[person.id]
    by_ref = {t["ref"]: t for t in transfers}
    notes = {c.id: note for c, _ in rows if (note := contribution_note(c, by_ref))}
    entries = list(db.execute(select(AccountEntry).where(AccountEntry.person_id == person.id)
                              .order_by(AccountEntry.year, AccountEntry.id)).scalars())
    deemed = list(db.execute(select(DeemedService).where(DeemedService.person_id == person.id)
                             .order_by(DeemedService.id)).scalars())
    counted = [d for d in deemed if not d.transfer_out_ref]
    accounts = list(db.execute(select(AccountYear).where(AccountYear.person_id == person.id)
                               .order_by(AccountYear.scheme, AccountYear.year)).scalars())
    # load15: logged last, so that the read and its 查询留痕 row are one transaction
    audit.log_access(db, actor, registration.person_subject(person), "rights")
    return {
        "ssn": person.ssn, "name": person.name, "enrollments": person.enrollments,
        # The second place names the unit; a merged row had none here: its origin instead.
        "contributions": [(c, notes[c.id] if c.transfer_in_ref else uscc, reversed_by.get(c.id))
                          for c, uscc in rows],
        "contribution_notes": notes, "transfers": transfers,
        "by_year": by_year(effective), "entries": entries, "deemed": deemed,
        "entry_reversed_by": {e.reverses_id: e.id for e in entries if e.reverses_id},
        "accounts": accounts,
        "balances": _balances(entries),
        "contribution_years": contribution_years(effective, counted),
    }


def by_year(effective: list[Contribution]) -> list[dict[str, Any]]:
    groups: dict[tuple[int, str], list[Contribution]] = defaultdict(list)
    for c in effective:
        groups[(c.period // 100, c.insurance)].append(c)
    lines = []
    for (year, insurance), items in sorted(groups.items()):
        bases = [c.base for c in items if c.base is not None]
        lines.append({"year": year, "insurance": insurance,
                      "months": rules.actual_months(insurance, [c.period for c in items]),
                      "base_min": min(bases) if bases else None,
                      "base_max": max(bases) if bases else None,
                      "employer_total": sum(c.employer_amount for c in items),
                      "personal_total": sum(c.personal_amount for c in items)})
    return lines


def contribution_years(effective: list[Contribution],
                       deemed: list[DeemedService]) -> list[dict[str, Any]]:
    periods: dict[str, list[int]] = defaultdict(list)
    for c in effective:
        periods[c.insurance].append(c.period)
    deemed_months: dict[str, int] = defaultdict(int)
    for d in deemed:
        deemed_months[d.insurance] += d.months
    return contribution_lines({i: rules.actual_months(i, p) for i, p in periods.items()},
                              deemed_months)


def contribution_lines(actual: dict[str, int], deemed: dict[str, int]) -> list[dict[str, Any]]:
    """缴费年限 by insurance from actual and deemed months."""
    lines = []
    for insurance in sorted(set(actual) | set(deemed)):
        paid, assumed = actual.get(insurance, 0), deemed.get(insurance, 0)
        lines.append({"insurance": insurance, "actual_months": paid, "deemed_months": assumed,
                      "total_months": paid + assumed, "total": rules.years_and_months(paid + assumed)})
    return lines


def _balances(entries: list[AccountEntry]) -> list[dict[str, Any]]:
    totals: dict[str, int] = defaultdict(int)
    for e in entries:
        totals[e.scheme] += e.amount
    return [{"scheme": s, "balance": v} for s, v in sorted(totals.items())]


def staff(db: Session, actor: Actor, uscc: str) -> list[dict[str, Any]]:
    """The employer's insured staff now, their bases and last paid month."""
    employer = _employer(db, uscc)
    may_read(actor, registration.employer_subject(employer))
    rows = db.execute(select(Person.id, Person.ssn, Person.name, Enrollment.insurance,
                             Enrollment.contribution_base, Enrollment.start_date)
                      .join(Enrollment, Enrollment.person_id == Person.id)
                      .where(Enrollment.employer_id == employer.id, Enrollment.status == "active")
                      .order_by(Person.name, Person.id, Enrollment.insurance)).all()
    last = dict(db.execute(select(Contribution.person_id, func.max(Contribution.period))
                           .where(Contribution.person_id.in_(employer_persons(employer.id)),
                                  Contribution.employer_id == employer.id,
                                  Contribution.kind == "posted")
                           .group_by(Contribution.person_id)).all())
    people: dict[int, dict[str, Any]] = {}
    for pid, ssn, name, insurance, base, start in rows:
        entry = people.setdefault(pid, {"ssn": ssn, "name": name, "insurances": [],
                                        "contribution_base": None, "since": start,
                                        "last_paid_period": last.get(pid)})
        entry["insurances"].append(insurance)
        entry["since"] = min(entry["since"], start)
        if base is not None:
            entry["contribution_base"] = max(entry["contribution_base"] or 0, base)
    return list(people.values())


def employer_persons(employer_id: int):
    """Everyone ever enrolled through the employer: the only persons who can hold its
    contributions (the import refuses a row without such an enrollment; a reversal copies
    its original). Contributions are indexed by person, not by employer."""
    return select(Enrollment.person_id).where(Enrollment.employer_id == employer_id)


def arrears(db: Session, actor: Actor, uscc: str) -> list[dict[str, Any]]:
    """欠费明细 of an employer: what the collector reported due and is still unpaid (D§34)."""
    employer = _employer(db, uscc)
    may_read(actor, registration.employer_subject(employer))
    rows = db.execute(select(Arrears, Person.ssn, Person.name)
                      .join(Person, Person.id == Arrears.person_id)
                      .where(Arrears.employer_id == employer.id, Arrears.settled_at.is_(None))
                      .order_by(Arrears.period, Person.ssn, Arrears.insurance)).all()
    return [{"id": a.id, "record_id": a.record_id, "ssn": ssn, "name": name,
             "insurance": a.insurance, "period": a.period, "base": a.base,
             "employer_amount": a.employer_amount, "personal_amount": a.personal_amount,
             "total": a.employer_amount + a.personal_amount, "liability_id": a.liability_id}
            for a, ssn, name in rows]


ARREARS_CSV = ("record_id", "uscc", "ssn", "name", "insurance", "period", "base",
               "employer_amount", "personal_amount", "total")


def arrears_csv(uscc: str, rows: list[dict[str, Any]]) -> str:
    """The arrears list as the collector takes it (UTF-8 with BOM, amounts in yuan)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(ARREARS_CSV)
    for r in rows:
        money = [to_yuan(r[k]) if r[k] is not None else "" for k in
                 ("base", "employer_amount", "personal_amount", "total")]
        writer.writerow([r["record_id"], uscc.upper(), r["ssn"], r["name"], r["insurance"],
                         r["period"], *money])
    return "\ufeff" + out.getvalue()



# --- relationship transfers (written for jingban.transfers; set-based) ----------------------------

def transfer_history(db: Session, person_id: int, insurances: tuple[str, ...],
                     scheme: str | None, on: dt.date | None = None) -> dict[str, Any]:
    """What a transfer out carries: the effective contributions of these insurances (not
    reversed, not carried away by an earlier transfer — 国办发〔2009〕66号第四条: what has moved
    is the new place's), the deemed months, and the account balance of ``scheme`` with this
    year's interest up to ``on``'s month (``interest``, part of what moves). ``id`` and
    ``deemed_ids`` name this agency's rows, which the transfer marks once they have moved;
    ``local`` is false for rows an earlier transfer merged here."""
    reversed_ids = select(Contribution.reverses_id).where(Contribution.reverses_id.is_not(None))
    rows = db.execute(select(Contribution.id, Contribution.insurance, Contribution.period,
                             Contribution.base, Contribution.employer_amount,
                             Contribution.personal_amount, Contribution.account_amount,
                             Contribution.paid_on, Contribution.transfer_in_ref)
                      .where(Contribution.person_id == person_id, Contribution.kind == "posted",
                             Contribution.insurance.in_(insurances),
                             Contribution.transfer_out_ref.is_(None),
                             Contribution.id.not_in(reversed_ids))
                      .order_by(Contribution.period, Contribution.id)).all()
    deemed = db.execute(select(DeemedService.id, DeemedService.months)
                        .where(DeemedService.person_id == person_id,
                               DeemedService.insurance.in_(insurances),
                               DeemedService.transfer_out_ref.is_(None))).all()
    balance = account_balance(db, person_id, scheme) if scheme else 0
    interest = interest_to_date(db, person_id, scheme, on or clock.today()) if balance else 0
    return {"contributions": [{"id": r.id, "insurance": r.insurance, "period": r.period,
                               "base": r.base, "employer_amount": r.employer_amount,
                               "personal_amount": r.personal_amount,
                               "account_amount": r.account_amount,
                               "paid_on": r.paid_on.isoformat(),
                               "local": r.transfer_in_ref is None} for r in rows],
            "deemed_months": sum(int(m) for _, m in deemed), "deemed_ids": [d for d, _ in deemed],
            "balance": balance, "interest": interest}


def crediting_rate_for(db: Session, year: int) -> Decimal | None:
    """The crediting rate for ``year``, or — not yet published, as during the year itself —
    the latest published one before it, however old (the choice for a transfer's interest of
    the current year; see policy/national/records.yaml records.crediting_rate)."""
    value = latest_param(db, "records.crediting_rate", dt.date(year, 1, 1))
    return None if value is None else Decimal(str(value))


def interest_to_date(db: Session, person_id: int, scheme: str | None, on: dt.date) -> int:
    """This year's interest on the account up to ``on``'s month (rules.interest_to_month)."""
    rate = crediting_rate_for(db, on.year) if scheme else None
    if rate is None:
        return 0
    entries = db.execute(select(AccountEntry.year, AccountEntry.amount, AccountEntry.posted_on)
                         .where(AccountEntry.person_id == person_id, AccountEntry.scheme == scheme,
                                AccountEntry.year <= on.year)).all()
    opening = sum(e.amount for e in entries if e.year < on.year)
    credits = [(e.posted_on.month if e.posted_on.year == on.year else 1, e.amount)
               for e in entries if e.year == on.year]
    return rules.interest_to_month(opening, credits, rate, on.month)


@transactional
def merge_transferred(db: Session, actor: Actor, person: Person, ref: str, insurance: str,
                      contributions: list[dict[str, Any]], deemed_months: int,
                      scheme: str | None, balance: int) -> int:
    """Take a transfer's history in (年限累计计算): its contributions as posted rows under the
    receiving insurance (record id ``TRF<ref>-n``, so a second merge is refused by the unique
    key; ``transfer_in_ref`` the transfer), its deemed months, and the account balance (with
    its interest so far) as a ``transfer_in`` entry of this month. Rows posted."""
    today = clock.today()
    rows = [{"record_id": f"TRF{ref}-{n}", "person_id": person.id, "employer_id": None,
             "insurance": insurance, "period": int(c["period"]), "base": c.get("base"),
             "employer_amount": int(c["employer_amount"]),
             "personal_amount": int(c["personal_amount"]),
             "account_amount": int(c.get("account_amount") or 0), "subsidy_amount": 0,
             "paid_on": dt.date.fromisoformat(str(c["paid_on"])), "kind": "posted",
             "posted_at": clock.now(), "transfer_in_ref": ref}
            for n, c in enumerate(contributions, 1)]
    if rows:
        db.execute(insert(Contribution), rows)
    if deemed_months:
        db.add(DeemedService(person_id=person.id, insurance=insurance, months=deemed_months,
                             from_date=today, to_date=today, evidence=f"关系转移接续 {ref}（转出地认定）",
                             recorded_by=actor.username))
    if scheme and balance:
        db.add(AccountEntry(person_id=person.id, scheme=scheme, year=today.year,
                            kind="transfer_in", amount=balance, period=_month(today),
                            posted_on=today))
    db.flush()
    audit.record(db, actor, "records.merge_transferred", registration.person_subject(person),
                 after={"ref": ref, "rows": len(rows), "deemed_months": deemed_months,
                        "balance": balance}, reason=f"关系转移接续 {ref}")
    return len(rows)


def _month(day: dt.date) -> int:
    return day.year * 100 + day.month


@transactional
def transfer_out(db: Session, actor: Actor, person: Person, ref: str, contribution_ids: list[int],
                 deemed_ids: list[int], scheme: str | None, amount: int, interest: int) -> int:
    """The history leaves with a transfer: its rows are marked ``transfer_out_ref`` (they stop
    counting here and cannot move again), and the account's balance leaves — this year's
    interest up to now as an ``interest_moved`` entry, then a ``transfer_out`` entry of minus
    the amount moved (balance and that interest), both of this month. Rows marked."""
    marked = 0
    if contribution_ids:
        marked = db.execute(update(Contribution).where(
            Contribution.id.in_(contribution_ids), Contribution.person_id == person.id,
            Contribution.transfer_out_ref.is_(None)).values(transfer_out_ref=ref)).rowcount
    if deemed_ids:
        db.execute(update(DeemedService).where(
            DeemedService.id.in_(deemed_ids), DeemedService.person_id == person.id,
            DeemedService.transfer_out_ref.is_(None)).values(transfer_out_ref=ref))
    today = clock.today()
    if scheme and interest:
        db.add(AccountEntry(person_id=person.id, scheme=scheme, year=today.year,
                            kind="interest_moved", amount=interest, period=_month(today),
                            posted_on=today))
    if scheme and amount:
        db.add(AccountEntry(person_id=person.id, scheme=scheme, year=today.year,
                            kind="transfer_out", amount=-amount, period=_month(today),
                            posted_on=today))
    db.flush()
    audit.record(db, actor, "records.transfer_out_account", registration.person_subject(person),
                 after={"ref": ref, "rows": marked, "scheme": scheme, "amount": -amount,
                        "interest": interest}, reason=f"关系转移接续 {ref}")
    return marked


# The transfers area builds on records; it tells records how to list a person's transfers
# (``use_transfers``, called by jingban.wiring), so a rights record can state them (R§16).
TransferLines = Callable[[Session, list[int], bool], dict[int, list[dict[str, Any]]]]
_transfers: dict[str, Any] = {"lines": lambda db, person_ids, completed_only: {}, "kinds": {}}


def use_transfers(lines: TransferLines, kind_names: dict[str, str]) -> None:
    _transfers.update(lines=lines, kinds=kind_names)


def transfer_lines(db: Session, person_ids: list[int],
                   completed_only: bool = False) -> dict[int, list[dict[str, Any]]]:
    """The persons' relationship transfers as their rights record states them (R§16)."""
    return defaultdict(list, _transfers["lines"](db, person_ids, completed_only))


def transfer_kind_name(kind: str) -> str:
    return _transfers["kinds"].get(kind, kind)


def contribution_note(c: Contribution, transfers: dict[str, dict[str, Any]]) -> str:
    """已转出 / 转入 of a row, with the transfer number, date and the other place."""
    if c.transfer_out_ref:
        t = transfers.get(c.transfer_out_ref, {})
        return (f"已转出（转移编号{c.transfer_out_ref}，转往{t.get('peer_region', '')}，"
                f"{t.get('completed_on') or '办理中'}）")
    if c.transfer_in_ref:
        t = transfers.get(c.transfer_in_ref, {})
        return f"转入（自{t.get('peer_region', '')}，转移编号{c.transfer_in_ref}）"
    return ""


# --- contribution months (for benefit determinations) ------------------------------------------

def contribution_months(db: Session, person_ids: list[int],
                        schemes: tuple[str, ...]) -> dict[int, int]:
    """Contribution months in ``schemes`` per person: paid months (a month paid twice counts
    once, reversed rows excluded) plus deemed months."""
    if not person_ids:
        return {}
    reversal = aliased(Contribution)
    paid = dict(db.execute(
        select(Contribution.person_id, func.count(func.distinct(Contribution.period)))
        .where(Contribution.person_id.in_(person_ids), Contribution.kind == "posted",
               Contribution.insurance.in_(schemes),
               Contribution.transfer_out_ref.is_(None),  # rev11: moved away, the new place's
               ~exists().where(reversal.reverses_id == Contribution.id))
        .group_by(Contribution.person_id)).all())
    deemed = dict(db.execute(
        select(DeemedService.person_id, func.sum(DeemedService.months))
        .where(DeemedService.person_id.in_(person_ids),
               DeemedService.transfer_out_ref.is_(None),  # rev11
               DeemedService.insurance.in_(schemes))
        .group_by(DeemedService.person_id)).all())
    return {pid: int(paid.get(pid, 0)) + int(deemed.get(pid, 0) or 0) for pid in person_ids}


def paid_months(db: Session, person_id: int, schemes: tuple[str, ...],
                after: int | None = None) -> int:
    """Months actually paid in ``schemes`` (each once, reversed rows excluded), no deemed months;
    only the months after the period ``after`` when given (unemployment: 缴费时间重新计算)."""
    reversal = aliased(Contribution)
    stmt = (select(func.count(func.distinct(Contribution.period)))
            .where(Contribution.person_id == person_id, Contribution.kind == "posted",
                   Contribution.insurance.in_(schemes),
                   Contribution.transfer_out_ref.is_(None),  # rev11: moved away, the new place's
                   ~exists().where(reversal.reverses_id == Contribution.id)))
    if after is not None:
        stmt = stmt.where(Contribution.period > after)
    return int(db.execute(stmt).scalar() or 0)


# --- overpayment recovery (written for jingban.benefits.recovery, R§46) --------------------------

audit.ACT_NAMES["records.recovery_offset"] = "个人账户余额抵扣多领待遇"


def account_balance(db: Session, person_id: int, scheme: str) -> int:
    """A person's account balance in one scheme: the sum of every entry, fen."""
    total = db.execute(select(func.coalesce(func.sum(AccountEntry.amount), 0))
                       .where(AccountEntry.person_id == person_id,
                              AccountEntry.scheme == scheme)).scalar()
    return int(total or 0)


@transactional
def recovery_offset(db: Session, actor: Actor, person: Person, scheme: str, amount: int,
                    ref: str) -> AccountEntry:
    """从个人账户余额中抵扣 (R§46): a ``recovery`` entry of minus the amount; never more than the
    balance. ``ref`` names the debt it repays."""
    if amount <= 0 or amount > account_balance(db, person.id, scheme):
        raise Conflict("records.balance", "个人账户余额不足，不能抵扣该金额", "amount")
    today = clock.today()
    entry = AccountEntry(person_id=person.id, scheme=scheme, year=today.year, kind="recovery",
                         amount=-amount, posted_on=today)
    db.add(entry)
    db.flush()
    audit.record(db, actor, "records.recovery_offset", registration.person_subject(person),
                 after=snapshot(entry), reason=f"抵扣多领待遇 {ref}")
    return entry


# --- the account pension draws the account down (for the payroll, jingban.benefits.payroll) ---

PAYOUT = "payout"  # AccountEntry.kind of a month's account pension paid out (negative)


def draw_down(db: Session, payouts, low: int, high: int) -> int:
    """个人账户养老金支付: ``payouts`` (a subquery of ``person_id``, ``period``, ``part``: the
    account part of each month's enterprise-pension payment of persons low ≤ id < high, built by
    the payroll) is debited from each person's enterprise account as a ``payout`` entry of the
    payment's month, oldest month first and never below zero: once the account is exhausted the
    account pension goes on being paid from the pooled fund (国发〔2005〕38号 第六条;
    国发〔1997〕26号). Set-based (one INSERT … SELECT with a running sum per person), in the
    caller's transaction; once per person and month (NOT EXISTS here, the partial unique index
    uq_account_entry_payout of migration 0013 in the database), so a rerun adds nothing.
    Returns the entries written."""
    scheme = "pension_enterprise"
    held = (select(AccountEntry.person_id, func.sum(AccountEntry.amount).label("balance"))
            .where(AccountEntry.scheme == scheme, AccountEntry.person_id >= low,
                   AccountEntry.person_id < high)
            .group_by(AccountEntry.person_id).subquery())
    done = exists().where(AccountEntry.person_id == payouts.c.person_id,
                          AccountEntry.scheme == scheme, AccountEntry.kind == PAYOUT,
                          AccountEntry.period == payouts.c.period)
    due = (select(payouts.c.person_id, payouts.c.period, payouts.c.part.label("part"),
                  (held.c.balance - func.sum(payouts.c.part).over(
                      partition_by=payouts.c.person_id, order_by=payouts.c.period)
                   + payouts.c.part).label("left"))
           .select_from(payouts)
           .join(held, held.c.person_id == payouts.c.person_id)
           .where(held.c.balance > 0, ~done)
           .subquery())
    amount = case((due.c.part < due.c.left, due.c.part), else_=due.c.left)
    rows = select(due.c.person_id, literal(scheme), due.c.period // 100, literal(PAYOUT), -amount,
                  due.c.period, literal(clock.today())).where(due.c.left > 0)
    upsert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[db.get_bind().dialect.name]
    statement = upsert(AccountEntry).from_select(
        ["person_id", "scheme", "year", "kind", "amount", "period", "posted_on"], rows)\
        .on_conflict_do_nothing().returning(AccountEntry.id)
    return len(db.execute(statement).all())
