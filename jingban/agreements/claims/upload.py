"""Reading an institution's monthly claims file (CSV or JSON, UTF-8 or GBK). Pure functions: the
file becomes claims with their lines and their text as received, and a list of the rows that
cannot be read. A row that cannot be decoded (a broken GBK byte) spoils only its own claim.

CSV: one row per item line, the claim's fields repeated on each row::

    claim_no,ssn,fund,visit,admission_date,discharge_date,diagnosis,item_code,service_date,quantity,unit_price,amount

JSON: an array of claims, each ``{"claim_no", "ssn", "fund", "visit", "admission_date",
"discharge_date", "diagnosis", "lines": [{"item_code", "service_date", "quantity",
"unit_price", "amount"}]}``. Money in yuan with at most two decimals.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from jingban.core.errors import InvalidInput
from jingban.core.files import file_error, json_items
from jingban.core.money import parse_yuan

CLAIM_FIELDS = ("claim_no", "ssn", "fund", "visit", "admission_date", "discharge_date",
                "diagnosis")
LINE_FIELDS = ("item_code", "service_date", "quantity", "unit_price", "amount")
REQUIRED = ("claim_no", "ssn", "admission_date", "discharge_date", "diagnosis", "item_code",
            "service_date", "quantity", "unit_price", "amount")
FUNDS = {"medical_employee": "职工基本医疗保险", "medical_resident": "城乡居民基本医疗保险",
         "maternity": "生育保险", "injury": "工伤保险"}
MAX_FILE_BYTES = 200 * 1024 * 1024
CLAIM_NO_MAX, CODE_MAX, DIAGNOSIS_MAX = 40, 40, 20  # the widths of their columns (models.py)


@dataclass
class LineIn:
    row: int
    code: str
    service_on: dt.date
    quantity: int
    unit_price_fen: int
    amount_fen: int


@dataclass
class ClaimIn:
    claim_no: str
    rows: list[int]
    raw: str
    ssn: str = ""
    fund: str = "medical_employee"
    inpatient: bool = True
    admission_on: dt.date = dt.date.min
    discharge_on: dt.date = dt.date.min
    diagnosis: str = ""
    lines: list[LineIn] = field(default_factory=list)
    problem: str = ""


@dataclass(frozen=True)
class Problem:
    row: int
    claim_no: str
    message: str


def decode_lines(content: bytes) -> tuple[list[str | None], str, str]:
    """(lines — None where a row is neither UTF-8 nor GBK —, the file's encoding, its text as
    received with undecodable bytes escaped)."""
    if len(content) > MAX_FILE_BYTES:
        raise file_error("文件超过200MB，请拆分后上传")
    if b"\x00" in content:
        raise file_error("文件含有空字符（NUL），请另存为 UTF-8 或 GBK 编码")
    try:
        text = content.decode("utf-8-sig")
        return text.splitlines(), "utf-8", text
    except UnicodeDecodeError:
        pass
    lines: list[str | None] = []
    for chunk in content.splitlines():
        try:
            lines.append(chunk.decode("gbk"))
        except UnicodeDecodeError:
            lines.append(None)
    shown = "\n".join(x if x is not None else chunk.decode("gbk", "backslashreplace")
                      for x, chunk in zip(lines, content.splitlines(), strict=True))
    return lines, "gbk", shown


def _date(value: Any, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput("claims.date", f"{name}应为 YYYY-MM-DD 格式的日期", name) from None


def _int(value: Any, name: str) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise InvalidInput("claims.quantity", f"{name}应为正整数", name)
    return int(text)


def _money(value: Any, name: str) -> int:
    text = str(value).strip()
    if text.startswith("-"):
        raise InvalidInput("claims.negative", f"{name}不能为负数", name)
    return parse_yuan(text, name)


def _code(value: Any, name: str, label: str, limit: int) -> str:
    """A code as stored: refused when longer than its column, never cut short."""
    text = str(value).strip().upper()
    if len(text) > limit:
        raise InvalidInput("claims.too_long", f"{label}超过{limit}个字符", name)
    return text


def _claim_no(data: dict[str, Any]) -> tuple[str, str]:
    """The claim number as the key of its rows, and why it cannot be stored (or "")."""
    number = str(data.get("claim_no", "")).strip()
    too_long = f"结算单号超过{CLAIM_NO_MAX}个字符" if len(number) > CLAIM_NO_MAX else ""
    return number[:CLAIM_NO_MAX], too_long


def read_line(row: int, data: dict[str, Any]) -> LineIn:
    missing = [k for k in LINE_FIELDS if str(data.get(k, "")).strip() == ""]
    if missing:
        raise InvalidInput("claims.missing", f"缺少字段：{'、'.join(missing)}", missing[0])
    return LineIn(row, _code(data["item_code"], "item_code", "项目编码", CODE_MAX),
                  _date(data["service_date"], "service_date"), _int(data["quantity"], "quantity"),
                  _money(data["unit_price"], "unit_price"), _money(data["amount"], "amount"))


def fill_claim(claim: ClaimIn, data: dict[str, Any]) -> None:
    """The claim's own fields (from its first row or its JSON object)."""
    missing = [k for k in CLAIM_FIELDS if k not in ("fund", "visit")
               and str(data.get(k, "")).strip() == ""]
    if missing:
        raise InvalidInput("claims.missing", f"缺少字段：{'、'.join(missing)}", missing[0])
    claim.ssn = str(data["ssn"]).strip().upper()
    claim.fund = str(data.get("fund") or "medical_employee").strip()
    if claim.fund not in FUNDS:
        raise InvalidInput("claims.fund", f"基金应为{'、'.join(FUNDS)}之一", "fund")
    visit = str(data.get("visit") or "inpatient").strip()
    if visit not in ("inpatient", "outpatient"):
        raise InvalidInput("claims.visit", "就诊类别应为 inpatient（住院）或 outpatient（门诊）", "visit")
    claim.inpatient = visit == "inpatient"
    claim.admission_on = _date(data["admission_date"], "admission_date")
    claim.discharge_on = _date(data["discharge_date"], "discharge_date")
    claim.diagnosis = _code(data["diagnosis"], "diagnosis", "诊断编码", DIAGNOSIS_MAX)


