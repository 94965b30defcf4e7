"""Proofs (SPEC §4): 参保证明 and 个人权益记录单 as PDF, each under a verification code that
anyone can check; and the yearly statement batch (D§33).

A proof is frozen when issued: ``Proof.facts`` holds exactly what it states (SSN masked), the
PDF is always rendered from those facts, and ``verify`` answers with them (name masked too).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from sqlalchemy import DateTime, exists, func, insert, literal, select
from sqlalchemy.orm import Session, aliased

from jingban.core import audit, clock, crash, pdf
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.money import FEN_PER_YUAN
from jingban.core.privacy import mask_id  # sec15
from jingban.notices.models import Notification, Outbox
from jingban.records import batch, rules
from jingban.records.models import AccountEntry, AccountYear, Contribution, DeemedService, Proof
from jingban.records.service import (
    by_year,
    contribution_lines,
    contribution_years,
    may_read,
    person_of,
    transfer_kind_name,
    transfer_lines,
)
from jingban.registration import service as registration
from jingban.registration.models import Employer, Person
from jingban.registration.rules import INSURANCES

audit.ACT_NAMES.update({
    "records.issue_proof": "出具证明",
    "records.yearly_statements": "年度个人权益记录单批量出具",
})

KINDS = {"enrollment": "参保证明", "rights": "个人权益记录单"}
PERSON_STATUS = {"active": "正常", "deceased": "已死亡", "cancelled": "已注销"}
ENROLLMENT_STATUS = {"active": "参保缴费", "ended": "已停保"}
VERIFY_PATH = "/verify/"
CODE_RE = re.compile(r"^[A-Z2-7]{16}$")
CHUNK = 50_000  # person ids per transaction of the yearly statements


# --- codes and masks ---------------------------------------------------------------------------

def new_code() -> str:
    """80 random bits as 16 base32 characters (A–Z, 2–7)."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def grouped(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def mask_name(name: str) -> str:
    """王*明, 李*: the first character (and the last of three or more) only."""
    if len(name) <= 1:
        return "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def digest(code: str, kind: str, facts: dict[str, Any]) -> str:
    return audit.sm3(audit.canonical({"code": code, "kind": kind, "facts": facts}))


def facts_of(proof: Proof) -> dict[str, Any]:
    return json.loads(proof.facts)


def intact(proof: Proof) -> bool:
    """The stored facts are still those the proof was issued with."""
    facts = facts_of(proof)
    return (audit.canonical(facts) == proof.facts
            and digest(proof.code, proof.kind, facts) == proof.digest)


def _yuan(fen: int | None) -> str | None:
    """str(to_yuan(fen)) in integer arithmetic: the yearly batch formats millions of amounts."""
    if fen is None:
        return None
    whole, cents = divmod(abs(fen), FEN_PER_YUAN)
    return f"{'-' if fen < 0 else ''}{whole}.{cents:02d}"


def _stamp(at: dt.datetime) -> str:
    return clock.local(at).strftime("%Y-%m-%d %H:%M:%S")


def _row(code: str, kind: str, person_id: int, facts: dict[str, Any], actor: Actor,
         at: dt.datetime, year: int | None = None) -> dict[str, Any]:
    text = audit.canonical(facts)
    return {"code": code, "kind": kind, "person_id": person_id, "year": year, "issued_at": at,
            "issued_by": actor.username, "channel": actor.channel, "facts": text,
            "digest": _digest_of_text(code, kind, text)}


def _digest_of_text(code: str, kind: str, facts_text: str) -> str:
    """``digest`` from the facts' canonical text, without encoding them a second time: the
    canonical form of {"code", "kind", "facts"} is its sorted keys around that same text."""
    return audit.sm3(f'{{"code":{json.dumps(code)},"facts":{facts_text},"kind":{json.dumps(kind)}}}')


# --- what a proof states -------------------------------------------------------------------------

