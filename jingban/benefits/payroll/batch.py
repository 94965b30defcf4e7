"""Monthly payroll (待遇发放, SPEC §6): one payment per award in force per month, minus
recovery deductions (R§46), then the bank payment file.

Set-based and resumable: awards are taken in ranges of person ids, each range one transaction
(INSERT … SELECT of whoever has no payment for the month yet, then the deductions of the few
payees with debts). A crash loses at most the range it was in; running the month again
continues the same PayrollRun and pays only who is still unpaid (the unique award + period key
makes a second payment impossible). A completed month is never touched again. A new month
must follow the months already run (rules.payroll_period_problem: no month before the first
award, none skipped while awards were due, at most next month).

Each range also draws the month's account pension (and any picked-up back pay's) from the
individual accounts (draw_down_for_run: a ``payout`` entry per person and month, down to
zero, after which the pooled fund pays it). Concurrency (PostgreSQL): a range takes FOR SHARE
locks on the awards it pays and FOR UPDATE locks on the debts it deducts from, so a stop (which
locks the award FOR UPDATE) and a repayment (which locks the debt) are either waited for or wait
for the range, and read its payments once it commits.

Money decided outside the run — back pay after a resumption (补发), re-determination
adjustments (重新核定补差), refunds of wrongly recovered money (退还) — waits with ``run_id``
NULL (待发放) and is picked up by the next run, in the same range transactions: one UPDATE …
SET run_id WHERE run_id IS NULL per table and range. The run id set once is what keeps it out
of every later run; items decided after a month's run (or after their range was done) wait
for the next one. A payment is picked up only by the run of its own month (``period``) or a
later one: a one-off grant decided for next month (the funeral grant, the one-off disability
grant, the maternity allowance) is not sent by this month's run.

Bank payment file (银行代发文件): CSV, UTF-8 without BOM, CRLF line ends, one header line
``账号,户名,金额,发放月份,业务参考号`` and then one line per payment with a net amount above
zero, in payment order: the payee's social security card account, the payee's name, the net
amount in yuan with two decimals, the run's period YYYYMM and the reference the bank echoes in
its return file: ``JB<period>-<payment id>`` for the month's payments, then for what was picked
up ``JB<period>-BF<month>-<payment id>`` (back pay for that month), ``JB<period>-BC<month>-
<payment id>`` (adjustment) and, after the payments, ``JB<period>-TH-<refund id>`` (refund) and
``JB<period>-TP-<return id>`` (a payment the bank returned, sent again: returns.py).
The file is rebuilt from the payments whenever it is downloaded and must hash to the SHA-256
recorded on the run.

Funds (SPEC §9, issue 10): finishing a run books one summarised entry per insurance fund to the
ledger in the same transaction (``book_run``: the gross paid and the recovery deductions taken,
source ``payroll:<run id>:<fund>``); the bank file is released only once the cashier has
confirmed every one of them (Z-10(2)).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable, Iterator
from decimal import Decimal

from sqlalchemy import Date, Integer, String, case, exists, func, insert, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, Payment, PaymentReturn, PayrollRun
from jingban.benefits.payroll import rules
from jingban.benefits.recovery import rules as recovery_rules
from jingban.benefits.recovery.models import Debt, DebtEntry, Refund
from jingban.core import agency, audit, clock, crash, locks
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import analyze, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.money import format_yuan
from jingban.funds.ledger import service as ledger
from jingban.funds.ledger.models import JournalEntry
from jingban.records import service as records
from jingban.registration.models import Person

CHUNK = 50_000  # person ids per transaction
BANK_HEADER = ["账号", "户名", "金额", "发放月份", "业务参考号"]
# Bank reference codes of what a run picks up (a regular payment has none).
REFERENCE_CODES = {"back_pay": "BF", "adjustment": "BC", "refund": "TH", "reissue": "TP"}
ITEM_KINDS = {"regular": "按月发放", "back_pay": "补发", "adjustment": "重新核定补差",
              "refund": "退还已追回款", "reissue": "退回重发"}
# What a run picks up, by table and the column that names the run that sent it.
PICKUPS = ((Payment, "run_id"), (Refund, "run_id"), (PaymentReturn, "reissue_run_id"))
audit.ACT_NAMES.update({"benefits.payroll_start": "待遇发放批次开始",
                        "benefits.payroll_chunk": "待遇发放（分段）",
                        "benefits.payroll_complete": "待遇发放批次完成"})

Progress = Callable[[int, int], None]

# What other benefit kinds do with a range just paid, in its transaction (db, actor, run, low,
# high) → rows written, and with a run just completed, in its transaction (db, actor, run):
# the unemployment fund's medical premiums (registered by jingban.wiring).
RangeListener = Callable[[Session, Actor, PayrollRun, int, int], int]
FinishListener = Callable[[Session, Actor, PayrollRun], None]
_PAID: list[RangeListener] = []
_FINISHED: list[FinishListener] = []


def on_range_paid(listener: RangeListener) -> None:
    """Call ``listener`` after each person range is paid (idempotent)."""
    if listener not in _PAID:
        _PAID.append(listener)


def on_run_finished(listener: FinishListener) -> None:
    """Call ``listener`` when a run completes, after its own booking (idempotent)."""
    if listener not in _FINISHED:
        _FINISHED.append(listener)


def check_period(period: int) -> int:
    """A real month, and not later than next month (a payroll is run ahead at most one month)."""
    today = clock.today()
    if not common_rules.valid_period(period):
        raise InvalidInput("payroll.period", "发放月份格式应为 YYYYMM", "period")
    if period > common_rules.next_period(common_rules.period_of(today.year, today.month)):
        raise InvalidInput("payroll.period_future", "不能提前发放下月以后的待遇", "period")
    return period


def _check_new_run(db: Session, period: int) -> None:
    """A new month's run: not before any award is due, and no month skipped (the policy in
    rules.payroll_period_problem)."""
    today = clock.today()
    earliest = db.execute(select(func.min(Award.start_period))).scalar()
    latest = db.execute(select(PayrollRun.period, PayrollRun.status)
                        .order_by(PayrollRun.period.desc()).limit(1)).first()
    skipped = _skipped_due(db, common_rules.next_period(latest[0]), period) if latest else None
    problem = rules.payroll_period_problem(period, common_rules.period_of(today.year, today.month),
                                           earliest, tuple(latest) if latest else None, skipped)
    if problem:
        raise InvalidInput("payroll.period_order", problem, "period")


def _in_force(period: int):
    return (Award.status == "active", Award.start_period <= period,
            or_(Award.last_period.is_(None), Award.last_period >= period))


def _skipped_due(db: Session, first: int, period: int) -> int | None:
    """The first month from ``first`` up to (not including) ``period`` in which some award not
    suspended was due, or None: a month a run would have paid someone."""
    month = first
    while month < period:
        due = db.execute(select(Award.id).where(
            Award.status != "suspended", Award.start_period <= month,
            or_(Award.last_period.is_(None), Award.last_period >= month)).limit(1)).first()
        if due:
            return month
        month = common_rules.next_period(month)
    return None


@transactional
def start_run(db: Session, actor: Actor, period: int) -> PayrollRun:
    """The month's run: a new one, or the one a crash left running, or the completed one."""
    require(actor, "benefits.payroll")
    check_period(period)
    locks.serialize(db, f"payroll:{period}")  # secops: a second start waits and finds this run
    run = db.execute(select(PayrollRun).where(PayrollRun.period == period)).scalar()
    if run is None:
        _check_new_run(db, period)
        run = PayrollRun(period=period, status="running", started_by=actor.username)
        db.add(run)
        db.flush()
        audit.record(db, actor, "benefits.payroll_start", f"payroll:{period}",
                     after={"period": period})
    return run


