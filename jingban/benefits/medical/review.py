"""Claim review (医疗费用审核, Z-6) of the invoices a person brings for manual reimbursement
(issue 13 point 6): the same pure rules as direct settlement (agreements.claims.rules) on each
invoice as if it were a claim of its institution — out of the price list or the policy scope,
above the agreed price, above the clinical quantity per day, sex- or age-specific items, repeated
charges the same day, split charges over invoices, services after the recorded death. The
price-list rules apply where the invoice names a contracted institution (its USCC); the others to
every invoice. A flagged line is decided by the reviewer (accept, cut, refuse, with a reason,
rules.decision_problem) before final approval; the split takes the accepted amount
(rules.accepted_amount)."""

from __future__ import annotations

import datetime as dt
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements.claims import rules
from jingban.agreements.institutions import service as institutions
from jingban.benefits.medical.models import LineDecision
from jingban.benefits.medical.schemas import InvoiceIn, ManualClaimIn
from jingban.cases.models import Case
from jingban.core.errors import InvalidInput, JingbanError
from jingban.registration.models import Person

Key = tuple[str, int]  # (invoice number, line number on it from 1)


def _institution_id(db: Session, invoice: InvoiceIn) -> int | None:
    if not invoice.institution_uscc:
        return None
    try:
        return institutions.by_uscc(db, invoice.institution_uscc).id
    except JingbanError:
        raise InvalidInput("medical.institution", f"票据{invoice.invoice_no}的定点机构统一社会信用代码"
                           f"{invoice.institution_uscc}未登记为服务机构", "payload.invoices") from None


def _prices(db: Session) -> rules.Prices:
    @cache
    def listed(institution_id: int, day: dt.date) -> dict:
        return institutions.price_list(db, institution_id, day)

    def item(institution_id: int, code: str, day: dt.date) -> rules.Item | None:
        row = listed(institution_id, day).get(code)
        return None if row is None else rules.Item(row.unit_price_fen, row.daily_limit, row.sex_only,
                                                   row.min_age, row.max_age)
    return item


def flags_of(db: Session, person: Person, data: ManualClaimIn) -> dict[Key, list[dict]]:
    """Every rule's flags on the invoices, by line: [{"rule", "name", "cut_fen"}]."""
    keys: dict[int, Key] = {}
    claims: list[tuple[rules.Claim, bool]] = []
    for number, invoice in enumerate(data.invoices, start=1):
        institution_id = _institution_id(db, invoice)
        lines = []
        for line_no, x in enumerate(invoice.lines, start=1):
            keys[len(keys) + 1] = (invoice.invoice_no, line_no)
            lines.append(rules.Line(len(keys), x.code or x.item, invoice.service_on, x.quantity,
                                    round(x.amount_fen / x.quantity), x.amount_fen))
        claims.append((rules.Claim(number, institution_id or -number, person.id, invoice.inpatient,
                                   invoice.service_on, invoice.service_on, tuple(lines)),
                       institution_id is not None))
    who = rules.Person(person.sex, person.birth_date, person.death_date)
    prices = _prices(db)
    found: set[rules.Flag] = set(rules.split_charge([c for c, _ in claims]))
    for claim, listed in claims:
        found.update(rules.repeated(claim) + rules.after_death(claim, who))
        if listed:
            found.update(rules.not_listed(claim, prices) + rules.over_price(claim, prices)
                         + rules.over_quantity(claim, prices) + rules.card_profile(claim, prices, who))
    out: dict[Key, list[dict]] = {}
    for flag in sorted(found, key=lambda f: (f.line_id, f.rule)):
        out.setdefault(keys[flag.line_id], []).append(
            {"rule": flag.rule, "name": rules.RULES[flag.rule], "cut_fen": flag.cut_fen})
    return out


def decisions_of(db: Session, case_id: int | None) -> dict[Key, LineDecision]:
    if case_id is None:
        return {}
    return {(d.invoice_no, d.line_no): d for d in db.execute(
        select(LineDecision).where(LineDecision.case_id == case_id)).scalars()}


def at_final_approval(db: Session, case_id: int | None) -> bool:
    """Whether the act runs on the case's final approval (not its trial at intake)."""
    case = db.get(Case, case_id) if case_id else None
    return case is not None and case.levels_required > 0 and case.levels_done >= case.levels_required


def undecided_problem(flags: dict[Key, list[dict]], decided: dict[Key, LineDecision]) -> str | None:
    left = [f"票据{no}第{line}条（{'、'.join(f['name'].split('（')[0] for f in found)}）"
            for (no, line), found in flags.items() if (no, line) not in decided]
    if not left:
        return None
    return "以下明细有审核疑点，须由审核人逐条认可、核减或拒付并写明理由后再办结：" + "；".join(left)