def enrollment_facts(db: Session, person: Person, at: dt.datetime) -> dict[str, Any]:
    """参保证明: identity (SSN masked), enrollments by insurance with start and end, status."""
    employers = dict(db.execute(select(Employer.id, Employer.name).where(Employer.id.in_(
        {e.employer_id for e in person.enrollments if e.employer_id}))).all())
    lines = [{"insurance": e.insurance, "insurance_name": INSURANCES.get(e.insurance, e.insurance),
              "employer": employers.get(e.employer_id, "个人参保") if e.employer_id else "个人参保",
              "start": e.start_date.isoformat(),
              "end": e.end_date.isoformat() if e.end_date else None,
              "status": ENROLLMENT_STATUS.get(e.status, e.status)}
             for e in sorted(person.enrollments, key=lambda e: (e.insurance, e.start_date, e.id))]
    current = sorted({e.insurance for e in person.enrollments if e.status == "active"})
    return {"title": KINDS["enrollment"], "name": person.name, "ssn": mask_id(person.ssn),
            "issued_at": _stamp(at), "as_of": clock.local(at).date().isoformat(),
            "person_status": PERSON_STATUS.get(person.status, person.status),
            "current": [INSURANCES.get(i, i) for i in current], "enrollments": lines}


def rights_facts(db: Session, persons: list[tuple[int, str, str]], year: int | None,
                 at: dt.datetime) -> dict[int, dict[str, Any]]:
    """个人权益记录单 for (id, name, SSN) persons, a few queries for all of them: months and
    bases by year and insurance, account by year with interest, balance, contribution years.
    For a yearly statement only that year's lines and the totals at its end."""
    ids = [p[0] for p in persons]
    reversal = aliased(Contribution)
    stmt = (select(Contribution.person_id, Contribution.insurance, Contribution.period,
                   Contribution.base, Contribution.employer_amount, Contribution.personal_amount)
            .where(Contribution.person_id.in_(ids), Contribution.kind == "posted",
                   Contribution.transfer_out_ref.is_(None),  # moved away: the new place's
                   ~exists().where(reversal.reverses_id == Contribution.id)))
    accounts = select(AccountYear).where(AccountYear.person_id.in_(ids))
    balances = (select(AccountEntry.person_id, AccountEntry.scheme, func.sum(AccountEntry.amount))
                .where(AccountEntry.person_id.in_(ids))
                .group_by(AccountEntry.person_id, AccountEntry.scheme))
    if year is not None:
        stmt = stmt.where(Contribution.period <= year * 100 + 12)
        accounts = accounts.where(AccountYear.year == year)
        balances = balances.where(AccountEntry.year <= year)
    paid: dict[int, list] = defaultdict(list)
    for row in db.execute(stmt.order_by(Contribution.period, Contribution.id)):
        paid[row.person_id].append(row)
    deemed: dict[int, list] = defaultdict(list)
    for row in db.execute(select(DeemedService.person_id, DeemedService.insurance,
                                 DeemedService.months).where(DeemedService.person_id.in_(ids),
                                                             DeemedService.transfer_out_ref.is_(None))):
        deemed[row.person_id].append(row)
    years: dict[int, list] = defaultdict(list)
    for a in db.execute(accounts.order_by(AccountYear.scheme, AccountYear.year)).scalars():
        years[a.person_id].append(_account_line(a))
    balance: dict[int, list] = defaultdict(list)
    for pid, scheme, total in db.execute(balances.order_by(AccountEntry.scheme)):
        balance[pid].append(_balance_line(scheme, total))
    moved = _transfers(db, ids, year)
    return {pid: _rights(name, ssn, year, at,
                         [y for y in by_year(paid[pid]) if year is None or y["year"] == year],
                         years[pid], balance[pid], contribution_years(paid[pid], deemed[pid]),
                         moved[pid])
            for pid, name, ssn in persons}


def _transfers(db: Session, ids: list[int], year: int | None) -> dict[int, list[dict]]:
    """Completed transfers (of ``year`` for a yearly statement): the months that left or came,
    so a record at either place says where the years are now."""
    lines = transfer_lines(db, ids, completed_only=True)
    return defaultdict(list, {pid: [{**t, "kind_name": transfer_kind_name(t["kind"]),
                                     "amount": _yuan(t["amount"])} for t in found
                                    if year is None or t["completed_on"][:4] <= str(year)]
                              for pid, found in lines.items()})


def _rights(name: str, ssn: str, year: int | None, at: dt.datetime, lines: list[dict],
            accounts: list[dict], balances: list[dict], years: list[dict],
            transfers: list[dict]) -> dict[str, Any]:
    """What a 个人权益记录单 states, from its lines in fen (service.by_year and
    service.contribution_years) and its formatted account lines."""
    return {
        "title": f"{year}年度{KINDS['rights']}" if year else KINDS["rights"],
        "name": name, "ssn": mask_id(ssn), "year": year, "issued_at": _stamp(at),
        "as_of": f"{year}-12-31" if year else clock.local(at).date().isoformat(),
        "years": [{**y, "insurance_name": INSURANCES.get(y["insurance"], y["insurance"]),
                   **{k: _yuan(y[k]) for k in ("base_min", "base_max", "employer_total",
                                                "personal_total")}} for y in lines],
        "accounts": accounts, "balances": balances,
        "contribution_years": [{**c, "insurance_name": INSURANCES.get(c["insurance"],
                                                                     c["insurance"])}
                               for c in years],
        "transfers": transfers}