def _ranges(db: Session, period: int, chunk: int) -> list[tuple[int, int]]:
    """Person id ranges covering every award in force and every pending item."""
    bounds = [db.execute(select(func.min(column), func.max(column)).where(*where)).one()
              for column, where in ((Award.person_id, _in_force(period)),
                                    *((table.person_id, _waiting(table, column, period))
                                      for table, column in PICKUPS))]
    found = [b for b in bounds if b[0] is not None]
    if not found:
        return []
    low, high = min(b[0] for b in found), max(b[1] for b in found)
    return [(start, min(start + chunk, high + 1)) for start in range(low, high + 1, chunk)]


@transactional
def pay_range(db: Session, actor: Actor, run_id: int, low: int, high: int) -> int:
    """Pay every award in force of persons low ≤ id < high not yet paid this month, and take
    the recovery deductions from those payments; one transaction."""
    require(actor, "benefits.payroll")
    locks.serialize(db, f"payroll-run:{run_id}")  # secops: first statement (SQLite: write lock)
    run = db.execute(select(PayrollRun).where(PayrollRun.id == run_id).with_for_update()).scalar()
    if run is None or run.status != "running":
        raise Conflict("payroll.not_running", "该发放批次已完成或不存在", "period")
    today, period = clock.today(), run.period
    # FOR SHARE on the awards paid (PostgreSQL; SQLite writes one at a time): a stop that
    # locked an award first is waited for, and the award, stopped, is then not paid; a stop
    # coming after waits for this chunk to commit, and then sees its payment as overpaid.
    rows = select(literal(run.id, Integer), Award.id, Award.person_id, literal(period, Integer),
                  literal("regular", String), Award.monthly_amount, literal(0, Integer),
                  Award.monthly_amount, Award.bank_account, literal(today, Date))\
        .where(*_in_force(period), Award.person_id >= low, Award.person_id < high)\
        .with_for_update(read=True, of=Award)
    columns = ["run_id", "award_id", "person_id", "period", "kind", "gross", "deduction", "net",
               "bank_account", "paid_on"]
    # Whoever is paid already is skipped by the unique award + period key itself. (A NOT
    # EXISTS anti-join would be planned against the table's size before the run and, with
    # the table empty, rescan the rows this very statement is adding: quadratic.)
    upsert = {"postgresql": pg_insert, "sqlite": sqlite_insert}[db.get_bind().dialect.name]
    statement = upsert(Payment).from_select(columns, rows)\
        .on_conflict_do_nothing(index_elements=["award_id", "period"])
    # The driver's row count (psycopg and sqlite3 both report the rows an INSERT … SELECT
    # inserted, conflicts skipped; SQLAlchemy keeps it for an INSERT only when asked), not the
    # ids sent back and built into rows one by one.
    count = db.execute(statement.execution_options(preserve_rowcount=True)).rowcount
    picked = _pick_up(db, run.id, period, low, high, today)
    deducted = _deduct(db, actor, run.id, low, high, today)
    drawn = draw_down_for_run(db, run.id, low, high)
    crash.point("benefits.payroll")  # secops: kill -9 drill, a range paid, not committed
    others = sum(listener(db, actor, run, low, high) for listener in _PAID)
    audit.record(db, actor, "benefits.payroll_chunk", f"payroll:{period}",
                 after={"persons": [low, high - 1], "payments": count, "picked_up": picked,
                        "deductions": deducted, "account_payouts": drawn, "others": others})
    return count


