"""生育津贴核定决定书: the printable determination of a maternity allowance (R§20; 《社会保险法》
第五十六条), with the employer's average wage, the days of leave, the amount, the month it is
paid and the right to apply for review — for staff and for the woman her own."""

from __future__ import annotations

import json
from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common.decision import award_for, remedies
from jingban.benefits.common.models import Award
from jingban.benefits.maternity import rules, service
from jingban.cases.models import Case
from jingban.core import pdf, privacy
from jingban.core.actor import Actor
from jingban.core.errors import NotFound
from jingban.core.money import format_yuan
from jingban.registration.models import Person

TITLE = "生育津贴核定决定书"


def award_of_case(db: Session, case_id: int) -> int:
    """The allowance a BEN-MATERNITY case decided (its final approval), for the case page."""
    award = db.execute(select(Award).where(Award.case_id == case_id, Award.kind == rules.KIND)
                       .limit(1)).scalar()
    if award is None:
        raise NotFound("maternity.case_not_decided", "该业务件尚未核定生育津贴", "case_id")
    return award.id


def _facts(award: Award, person: Person, case: Case | None, inputs: dict) -> list[list[str]]:
    return [["姓名", person.name], ["社会保障号码", privacy.mask_id(person.ssn)],
            ["业务件编号", case.number if case else "—"], ["核定日期", str(award.decided_on)],
            ["分娩日期", str(inputs.get("birth_date", "—"))],
            ["婴儿数", f"{inputs.get('babies', 1)}个" + ("，难产" if inputs.get("difficult_birth") else "")],
            ["孩次", f"第{inputs.get('birth_order', 1)}孩"],
            ["产假天数", f"{inputs.get('days', 0)}天"],
            ["上年度职工月平均工资", f"{format_yuan(int(inputs.get('average', 0)))}元"],
            ["生育津贴", f"{format_yuan(award.monthly_amount)}元"],
            ["发放月份", str(award.start_period)], ["收款账户", privacy.mask_bank(award.bank_account or "")]]


def decision_pdf(db: Session, actor: Actor, award_id: int) -> tuple[bytes, str]:
    """The decision (staff, or the woman her own); the same award prints the same bytes."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    award, person = award_for(db, actor, award_id, rules.KIND, code="maternity.award_not_found",
                              name="生育津贴核定", view="maternity_decision")
    case = db.get(Case, award.case_id) if award.case_id else None
    breakdown = json.loads(award.breakdown or "{}")
    style = pdf.styles()
    lines = [[x["label"], x["value"], x["note"]] for x in breakdown.get("lines", [])]
    flow: list[Any] = [
        Paragraph("社会保险经办机构", style["small"]), Paragraph(TITLE, style["title"]),
        Spacer(1, 4 * mm), Paragraph(f"{escape(person.name)}：", style["body"]),
        Paragraph("经审核，你申领生育津贴符合条件。生育津贴按照职工所在用人单位上年度职工月平均工资计发，"
                  "核定如下，由生育保险基金一次性支付至你的社会保障卡金融账户。", style["body"]),
        pdf.table(["项目", "内容"], _facts(award, person, case, breakdown.get("inputs", {})),
                  [50 * mm, 124 * mm]),
        Paragraph("核定明细", style["h2"]),
        pdf.table(["项目", "数值", "计算"], lines, [45 * mm, 40 * mm, 89 * mm]),
        Paragraph("依据", style["h2"]), Paragraph(escape(award.basis or service.BASIS), style["body"]),
        Paragraph("权利告知", style["h2"]), Paragraph(remedies(db), style["body"]),
    ]
    title = f"{TITLE}{award.id}"
    return pdf.document(flow, title=title, subject=person.name), f"{title}.pdf"
