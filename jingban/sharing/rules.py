"""Information sharing rules (SPEC §12, R§8, R§9): reading feed files and judging their records.

Pure functions: a file's bytes become items that keep each record's raw text (the evidence,
Z-11(7)) and its line number; nothing here touches the database.
"""

from __future__ import annotations

import csv
import io

from pydantic import ValidationError

from jingban.core.errors import InvalidInput, JingbanError
from jingban.core.files import Item, clean, json_items
from jingban.core.http import VALIDATION_MESSAGES

MAX_FILE_BYTES = 20 * 1024 * 1024

KINDS = {"employer": "单位登记信息（市场监管/民政/编办）", "population": "人口信息（公安/卫健/民政）",
         "judicial": "在押服刑与释放信息（司法行政）", "exit": "移居境外与丧失国籍信息（公安出入境）",
         "employment": "就业登记与应征入伍信息（公共就业服务机构/兵役机关）"}  # unemployment
STATUS = {"processed": "已处理", "rejected": "已拒绝", "duplicate": "重复", "skipped": "已跳过"}

FIELD_NAMES = {
    "employer": {"event_id": "事件编号", "action": "业务类型", "uscc": "统一社会信用代码",
                 "name": "单位名称", "kind": "单位类型", "region": "所在地行政区划代码",
                 "address": "地址", "legal_rep": "法定代表人", "effective_date": "生效日期"},
    "population": {"event_id": "事件编号", "event": "事件类型", "citizen_id": "公民身份号码",
                   "name": "姓名", "birth_date": "出生日期", "death_date": "死亡日期",
                   "household_region": "户籍地行政区划代码", "address": "地址",
                   "effective_date": "生效日期"},
    "judicial": {"event_id": "事件编号", "event": "事件类型", "citizen_id": "公民身份号码",
                 "name": "姓名", "event_date": "收监或释放日期", "institution": "监所名称",
                 "effective_date": "生效日期"},
    "exit": {"event_id": "事件编号", "event": "事件类型", "citizen_id": "公民身份号码",
             "name": "姓名", "event_date": "定居境外或丧失国籍日期", "country": "国家或地区",
             "effective_date": "生效日期"},
    "employment": {"event_id": "事件编号", "event": "事件类型", "citizen_id": "公民身份号码",
                   "name": "姓名", "event_date": "就业或入伍日期", "unit": "用人单位或部队",
                   "effective_date": "生效日期"},  # unemployment
}
REQUIRED_COLUMNS = {"employer": ("action", "uscc"), "population": ("event", "citizen_id"),
                    "judicial": ("event", "citizen_id", "event_date"),
                    "exit": ("event", "citizen_id", "event_date"),
                    "employment": ("event", "citizen_id", "event_date")}  # unemployment

# Registration's field names, as the feed calls them (so a rejected row names its own column).
FEED_FIELDS = {
    "employer": {"registered_on": "effective_date", "cancelled_on": "effective_date"},
    "population": {"id_number": "citizen_id", "ssn": "citizen_id", "id_type": "citizen_id",
                   "sex": "citizen_id"},
    "judicial": {"ssn": "citizen_id"},
    "exit": {"ssn": "citizen_id"},
    "employment": {"ssn": "citizen_id"},  # unemployment
}

# Refusals that mean "nothing to do here" rather than bad data: the record is skipped.
# Fields compared between the registration authority's record and ours (R§9).
EMPLOYER_FIELD_NAMES = {"name": "单位名称", "kind": "单位类型", "region": "所在地区",
                        "address": "地址", "legal_rep": "法定代表人"}

SKIPPED = {
    "person.not_found": "本地无该人员的参保登记，未作处理",
    "employer.not_found": "本地无该单位的参保登记，未作处理",
    "person.exists": "该人员已办理参保登记，未作处理",
    "employer.exists": "该单位已办理参保登记，未作处理",
    "person.deceased": "该人员已登记死亡，未作处理",
    "employer.cancelled": "该单位已注销，未作处理",
    "person.no_change": "登记信息与共享数据一致，无需变更",
    "employer.no_change": "登记信息与共享数据一致，无需变更",
}

