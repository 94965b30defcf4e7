"""The price list (价格目录) of an institution, imported from CSV (UTF-8 or GBK) or Excel.

Each good row is stored (a row with the same code and start day replaces the earlier one, so
importing the same file twice changes nothing); a new version of a code closes the open one the
day before. Bad rows are listed with their line number and field and nothing of them is kept.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.agreements.institutions import rules
from jingban.agreements.institutions.lifecycle import event, locked
from jingban.agreements.institutions.models import PriceItem
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.core.errors import InvalidInput
from jingban.core.money import parse_yuan

# column → the headers accepted for it (Chinese or English)
COLUMNS = {
    "code": ("项目编码", "code"), "name": ("项目名称", "name"), "unit": ("单位", "unit"),
    "unit_price": ("单价", "单价（元）", "unit_price"), "category": ("类别", "category"),
    "self_pay": ("自付比例", "自付比例（%）", "self_pay"), "daily_limit": ("每日限量", "daily_limit"),
    "sex_only": ("限性别", "sex_only"), "min_age": ("最小年龄", "min_age"),
    "max_age": ("最大年龄", "max_age"), "valid_from": ("生效日期", "valid_from"),
    "valid_to": ("失效日期", "valid_to"),
}
REQUIRED = ("code", "name", "unit_price", "category", "valid_from")
HEADERS = [names[0] for names in COLUMNS.values()]


@dataclass
class BadRow:
    line: int
    field: str
    message: str


@dataclass
class ImportResult:
    imported: int = 0
    unchanged: int = 0
    bad: list[BadRow] = field(default_factory=list)


class RowError(Exception):
    def __init__(self, column: str, message: str):
        super().__init__(message)
        self.column, self.message = column, message


# --- reading the file ---------------------------------------------------------------------------

def read_rows(filename: str, content: bytes) -> tuple[list[tuple[int, dict]], list[BadRow]]:
    """(line, {column: text}) of every data row, and the lines that could not be read."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        lines, bad = _excel_lines(content), []
    else:
        lines, bad = _csv_lines(content)
    if not lines:
        raise InvalidInput("prices.empty", "价格目录文件为空或缺少表头", "file")
    header = [_column(h) for h in lines[0][1]]
    missing = [COLUMNS[c][0] for c in REQUIRED if c not in header]
    if missing:
        raise InvalidInput("prices.header", f"价格目录缺少列：{'、'.join(missing)}", "file")
    rows = [(n, {c: (v or "").strip() for c, v in zip(header, values, strict=False) if c})
            for n, values in lines[1:] if any((v or "").strip() for v in values)]
    return rows, bad


def _column(header: str) -> str | None:
    text = (header or "").strip().lstrip("\ufeff")
    return next((c for c, names in COLUMNS.items() if text in names), None)


def _csv_lines(content: bytes) -> tuple[list[tuple[int, list[str]]], list[BadRow]]:
    """UTF-8 when the whole file is; else GBK line by line, a line that is neither listed bad."""
    try:
        texts = content.decode("utf-8-sig").splitlines()
        bad: list[BadRow] = []
    except UnicodeDecodeError:
        texts, bad = [], []
        for n, raw in enumerate(content.split(b"\n"), start=1):
            try:
                texts.append(raw.rstrip(b"\r").decode("gbk"))
            except UnicodeDecodeError:
                texts.append("")
                bad.append(BadRow(n, "file", "该行既不是UTF-8也不是GBK编码，无法读取"))
    lines = [(n, values) for n, values in
             zip(range(1, len(texts) + 1), csv.reader(texts), strict=False)]
    return [(n, v) for n, v in lines if v or n == 1], bad


def _excel_lines(content: bytes) -> list[tuple[int, list[str]]]:
    try:
        sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
    except Exception:  # noqa: BLE001 — openpyxl raises many kinds on a broken file
        raise InvalidInput("prices.excel", "无法读取Excel文件（须为.xlsx）", "file") from None
    return [(n, ["" if v is None else (v.date().isoformat() if isinstance(v, dt.datetime) else str(v))
                 for v in values])
            for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]


# --- one row ------------------------------------------------------------------------------------

