"""The monthly report as Excel (core.excel, yuan as numbers) and as PDF (core.pdf): both from
the one report dict ``service.monthly_report`` returns or a filed version holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from jingban.core import pdf
from jingban.core.actor import Actor
from jingban.core.excel import workbook
from jingban.core.money import format_yuan
from jingban.funds.ledger.rules import BANK_KINDS, FUNDS
from jingban.funds.reports import service

TITLE = "社会保险基金月报"


def months_text(report: dict[str, Any]) -> str:
    months = report["reserve_months"]
    return "本期无支出，无法测算" if months is None else f"{months:.1f} 个月"


def warning_text(report: dict[str, Any]) -> str:
    if report["warning"]:
        return f"预警：可支付月数低于 {report['warn_below']} 个月的储备要求"
    return f"不低于 {report['warn_below']} 个月的储备要求"


def rows(report: dict[str, Any]) -> list[list[Any]]:
    """项目, 科目代码, 金额 (fen; None when the row is not an amount), 说明."""
    found: list[list[Any]] = []
    for kind, total, name in (("income", report["income"], "收入合计"),
                              ("expense", report["expense"], "支出合计")):
        found += [[x["name"], x["account"], x["amount"], ""] for x in report["lines"]
                  if x["class"] == kind]
        found.append([name, "", total, ""])
    found.append(["本月收支结余", "", report["surplus"], ""])
    found += [[f"{BANK_KINDS[k]}期末余额", "", v, ""] for k, v in report["balances"].items()]
    found += [["银行存款合计（可用于支付）", "", report["reserve"], ""],
              ["累计结余", "", report["accumulated"], "资产减负债"],
              ["月均待遇支出（近12个月）", "", report["average_expense"], ""],
              ["累计结余可支付月数", "", None, f"{months_text(report)}；{warning_text(report)}"]]
    return found


def heading(report: dict[str, Any]) -> str:
    return f"{report['fund_name']} {report['period'] // 100} 年 {report['period'] % 100} 月"


def report_xlsx(report: dict[str, Any]) -> bytes:
    return workbook(f"{report['period']}月报", ["项目", "科目代码", "金额（元）", "说明"],
                    rows(report), money=[2])


def report_pdf(report: dict[str, Any]) -> bytes:
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, Spacer

    style = pdf.styles()
    flow: list[Any] = [Paragraph("社会保险经办机构", style["small"]),
                       Paragraph(TITLE, style["title"]), Spacer(1, 3 * mm),
                       Paragraph(f"{heading(report)}　　报送截止日：{report['due_on']}",
                                 style["body"])]
    if report.get("version"):
        flow.append(Paragraph(f"第 {report['version']} 版，{report['filed_by']} 于 "
                              f"{report['filed_on']} 报送{'（逾期）' if report['late'] else ''}"
                              f"{'；更正理由：' + report['reason'] if report['reason'] else ''}",
                              style["body"]))
    body = [[name, code, "" if fen is None else format_yuan(fen), note]
            for name, code, fen, note in rows(report)]
    flow += [Spacer(1, 3 * mm),
             pdf.table(["项目", "科目代码", "金额（元）", "说明"], body,
                       [62 * mm, 22 * mm, 36 * mm, 54 * mm], numeric=[2]),
             Spacer(1, 4 * mm),
             Paragraph("依据：《社会保险经办条例》第四十条；郑州通知第三部分(四)（按月报送上月情况）、"
                       "第十部分(六)（预留至少三个月待遇支付基金）。", style["small"])]
    return pdf.document(flow, title=f"{TITLE} {heading(report)}",
                        subject=f"{report['fund']}-{report['period']}")


def filename(report: dict[str, Any], ext: str) -> str:
    version = f"-v{report['version']}" if report.get("version") else ""
    return f"基金月报-{report['fund_name']}-{report['period']}{version}.{ext}"


def month_files(db: Session, actor: Actor, period: int,
                progress: Callable[[int, int], None] | None = None) -> list[tuple[str, bytes]]:
    """Every fund's report of ``period`` as (file name, content): .xlsx and .pdf each."""
    files = []
    for n, fund in enumerate(FUNDS, 1):
        report = service.monthly_report(db, actor, fund, period)
        files += [(filename(report, "xlsx"), report_xlsx(report)),
                  (filename(report, "pdf"), report_pdf(report))]
        if progress:
            progress(n, len(FUNDS))
    return files