def draw_down_for_run(db: Session, run_id: int, low: int, high: int) -> int:
    """The account part of each enterprise-pension payment of run ``run_id`` to persons
    low ≤ id < high — the month's regular payment and any back pay (补发) it picked up — drawn
    from the individual accounts by records (``records.draw_down``). Returns the entries written."""
    payouts = (select(Payment.person_id, Payment.period, Award.account_amount.label("part"))
               .join(Award, Award.id == Payment.award_id)
               .where(Payment.run_id == run_id, Payment.person_id >= low, Payment.person_id < high,
                      Payment.kind.in_(["regular", "back_pay"]), Award.kind == "pension_enterprise",
                      Award.account_amount > 0)
               .subquery())
    return records.draw_down(db, payouts, low, high)


def _waiting(table, column: str, period: int) -> tuple:
    """What of ``table`` the run of ``period`` picks up: not sent by a run yet and, for a
    payment, due in ``period`` or before (a one-off payment decided for next month waits for
    next month's run, or a later one if that run has passed)."""
    if table is Payment:
        return getattr(table, column).is_(None), Payment.period <= period
    return (getattr(table, column).is_(None),)


def _pick_up(db: Session, run_id: int, period: int, low: int, high: int,
             today: dt.date) -> dict[str, int]:
    """Back pay, adjustments, one-off payments, refunds and returned payments of persons
    low ≤ id < high still pending (their run NULL) and due by ``period`` join this run;
    set-based, and a rerun of the range finds nothing left."""
    found = {}
    for table, column in PICKUPS:
        statement = update(table).where(*_waiting(table, column, period), table.person_id >= low,
                                        table.person_id < high)\
            .values({column: run_id, "paid_on": today}).returning(table.id)
        found[table.__tablename__] = len(db.execute(
            statement, execution_options={"synchronize_session": False}).all())
    return {"payments": found[Payment.__tablename__], "refunds": found[Refund.__tablename__],
            "reissues": found[PaymentReturn.__tablename__]}