def _same_claim(claim: ClaimIn, data: dict[str, Any]) -> bool:
    other = ClaimIn(claim.claim_no, [], "")
    fill_claim(other, data)
    return (other.ssn, other.fund, other.inpatient, other.admission_on, other.discharge_on,
            other.diagnosis) == (claim.ssn, claim.fund, claim.inpatient, claim.admission_on,
                                 claim.discharge_on, claim.diagnosis)


def read_csv(lines: list[str | None]) -> list[ClaimIn]:
    """Claims from CSV rows, in the order of their first row; a broken row marks its claim (or,
    when even the claim number cannot be read, stands alone)."""
    header_at = next((i for i, x in enumerate(lines) if x and x.strip()), None)
    if header_at is None or lines[header_at] is None:
        raise file_error("文件为空或表头无法识别")
    header = [h.strip().lstrip("\ufeff") for h in next(csv.reader([lines[header_at]]))]
    if missing := [c for c in REQUIRED if c not in header]:
        raise file_error(f"表头缺少必需的列：{'、'.join(missing)}")
    claims: dict[str, ClaimIn] = {}
    for i in range(header_at + 1, len(lines)):
        _csv_row(claims, header, i + 1, lines[i])
    return list(claims.values())


def _csv_row(claims: dict[str, ClaimIn], header: list[str], row: int, text: str | None) -> None:
    if text is not None and not text.strip():
        return
    if text is None:
        claims[f"#row{row}"] = ClaimIn(f"第{row}行", [row], "", problem="该行编码错误（既非 UTF-8 也非 GBK）")
        return
    values = next(csv.reader([text]))
    data = dict(zip(header, values, strict=False))
    number, too_long = _claim_no(data)
    if len(values) != len(header) or not number or too_long:
        claims[f"#row{row}"] = ClaimIn(number or f"第{row}行", [row], text,
                                       problem=too_long or "该行列数与表头不符或缺少结算单号")
        return
    claim = claims.get(number)
    if claim is None:
        claim = claims[number] = ClaimIn(number, [], "")
    claim.rows.append(row)
    claim.raw = f"{claim.raw}\n{text}" if claim.raw else text
    if claim.problem:
        return
    try:
        if not claim.lines:
            fill_claim(claim, data)
        elif not _same_claim(claim, data):
            raise InvalidInput("claims.inconsistent", "同一结算单各行的参保人、日期或诊断不一致", "claim_no")
        claim.lines.append(read_line(row, data))
    except InvalidInput as exc:
        claim.problem = f"第{row}行：{exc.message}"


def read_json(text: str) -> list[ClaimIn]:
    claims = []
    for item in json_items(text):
        number, too_long = _claim_no(item.data or {})
        claim = ClaimIn(number or f"第{item.line}行", [item.line], item.raw)
        claims.append(claim)
        try:
            if item.data is None:
                raise InvalidInput("claims.record", item.problem, "claim")
            if not number:
                raise InvalidInput("claims.missing", "缺少结算单号 claim_no", "claim_no")
            if too_long:
                raise InvalidInput("claims.too_long", too_long, "claim_no")
            fill_claim(claim, item.data)
            lines = item.data.get("lines")
            if not isinstance(lines, list) or not lines:
                raise InvalidInput("claims.lines", "结算单应有费用明细 lines", "lines")
            claim.lines = [read_line(item.line, x if isinstance(x, dict) else {}) for x in lines]
        except InvalidInput as exc:
            claim.problem = exc.message
    return claims


def read(filename: str, content: bytes) -> tuple[list[ClaimIn], str, str]:
    """(claims, encoding, text as received) of a CSV or JSON file."""
    lines, encoding, shown = decode_lines(content)
    if not shown.strip():
        raise file_error("文件为空")
    if filename.lower().endswith(".json") or shown.lstrip().startswith("["):
        if any(x is None for x in lines):
            raise file_error("JSON 文件中有无法解码的字节，请另存为 UTF-8")
        return read_json("\n".join(x or "" for x in lines)), encoding, shown
    return read_csv(lines), encoding, shown
