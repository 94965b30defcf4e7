"""Reconciliation rules (郑州通知第十部分(一)3：定期与财政、税务对账，做到账账相符、账款相符):
how a statement file is read and how its lines are matched against the ledger.

Pure functions: the service gives the statement rows and the ledger lines, and stores what
``match`` finds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass

from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.money import parse_yuan

ACCOUNT_KINDS = {"fiscal": "财政专户", "income": "收入户", "expenditure": "支出户",
                 "collector": "税务征收"}
DIFFERENCE_KINDS = {"missing_in_ledger": "银行已记、账上未记", "missing_in_statement": "账上已记、银行未记",
                    "amount": "金额不符", "date": "日期不符"}
STATUSES = {"balanced": "平衡", "differences": "有差异", "resolved": "差异已处理"}
RECONCILED = {"balanced", "resolved"}
DIRECTIONS = {"in": "收", "out": "付"}
# 借/贷 as the agency's own books read them (借 = into the account), the order the brief gives;
# a bank's own statement uses the opposite sense, so 收/付 is the safer column to send.
DIRECTION_WORDS = {"收": "in", "收入": "in", "借": "in", "借方": "in",
                   "付": "out", "支出": "out", "贷": "out", "贷方": "out"}
COLUMNS = {"日期": "on", "金额": "amount", "方向": "direction", "摘要": "summary", "参考号": "reference"}
REQUIRED = ("日期", "金额", "方向")
MAX_FILE_BYTES = 20 * 1024 * 1024
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$|^(\d{4})(\d{2})(\d{2})$")


def voucher_no(entry_id: int) -> str:
    """记账凭证号 as printed on the voucher and quoted on bank slips: JZ12."""
    return f"JZ{entry_id}"


@dataclass(frozen=True)
class Row:
    """One statement row as received; ``problem`` is (field, message) when it cannot be used."""

    line: int
    raw: str
    on: dt.date | None = None
    amount: int | None = None
    direction: str | None = None
    summary: str = ""
    reference: str = ""
    problem: tuple[str, str] | None = None


@dataclass(frozen=True)
class Item:
    """One side of a match: a statement row (key = line) or a ledger line (key = line id)."""

    key: int
    on: dt.date
    direction: str
    amount: int
    refs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pair:
    """A match (both keys), a one-sided line, and the difference kind (None when exact)."""

    statement: int | None
    ledger: int | None
    kind: str | None


# --- the file ----------------------------------------------------------------------------------

def file_error(message: str) -> InvalidInput:
    return InvalidInput("funds.statement_file", message, "file")


def read(content: bytes) -> tuple[list[Row], str]:
    """(rows, format): an .xlsx workbook's first sheet or a CSV in UTF-8 (BOM or not) or GBK."""
    if len(content) > MAX_FILE_BYTES:
        raise file_error(f"对账单文件超过{MAX_FILE_BYTES // 1024 // 1024}MB")
    if content.startswith(b"PK\x03\x04"):
        return _rows(_xlsx_cells(content)), "xlsx"
    try:
        text, encoding = content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = content.decode("gbk"), "gbk"
        except UnicodeDecodeError:
            raise file_error("文件编码无法识别：仅接受 UTF-8 或 GBK 编码的 CSV，"
                             "或 Excel .xlsx 文件") from None
    cells = [(n, line, next(csv.reader([line]), [])) for n, line in enumerate(text.splitlines(), 1)
             if line.strip()]
    return _rows(cells), encoding


def _xlsx_cells(content: bytes) -> list[tuple[int, str, list]]:
    from openpyxl import load_workbook

    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    except Exception:  # noqa: BLE001 - any unreadable workbook is one clear refusal
        raise file_error("Excel 文件无法读取，请另存为 .xlsx 后重新上传") from None
    found = []
    for n, values in enumerate(sheet.iter_rows(values_only=True), 1):
        cells = ["" if v is None else v for v in values]
        if any(str(v).strip() for v in cells):
            found.append((n, ",".join(str(v) for v in cells), cells))
    return found


