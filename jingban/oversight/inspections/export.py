"""The inspection ledger as Excel (core.excel) and the handover sheet (移交书, R§44) as PDF
(core.pdf), both from the service's reads."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from sqlalchemy.orm import Session

from jingban.cases.models import Case
from jingban.core import clock, pdf, privacy
from jingban.core.actor import Actor
from jingban.core.errors import Conflict
from jingban.core.excel import workbook
from jingban.oversight.inspections import rules, service
from jingban.oversight.inspections.models import Inspection

HEAD = ("核查编号", "立案业务件号", "对象类型", "对象编码", "对象名称", "核查事由", "来源", "状态",
        "立案日期", "责令改正日期", "改正期限", "改正日期", "移交书编号", "移交日期")
TITLE = "社会保险违法违规问题移交书"


def inspections_xlsx(db: Session, actor: Actor, status: str | None = None) -> tuple[bytes, str]:
    """核查台账: the list as an Excel sheet."""
    rows = []
    for row in service.inspections(db, actor, status=status, limit=5000):
        shown = service.out(db, row)
        rows.append([row.id, shown["case_number"], rules.SUBJECT_KINDS[row.subject_kind],
                     row.subject_ref, row.subject_name, row.reason, row.origin or "",
                     shown["status_name"], row.opened_on, row.ordered_on, row.correct_by,
                     row.corrected_on, row.handover_number or "", row.handed_over_on])
    privacy.log_export(db, actor, "inspections.xlsx", len(rows))  # secdata
    return workbook("核查台账", HEAD, rows), f"核查台账{clock.today():%Y%m%d}.xlsx"


def _approvers(case: Case | None) -> str:
    if case is None:
        return "—"
    done = [f"{s.actor}（第{s.level}级，{s.at:%Y-%m-%d}）" for s in case.steps if s.action == "approve"]
    return "；".join(done) or "—"


def _why(row: Inspection) -> str:
    if row.refer:
        return "依法应当由行政部门处理"
    return f"责令改正期限（{row.correct_by}）届满，被核查对象未改正"


def sheet_rows(row: Inspection, cases: dict[str, Case | None]) -> list[list[str]]:
    filing, conclusion, handover = cases["filing"], cases["conclusion"], cases["handover"]
    return [
        ["移交书编号", row.handover_number or ""],
        ["移交至", rules.DEPARTMENTS.get(row.department, row.department)],
        ["被核查对象", f"{row.subject_name}（{rules.SUBJECT_KINDS[row.subject_kind]}，{row.subject_ref}）"],
        ["核查事项", rules.SCOPES[row.subject_kind]],
        ["立案", f"{row.opened_on}，业务件号 {filing.number if filing else '—'}，经办人 {row.opened_by}"],
        ["责令改正日期及期限", f"{row.ordered_on} 责令改正，限 {row.correct_by} 前改正"
                               f"（{row.correction_wd}个工作日）"],
        ["移交理由", _why(row)],
        ["核查结论审核", f"{conclusion.number if conclusion else '—'}：{_approvers(conclusion)}"],
        ["移交审核", f"{handover.number if handover else '—'}：{_approvers(handover)}"],
        ["移交说明", row.handover_note or "—"],
        ["移交日期", str(row.handed_over_on)],
    ]


def plain(value: str) -> str:
    """Plain text for a Paragraph (which reads markup)."""
    return escape(value or "—").replace("\n", "<br/>")


def cell_grid(rows: list[list[str]], widths: list[float], style, lines: bool = True):
    """A table whose cells wrap (Paragraphs), in the house font; ``lines`` draws the grid."""
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    grid = Table([[Paragraph(plain(v), style) for v in r] for r in rows], colWidths=widths)
    look = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if lines:
        look += [("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                 ("BACKGROUND", (0, 0), (0, -1), colors.Color(0.92, 0.92, 0.92))]
    grid.setStyle(TableStyle(look))
    return grid


def handover_pdf(db: Session, actor: Actor, inspection_id: int) -> tuple[bytes, str]:
    """移交书: the printable handover sheet of a handed-over inspection."""
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    row = service.get_inspection(db, actor, inspection_id)
    if row.status != "handed_over":
        raise Conflict("inspection.not_handed_over", "该核查尚未移交，没有移交书", "inspection_id")
    privacy.log_export(db, actor, f"handover.pdf:{row.id}", 1)  # secdata
    style = pdf.styles()
    department = rules.DEPARTMENTS.get(row.department, row.department)
    signatures = [["移交单位（盖章）：社会保险经办机构", "接收单位（盖章）："],
                  ["移交人：", "接收人：　　　　　接收日期："]]
    flow: list[Any] = [
        Paragraph("社会保险经办机构", style["small"]), Paragraph(TITLE, style["title"]),
        Spacer(1, 4 * mm), Paragraph(f"{department}：", style["body"]),
        Paragraph("经核查，下列对象存在违反社会保险法律、法规、规章的行为，经责令改正，"
                  f"{_why(row)}。现依照《社会保险经办条例》第四十四条移交你部门处理。", style["body"]),
        Spacer(1, 3 * mm),
        cell_grid(sheet_rows(row, service.cases_of(db, row)), [40 * mm, 134 * mm], style["body"]),
        Paragraph("核查事由", style["h2"]), Paragraph(plain(row.reason), style["body"]),
        Paragraph("核查发现的事实", style["h2"]), Paragraph(plain(row.findings), style["body"]),
        Paragraph("责令改正事项", style["h2"]), Paragraph(plain(row.order_text), style["body"]),
        Paragraph("移交依据", style["h2"]), Paragraph(rules.BASIS_HANDOVER, style["body"]),
        Spacer(1, 10 * mm), cell_grid(signatures, [87 * mm, 87 * mm], style["body"], lines=False),
    ]
    content = pdf.document(flow, title=f"{TITLE}{row.handover_number}", subject=row.subject_name)
    return content, f"移交书{row.handover_number}.pdf"