def parse_row(row: dict) -> dict:
    """The price item's fields from one row; RowError names the column that is wrong."""
    for column in REQUIRED:
        if not row.get(column):
            raise RowError(column, f"{COLUMNS[column][0]}不能为空")
    if row["category"] not in rules.CATEGORIES:
        raise RowError("category", "类别应为甲、乙或丙")
    try:
        price = parse_yuan(row["unit_price"], "unit_price")
    except InvalidInput:
        raise RowError("unit_price", "单价应为不小于零、至多两位小数的金额（元）") from None
    self_pay = _percent_bp(row.get("self_pay") or ("100" if row["category"] == "丙" else "0"))
    sex = row.get("sex_only") or None
    if sex not in (None, "1", "2"):
        raise RowError("sex_only", "限性别应为1（男）或2（女）")
    valid_from, valid_to = _date(row, "valid_from"), _date(row, "valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise RowError("valid_to", "失效日期不能早于生效日期")
    ages = (_int(row, "min_age"), _int(row, "max_age"))
    if None not in ages and ages[0] > ages[1]:
        raise RowError("max_age", "最大年龄不能小于最小年龄")
    return dict(code=row["code"][:40], name=row["name"][:200], unit=row.get("unit", "")[:16],
                unit_price_fen=price, category=row["category"], self_pay_bp=self_pay,
                daily_limit=_int(row, "daily_limit"), sex_only=sex, min_age=ages[0],
                max_age=ages[1], valid_from=valid_from, valid_to=valid_to)


def _percent_bp(text: str) -> int:
    try:
        value = round(float(text.rstrip("%")) * 100)
    except ValueError:
        raise RowError("self_pay", "自付比例应为0至100的百分数") from None
    if not 0 <= value <= 10000:
        raise RowError("self_pay", "自付比例应为0至100的百分数")
    return value


def _date(row: dict, column: str) -> dt.date | None:
    text = row.get(column)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10].replace("/", "-"))
    except ValueError:
        raise RowError(column, f"{COLUMNS[column][0]}应为日期（如2026-01-01）") from None


def _int(row: dict, column: str) -> int | None:
    text = row.get(column)
    if not text:
        return None
    try:
        value = int(float(text))
    except ValueError:
        raise RowError(column, f"{COLUMNS[column][0]}应为整数") from None
    if value < 0 or value > 100000:
        raise RowError(column, f"{COLUMNS[column][0]}超出合理范围")
    return value


# --- the import ---------------------------------------------------------------------------------

@transactional
def import_prices(db: Session, actor: Actor, institution_id: int, filename: str,
                  content: bytes) -> ImportResult:
    """导入价格目录: the good rows stored, the bad ones listed."""
    require(actor, "agreements.manage")
    inst = locked(db, institution_id)
    rows, bad = read_rows(filename, content)
    result = ImportResult(bad=bad)
    seen: set[tuple[str, dt.date]] = set()
    for line, row in rows:
        try:
            fields = parse_row(row)
        except RowError as exc:
            result.bad.append(BadRow(line, exc.column, exc.message))
            continue
        if (fields["code"], fields["valid_from"]) in seen:
            result.bad.append(BadRow(line, "code", "同一项目编码与生效日期在文件中重复"))
            continue
        seen.add((fields["code"], fields["valid_from"]))
        changed = _store(db, inst.id, fields)
        result.imported += changed
        result.unchanged += not changed
    result.bad.sort(key=lambda b: b.line)
    event(db, actor, inst, "prices", f"导入价格目录{filename}：新增或更新{result.imported}项，"
                                     f"未变{result.unchanged}项，错误{len(result.bad)}行",
          f"institution:{inst.id}")
    return result


def _store(db: Session, institution_id: int, fields: dict) -> bool:
    """Insert or update one version; close the open earlier version. True when anything changed."""
    same = db.scalar(select(PriceItem).where(PriceItem.institution_id == institution_id,
                                             PriceItem.code == fields["code"],
                                             PriceItem.valid_from == fields["valid_from"]))
    earlier = db.scalar(select(PriceItem).where(
        PriceItem.institution_id == institution_id, PriceItem.code == fields["code"],
        PriceItem.valid_from < fields["valid_from"], PriceItem.valid_to.is_(None)))
    if earlier is not None:
        earlier.valid_to = fields["valid_from"] - dt.timedelta(days=1)
    if same is not None:
        changed = any(getattr(same, k) != v for k, v in fields.items())
        for name, value in fields.items():
            setattr(same, name, value)
        db.flush()
        return changed or earlier is not None
    db.add(PriceItem(institution_id=institution_id, **fields))
    db.flush()
    return True