def _rows(cells: list[tuple[int, str, list]]) -> list[Row]:
    if not cells:
        raise file_error("对账单文件为空")
    _, _, header = cells[0]
    names = [str(h).strip() for h in header]
    if missing := [c for c in REQUIRED if c not in names]:
        raise file_error(f"表头缺少必需的列：{'、'.join(missing)}；"
                         "第一行应为表头（日期、金额、方向、摘要、参考号）")
    where = {COLUMNS[h]: i for i, h in enumerate(names) if h in COLUMNS}
    return [_row(line, raw, values, where) for line, raw, values in cells[1:]]


def _row(line: int, raw: str, values: list, where: dict[str, int]) -> Row:
    def cell(name: str):
        i = where.get(name)
        return values[i] if i is not None and i < len(values) else ""

    base = {"line": line, "raw": raw[:500], "summary": str(cell("summary")).strip()[:200],
            "reference": str(cell("reference")).strip()[:80]}
    try:
        on = parse_date(cell("on"))
        amount = parse_amount(cell("amount"))
        direction = parse_direction(cell("direction"))
    except JingbanError as exc:
        return Row(**base, problem=(exc.field or "", exc.message))
    return Row(**base, on=on, amount=amount, direction=direction)


def parse_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    found = _DATE.match(text)
    try:
        if found is None:
            raise ValueError
        y, m, d = (int(x) for x in found.groups() if x is not None)
        return dt.date(y, m, d)
    except ValueError:
        raise InvalidInput("funds.statement_date",
                           f"日期“{text}”格式不正确，应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYYMMDD",
                           "日期") from None


def parse_amount(value) -> int:
    text = str(value).strip().replace(",", "")
    fen = parse_yuan(text, "金额")
    if fen == 0:
        raise InvalidInput("funds.statement_amount", "金额应大于0", "金额")
    return fen


def parse_direction(value) -> str:
    text = str(value).strip()
    if text not in DIRECTION_WORDS:
        raise InvalidInput("funds.statement_direction", f"方向“{text}”应为 收/付 或 借/贷", "方向")
    return DIRECTION_WORDS[text]


# --- matching ----------------------------------------------------------------------------------

def match(statement: list[Item], ledger: list[Item], tolerance_days: int) -> list[Pair]:
    """Line by line: a reference equal to the voucher number or source (a different amount is
    an "amount" difference, a different date a "date" one); then same direction and amount on
    the same day; then within ``tolerance_days`` ("date"). What is left is missing on the other
    side."""
    free = {x.key: x for x in ledger}
    pairs: list[Pair] = []
    rest = []
    for row in statement:
        found = [x for x in free.values() if row.refs and set(row.refs) & set(x.refs)
                 and x.direction == row.direction]
        if not found:
            rest.append(row)
            continue
        best = min(found, key=lambda x: (x.amount != row.amount, abs((x.on - row.on).days), x.key))
        del free[best.key]
        kind = "amount" if best.amount != row.amount else ("date" if best.on != row.on else None)
        pairs.append(Pair(row.key, best.key, kind))
    for days in (0, tolerance_days):
        left = []
        for row in rest:
            found = [x for x in free.values() if x.direction == row.direction
                     and x.amount == row.amount and abs((x.on - row.on).days) <= days]
            if not found:
                left.append(row)
                continue
            best = min(found, key=lambda x: (abs((x.on - row.on).days), x.key))
            del free[best.key]
            pairs.append(Pair(row.key, best.key, "date" if best.on != row.on else None))
        rest = left
    pairs += [Pair(row.key, None, "missing_in_ledger") for row in rest]
    pairs += [Pair(None, key, "missing_in_statement") for key in sorted(free)]
    return pairs


def status_of(open_differences: int, all_differences: int) -> str:
    if open_differences:
        return "differences"
    return "resolved" if all_differences else "balanced"
