"""The penalty ledger as Excel (core.excel) and the decision (行政处罚决定书, R§55, R§57) as PDF
(core.pdf), both from the service's reads."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from jingban.cases.models import Case
from jingban.core import clock, pdf, privacy
from jingban.core.actor import Actor
from jingban.core.errors import Conflict
from jingban.core.excel import workbook
from jingban.core.money import format_yuan
from jingban.oversight.challenges import rules as challenge_rules
from jingban.oversight.challenges import service as challenges
from jingban.oversight.inspections.export import cell_grid, plain
from jingban.oversight.inspections.rules import SUBJECT_KINDS
from jingban.oversight.penalties import rules, service
from jingban.registration.rules import INSURANCES

HEAD = ("处罚编号", "核查编号", "违法行为", "对象类型", "对象编码", "对象名称", "骗取金额（元）",
        "险种基金", "法定罚款幅度", "状态", "决定罚款（元）", "裁量理由", "决定日期",
        "已收回追回基金（元）", "已收回罚款（元）")
TITLE = "社会保险行政处罚决定书"


def _yuan(fen: int | None) -> str:
    return "" if fen is None else format_yuan(fen)


def penalties_xlsx(db: Session, actor: Actor, status: str | None = None) -> tuple[bytes, str]:
    """处罚台账: the list as an Excel sheet."""
    rows = []
    for row in service.penalties(db, actor, status=status, limit=1000):
        got = service.collected(db, row.id)
        rows.append([row.id, row.inspection_id or "", rules.KINDS[row.kind][0],
                     SUBJECT_KINDS[row.subject_kind], row.subject_ref, row.subject_name,
                     _yuan(row.amount), INSURANCES.get(row.fund or "", ""),
                     rules.Range(row.range_low, row.range_high).label, rules.STATUSES[row.status],
                     _yuan(row.fine), row.decision_reason, row.decided_on or "",
                     _yuan(got["recovered"]), _yuan(got["fine"])])
    privacy.log_export(db, actor, "penalties.xlsx", len(rows))  # secdata
    return workbook("处罚台账", HEAD, rows), f"处罚台账{clock.today():%Y%m%d}.xlsx"


def decision_rows(row: Any, case: Case | None) -> list[list[str]]:
    owed = rules.owed(row.kind, row.amount, row.fine or 0)
    lines = [["被处罚对象", f"{row.subject_name}（{SUBJECT_KINDS[row.subject_kind]}，{row.subject_ref}）"],
             ["违法行为", rules.KINDS[row.kind][0]], ["依据", row.basis]]
    if row.kind == "fraud":
        lines += [["责令退回", f"骗取的{INSURANCES.get(row.fund or '', '社会保险')}基金"
                               f"{format_yuan(owed['recovered'])}元，缴入该基金收入户"]]
    lines += [["法定罚款幅度", rules.Range(row.range_low, row.range_high).label],
              ["决定罚款", f"{format_yuan(owed['fine'])}元，缴入财政罚没收入户"],
              ["裁量理由", row.decision_reason],
              ["决定业务件", f"{case.number if case else '—'}，{row.decided_on}"],
              ["缴纳期限", rules.BASIS_DEPOSIT]]
    return lines


def decision_pdf(db: Session, actor: Actor, penalty_id: int) -> tuple[bytes, str]:
    """处罚决定书: the printable decision of a decided penalty, with the right to challenge it."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    row = service.get_penalty(db, actor, penalty_id)
    if row.status != "decided":
        raise Conflict("penalty.not_decided", "该处罚尚未作出决定，没有处罚决定书", "penalty_id")
    privacy.log_export(db, actor, f"penalty.pdf:{row.id}", 1)  # secdata
    style = pdf.styles()
    case = db.get(Case, row.decision_case_id) if row.decision_case_id else None
    limits, basis = challenges.limits(db), challenge_rules.LIMIT_BASIS
    flow: list[Any] = [
        Paragraph("社会保险经办机构", style["small"]), Paragraph(TITLE, style["title"]),
        Spacer(1, 4 * mm), Paragraph(f"{plain(row.subject_name)}：", style["body"]),
        Paragraph("经查，你方存在下列违法行为，依据下列规定作出处罚决定如下。", style["body"]),
        Spacer(1, 3 * mm), cell_grid(decision_rows(row, case), [36 * mm, 138 * mm], style["body"]),
        Paragraph("违法事实", style["h2"]), Paragraph(plain(row.facts), style["body"]),
        Paragraph("救济途径", style["h2"]),
        Paragraph(f"如不服本决定，可以自收到本决定书之日起{limits['reconsideration']}日内依法申请行政复议"
                  f"（{basis['reconsideration']}），或者{limits['litigation']}个月内依法向人民法院提起"
                  f"行政诉讼（{basis['litigation']}）；{challenge_rules.BASIS}。", style["body"]),
        Spacer(1, 10 * mm), Paragraph(f"社会保险经办机构（盖章）　　{row.decided_on}", style["body"]),
    ]
    content = pdf.document(flow, title=f"{TITLE}（处罚{row.id}）", subject=row.subject_name)
    return content, f"处罚决定书{row.id}.pdf"
