"""违约处理决定书: the printable decision of a decided breach measure (R§43), and the notice
(违约处理告知书) while the institution's period to state its case runs."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from jingban.agreements.breaches import rules, service
from jingban.agreements.breaches.models import BreachMeasure
from jingban.agreements.institutions.models import Agreement, Institution
from jingban.core import pdf
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import NotFound


def _text(value: str) -> str:
    return escape(value or "").replace("\n", "<br/>")


def decision_pdf(db: Session, actor: Actor, breach_id: int) -> tuple[bytes, str]:
    """The decision once decided; before it, the notice with the right to state one's case."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    require(actor, "agreements.read")
    row = db.get(BreachMeasure, breach_id)
    if row is None:
        raise NotFound("breach.not_found", f"未找到违约处理 {breach_id}", "breach_id")
    inst, agreement = db.get(Institution, row.institution_id), db.get(Agreement, row.agreement_id)
    decided = row.status == "decided"
    title = "违约处理决定书" if decided else "违约处理告知书"
    style = pdf.styles()
    facts = [["服务机构", inst.name], ["统一社会信用代码", inst.uscc], ["服务协议", agreement.number],
             ["处理措施", service.describe(db, row)], ["告知日期", str(row.noticed_on)],
             ["陈述申辩期限", str(row.statement_due)]]
    if decided:
        period = f"{row.period_from or ''} 至 {row.period_to or ''}"
        facts += [["决定日期", str(row.decided_on)], ["执行期间", period]]
    flow: list[Any] = [
        Paragraph("社会保险经办机构", style["small"]), Paragraph(title, style["title"]),
        Spacer(1, 4 * mm), Paragraph(f"{escape(inst.name)}：", style["body"]),
        pdf.table(["项目", "内容"], facts, [40 * mm, 134 * mm]),
        Paragraph("违约事实", style["h2"]), Paragraph(_text(row.facts), style["body"]),
        Paragraph("陈述、申辩", style["h2"]),
        Paragraph(_text(row.statement) or ("期限内未提出" if decided else "—"), style["body"]),
    ]
    if decided:
        flow += [Paragraph("决定及理由", style["h2"]), Paragraph(_text(row.decision), style["body"])]
    else:
        flow += [Paragraph("权利告知", style["h2"]), Paragraph(
            f"贵单位有权在{row.statement_due}前向经办机构陈述、申辩，期满未提出的视为放弃。", style["body"])]
    flow += [Paragraph("依据", style["h2"]), Paragraph(f"{rules.BASIS}；服务协议{agreement.number}",
                                                       style["body"])]
    content = pdf.document(flow, title=f"{title}{row.id}", subject=inst.name)
    return content, f"{title}{row.id}.pdf"