def _deduct(db: Session, actor: Actor, run_id: int, low: int, high: int, today: dt.date) -> int:
    """Recovery from this month's payments of payees with open debts (R§46): per payment,
    min(the debt's balance, cap × gross), oldest debt of the payment's own fund first; a debt
    paid off is settled."""
    ratio = Decimal(agency.param(db, "benefits.recovery.deduction_cap_ratio", today))
    # The debts first, locked (as record_repayment locks its debt), then their balances read in
    # a later statement: a repayment committed meanwhile is counted, never deducted over.
    locked = db.execute(select(Debt.id).where(
        Debt.person_id >= low, Debt.person_id < high, Debt.status.in_(recovery_rules.DEBTS_RECOVERING))
        .order_by(Debt.id).with_for_update()).scalars().all()
    if not locked:
        return 0
    balance = (select(func.coalesce(func.sum(DebtEntry.amount), 0))
               .where(DebtEntry.debt_id == Debt.id).scalar_subquery())
    paid_by, owed_to = aliased(Award), aliased(Award)
    # A debt is recovered only from the benefits its own fund pays (分险种核算): matched by
    # person and fund (the fund of the payment's award and of the debt's; a debt without an
    # award is common_rules.DEBT_FUND_WITHOUT_AWARD's).
    paid_fund = case(common_rules.FUND_OF_KIND, value=paid_by.kind)
    owed_fund = func.coalesce(case(common_rules.FUND_OF_KIND, value=owed_to.kind),
                              literal(common_rules.DEBT_FUND_WITHOUT_AWARD, String))
    found = db.execute(
        select(Payment.id, Payment.gross, Debt.id, balance)
        .join(Debt, Debt.person_id == Payment.person_id)
        .join(paid_by, paid_by.id == Payment.award_id)
        .outerjoin(owed_to, owed_to.id == Debt.award_id)
        .where(Payment.run_id == run_id, Payment.person_id >= low, Payment.person_id < high,
               Payment.kind == "regular", Payment.deduction == 0,
               Debt.status.in_(recovery_rules.DEBTS_RECOVERING),
               ~exists().where(DebtEntry.payment_id == Payment.id), paid_fund == owed_fund)
        .order_by(Payment.id, Debt.id)).all()
    left: dict[int, int] = {}
    taken: dict[int, tuple[int, int, int]] = {}  # payment -> (debt, amount, gross)
    for payment_id, gross, debt_id, owed in found:
        left.setdefault(debt_id, int(owed))
        if payment_id in taken or left[debt_id] <= 0:
            continue
        amount = recovery_rules.deduction(left[debt_id], gross, ratio)
        if amount:
            taken[payment_id] = (debt_id, amount, gross)
            left[debt_id] -= amount
    if not taken:
        return 0
    db.execute(update(Payment), [{"id": p, "deduction": a, "net": g - a}
                                 for p, (_, a, g) in taken.items()])
    db.execute(insert(DebtEntry), [
        {"debt_id": d, "kind": "deduction", "amount": -a, "payment_id": p, "entry_on": today,
         "reference": f"payment:{p}", "recorded_by": actor.username}
        for p, (d, a, _) in taken.items()])
    settled = sorted({d for d, _, _ in taken.values() if left[d] <= 0})
    if settled:
        db.execute(update(Debt).where(Debt.id.in_(settled)).values(status="settled"))
    return sum(a for _, a, _ in taken.values())


def reference(run_period: int, kind: str, period: int | None, item_id: int) -> str:
    """业务参考号 of one bank line (layout in the module docstring)."""
    if kind == "regular":
        return f"JB{run_period}-{item_id}"
    return f"JB{run_period}-{REFERENCE_CODES[kind]}{period or ''}-{item_id}"


