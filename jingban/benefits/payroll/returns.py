"""Returned payments (银行退回, SPEC §9, issue 10): the bank's return file for a run lists the
bank lines it could not pay. Each is recorded once (unique bank reference), the fund is
re-credited in the same transaction (ledger source ``return:<run id>:<reference>``) and the
amount waits for the next run, which sends it again exactly once (batch.PICKUPS).

Return file: CSV, UTF-8 or GBK, one line per returned payment ``业务参考号,金额,退回原因`` (an
optional header line first): the reference the bank file carried, the amount in yuan and the
bank's reason. Bad rows are listed with their line, code and field; the good rows are recorded.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.models import Award, Payment, PaymentReturn, PayrollRun
from jingban.benefits.payroll import batch
from jingban.benefits.recovery.models import Debt, Refund
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, JingbanError
from jingban.core.money import format_yuan, parse_yuan
from jingban.funds.ledger import service as ledger
from jingban.records import rules as records_rules

MAX_BYTES = records_rules.MAX_FILE_BYTES
HEADER_CELLS = {"业务参考号", "参考号", "reference"}
# The trailing "<code>-<id>" of a bank reference (layout in batch's docstring).
TAIL = re.compile(r"-(?:(BF|BC)\d{6}-|(TH|TP)-)?(\d{1,18})$")
ITEM_OF_CODE = {None: "payment", "BF": "payment", "BC": "payment", "TH": "refund",
                "TP": "reissue"}
ROW_MESSAGES = {
    "payroll.return_unknown": ("reference", "业务参考号不是本批次银行代发文件中的记录"),
    "payroll.return_amount": ("amount", "退回金额与该笔实发金额不符"),
    "payroll.return_bad_amount": ("amount", "退回金额应为大于零、最多两位小数的元数"),
}
audit.ACT_NAMES.update({"benefits.payroll_returns": "银行退回待遇登记"})


@dataclass(frozen=True)
class Paid:
    """One bank line of a run: what it was, for whom, from which fund, how much."""

    kind: str
    item_id: int
    person_id: int
    award_id: int | None
    fund: str
    amount: int


@dataclass
class ReturnImport:
    period: int
    recorded: int = 0
    repeated: int = 0
    amount: int = 0
    problems: list[dict] = field(default_factory=list)


@transactional
def import_returns(db: Session, actor: Actor, period: int, content: bytes) -> ReturnImport:
    """Record a run's return file: each good row once, its fund re-credited, the payment
    re-opened for the next run; the bad rows listed (line, code, field, message)."""
    require(actor, "benefits.payroll")
    run = batch.get_run(db, actor, period)
    if run.status != "completed":
        raise Conflict("payroll.not_completed", "该月发放尚未完成，不能登记银行退回", "period")
    text, _ = records_rules.decode(content)
    rows = [(n, row) for n, row in enumerate(csv.reader(io.StringIO(text)), 1)
            if any(cell.strip() for cell in row)]
    if rows and rows[0][1][0].strip().lstrip("\ufeff") in HEADER_CELLS:
        rows = rows[1:]
    if not rows:
        raise InvalidInput("payroll.return_empty", "退回文件没有数据行", "file")
    result, seen = ReturnImport(period=period), set()
    for line, row in rows:
        reference, raw, reason = ([cell.strip() for cell in row] + ["", "", ""])[:3]
        problem = _record(db, actor, run, reference, raw, reason, seen)
        if problem == "repeated":
            result.repeated += 1
        elif problem:
            where, message = ROW_MESSAGES[problem]
            result.problems.append({"line": line, "code": problem, "field": where,
                                    "message": message, "reference": reference[:64]})
        else:
            result.recorded += 1
            result.amount += parse_yuan(raw, "amount")
    audit.record(db, actor, "benefits.payroll_returns", f"payroll:{period}",
                 after={"recorded": result.recorded, "repeated": result.repeated,
                        "amount": result.amount, "problems": len(result.problems)})
    return result


def _record(db: Session, actor: Actor, run: PayrollRun, reference: str, raw: str, reason: str,
            seen: set[str]) -> str | None:
    """Record one row; its problem code, "repeated", or None when recorded."""
    try:
        amount = parse_yuan(raw, "amount")
    except JingbanError:
        return "payroll.return_bad_amount"
    if amount <= 0:
        return "payroll.return_bad_amount"
    paid = bank_line(db, run, reference)
    if paid is None:
        return "payroll.return_unknown"
    if amount != paid.amount:
        return "payroll.return_amount"
    if reference in seen or db.execute(select(PaymentReturn.id)
                                       .where(PaymentReturn.reference == reference)).first():
        return "repeated"
    seen.add(reference)
    db.add(PaymentReturn(run_id=run.id, reference=reference, item_kind=paid.kind,
                         item_id=paid.item_id, person_id=paid.person_id, award_id=paid.award_id,
                         fund=paid.fund, amount=amount, reason=reason[:200],
                         returned_on=clock.today(), recorded_by=actor.username))
    db.flush()
    ledger.book_returned(db, actor, paid.fund, amount, f"return:{run.id}:{reference}",
                         f"{run.period} 银行退回待遇 {reference} {format_yuan(amount)} 元"
                         + (f"（{reason[:100]}）" if reason else ""))
    return None


def bank_line(db: Session, run: PayrollRun, reference: str) -> Paid | None:
    """The bank line of ``run`` that carried ``reference``, or None."""
    found = TAIL.search(reference)
    if not reference.startswith(f"JB{run.period}-") or found is None:
        return None
    kind, item_id = ITEM_OF_CODE[found.group(1) or found.group(2)], int(found.group(3))
    paid = _LOOKUP[kind](db, run, item_id)
    return paid if paid and batch.reference(run.period, *_reference_parts(db, paid)) == reference \
        else None


def _reference_parts(db: Session, paid: Paid) -> tuple[str, int | None, int]:
    if paid.kind == "payment":
        payment = db.get(Payment, paid.item_id)
        return payment.kind, payment.period, payment.id
    return ("refund" if paid.kind == "refund" else "reissue"), None, paid.item_id


def _payment(db: Session, run: PayrollRun, item_id: int) -> Paid | None:
    row = db.execute(select(Payment.person_id, Payment.award_id, Award.kind, Payment.net)
                     .join(Award, Award.id == Payment.award_id)
                     .where(Payment.id == item_id, Payment.run_id == run.id, Payment.net > 0)).first()
    return row and Paid("payment", item_id, row[0], row[1], common_rules.fund_of(row[2]), int(row[3]))


def _refund(db: Session, run: PayrollRun, item_id: int) -> Paid | None:
    row = db.execute(select(Refund.person_id, Debt.award_id, Award.kind, Refund.amount)
                     .join(Debt, Debt.id == Refund.debt_id)
                     .outerjoin(Award, Award.id == Debt.award_id)
                     .where(Refund.id == item_id, Refund.run_id == run.id, Refund.amount > 0)).first()
    return row and Paid("refund", item_id, row[0], row[1], common_rules.fund_of(row[2]), int(row[3]))


def _reissue(db: Session, run: PayrollRun, item_id: int) -> Paid | None:
    sent = db.get(PaymentReturn, item_id)
    if sent is None or sent.reissue_run_id != run.id:
        return None
    return Paid("reissue", item_id, sent.person_id, sent.award_id, sent.fund, sent.amount)


_LOOKUP = {"payment": _payment, "refund": _refund, "reissue": _reissue}


def returns_of(db: Session, actor: Actor, period: int) -> list[PaymentReturn]:
    """The returns recorded against a run, in the order they came."""
    run = batch.get_run(db, actor, period)
    return list(db.execute(select(PaymentReturn).where(PaymentReturn.run_id == run.id)
                           .order_by(PaymentReturn.id)).scalars())
