"""Proofs (SPEC §4): 参保证明 and 个人权益记录单 as PDF, each under a verification code that
anyone can check; and the yearly statement batch (D§33).

A proof is frozen when issued: ``Proof.facts`` holds exactly what it states (SSN masked), the
PDF is always rendered from those facts, and ``verify`` answers with them (name masked too).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import re
import secrets
from collections import defaultdict
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import and_, exists, func, insert, or_, select
from sqlalchemy.orm import Session, aliased

from jingban.cases.models import Notification, Outbox
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, NotFound
from jingban.core.money import to_yuan
from jingban.records import rules
from jingban.records.models import AccountEntry, AccountYear, Contribution, DeemedService, Proof
from jingban.records.service import _may_read, _person, by_year, contribution_years
from jingban.registration import service as registration
from jingban.registration.models import Employer, Enrollment, Person
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
CHUNK = 1000  # persons per set-based step of the yearly batch
FONT_TTC = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


# --- codes and masks ---------------------------------------------------------------------------

def new_code() -> str:
    """80 random bits as 16 base32 characters (A–Z, 2–7)."""
    return base64.b32encode(secrets.token_bytes(10)).decode()


def grouped(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").upper()


def mask_ssn(ssn: str) -> str:
    """330106********1234: the first six and last four characters only."""
    return ssn[:6] + "*" * (len(ssn) - 10) + ssn[-4:] if len(ssn) > 10 else "*" * len(ssn)


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
    return None if fen is None else str(to_yuan(fen))


def _stamp(at: dt.datetime) -> str:
    return clock.local(at).strftime("%Y-%m-%d %H:%M:%S")


def _row(code: str, kind: str, person_id: int, facts: dict[str, Any], actor: Actor,
         at: dt.datetime, year: int | None = None) -> dict[str, Any]:
    return {"code": code, "kind": kind, "person_id": person_id, "year": year, "issued_at": at,
            "issued_by": actor.username, "channel": actor.channel,
            "facts": audit.canonical(facts), "digest": digest(code, kind, facts)}


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
    return {"title": KINDS["enrollment"], "name": person.name, "ssn": mask_ssn(person.ssn),
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
                                 DeemedService.months).where(DeemedService.person_id.in_(ids))):
        deemed[row.person_id].append(row)
    years: dict[int, list] = defaultdict(list)
    for a in db.execute(accounts.order_by(AccountYear.scheme, AccountYear.year)).scalars():
        years[a.person_id].append({
            "scheme": a.scheme, "scheme_name": rules.SCHEMES.get(a.scheme, a.scheme),
            "year": a.year, "opening": _yuan(a.opening), "credited": _yuan(a.credited),
            "interest": _yuan(a.interest), "closing": _yuan(a.closing), "rate": a.rate})
    balance: dict[int, list] = defaultdict(list)
    for pid, scheme, total in db.execute(balances.order_by(AccountEntry.scheme)):
        balance[pid].append({"scheme": scheme, "scheme_name": rules.SCHEMES.get(scheme, scheme),
                             "balance": _yuan(int(total))})
    out = {}
    for pid, name, ssn in persons:
        lines = [y for y in by_year(paid[pid]) if year is None or y["year"] == year]
        out[pid] = {
            "title": f"{year}年度{KINDS['rights']}" if year else KINDS["rights"],
            "name": name, "ssn": mask_ssn(ssn), "year": year, "issued_at": _stamp(at),
            "as_of": f"{year}-12-31" if year else clock.local(at).date().isoformat(),
            "years": [{**y, "insurance_name": INSURANCES.get(y["insurance"], y["insurance"]),
                       **{k: _yuan(y[k]) for k in ("base_min", "base_max", "employer_total",
                                                    "personal_total")}} for y in lines],
            "accounts": years[pid], "balances": balance[pid],
            "contribution_years": [{**c, "insurance_name": INSURANCES.get(c["insurance"],
                                                                         c["insurance"])}
                                   for c in contribution_years(paid[pid], deemed[pid])]}
    return out


# --- acts ------------------------------------------------------------------------------------------

@transactional
def issue_proof(db: Session, actor: Actor, ssn: str, kind: str) -> Proof:
    """出具证明: staff with records.read, or the person himself (免费, R§32)."""
    if kind not in KINDS:
        raise InvalidInput("proof.kind", "证明种类不正确，可选值：" + "、".join(
            f"{k}（{v}）" for k, v in KINDS.items()), "kind")
    person = _person(db, ssn)
    subject = registration.person_subject(person)
    _may_read(actor, subject)
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


def public_view(proof: Proof) -> dict[str, Any]:
    """What anyone holding the code may see: what the proof said, the name masked."""
    facts = facts_of(proof)
    facts["name"] = mask_name(facts.get("name", ""))
    return {"code": grouped(proof.code), "kind": proof.kind, "title": facts.get("title"),
            "issued_at": facts.get("issued_at"), "issued_on": (facts.get("issued_at") or "")[:10],
            "name": facts["name"], "ssn": facts.get("ssn"), "authentic": intact(proof),
            "facts": facts}


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
    person = _person(db, ssn)
    _may_read(actor, registration.person_subject(person))
    return list(db.execute(select(Proof).where(Proof.person_id == person.id)
                           .order_by(Proof.id.desc()).limit(limit)).scalars())


@transactional
def yearly_statements(db: Session, actor: Actor, year: int) -> int:
    """D§33: every person insured during ``year`` gets that year's 个人权益记录单 and a notice
    (portal + SMS outbox). Once per person and year; returns how many were issued now."""
    require(actor, "records.interest")
    if year >= clock.today().year:
        raise Conflict("records.year_open", f"{year}年度尚未结束，不能出具年度个人权益记录单", "year")
    if year < 1900:
        raise InvalidInput("records.year", "年度不正确", "year")
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    insured = exists().where(Enrollment.person_id == Person.id, Enrollment.start_date <= end,
                             or_(Enrollment.end_date.is_(None), Enrollment.end_date >= start))
    done = exists().where(and_(Proof.person_id == Person.id, Proof.kind == "rights",
                               Proof.year == year))
    persons = db.execute(select(Person.id, Person.name, Person.ssn, Person.phone)
                         .where(insured, ~done).order_by(Person.id)).all()
    at, issued, digests = clock.now(), 0, []
    for i in range(0, len(persons), CHUNK):
        chunk = persons[i:i + CHUNK]
        facts = rights_facts(db, [(p.id, p.name, p.ssn) for p in chunk], year, at)
        rows = [_row(new_code(), "rights", p.id, facts[p.id], actor, at, year) for p in chunk]
        db.execute(insert(Proof), rows)
        _notify_statements(db, chunk, rows, year, at)
        issued += len(rows)
        digests.extend(r["digest"] for r in rows)
    if issued:
        audit.record(db, actor, "records.yearly_statements", f"statements:{year}",
                     after={"year": year, "issued": issued, "digest": audit.sm3("".join(digests))})
    return issued


def _notify_statements(db: Session, persons: list, rows: list[dict[str, Any]], year: int,
                       at: dt.datetime) -> None:
    """The cases notification and outbox, for notices not tied to a case (as cases._notify)."""
    notes = [{"case_id": None, "recipient": p.ssn, "kind": "statement", "created_at": at,
              "message": f"您的{year}年度个人权益记录单已出具，验证码{grouped(r['code'])}。"
                         f"请登录网上服务“我的权益记录”查看和下载。"}
             for p, r in zip(persons, rows, strict=True)]
    ids = db.execute(insert(Notification).returning(Notification.id, sort_by_parameter_order=True),
                     notes).scalars().all()
    sms = [{"notification_id": nid, "channel": "sms", "address": p.phone, "body": n["message"],
            "created_at": at, "attempts": 0}
           for nid, p, n in zip(ids, persons, notes, strict=True) if p.phone]
    if sms:
        db.execute(insert(Outbox), sms)


# --- PDF -------------------------------------------------------------------------------------------

@cache
def _font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_TTC.exists():
        pdfmetrics.registerFont(TTFont("WQYZenHei", str(FONT_TTC), subfontIndex=0))
        return "WQYZenHei"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _table(head: list[str], rows: list[list[Any]], font: str, widths: list[float] | None = None):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [head] + ([["—" if v is None else str(v) for v in r] for r in rows]
                     or [["无记录"] + [""] * (len(head) - 1)])
    table = Table(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), font, 9),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def render_pdf(proof: Proof) -> bytes:
    """The proof as PDF, from its stored facts only: the same code gives the same bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    font, facts = _font(), facts_of(proof)
    title = ParagraphStyle("title", fontName=font, fontSize=18, leading=24, alignment=1)
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15)
    small = ParagraphStyle("small", fontName=font, fontSize=8.5, leading=12)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    flow: list[Any] = [Paragraph("社会保险经办机构", small), Paragraph(facts["title"], title),
                       Spacer(1, 4 * mm),
                       Paragraph(f"姓名：{facts['name']}　　社会保障号码：{facts['ssn']}", body)]
    if proof.kind == "enrollment":
        flow.append(Paragraph(f"人员状态：{facts['person_status']}　　截至 {facts['as_of']} "
                              f"正在参保的险种：{'、'.join(facts['current']) or '无'}", body))
        flow += [Paragraph("参保情况", h2), _table(
            ["险种", "参保单位", "参保开始日期", "停保日期", "状态"],
            [[e["insurance_name"], e["employer"], e["start"], e["end"], e["status"]]
             for e in facts["enrollments"]], font, [45 * mm, 55 * mm, 27 * mm, 25 * mm, 22 * mm])]
        flow.append(Paragraph("特此证明。", body))
    else:
        flow.append(Paragraph(f"记录截至：{facts['as_of']}", body))
        flow += [Paragraph("缴费情况（按年度、险种）", h2), _table(
            ["年度", "险种", "缴费月数", "最低基数", "最高基数", "单位缴费", "个人缴费"],
            [[y["year"], y["insurance_name"], y["months"], y["base_min"], y["base_max"],
              y["employer_total"], y["personal_total"]] for y in facts["years"]], font)]
        flow += [Paragraph("个人账户（按年度，含记账利息，元）", h2), _table(
            ["账户", "年度", "年初余额", "本年记账", "利息", "年末余额", "记账利率"],
            [[a["scheme_name"], a["year"], a["opening"], a["credited"], a["interest"],
              a["closing"], a["rate"]] for a in facts["accounts"]], font)]
        flow.append(Paragraph("个人账户累计储存额：" + ("；".join(
            f"{b['scheme_name']} {b['balance']} 元" for b in facts["balances"]) or "无"), body))
        flow += [Paragraph("缴费年限", h2), _table(
            ["险种", "实际缴费月数", "视同缴费月数", "合计月数", "缴费年限"],
            [[c["insurance_name"], c["actual_months"], c["deemed_months"], c["total_months"],
              c["total"]] for c in facts["contribution_years"]], font)]
    flow += [Spacer(1, 8 * mm),
             Paragraph(f"验证码：{grouped(proof.code)}", body),
             Paragraph(f"验证地址：{VERIFY_PATH}{proof.code}", body),
             Paragraph(f"出具时间：{facts['issued_at']}", body),
             Paragraph(f"SM3 摘要：{proof.digest}", small),
             Paragraph("本证明可凭验证码在经办机构网站“证明核验”页面核验真伪；核验结果显示本证明所载内容。",
                       small)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=facts["title"], author="社会保险经办机构",
                            subject=grouped(proof.code), invariant=1,
                            leftMargin=18 * mm, rightMargin=18 * mm)
    doc.build(flow)
    return out.getvalue()


def filename(proof: Proof) -> str:
    return f"{proof.kind}-{proof.code}.pdf"