def _bank_items(run_id: int):
    """(id, account, payee, net, kind, month) of the run's lines: payments, refunds, then
    returned payments sent again."""
    payments = (select(Payment.id, Payment.bank_account, Award.payee_name, Payment.net,
                       Payment.kind, Payment.period)
                .join(Award, Award.id == Payment.award_id)
                .where(Payment.run_id == run_id, Payment.net > 0).order_by(Payment.id))
    refunds = (select(Refund.id, Refund.bank_account, func.coalesce(Award.payee_name, ""),
                      Refund.amount, literal("refund", String), literal(None, Integer))
               .join(Debt, Debt.id == Refund.debt_id).outerjoin(Award, Award.id == Debt.award_id)
               .where(Refund.run_id == run_id, Refund.amount > 0).order_by(Refund.id))
    reissues = (select(PaymentReturn.id, func.coalesce(Award.bank_account, ""),
                       func.coalesce(Award.payee_name, ""), PaymentReturn.amount,
                       literal("reissue", String), literal(None, Integer))
                .outerjoin(Award, Award.id == PaymentReturn.award_id)
                .where(PaymentReturn.reissue_run_id == run_id).order_by(PaymentReturn.id))
    return payments, refunds, reissues


def bank_lines(db: Session, run: PayrollRun, batch: int = 10_000) -> Iterator[bytes]:
    """The bank payment file, line by line (layout in the module docstring)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(BANK_HEADER)
    for statement in _bank_items(run.id):
        rows = db.connection().execute(
            statement.execution_options(stream_results=True, max_row_buffer=batch))
        for chunk in rows.partitions(batch):
            writer.writerows((account, name, f"{net // 100}.{net % 100:02d}", run.period,
                              reference(run.period, kind, period, item_id))
                             for item_id, account, name, net, kind, period in chunk)
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def bank_file_name(period: int) -> str:
    return f"payroll-{period}.csv"


@transactional
def finish_run(db: Session, actor: Actor, run_id: int) -> PayrollRun:
    """Totals from the payments, the bank file's hash, and the run closed."""
    require(actor, "benefits.payroll")
    locks.serialize(db, f"payroll-run:{run_id}")  # secops
    run = db.execute(select(PayrollRun).where(PayrollRun.id == run_id).with_for_update()).scalar()
    if run.status == "completed":
        return run
    analyze(db, [Payment.__tablename__])  # the month's payments were all written just now
    lines = breakdown(db, run)
    count, gross, deductions, net = (sum(line[key] for line in lines)
                                     for key in ("count", "gross", "deduction", "net"))
    digest = hashlib.sha256()
    for part in bank_lines(db, run):
        digest.update(part)
    run.payments, run.gross, run.deductions, run.net = int(count), int(gross), int(deductions), \
        int(net)
    run.bank_file, run.bank_file_sha256 = bank_file_name(run.period), digest.hexdigest()
    run.status, run.finished_at = "completed", clock.now()
    book_run(db, actor, run)
    for listener in _FINISHED:
        listener(db, actor, run)
    audit.record(db, actor, "benefits.payroll_complete", f"payroll:{run.period}",
                 after={"payments": run.payments, "gross": run.gross,
                        "deductions": run.deductions, "net": run.net,
                        "bank_file_sha256": run.bank_file_sha256})
    return run


def run_payroll(db: Session, actor: Actor, period: int, *, chunk: int = CHUNK,
                progress: Progress | None = None) -> PayrollRun:
    """Pay a month: start (or continue) its run, every person range, then close it.
    Idempotent: a completed month is returned as it is."""
    run = start_run(db, actor, period)
    if run.status == "completed":
        return run
    ranges = _ranges(db, period, chunk)
    db.commit()  # secops: end the read, so each range's transaction starts with its lock
    for done, (low, high) in enumerate(ranges, 1):
        try:
            pay_range(db, actor, run.id, low, high)
        except Conflict as exc:  # secops: a second runner of the month finished it meanwhile
            if exc.code != "payroll.not_running":
                raise
            return db.get(PayrollRun, run.id, populate_existing=True)
        if progress:
            progress(done, len(ranges))
    return finish_run(db, actor, run.id)


# --- reads ---------------------------------------------------------------------------------------

def get_run(db: Session, actor: Actor, period: int) -> PayrollRun:
    require(actor, "benefits.payroll_read")
    run = db.execute(select(PayrollRun).where(PayrollRun.period == period)).scalar()
    if run is None:
        raise NotFound("payroll.not_found", f"{period} 尚未发放", "period")
    return run


