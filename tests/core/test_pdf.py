"""core.pdf: the Chinese font is registered, tables and documents come out readable."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from reportlab.platypus import Paragraph

from jingban.core import pdf


def _text(content: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _flow():
    return [Paragraph("社会保险基金月报", pdf.styles()["title"]),
            pdf.table(["项目", "金额（元）"], [["社会保险费收入", "1,000.00"], ["缺项", None]],
                      numeric=[1]),
            pdf.table(["空表"], [])]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_document_with_table_reads_back_in_chinese(tmp_path):
    content = pdf.document(_flow(), title="测试文档")
    assert content.startswith(b"%PDF")
    text = _text(content, tmp_path)
    for phrase in ("社会保险基金月报", "社会保险费收入", "1,000.00", "—", pdf.EMPTY):
        assert phrase in text
    assert pdf.document(_flow(), title="测试文档") == content  # invariant: same content, same bytes


def test_font_is_embedded_when_installed():
    expected = "WQYZenHei" if pdf.FONT_TTC.exists() else "STSong-Light"
    assert pdf.font() == expected


def test_pdf_response_names_the_file_in_utf8():
    reply = pdf.pdf_response(b"%PDF-1.4", "基金月报.pdf")
    assert reply.media_type == "application/pdf"
    assert "filename*=UTF-8''%E5%9F%BA" in reply.headers["content-disposition"]