def _account_line(a: Any) -> dict[str, Any]:
    return {"scheme": a.scheme, "scheme_name": rules.SCHEMES.get(a.scheme, a.scheme),
            "year": a.year, "opening": _yuan(a.opening), "credited": _yuan(a.credited),
            "interest": _yuan(a.interest), "closing": _yuan(a.closing), "rate": a.rate}


def _balance_line(scheme: str, total: Any) -> dict[str, Any]:
    return {"scheme": scheme, "scheme_name": rules.SCHEMES.get(scheme, scheme),
            "balance": _yuan(int(total))}


def statement_facts(db: Session, persons: list[Any], year: int, at: dt.datetime, low: int,
                    high: int) -> dict[int, dict[str, Any]]:
    """The yearly statements of ``persons`` (id, name, SSN; ids in [low, high]) from the
    grouped rows of batch.statement_*: the same facts rights_facts(…, year, at) states, with
    no row per contribution or account entry leaving the database."""
    lines: dict[int, list] = defaultdict(list)
    actual: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in batch.statement_months(db, year, low, high):
        months = rules.year_months(r.insurance, r.paid)
        actual[r.person_id][r.insurance] += months
        if r.year == year:
            lines[r.person_id].append({
                "year": year, "insurance": r.insurance, "months": months,
                "base_min": _fen(r.base_min), "base_max": _fen(r.base_max),
                "employer_total": int(r.employer_total), "personal_total": int(r.personal_total)})
    deemed: dict[int, dict[str, int]] = defaultdict(dict)
    for pid, insurance, months in batch.statement_deemed(db, low, high):
        deemed[pid][insurance] = int(months)
    accounts: dict[int, list] = defaultdict(list)
    for a in batch.statement_accounts(db, year, low, high):
        accounts[a.person_id].append(_account_line(a))
    balances: dict[int, list] = defaultdict(list)
    for pid, scheme, total in batch.statement_balances(db, year, low, high):
        balances[pid].append(_balance_line(scheme, total))
    moved = _transfers(db, [p.id for p in persons], year)
    return {p.id: _rights(p.name, p.ssn, year, at,
                          sorted(lines[p.id], key=lambda y: y["insurance"]),
                          sorted(accounts[p.id], key=lambda a: a["scheme"]),
                          sorted(balances[p.id], key=lambda b: b["scheme"]),
                          contribution_lines(actual[p.id], deemed[p.id]), moved[p.id])
            for p in persons}


def _fen(value: Any) -> int | None:
    return None if value is None else int(value)


# --- acts ------------------------------------------------------------------------------------------

@transactional
def issue_proof(db: Session, actor: Actor, ssn: str, kind: str) -> Proof:
    """出具证明: staff with records.read, or the person himself (免费, R§32)."""
    if kind not in KINDS:
        raise InvalidInput("proof.kind", "证明种类不正确，可选值：" + "、".join(
            f"{k}（{v}）" for k, v in KINDS.items()), "kind")
    person = person_of(db, ssn)
    subject = registration.person_subject(person)
    may_read(actor, subject)
    at = clock.now()
    facts = (enrollment_facts(db, person, at) if kind == "enrollment"
             else rights_facts(db, [(person.id, person.name, person.ssn)], None, at)[person.id])
    proof = Proof(**_row(new_code(), kind, person.id, facts, actor, at))
    db.add(proof)
    db.flush()
    audit.record(db, actor, "records.issue_proof", subject,
                 after={"code": proof.code, "kind": kind, "digest": proof.digest})
    return proof


def verify(db: Session, code: str) -> Proof | None:
    """Public: the proof a code names, or None (malformed or unknown codes alike)."""
    code = normalize(code)
    if not CODE_RE.match(code):
        return None
    return db.execute(select(Proof).where(Proof.code == code)).scalar()


NOT_AUTHENTIC = "该证明记录已被改动，未通过真实性校验，不能作为有效证明，请向经办机构核实"