def list_runs(db: Session, actor: Actor, limit: int = 36) -> list[PayrollRun]:
    require(actor, "benefits.payroll_read")
    return list(db.execute(select(PayrollRun).order_by(PayrollRun.period.desc()).limit(limit))
                .scalars())


def bank_rows(db: Session, run: PayrollRun) -> int:
    payments = db.execute(select(func.count()).where(Payment.run_id == run.id, Payment.net > 0))
    refunds = db.execute(select(func.count()).where(Refund.run_id == run.id, Refund.amount > 0))
    reissues = db.execute(select(func.count()).where(PaymentReturn.reissue_run_id == run.id))
    return int(payments.scalar()) + int(refunds.scalar()) + int(reissues.scalar())


def breakdown(db: Session, run: PayrollRun) -> list[dict]:
    """The run's totals per kind: the month's payments and what it picked up (fen)."""
    rows = db.execute(
        select(Payment.kind, func.count(), func.coalesce(func.sum(Payment.gross), 0),
               func.coalesce(func.sum(Payment.deduction), 0), func.coalesce(func.sum(Payment.net), 0))
        .where(Payment.run_id == run.id).group_by(Payment.kind)).all()
    refunds, amount = db.execute(select(func.count(), func.coalesce(func.sum(Refund.amount), 0))
                                 .where(Refund.run_id == run.id)).one()
    if refunds:
        rows.append(("refund", refunds, amount, 0, amount))
    reissues, amount = db.execute(select(func.count(), func.coalesce(func.sum(PaymentReturn.amount), 0))
                                  .where(PaymentReturn.reissue_run_id == run.id)).one()
    if reissues:
        rows.append(("reissue", reissues, amount, 0, amount))
    order = list(ITEM_KINDS)
    return sorted(({"kind": kind, "name": ITEM_KINDS.get(kind, kind), "count": int(count),
                    "gross": int(gross), "deduction": int(deduction), "net": int(net)}
                   for kind, count, gross, deduction, net in rows),
                  key=lambda line: order.index(line["kind"]) if line["kind"] in order else 99)


def pending(db: Session, actor: Actor, limit: int = 200) -> dict:
    """待发放: back pay, adjustments and refunds decided since the last run, which the next run
    sends; the totals per kind, and the first ``limit`` items of each table, oldest first."""
    require(actor, "benefits.payroll_read")
    payments = (select(Payment.kind, Person.name, Person.ssn, Payment.period, Payment.net,
                       Payment.paid_on.label("decided_on"), Payment.id)
                .join(Person, Person.id == Payment.person_id).where(Payment.run_id.is_(None))
                .order_by(Payment.id).limit(limit))
    refunds = (select(literal("refund", String).label("kind"), Person.name, Person.ssn,
                      literal(None, Integer).label("period"), Refund.amount.label("net"),
                      Refund.paid_on.label("decided_on"), Refund.id)
               .join(Person, Person.id == Refund.person_id).where(Refund.run_id.is_(None))
               .order_by(Refund.id).limit(limit))
    reissues = (select(literal("reissue", String).label("kind"), Person.name, Person.ssn,
                       literal(None, Integer).label("period"), PaymentReturn.amount.label("net"),
                       PaymentReturn.returned_on.label("decided_on"), PaymentReturn.id)
                .join(Person, Person.id == PaymentReturn.person_id)
                .where(PaymentReturn.reissue_run_id.is_(None)).order_by(PaymentReturn.id).limit(limit))
    counted = [*db.execute(select(Payment.kind, func.count(), func.sum(Payment.net))
                           .where(Payment.run_id.is_(None)).group_by(Payment.kind)),
               *db.execute(select(literal("refund", String), func.count(), func.sum(Refund.amount))
                           .where(Refund.run_id.is_(None))),
               *db.execute(select(literal("reissue", String), func.count(),
                                  func.sum(PaymentReturn.amount))
                           .where(PaymentReturn.reissue_run_id.is_(None)))]
    totals = {kind: {"name": ITEM_KINDS.get(kind, kind), "count": int(count), "net": int(net)}
              for kind, count, net in counted if count}
    items = sorted([*db.execute(payments), *db.execute(refunds), *db.execute(reissues)],
                   key=lambda row: row.decided_on)
    return {"totals": totals, "count": sum(t["count"] for t in totals.values()),
            "net": sum(t["net"] for t in totals.values()), "items": items}