# Why registration refused a shared cancellation -> the flag left for staff (R§10: an
# employer that owes contributions cannot be cancelled; the feed cannot override that).
CANCEL_FLAGS = {
    "employer.liabilities": "登记管理机关已注销，存在未结清欠费，待处理",
    "employer.active_staff": "登记管理机关已注销，仍有在保职工，待处理",
}

FIELD_MESSAGES = {**VALIDATION_MESSAGES, "date_invalid": "不是有效的日期，应为 YYYY-MM-DD"}


def file_error(message: str) -> InvalidInput:
    return InvalidInput("sharing.file", message, "file")


def parse(kind: str, content: bytes) -> tuple[str, list[Item]]:
    """(CSV header line or "", items) of a feed file; a file that cannot be read is refused whole."""
    if kind not in KINDS:
        raise InvalidInput("sharing.kind", "共享数据类型应为 employer（单位）、population（人口）、"
                           "judicial（在押服刑）、exit（出境定居）或 employment（就业与入伍）", "kind")
    if len(content) > MAX_FILE_BYTES:
        raise file_error(f"文件超过{MAX_FILE_BYTES // 1024 // 1024}MB，请拆分后分批上传")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise file_error("文件不是 UTF-8 编码，请另存为 UTF-8 后上传") from None
    if not text.strip():
        raise file_error("文件为空")
    if "\x00" in text:
        raise file_error("文件含有空字符（NUL），请检查导出格式")
    header, items = ("", json_items(text, file_error)) if text.lstrip()[0] in "[{" else _csv_items(kind, text)
    if not items:
        raise file_error("文件中没有数据记录")
    return header, items


def _csv_items(kind: str, text: str) -> tuple[str, list[Item]]:
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(lines)
    try:
        columns = [c.strip() for c in next(reader)]
    except (StopIteration, csv.Error):
        raise file_error("CSV 文件缺少表头") from None
    _check_columns(kind, columns)
    header = "".join(lines[:reader.line_num]).rstrip("\r\n")
    items, start = [], reader.line_num
    try:
        for row in reader:
            first, start = start + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            raw = "".join(lines[first - 1:start]).rstrip("\r\n")
            if len(row) > len(columns):
                items.append(Item(first, raw, None, f"第{first}行的列数多于表头"))
                continue
            items.append(Item(first, raw, clean(dict(zip(columns, row, strict=False)))))
    except csv.Error as exc:
        raise file_error(f"CSV 格式错误（第{reader.line_num}行）：{exc}") from None
    return header, items


def _check_columns(kind: str, columns: list[str]) -> None:
    names = FIELD_NAMES[kind]
    if missing := [c for c in REQUIRED_COLUMNS[kind] if c not in columns]:
        listed = "、".join(f"{c}（{names[c]}）" for c in missing)
        raise file_error(f"CSV 表头缺少必需的列：{listed}；第一行应为表头")
    if unknown := [c for c in columns if c not in names]:
        raise file_error(f"CSV 表头含有无法识别的列：{'、'.join(unknown)}")
    if len(set(columns)) != len(columns):
        raise file_error("CSV 表头有重复的列")


def as_error(kind: str, exc: JingbanError | ValidationError) -> JingbanError:
    """A refusal in the feed's own terms: the field is the feed's column, named in Chinese."""
    if isinstance(exc, JingbanError):
        field = FEED_FIELDS[kind].get(exc.field or "", exc.field)
        return type(exc)(exc.code, exc.message, field)
    first = exc.errors()[0]
    field = str(first["loc"][0]) if first.get("loc") else None
    field = FEED_FIELDS[kind].get(field or "", field)
    label = FIELD_NAMES[kind].get(field or "", field or "记录")
    message = FIELD_MESSAGES.get(first["type"], "格式不正确")
    if first["type"] == "literal_error" and "expected" in first.get("ctx", {}):
        message += f"，可选值：{first['ctx']['expected']}"
    return InvalidInput(f"validation.{first['type']}", f"{label}：{message}", field)


def missing(kind: str, field: str) -> InvalidInput:
    return InvalidInput("validation.missing", f"{FIELD_NAMES[kind][field]}：缺少必填字段", field)