def public_view(proof: Proof) -> dict[str, Any]:
    """What anyone holding the code may see: what the proof said, the name masked. A proof
    whose stored record no longer checks out says only that (sec15: the altered facts are
    never shown as what the agency stated)."""
    if not intact(proof):
        return {"code": grouped(proof.code), "authentic": False, "message": NOT_AUTHENTIC}
    facts = facts_of(proof)
    facts["name"] = mask_name(facts.get("name", ""))
    return {"code": grouped(proof.code), "kind": proof.kind, "title": facts.get("title"),
            "issued_at": facts.get("issued_at"), "issued_on": (facts.get("issued_at") or "")[:10],
            "name": facts["name"], "ssn": facts.get("ssn"), "authentic": True, "facts": facts}


def proof_for(db: Session, actor: Actor, code: str) -> Proof:
    """A proof for download: staff with records.read, or the person it is about."""
    proof = verify(db, code)
    owner = proof is not None and actor.subject == f"person:{proof.person_id}"
    if proof is None or (actor.subject is not None and not owner):
        raise NotFound("proof.not_found", "未找到该验证码对应的证明", "code")
    if not owner:
        require(actor, "records.read")
        audit.log_access(db, actor, f"person:{proof.person_id}", "proof")
    return proof


def proofs_of(db: Session, actor: Actor, ssn: str, limit: int = 20) -> list[Proof]:
    person = person_of(db, ssn)
    may_read(actor, registration.person_subject(person))
    return list(db.execute(select(Proof).where(Proof.person_id == person.id)
                           .order_by(Proof.id.desc()).limit(limit)).scalars())


def yearly_statements(db: Session, actor: Actor, year: int, *, chunk: int = CHUNK,
                      progress: Callable[[int, int], None] | None = None) -> int:
    """D§33: every person insured during ``year`` gets that year's 个人权益记录单 and a notice
    (portal + SMS outbox). Once per person and year (the unique key on the proof): one
    transaction per range of ``chunk`` person ids, so a run stopped halfway resumes with the
    persons still without one, and a finished year reruns as a no-op. ``progress(done,
    total)`` after each range. Returns how many were issued now."""
    require(actor, "records.interest")
    if year >= clock.today().year:
        raise Conflict("records.year_open", f"{year}年度尚未结束，不能出具年度个人权益记录单", "year")
    if year < 1900:
        raise InvalidInput("records.year", "年度不正确", "year")
    ranges = batch.person_ranges(db, chunk)
    issued = 0
    for done, (low, high) in enumerate(ranges, 1):
        issued += _statements(db, actor, year, low, high)
        if progress:
            progress(done, len(ranges))
    return issued


@transactional
def _statements(db: Session, actor: Actor, year: int, low: int, high: int) -> int:
    """The statements of persons low..high still without one, their notices, one audit event."""
    persons = batch.statement_persons(db, year, low, high)
    if not persons:
        return 0
    batch.tune(db)
    at = clock.now()
    facts = statement_facts(db, persons, year, at, low, high)
    rows = [_row(new_code(), "rights", p.id, facts[p.id], actor, at, year) for p in persons]
    before = db.execute(select(func.max(Proof.id))).scalar() or 0
    batch.write_rows(db, Proof.__table__, rows)
    _notify_statements(db, year, at, before, low, high)
    crash.point("records.statements")  # secops: kill -9 drill, a range written
    audit.record(db, actor, "records.yearly_statements", f"statements:{year}",
                 after={"year": year, "persons": [low, high], "issued": len(rows),
                        "digest": audit.sm3("".join(r["digest"] for r in rows))})
    return len(rows)


def _notify_statements(db: Session, year: int, at: dt.datetime, after_proof: int, low: int,
                       high: int) -> None:
    """The notices of this range's new statements, one INSERT … SELECT into the notifications
    and one into the SMS outbox (as cases._notify does for a case)."""
    code = [func.substr(Proof.code, start, 4) for start in (1, 5, 9, 13)]
    message = (literal(f"您的{year}年度个人权益记录单已出具，验证码") + code[0] + "-" + code[1]
               + "-" + code[2] + "-" + code[3] + literal("。请登录网上服务“我的权益记录”查看和下载。"))
    stamp = literal(at, DateTime(timezone=True))
    first_note = db.execute(select(func.max(Notification.id))).scalar() or 0
    db.execute(insert(Notification).from_select(
        ["recipient", "kind", "message", "created_at"],
        select(Person.ssn, literal("statement"), message, stamp)
        .join(Person, Person.id == Proof.person_id)
        .where(Proof.id > after_proof, Proof.kind == "rights", Proof.year == year,
               Proof.person_id.between(low, high))))
    db.execute(insert(Outbox).from_select(
        ["notification_id", "channel", "address", "body", "created_at", "attempts"],
        select(Notification.id, literal("sms"), Person.phone, Notification.message, stamp,
               literal(0))
        .join(Person, Person.ssn == Notification.recipient)
        .where(Notification.id > first_note, Notification.kind == "statement",
               Person.phone.is_not(None), Person.phone != "")))


