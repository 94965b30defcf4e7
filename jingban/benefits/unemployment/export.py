"""失业保险金核定决定书: the printable determination of an unemployment benefit (R§24), with
every line it rests on, the months and the amount, and the right to apply for review."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from jingban.benefits.common.decision import award_for, remedies
from jingban.benefits.unemployment import service
from jingban.cases.models import Case
from jingban.core import pdf
from jingban.core.actor import Actor
from jingban.core.money import format_yuan


def decision_pdf(db: Session, actor: Actor, award_id: int) -> tuple[bytes, str]:
    """The decision (staff, or the person his own); the same award prints the same bytes."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    award, person = award_for(db, actor, award_id, service.KIND, code="unemployment.award_not_found",
                              name="失业保险金核定", view="unemployment_decision")
    case = db.get(Case, award.case_id) if award.case_id else None
    entitled = service.entitled_of(award)
    style = pdf.styles()
    facts = [["姓名", person.name], ["社会保障号码", person.ssn],
             ["业务件编号", case.number if case else "—"], ["核定日期", str(award.decided_on)],
             ["月标准", f"{format_yuan(award.monthly_amount)}元"], ["领取期限", f"{entitled}个月"],
             ["发放月份", f"{award.start_period} 至 {award.last_period}"],
             ["应领总额", f"{format_yuan(award.monthly_amount * entitled)}元"]]
    if award.stop_reason:
        kept = "随关系转出" if service.carried_away(db, award) else "保留"
        facts.append(["终止", f"{award.stop_reason}（最后发放月份 {award.last_period}，剩余"
                              f"{service.months_left(db, award)}个月{kept}）"])
    lines = [[x["label"], x["value"], x["note"]]
             for x in json.loads(award.breakdown or "{}").get("lines", [])]
    flow: list[Any] = [
        Paragraph("社会保险经办机构", style["small"]), Paragraph("失业保险金核定决定书", style["title"]),
        Spacer(1, 4 * mm), Paragraph(f"{escape(person.name)}：", style["body"]),
        Paragraph("经审核，你申领失业保险金符合条件，核定如下。领取期间由失业保险基金代缴职工基本医疗保险费；"
                  "重新就业、应征服兵役、移居境外、享受基本养老保险待遇或无正当理由两次拒不接受推荐的工作"
                  "或培训的，停止发放，未领月数保留。", style["body"]),
        pdf.table(["项目", "内容"], facts, [40 * mm, 134 * mm]),
        Paragraph("核定明细", style["h2"]),
        pdf.table(["项目", "数值", "计算"], lines, [45 * mm, 40 * mm, 89 * mm]),
        Paragraph("依据", style["h2"]), Paragraph(escape(award.basis or service.BASIS), style["body"]),
        Paragraph("权利告知", style["h2"]), Paragraph(remedies(db), style["body"]),
    ]
    title = f"失业保险金核定决定书{award.id}"
    return pdf.document(flow, title=title, subject=person.name), f"{title}.pdf"
