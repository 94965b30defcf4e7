"""Medical benefits (基本医疗保险待遇, R§20; 《社会保险法》第二十三条至第三十条).

Manual reimbursement (手工报销, BEN-MEDICAL-MANUAL, 30 working days): the invoices a person
paid himself are entered line by line; each invoice is one bill, split by the shared policy
split (agreements.claims.split, policy medical.split.*) in service-date order against what the
fund has paid the person this year — direct settlements of the institutions (their settled
claims) and earlier manual claims — so one deductible per admission and one annual cap span
both. An outpatient bill is covered only for a chronic or special disease recognised for the
person on its date (门诊慢特病, BEN-MEDICAL-CHRONIC, 10 wd; ended by BEN-MEDICAL-CHRONIC-END from a
date), with its own yearly deductible and share; other outpatient care by the region's general
outpatient pooling (门诊统筹, policy medical.outpatient.pooling: yearly deductible, share and limit),
or wholly the person's where the region has none. The fund's part is a one-off award paid by
the next payroll, which books it to the fund's ledger; the decision is a PDF.

Maternity medical costs (生育医疗费用) are manual claims of purpose ``maternity``: the maternity
fund's split (no deductible, all of the policy part), for a woman insured for maternity on the
service date with a pregnancy record.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.agreements.claims import rules as review_rules
from jingban.agreements.claims import settlement, split
from jingban.benefits.common import rules as common_rules
from jingban.benefits.common.decision import remedies
from jingban.benefits.common.models import Award, Payment
from jingban.benefits.maternity.models import PregnancyRecord
from jingban.benefits.medical import coverage, review, rules
from jingban.benefits.medical.models import ChronicRecognition, LineDecision, ManualClaim, ManualLine
from jingban.benefits.medical.schemas import ChronicEndIn, ChronicIn, InvoiceIn, LineDecisionIn, ManualClaimIn
from jingban.cases.models import Case
from jingban.cases.service import payload_of
from jingban.core import agency, audit, clock, pdf
from jingban.core.actor import Actor
from jingban.core.auth import can, require
from jingban.core.db import snapshot, transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.excel import workbook
from jingban.core.money import format_yuan
from jingban.core.privacy import mask_id  # sec15
from jingban.notices.service import notify
from jingban.registration.models import Enrollment, Person
from jingban.registration.service import find_person, person_subject

ITEM = "BEN-MEDICAL-MANUAL"
CHRONIC_ITEM = "BEN-MEDICAL-CHRONIC"
CHRONIC_END_ITEM = "BEN-MEDICAL-CHRONIC-END"
END_KINDS = {"revoke": ("revoked", "撤销"), "terminate": ("ended", "终止")}
CHRONIC_STATUS = {"active": "有效", "revoked": "已撤销", "ended": "已终止"}
BASIS = "《社会保险经办条例》第二十条；《社会保险法》第二十八条；国家医疗保障局令第1号 第三十一条"
CHRONIC_BASIS = ("《社会保险经办条例》第二十条；《国务院办公厅关于建立健全职工基本医疗保险门诊共济保障机制的"
                 "指导意见》（国办发〔2021〕14号）第二条")
FUND_NAMES = {"medical_employee": "职工基本医疗保险基金", "medical_resident": "城乡居民基本医疗保险基金",
              "maternity": "生育保险基金"}
audit.ACT_NAMES.update({"benefits.reimburse_medical": "医疗费用手工报销",
                        "benefits.recognise_chronic": "门诊慢特病认定",
                        "benefits.end_chronic": "撤销或终止门诊慢特病认定",
                        "benefits.decide_medical_line": "手工报销疑点明细审核"})


def _yuan(fen: int) -> str:
    return f"{format_yuan(fen)}元"


def _require_case(actor: Actor) -> None:
    require(actor, "cases.act" if actor.channel == "case" else "cases.intake")


# --- what the fund has paid this year ----------------------------------------------------------

def year_paid(db: Session, fund: str, person_ids: set[int], year: int) -> dict[int, int]:
    """Manual reimbursements of ``fund`` this year per person (what direct settlement counts
    besides its own claims against the cap; registered with claims by jingban.wiring)."""
    if not person_ids:
        return {}
    rows = db.execute(select(ManualClaim.person_id, func.sum(ManualClaim.fund_fen)).where(
        ManualClaim.person_id.in_(person_ids), ManualClaim.fund == fund, ManualClaim.year == year)
        .group_by(ManualClaim.person_id)).all()
    return {pid: int(total or 0) for pid, total in rows}


direct_paid = settlement.direct_paid  # the fund's part of the claims settled directly this year


def fund_paid_ytd(db: Session, fund: str, person_id: int, year: int) -> int:
    """直接结算 + 手工报销: all the fund has paid the person this calendar year."""
    return direct_paid(db, fund, person_id, year) + year_paid(db, fund, {person_id}, year).get(person_id, 0)


recognised = coverage.recognised  # the chronic and special diseases in force on a day


# --- the assessment of a claim -------------------------------------------------------------------

@dataclass
class Bill:
    invoice: InvoiceIn
    coverage: str
    ytd_before: int
    result: split.Split

    def as_dict(self) -> dict:
        return {"invoice_no": self.invoice.invoice_no, "hospital": self.invoice.hospital,
                "service_on": self.invoice.service_on.isoformat(), "inpatient": self.invoice.inpatient,
                "diagnosis": self.invoice.diagnosis, "coverage": self.coverage,
                "coverage_name": rules.COVERAGE[self.coverage], "ytd_before_fen": self.ytd_before,
                "split": self.result.as_dict()}


@dataclass
class Assessment:
    person: Person
    fund: str
    year: int
    ytd_before: int
    bills: list[Bill] = field(default_factory=list)
    chronic_deductible: int = 0
    cap: int = 0
    flags: dict[review.Key, list[dict]] = field(default_factory=dict)  # Z-6, by (invoice, line)
    decided: dict[review.Key, LineDecision] = field(default_factory=dict)

    def accepted(self, invoice: InvoiceIn) -> list[tuple[int, str, int | None]]:
        """(amount after the reviewer's decision, category, share) of the invoice's lines."""
        out = []
        for line_no, x in enumerate(invoice.lines, start=1):
            found = self.decided.get((invoice.invoice_no, line_no))
            amount = (review_rules.accepted_amount(found.decision, found.cut_fen, x.amount_fen)
                      if found else x.amount_fen)
            out.append((amount, x.category, x.self_pay_bp))
        return out

    @property
    def total(self) -> int:
        return sum(b.result.total_fen for b in self.bills)

    @property
    def fund_fen(self) -> int:
        return sum(b.result.fund_fen for b in self.bills)

    @property
    def cap_left(self) -> int:
        return max(0, self.cap - self.ytd_before - self.fund_fen)


def _fund(db: Session, person: Person, purpose: str, day: dt.date) -> str:
    """The fund that pays: the person's basic medical insurance in force on the service date,
    or maternity for maternity costs (with a pregnancy record)."""
    wanted = (rules.MATERNITY,) if purpose == "maternity" else rules.INSURANCES
    found = db.execute(select(Enrollment.insurance).where(
        Enrollment.person_id == person.id, Enrollment.insurance.in_(wanted),
        Enrollment.start_date <= day,
        (Enrollment.end_date.is_(None)) | (Enrollment.end_date >= day))
        .order_by(Enrollment.insurance)).scalars().first()
    if found is None:
        name = "生育保险" if purpose == "maternity" else "基本医疗保险"
        raise InvalidInput("medical.not_insured", f"就诊日期{day}未参加{name}，不能报销", "payload.invoices")
    if purpose == "maternity" and db.execute(select(PregnancyRecord.id).where(
            PregnancyRecord.person_id == person.id)).first() is None:
        raise InvalidInput("medical.no_pregnancy", "没有生育登记，不能报销生育医疗费用", "payload.purpose")
    return found


def _check_invoices(db: Session, person: Person, data: ManualClaimIn) -> None:
    today = clock.today()
    window = agency.param(db, "medical.manual.claim_window_months", today)
    max_line = agency.param(db, "medical.manual.max_line_fen", today)
    problems = []
    numbers = [(x.hospital, x.invoice_no) for x in data.invoices]
    if len(set(numbers)) != len(numbers):
        problems.append("同一张票据录入了两次")
    if len({x.service_on.year for x in data.invoices}) > 1:
        problems.append("一次报销的票据应属同一年度（年度封顶线按自然年计算）")
    for invoice in data.invoices:
        for line in invoice.lines:
            problems += [f"票据{invoice.invoice_no}“{line.item}”：{p}" for p in rules.invoice_problems(
                invoice.service_on, today, window, line.amount_fen, max_line)]
    taken = db.execute(select(ManualLine.invoice_no).join(
        ManualClaim, ManualClaim.id == ManualLine.claim_id).where(
        ManualClaim.person_id == person.id,
        ManualLine.invoice_no.in_([x.invoice_no for x in data.invoices]))).scalars().first()
    if taken is not None:
        problems.append(f"票据{taken}已报销过，不能重复报销")
    if problems:
        raise InvalidInput("medical.invoices", "票据不能受理：" + "；".join(dict.fromkeys(problems)),
                           "payload.invoices")


def assess(db: Session, person: Person, data: ManualClaimIn,
           decided: dict[review.Key, LineDecision] | None = None) -> Assessment:
    """The claim review (Z-6) and the split of every invoice's accepted amounts, in service-date
    order, against the year's fund payments."""
    _check_invoices(db, person, data)
    first = min(x.service_on for x in data.invoices)
    fund = _fund(db, person, data.purpose, first)
    year = first.year
    ytd = fund_paid_ytd(db, fund, person.id, year)
    found = Assessment(person, fund, year, ytd, flags=review.flags_of(db, person, data),
                       decided=decided or {})
    found.cap = split.params_of(lambda name: agency.param(db, name, first), fund).annual_cap_fen
    borne = coverage.borne_of(db, fund, person.id, year)
    for invoice in sorted(data.invoices, key=lambda x: (x.service_on, x.invoice_no)):
        lines = [split.BillLine(*x) for x in found.accepted(invoice)]
        kind, result = coverage.split_bill(db, person.id, fund, invoice.inpatient, invoice.diagnosis,
                                           invoice.service_on, lines, ytd, borne)
        if kind == "chronic":
            found.chronic_deductible += result.deductible_fen
        found.bills.append(Bill(invoice, kind, ytd, result))
        ytd += result.fund_fen
    return found


# --- the act of BEN-MEDICAL-MANUAL ---------------------------------------------------------------

@transactional
def reimburse(db: Session, actor: Actor, ssn: str, data: ManualClaimIn) -> ManualClaim:
    """医疗费用手工报销 on final approval: the claim with its lines and split, and the fund's part
    as a one-off award the next payroll pays (nothing to pay: the claim alone)."""
    _require_case(actor)
    person = find_person(db, ssn, lock=True)
    found = assess(db, person, data, review.decisions_of(db, actor.case_id))
    if review.at_final_approval(db, actor.case_id) and (
            problem := review.undecided_problem(found.flags, found.decided)):
        raise InvalidInput("medical.undecided", problem, "payload.invoices")
    today = clock.today()
    claim = ManualClaim(person_id=person.id, case_id=actor.case_id, fund=found.fund, year=found.year,
                        total_fen=found.total, fund_fen=found.fund_fen,
                        person_fen=found.total - found.fund_fen,
                        chronic_deductible_fen=found.chronic_deductible,
                        ytd_before_fen=found.ytd_before,
                        bills=json.dumps([b.as_dict() for b in found.bills], ensure_ascii=False),
                        decided_on=today, decided_by=actor.username)
    db.add(claim)
    db.flush()
    db.add_all(_line_row(claim.id, found, inv, line_no, x) for inv in data.invoices
               for line_no, x in enumerate(inv.lines, start=1))
    if claim.fund_fen > 0:
        claim.award_id = _pay(db, actor, person, claim, data.bank_account).id
    db.flush()
    period = common_rules.next_period(common_rules.period_of_date(today))
    notify(db, person.ssn, "medical_manual",
           f"您的医疗费用手工报销已办结：票据{len(data.invoices)}张，费用合计{_yuan(claim.total_fen)}，"
           f"{FUND_NAMES[claim.fund]}支付{_yuan(claim.fund_fen)}，个人负担{_yuan(claim.person_fen)}"
           + (f"，于{period // 100}年{period % 100:02d}月发放至您的银行账户" if claim.fund_fen else "")
           + f"。依据：{BASIS}。", phone=person.phone)
    audit.record(db, actor, "benefits.reimburse_medical", person_subject(person),
                 after=snapshot(claim))
    return claim


def _line_row(claim_id: int, found: Assessment, inv: InvoiceIn, line_no: int, x) -> ManualLine:
    """The line as entered, with its review flags and the reviewer's decision."""
    decided = found.decided.get((inv.invoice_no, line_no))
    return ManualLine(claim_id=claim_id, invoice_no=inv.invoice_no, hospital=inv.hospital,
                      service_on=inv.service_on, inpatient=inv.inpatient, diagnosis=inv.diagnosis.upper(),
                      item=x.item, category=x.category, self_pay_bp=x.self_pay_bp, amount_fen=x.amount_fen,
                      code=x.code, quantity=x.quantity,
                      flags=json.dumps(found.flags.get((inv.invoice_no, line_no), []), ensure_ascii=False),
                      decision=decided.decision if decided else None,
                      cut_fen=decided.cut_fen if decided else 0, reason=decided.reason if decided else None)


def _case_claim(db: Session, case_id: int) -> tuple[Case, Person, ManualClaimIn]:
    """A manual reimbursement case, its person and its invoices as taken in."""
    case = db.get(Case, case_id) if 0 < case_id <= 2**31 - 1 else None
    if case is None or case.item_code != ITEM:
        raise NotFound("medical.case_not_found", f"未找到医疗费用手工报销业务件{case_id}", "case_id")
    payload = payload_of(case)
    person = find_person(db, str(payload.get("ssn") or ""))
    return case, person, ManualClaimIn.model_validate({k: v for k, v in payload.items() if k != "ssn"})


def _lines_of(claim: ManualClaimIn) -> dict[review.Key, object]:
    return {(inv.invoice_no, n): x for inv in claim.invoices for n, x in enumerate(inv.lines, start=1)}


@transactional
def decide_line(db: Session, actor: Actor, case_id: int, data: LineDecisionIn) -> LineDecision:
    """审核结论 on a flagged invoice line of a manual reimbursement under review (Z-6(3)): accept,
    cut by an amount or refuse, with a reason; changeable until the case is decided."""
    require(actor, "cases.review")
    case, person, claim = _case_claim(db, case_id)
    if case.status != "in_review":
        raise Conflict("medical.case_closed", "该业务件不在审核中，不能再改审核结论", "case_id")
    key = (data.invoice_no, data.line_no)
    if key not in review.flags_of(db, person, claim):
        raise Conflict("medical.not_flagged",
                       f"票据{data.invoice_no}第{data.line_no}条明细没有审核疑点，无需逐条审核", "line_no")
    amount = _lines_of(claim)[key].amount_fen
    if problem := review_rules.decision_problem(data.decision, data.cut_fen, amount, data.reason):
        raise InvalidInput("medical.decision", problem, "decision")
    row = review.decisions_of(db, case.id).get(key) or LineDecision(
        case_id=case.id, invoice_no=data.invoice_no, line_no=data.line_no)
    before = snapshot(row) if row.id else None
    row.decision, row.reason, row.decided_by = data.decision, data.reason.strip(), actor.username
    row.cut_fen = {"cut": data.cut_fen or 0, "refuse": amount}.get(data.decision, 0)
    row.decided_at = clock.now()
    db.add(row)
    db.flush()
    audit.record(db, actor, "benefits.decide_medical_line", person_subject(person), before=before,
                 after=snapshot(row), reason=row.reason, related=f"case:{case.id}")
    return row


def pending_flags(db: Session, actor: Actor, case_id: int) -> list[dict]:
    """The flagged lines of a manual reimbursement case with their decisions (the reviewer's list)."""
    require(actor, "cases.read")
    case, person, claim = _case_claim(db, case_id)
    decided, lines = review.decisions_of(db, case.id), _lines_of(claim)
    out = []
    for key, flags in review.flags_of(db, person, claim).items():
        row = decided.get(key)
        out.append({"invoice_no": key[0], "line_no": key[1], "item": lines[key].item,
                    "code": lines[key].code, "amount_fen": lines[key].amount_fen, "flags": flags,
                    "decision": row.decision if row else None, "cut_fen": row.cut_fen if row else None,
                    "reason": row.reason if row else None})
    return out


def _pay(db: Session, actor: Actor, person: Person, claim: ManualClaim, bank: str) -> Award:
    """The one-off award (stopped at once: nothing monthly follows) and its payment, waiting for
    the next payroll, which books it to the fund (common_rules.fund_of the award's kind)."""
    period = common_rules.next_period(common_rules.period_of_date(claim.decided_on))
    award = Award(person_id=person.id, kind=rules.KINDS[claim.fund], case_id=claim.case_id,
                  status="stopped", stop_reason="一次性支付", start_period=period, last_period=period,
                  monthly_amount=claim.fund_fen,
                  breakdown=json.dumps({"lines": claim_lines(claim), "inputs": {"claim_id": claim.id}},
                                       ensure_ascii=False),
                  basis=BASIS, payee_name=person.name, bank_account=bank,
                  decided_on=claim.decided_on, decided_by=actor.username)
    db.add(award)
    db.flush()
    db.add(Payment(award_id=award.id, person_id=person.id, period=period, kind="regular",
                   gross=claim.fund_fen, deduction=0, net=claim.fund_fen, bank_account=bank,
                   paid_on=claim.decided_on))
    return award


SPLIT_NAMES = (("total_fen", "医疗费用总额"), ("out_of_scope_fen", "全自费（丙类及不属支付范围）"),
               ("first_self_pay_fen", "乙类先行自付"), ("in_policy_fen", "政策范围内费用"),
               ("deductible_fen", "起付线以下个人负担"), ("co_pay_fen", "起付线以上个人共付"),
               ("over_cap_fen", "超过年度封顶线"), ("fund_fen", "基金支付"), ("person_fen", "个人负担合计"))


def claim_lines(claim: ManualClaim) -> list[dict]:
    """The breakdown per invoice, as lines (label, value, note) for pages and the award."""
    out = []
    for bill in json.loads(claim.bills):
        note = f"{bill['hospital']}，{bill['service_on']}，{bill['coverage_name']}"
        out.append({"label": f"票据{bill['invoice_no']}", "value": _yuan(bill["split"]["fund_fen"]),
                    "note": f"{note}；费用{_yuan(bill['split']['total_fen'])}，起付线"
                            f"{_yuan(bill['split']['deductible_fen'])}，共付{_yuan(bill['split']['co_pay_fen'])}"})
    out.append({"label": "基金支付合计", "value": _yuan(claim.fund_fen),
                "note": f"本年此前已支付{_yuan(claim.ytd_before_fen)}（直接结算与手工报销）"})
    return out


# --- the act of BEN-MEDICAL-CHRONIC --------------------------------------------------------------

@transactional
def recognise_chronic(db: Session, actor: Actor, ssn: str, data: ChronicIn) -> ChronicRecognition:
    """门诊慢特病认定: the disease on the list, diagnosed by a hospital, the person insured for
    basic medical care; valid from today for the disease's months. One in force per disease."""
    _require_case(actor)
    person = find_person(db, ssn, lock=True)
    today = clock.today()
    disease = data.disease.upper()
    listed = agency.param(db, "medical.chronic.diseases", today)
    if disease not in listed:
        raise InvalidInput("medical.chronic_disease", f"{disease}不在门诊慢特病病种目录内", "payload.disease")
    if data.diagnosed_on > today:
        raise InvalidInput("medical.diagnosed_on", "诊断日期不能晚于今天", "payload.diagnosed_on")
    _fund(db, person, "illness", today)
    if disease in recognised(db, person.id, today):
        raise Conflict("medical.chronic_exists", f"该人员已有有效的{listed[disease][0]}门诊慢特病认定",
                       "payload.disease")
    name, months = listed[disease]
    item = ChronicRecognition(person_id=person.id, disease=disease, hospital=data.hospital,
                              diagnosed_on=data.diagnosed_on, valid_from=today,
                              valid_to=rules.recognition_end(today, int(months)),
                              case_id=actor.case_id, decided_on=today, decided_by=actor.username)
    db.add(item)
    db.flush()
    notify(db, person.ssn, "medical_chronic",
           f"您的门诊慢特病（{name}）已认定，有效期{item.valid_from}至{item.valid_to}；期间该病种门诊费用"
           f"按门诊慢特病待遇报销。依据：{CHRONIC_BASIS}。", phone=person.phone)
    audit.record(db, actor, "benefits.recognise_chronic", person_subject(person), after=snapshot(item))
    return item


@transactional
def end_chronic(db: Session, actor: Actor, ssn: str, data: ChronicEndIn) -> ChronicRecognition:
    """撤销或终止门诊慢特病认定 on final approval of BEN-MEDICAL-CHRONIC-END: the recognition of the
    disease in force today ends from ``effective_on`` (not before it was granted, not after it
    lapses); bills from that day are the person's outpatient care again, earlier ones stay
    chronic. The record keeps its validity as granted; the end, its reason and case are added."""
    _require_case(actor)
    person = find_person(db, ssn, lock=True)
    today = clock.today()
    disease = data.disease.upper()
    item = db.execute(select(ChronicRecognition).where(
        ChronicRecognition.person_id == person.id, ChronicRecognition.disease == disease,
        ChronicRecognition.status == "active", ChronicRecognition.valid_to >= today,
        ChronicRecognition.valid_from <= today).with_for_update()).scalars().first()
    if item is None or item.ended_from is not None:
        raise Conflict("medical.chronic_not_in_force",
                       f"该人员没有有效的{disease}门诊慢特病认定，不能撤销或终止", "payload.disease")
    if not item.valid_from <= data.effective_on <= item.valid_to:
        raise InvalidInput("medical.chronic_end_date",
                           f"撤销或终止的生效日期应在认定有效期{item.valid_from}至{item.valid_to}之内",
                           "payload.effective_on")
    before = snapshot(item)
    status, name = END_KINDS[data.kind]
    item.status, item.ended_from, item.end_reason = status, data.effective_on, data.reason.strip()
    item.end_case_id, item.ended_on, item.ended_by = actor.case_id, today, actor.username
    db.flush()
    notify(db, person.ssn, "medical_chronic",
           f"您的门诊慢特病（{disease}）认定已{name}，自{data.effective_on}起该病种门诊费用不再按门诊慢特病待遇"
           f"报销（此前发生的仍按原认定报销）。理由：{item.end_reason}。依据：{CHRONIC_BASIS}。",
           phone=person.phone)
    audit.record(db, actor, "benefits.end_chronic", person_subject(person), before=before,
                 after=snapshot(item), reason=item.end_reason)
    return item


# --- reads ---------------------------------------------------------------------------------------

def _may_read(db: Session, actor: Actor, person: Person, what: str) -> None:
    subject = person_subject(person)
    if actor.subject != subject:
        require(actor, "benefits.read")
        audit.log_access(db, actor, subject, what)


def preview(db: Session, actor: Actor, ssn: str, data: ManualClaimIn) -> Assessment:
    """What the reimbursement would come to (the clerk's screen); no writes."""
    person = find_person(db, ssn)
    _may_read(db, actor, person, "medical_preview")
    return assess(db, person, data)


def record_of(db: Session, actor: Actor, ssn: str) -> dict:
    """A person's manual claims, recognitions and this year's fund payments and cap left."""
    person = find_person(db, ssn)
    _may_read(db, actor, person, "medical")
    claims = list(db.execute(select(ManualClaim).where(ManualClaim.person_id == person.id)
                             .order_by(ManualClaim.id.desc())).scalars())
    chronic = list(db.execute(select(ChronicRecognition).where(
        ChronicRecognition.person_id == person.id).order_by(ChronicRecognition.id.desc())).scalars())
    today = clock.today()
    listed = agency.param(db, "medical.chronic.diseases", today)
    years = []
    for fund in sorted({c.fund for c in claims} | set(_insured_funds(db, person))):
        cap = split.params_of(lambda name: agency.param(db, name, today), fund).annual_cap_fen
        paid = fund_paid_ytd(db, fund, person.id, today.year)
        years.append({"fund": fund, "fund_name": FUND_NAMES[fund], "year": today.year,
                      "direct": direct_paid(db, fund, person.id, today.year), "paid": paid,
                      "cap": cap, "left": max(0, cap - paid)})
    return {"person": person, "claims": [(c, claim_lines(c)) for c in claims],
            "chronic": [(c, listed.get(c.disease, [c.disease])[0]) for c in chronic], "years": years}


def _insured_funds(db: Session, person: Person) -> list[str]:
    return list(db.execute(select(Enrollment.insurance).where(
        Enrollment.person_id == person.id, Enrollment.insurance.in_(rules.INSURANCES),
        Enrollment.status == "active")).scalars())


def get_claim(db: Session, actor: Actor, claim_id: int) -> tuple[ManualClaim, Person]:
    claim = db.get(ManualClaim, claim_id)
    if claim is None:
        raise NotFound("medical.claim_not_found", f"未找到手工报销记录{claim_id}", "claim_id")
    person = db.get(Person, claim.person_id)
    _may_read(db, actor, person, "medical_claim")
    return claim, person


def claims(db: Session, actor: Actor, limit: int = 200) -> list[tuple[ManualClaim, Person]]:
    """Manual reimbursements decided, newest first (staff)."""
    if not can(actor, "benefits.payroll_read"):
        require(actor, "benefits.read")
    return list(db.execute(select(ManualClaim, Person).join(Person, Person.id == ManualClaim.person_id)
                           .order_by(ManualClaim.id.desc()).limit(limit)).all())


def claims_xlsx(db: Session, actor: Actor) -> bytes:
    rows = [(p.ssn, p.name, FUND_NAMES[c.fund], c.year, len(json.loads(c.bills)), c.total_fen,
             c.ytd_before_fen, c.fund_fen, c.person_fen, c.decided_on.isoformat())
            for c, p in claims(db, actor, limit=100_000)]
    head = ["社会保障号码", "姓名", "基金", "年度", "票据张数", "费用合计（元）", "本年此前基金已付（元）",
            "基金支付（元）", "个人负担（元）", "办结日期"]
    return workbook("医疗费用手工报销", head, rows, money=(5, 6, 7, 8))


def recognitions(db: Session, actor: Actor, limit: int = 200) -> list[tuple[ChronicRecognition, Person]]:
    require(actor, "benefits.read")
    return list(db.execute(select(ChronicRecognition, Person).join(
        Person, Person.id == ChronicRecognition.person_id)
        .order_by(ChronicRecognition.id.desc()).limit(limit)).all())


def decision_pdf(db: Session, actor: Actor, claim_id: int) -> bytes:
    """医疗费用手工报销决定书: each invoice's split, the totals and the basis."""
    from reportlab.platypus import Paragraph, Spacer

    claim, person = get_claim(db, actor, claim_id)
    style = pdf.styles()
    flow = [Paragraph("医疗费用手工报销决定书", style["title"]), Spacer(1, 8),
            Paragraph(f"参保人：{person.name}　社会保障号码：{mask_id(person.ssn)}",
                      style["body"]),
            Paragraph(f"支付基金：{FUND_NAMES[claim.fund]}　年度：{claim.year}　办结日期：{claim.decided_on}",
                      style["body"]),
            Paragraph(f"本年此前基金已支付：{_yuan(claim.ytd_before_fen)}（直接结算与手工报销合计）",
                      style["body"])]
    head = ["票据", "就诊", *(name for _, name in SPLIT_NAMES)]
    rows = [(b["invoice_no"], f"{b['service_on']} {b['coverage_name']}",
             *(format_yuan(b["split"][key]) for key, _ in SPLIT_NAMES)) for b in json.loads(claim.bills)]
    flow += [Paragraph("费用分割", style["h2"]), pdf.table(head, rows, numeric=range(2, 11)),
             Paragraph(f"合计：费用{_yuan(claim.total_fen)}，基金支付{_yuan(claim.fund_fen)}，"
                       f"个人负担{_yuan(claim.person_fen)}。", style["body"]),
             Paragraph(f"依据：{BASIS}。", style["small"]), Paragraph(remedies(db), style["small"])]
    return pdf.document(flow, title="医疗费用手工报销决定书", subject=f"claim:{claim.id}")