# --- PDF -------------------------------------------------------------------------------------------

def render_pdf(proof: Proof) -> bytes:
    """The proof as PDF, from its stored facts only: the same code gives the same bytes."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    facts, style = facts_of(proof), pdf.styles()
    title, body, small, h2 = style["title"], style["body"], style["small"], style["h2"]
    flow: list[Any] = [Paragraph("社会保险经办机构", small), Paragraph(facts["title"], title),
                       Spacer(1, 4 * mm),
                       Paragraph(f"姓名：{facts['name']}　　社会保障号码：{facts['ssn']}", body)]
    if proof.kind == "enrollment":
        flow.append(Paragraph(f"人员状态：{facts['person_status']}　　截至 {facts['as_of']} "
                              f"正在参保的险种：{'、'.join(facts['current']) or '无'}", body))
        flow += [Paragraph("参保情况", h2), pdf.table(
            ["险种", "参保单位", "参保开始日期", "停保日期", "状态"],
            [[e["insurance_name"], e["employer"], e["start"], e["end"], e["status"]]
             for e in facts["enrollments"]], [45 * mm, 55 * mm, 27 * mm, 25 * mm, 22 * mm])]
        flow.append(Paragraph("特此证明。", body))
    else:
        flow.append(Paragraph(f"记录截至：{facts['as_of']}", body))
        flow += [Paragraph("缴费情况（按年度、险种）", h2), pdf.table(
            ["年度", "险种", "缴费月数", "最低基数", "最高基数", "单位缴费", "个人缴费"],
            [[y["year"], y["insurance_name"], y["months"], y["base_min"], y["base_max"],
              y["employer_total"], y["personal_total"]] for y in facts["years"]])]
        flow += [Paragraph("个人账户（按年度，含记账利息，元）", h2), pdf.table(
            ["账户", "年度", "年初余额", "本年记账", "利息", "年末余额", "记账利率"],
            [[a["scheme_name"], a["year"], a["opening"], a["credited"], a["interest"],
              a["closing"], a["rate"]] for a in facts["accounts"]])]
        flow.append(Paragraph("个人账户累计储存额：" + ("；".join(
            f"{b['scheme_name']} {b['balance']} 元" for b in facts["balances"]) or "无"), body))
        flow += [Paragraph("缴费年限", h2), pdf.table(
            ["险种", "实际缴费月数", "视同缴费月数", "合计月数", "缴费年限"],
            [[c["insurance_name"], c["actual_months"], c["deemed_months"], c["total_months"],
              c["total"]] for c in facts["contribution_years"]])]
        if facts.get("transfers"):
            flow += [Paragraph("关系转移接续（已转出的缴费年限不再计入转出地，由转入地累计计算）",
                               h2), pdf.table(
                ["转移编号", "类别", "方向", "对方地区", "缴费月数", "视同月数", "金额", "办结日期"],
                [[t["ref"], t["kind_name"], t["direction_name"], t["peer_region"], t["months"],
                  t["deemed_months"], t["amount"], t["completed_on"]]
                 for t in facts["transfers"]])]
    flow += [Spacer(1, 8 * mm),
             Paragraph(f"验证码：{grouped(proof.code)}", body),
             Paragraph(f"验证地址：{VERIFY_PATH}{proof.code}", body),
             Paragraph(f"出具时间：{facts['issued_at']}", body),
             Paragraph(f"SM3 摘要：{proof.digest}", small),
             Paragraph("本证明可凭验证码在经办机构网站“证明核验”页面核验真伪；核验结果显示本证明所载内容。",
                       small)]
    return pdf.document(flow, title=facts["title"], subject=grouped(proof.code))


def filename(proof: Proof) -> str:
    return f"{proof.kind}-{proof.code}.pdf"
