"""PDF documents in Chinese (ReportLab): the one font registration, a grid table and an A4
document builder every area's printouts use (proofs, fund reports).

A TrueType font is embedded when one is installed, so the file reads the same everywhere;
otherwise the built-in CID font STSong-Light, which viewers substitute locally."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import Response

FONT_TTC = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
EMPTY = "无记录"
PDF = "application/pdf"


@cache
def font() -> str:
    """The registered Chinese font's name."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_TTC.exists():
        pdfmetrics.registerFont(TTFont("WQYZenHei", str(FONT_TTC), subfontIndex=0))
        return "WQYZenHei"
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def styles() -> dict[str, Any]:
    """title, h2, body and small paragraph styles in the Chinese font."""
    from reportlab.lib.styles import ParagraphStyle

    name = font()
    return {"title": ParagraphStyle("title", fontName=name, fontSize=18, leading=24, alignment=1),
            "h2": ParagraphStyle("h2", fontName=name, fontSize=12, leading=18, spaceBefore=8),
            "body": ParagraphStyle("body", fontName=name, fontSize=10, leading=15),
            "small": ParagraphStyle("small", fontName=name, fontSize=8.5, leading=12)}


def table(head: Sequence[str], rows: Sequence[Sequence[Any]], widths: list[float] | None = None,
          numeric: Sequence[int] = ()):
    """A grid with a shaded header repeated on each page; None shows as —, no rows as 无记录;
    ``numeric`` columns are right-aligned."""
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    data = [list(head)] + ([["—" if v is None else str(v) for v in r] for r in rows]
                           or [[EMPTY] + [""] * (len(head) - 1)])
    grid = Table(data, colWidths=widths, repeatRows=1)
    style = [("FONT", (0, 0), (-1, -1), font(), 9),
             ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
             ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
             ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    style += [("ALIGN", (i, 1), (i, -1), "RIGHT") for i in numeric]
    grid.setStyle(TableStyle(style))
    return grid


def document(flow: list[Any], *, title: str, subject: str = "",
             author: str = "社会保险经办机构") -> bytes:
    """The flowables on A4 pages; invariant, so the same content gives the same bytes."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, title=title, author=author, subject=subject,
                            invariant=1, leftMargin=18 * mm, rightMargin=18 * mm)
    doc.build(flow)
    return out.getvalue()


def pdf_response(content: bytes, filename: str) -> Response:
    """The download; the name may be Chinese (RFC 5987)."""
    return Response(content, media_type=PDF, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(filename)}"})