def bank_file(db: Session, actor: Actor, period: int) -> Iterator[bytes]:
    """The completed run's bank file, checked against the hash recorded when it was made."""
    run = get_run(db, actor, period)
    if run.status != "completed":
        raise Conflict("payroll.not_completed", "该月发放尚未完成，请先续跑完成后再下载发放文件", "period")
    if waiting_vouchers(db, run):
        raise Conflict("payroll.not_confirmed",
                       "出纳尚未确认本期待遇发放凭证，银行发放文件暂不能生成", "period")
    parts = list(bank_lines(db, run))
    if hashlib.sha256(b"".join(parts)).hexdigest() != run.bank_file_sha256:
        raise Conflict("payroll.file_mismatch", "发放记录与批次登记的文件摘要不符，请联系稽核核查", "period")
    return iter(parts)


# --- the funds ledger (SPEC §9, issue 10) ---------------------------------------------------------

def fund_totals(db: Session, run: PayrollRun) -> dict[str, tuple[int, int, int]]:
    """Fund → (items, gross, deductions) of what the run paid: its payments by the fund of
    their award's kind, the refunds by their debt's, and the returned payments it sent again."""
    payments = (select(Award.kind, func.count(), func.coalesce(func.sum(Payment.gross), 0),
                       func.coalesce(func.sum(Payment.deduction), 0))
                .join(Award, Award.id == Payment.award_id)
                .where(Payment.run_id == run.id).group_by(Award.kind))
    refunds = (select(Award.kind, func.count(), func.coalesce(func.sum(Refund.amount), 0),
                      literal(0, Integer))
               .join(Debt, Debt.id == Refund.debt_id).outerjoin(Award, Award.id == Debt.award_id)
               .where(Refund.run_id == run.id).group_by(Award.kind))
    found: dict[str, tuple[int, int, int]] = {}
    rows = [(common_rules.fund_of(kind), *sums) for kind, *sums in
            [*db.execute(payments), *db.execute(refunds)]]
    rows += list(db.execute(
        select(PaymentReturn.fund, func.count(), func.coalesce(func.sum(PaymentReturn.amount), 0),
               literal(0, Integer))
        .where(PaymentReturn.reissue_run_id == run.id).group_by(PaymentReturn.fund)))
    for fund, count, gross, deduction in rows:
        was = found.get(fund, (0, 0, 0))
        found[fund] = (was[0] + int(count), was[1] + int(gross), was[2] + int(deduction))
    return found


def book_run(db: Session, actor: Actor, run: PayrollRun) -> list[JournalEntry]:
    """One summarised entry per fund of a completed run (idempotent on its source)."""
    booked = []
    for fund, (count, gross, deduction) in sorted(fund_totals(db, run).items()):
        memo = (f"{run.period // 100}年{run.period % 100:02d}月待遇发放 {count} 笔，"
                f"应发 {format_yuan(gross)} 元，抵扣追回款 {format_yuan(deduction)} 元")
        entry = ledger.book_payroll(db, actor, fund, gross, deduction, f"payroll:{run.id}:{fund}",
                                    memo)
        if entry is not None:
            booked.append(entry)
    return booked


def book_all_payroll(db: Session, actor: Actor) -> int:
    """Back-fill: the entries of runs completed before the ledger existed; a rerun books none."""
    before = _payroll_entries(db)
    for run in db.execute(select(PayrollRun).where(PayrollRun.status == "completed")
                          .order_by(PayrollRun.id)).scalars():
        _book_completed(db, actor, run)
    return _payroll_entries(db) - before


@transactional
def _book_completed(db: Session, actor: Actor, run: PayrollRun) -> None:
    book_run(db, actor, run)


def _payroll_entries(db: Session) -> int:
    return int(db.execute(select(func.count()).where(JournalEntry.source.startswith("payroll:")))
               .scalar())


def waiting_vouchers(db: Session, run: PayrollRun) -> list[JournalEntry]:
    """The run's vouchers the cashier has not confirmed yet (the bank file waits for them)."""
    return ledger.unconfirmed(db, f"payroll:{run.id}:")
