"""Enrollment registry rules (SPEC §11, E§7–§10, E§27–§31): normalising what the sources say,
choosing a registry value from linked records, and the flags. Pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from stdnum.cn import ric

from jingban.core import ids
from jingban.core.errors import InvalidInput
from jingban.registration.rules import FAMILY, INSURANCES

# E§8–§10: where registry rows come from. Priority order when sources disagree (first wins):
# what the person or a clerk confirmed, then our own registration, then the police register.
SOURCES = {
    "collection": "业务经办采集", "agency": "本机构业务数据", "police": "公安户籍",
    "civil": "民政", "health": "卫生健康", "education": "教育（在校学生）", "tax": "税务",
    "market": "市场监管", "elsewhere": "上级登记库（异地参保）", "survey": "入户调查",
}
PRIORITY = ("collection", "survey", "agency", "police", "civil", "health", "education", "tax",
            "market", "elsewhere")
FILE_SOURCES = ("police", "civil", "health", "education", "tax", "market", "elsewhere")

FIELDS = {  # E§7 registry fields
    "name": "姓名", "citizen_id": "公民身份号码", "sex": "性别", "birth_date": "出生日期",
    "ethnicity": "民族", "household_region": "户口所在地", "household_type": "户口性质",
    "residence_region": "常住所在地", "residence": "常住地址", "phone": "联系电话",
    "employment_status": "就业状态", "insurances": "参保险种", "insured_region": "参保地",
    "not_enrolled_reason": "未参保原因",
}
COLUMNS = ("event_id", *FIELDS)
CHOSEN = ("citizen_id", "name", "sex", "birth_date", "ethnicity", "household_region",
          "household_type", "residence_region", "residence", "phone", "employment_status",
          "not_enrolled_reason")
COLLECTABLE = ("name", "citizen_id", "birth_date", "ethnicity", "household_region",
               "household_type", "residence_region", "residence", "phone", "employment_status",
               "not_enrolled_reason")
EMPLOYMENT = {"employed": "单位就业", "flexible": "灵活就业", "unemployed": "失业",
              "retired": "退休", "student": "在校学生", "child": "学龄前儿童",
              "farmer": "务农", "other": "其他"}
HOUSEHOLD_TYPES = {"agricultural": "农业户口", "non_agricultural": "非农业户口",
                   "resident": "居民户口"}
REASONS = {"unwilling": "不愿参保", "cannot_afford": "缴费困难", "unaware": "不了解政策",
           "employer_refused": "单位未办理", "elsewhere": "在外地参保", "other": "其他"}
FLAG_KINDS = {"duplicate": "重复参保", "not_enrolled": "未参保", "partial": "未参全",
              "inaccurate": "信息不准"}
INVESTIGATE = ("not_enrolled", "partial", "inaccurate")  # → 需调查登记人员 (E§10)
SEX = {"m": "M", "男": "M", "1": "M", "f": "F", "女": "F", "2": "F"}
DOTS = "·•‧・･.．﹒∙⋅"
DATE_FORMATS = ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")
AGE_BANDS = ((0, 16, "0–15岁"), (16, 30, "16–29岁"), (30, 45, "30–44岁"), (45, 60, "45–59岁"),
             (60, 200, "60岁及以上"))
WORKING_AGE = (16, 60)
PENSION_FROM = 16


def half_width(text: str | None) -> str:
    """Full-width letters, digits and spaces to half-width (NFKC), trimmed."""
    return unicodedata.normalize("NFKC", text or "").strip()


@cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def simplified(text: str) -> str:
    """Traditional characters to simplified (OpenCC), e.g. 張偉 → 张伟."""
    return _t2s().convert(text) if text else text


def normalise_name(text: str | None) -> str:
    """Half-width, no spaces, one kind of middle dot (买买提·艾力), simplified characters."""
    name = re.sub(r"\s+", "", half_width(text))
    name = re.sub(f"[{re.escape(DOTS)}]+", "·", name).strip("·")
    return simplified(name)


def name_key(name: str) -> str:
    """What two spellings of one name share: no middle dot at all."""
    return name.replace("·", "")


def upgrade_id(number: str) -> str:
    """A first-generation 15-digit ID as the 18-digit one: 19 before the birth year, and the
    GB 11643-1999 check digit (computed by python-stdnum)."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


@dataclass(frozen=True)
class IdResult:
    number: str  # the 18-digit form, or "" when nothing usable was given
    problem: str = ""  # the ID library's error code, if the number does not hold
    birth_date: dt.date | None = None
    sex: str = ""


def normalise_id(text: str | None, today: dt.date) -> IdResult:
    """A citizen ID as the registry keeps it: half-width, no spaces or dashes, X upper-case,
    15 digits upgraded; validated by the house ID library (check digit, date, area code)."""
    number = re.sub(r"[\s\-]", "", half_width(text)).upper()
    if not number:
        return IdResult("", "id.missing")
    if re.fullmatch(r"\d{15}", number):
        number = upgrade_id(number)
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return IdResult("", "id.format")
    try:
        parsed = ids.parse_citizen_id(number, today, "citizen_id")
    except InvalidInput as exc:
        return IdResult(number, exc.code)
    return IdResult(number, "", parsed.birth_date, parsed.sex)


def normalise_phone(text: str | None) -> str:
    """Digits only; the country code +86/0086 dropped — a mobile number keeps its 11 digits,
    a landline its area code with the trunk 0 (+86 571 …, +86 (0)571 … and 0571 … are one)."""
    given = half_width(text).strip()
    digits = re.sub(r"\D", "", given)
    found = re.fullmatch(r"(0086|86)(\d{9,12})", digits)
    if found and (given.startswith("+") or found.group(1) == "0086" or len(digits) >= 12):
        rest = found.group(2)
        digits = rest if rest.startswith("0") or re.fullmatch(r"1\d{10}", rest) else "0" + rest
    return digits


def parse_date(text: str | None, field: str) -> dt.date | None:
    value = half_width(str(text) if text is not None else "")
    if not value:
        return None
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise InvalidInput("registry.date", f"{FIELDS[field]}：不是有效的日期，应为 YYYY-MM-DD", field)


def parse_sex(text: str | None) -> str:
    value = half_width(text).lower()
    if value and value not in SEX:
        raise InvalidInput("registry.sex", "性别：应为 男/女、M/F 或 1/2", "sex")
    return SEX.get(value, "")


def _code(text: str | None, choices: Mapping[str, str], field: str) -> str:
    """A coded value given as its code or its Chinese name."""
    value = half_width(text)
    if not value:
        return ""
    if value in choices:
        return value
    for code, label in choices.items():
        if value == label:
            return code
    raise InvalidInput("registry.code", f"{FIELDS[field]}：可选值为 "
                       + "、".join(f"{k}（{v}）" for k, v in choices.items()), field)


@cache
def region_code(text: str | None, field: str, today: dt.date) -> str:
    value = half_width(text)
    if not value:
        return ""
    return ids.validate_region(value, field, today)


@cache
def division_code(text: str | None, field: str, today: dt.date) -> str:
    """A division down to the community: 6 (county), 9 (township) or 12 digits (community);
    the county part must name a place."""
    value = half_width(text)
    if not value:
        return ""
    if not re.fullmatch(r"\d{6}(\d{3}){0,2}", value):
        raise InvalidInput("region.format", f"{FIELDS.get(field, field)}：行政区划代码应为6位、9位或12位数字",
                           field)
    region_code(value[:6], field, today)
    return value


def parse_insurances(text: str | None) -> str:
    """A ;-joined list of insurance codes (also accepts , 、 and the Chinese names)."""
    parts = [p for p in re.split(r"[;,，；、\s]+", half_width(text)) if p]
    codes = [_code(p, INSURANCES, "insurances") for p in parts]
    return ";".join(sorted(set(codes)))


def normalise_row(data: Mapping[str, object], today: dt.date) -> dict[str, object]:
    """One source row as registry values; an unusable value raises with its field."""
    if unknown := [k for k in data if k not in COLUMNS]:
        raise InvalidInput("registry.column", f"无法识别的列：{'、'.join(map(str, unknown))}",
                           str(unknown[0]))
    text = {k: ("" if v is None else str(v)) for k, v in data.items()}
    cid = normalise_id(text.get("citizen_id"), today)
    row = {"citizen_id": cid.number, "id_problem": cid.problem,
           "name": normalise_name(text.get("name")), "sex": parse_sex(text.get("sex")) or cid.sex,
           "birth_date": parse_date(text.get("birth_date"), "birth_date") or cid.birth_date,
           "ethnicity": half_width(text.get("ethnicity"))[:16],
           "household_region": region_code(text.get("household_region"), "household_region", today),
           "household_type": _code(text.get("household_type"), HOUSEHOLD_TYPES, "household_type"),
           "residence_region": division_code(text.get("residence_region"), "residence_region", today),
           "residence": half_width(text.get("residence"))[:300],
           "phone": normalise_phone(text.get("phone"))[:32],
           "employment_status": _code(text.get("employment_status"), EMPLOYMENT, "employment_status"),
           "insurances": parse_insurances(text.get("insurances")),
           "insured_region": region_code(text.get("insured_region"), "insured_region", today),
           "not_enrolled_reason": _code(text.get("not_enrolled_reason"), REASONS,
                                        "not_enrolled_reason")}
    check_name(str(row["name"]))
    if not row["citizen_id"] and not row["birth_date"]:
        if cid.problem != "id.missing":  # an ID was given but is not one
            raise InvalidInput(cid.problem, ID_PROBLEMS.get(cid.problem, "公民身份号码不正确"), "citizen_id")
        raise InvalidInput("registry.identity", "公民身份号码与出生日期至少应有一项", "citizen_id")
    return row


NAME_LENGTH = 64  # registry_source_record.name, registry_entry.name


def check_name(name: str) -> None:
    """A name is given, fits its column, and holds no digits or separators (a broken CSV line
    whose quote swallowed the next rows is a broken row, not a name)."""
    if not name:
        raise InvalidInput("registry.name", "姓名：缺少必填字段", "name")
    if len(name) > NAME_LENGTH:
        raise InvalidInput("registry.name_length", f"姓名：不能超过{NAME_LENGTH}个字符", "name")
    if re.search(r"[0-9,，;；\"]", name):
        raise InvalidInput("registry.name_chars", "姓名：不能含有数字、逗号、分号或引号", "name")


# --- choosing values (survivorship) ---------------------------------------------------------

NEWEST_FIRST = ("collection", "survey")


def rank(source: str) -> int:
    return PRIORITY.index(source) if source in PRIORITY else len(PRIORITY)


def _priority(record: Mapping[str, object]) -> tuple[int, int]:
    """Sources by rank; within one, the first row received, except what was collected (E§13):
    the newest correction there replaces the one before."""
    order = int(record.get("order", 0) or 0)
    return rank(str(record["source"])), -order if record["source"] in NEWEST_FIRST else order


def check_collected(values: Mapping[str, object], given: Mapping[str, str], today: dt.date) -> None:
    """What a clerk, a surveyor or the person gives must be a value: a mobile number (11
    digits) or a landline with its area code; a birth date not after today."""
    if "phone" in given and not re.fullmatch(r"1\d{10}|0\d{9,11}", str(values.get("phone") or "")):
        raise InvalidInput("registry.phone", "联系电话应为11位手机号码或带区号的固定电话", "phone")
    born = values.get("birth_date")
    if "birth_date" in given and isinstance(born, dt.date) and born > today:
        raise InvalidInput("registry.birth_future", "出生日期不能晚于今天", "birth_date")


def choose(records: Sequence[Mapping[str, object]]) -> tuple[dict[str, object], dict[str, str]]:
    """Per field, the value of the highest-priority source that gives one (a valid ID before an
    invalid one); returns (values, field → source)."""
    ordered = sorted(records, key=_priority)
    values: dict[str, object] = {}
    origin: dict[str, str] = {}
    valid = [r for r in ordered if r.get("citizen_id") and not r.get("id_problem")]
    for field in CHOSEN:
        pool = valid if field == "citizen_id" and valid else ordered
        for record in pool:
            if record.get(field) not in (None, ""):
                values[field], origin[field] = record[field], str(record["source"])
                break
        else:
            values[field] = None if field == "birth_date" else ""
    return values, origin


def conflicts(records: Sequence[Mapping[str, object]]) -> list[str]:
    """Fields on which the linked records disagree (after normalisation)."""
    out = []
    for field in ("citizen_id", "birth_date", "sex"):
        seen = {r[field] for r in records if r.get(field) not in (None, "")
                and not (field == "citizen_id" and r.get("id_problem"))}
        if len(seen) > 1:
            out.append(field)
    names = {name_key(str(r["name"])) for r in records if r.get("name")}
    if len(names) > 1:
        out.append("name")
    return out


# --- flags (E§10) ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Flag:
    kind: str
    reason: str
    fields: tuple[str, ...] = ()


def age_on(birth: dt.date | None, today: dt.date) -> int | None:
    if birth is None:
        return None
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def age_band(birth: dt.date | None, today: dt.date) -> str:
    age = age_on(birth, today)
    if age is None:
        return "未知"
    return next(label for low, high, label in AGE_BANDS if low <= age < high)


def years_before(today: dt.date, years: int) -> dt.date:
    """The date ``years`` years before ``today`` (29 February → 28 February): whoever was born
    on or before it is at least ``years`` old — what SQL compares birth dates with."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def band_limits(today: dt.date) -> list[tuple[str, dt.date | None, dt.date]]:
    """Per age band: its label, born after (None for the oldest) and born on or before."""
    return [(label, years_before(today, high) if high < 200 else None, years_before(today, low))
            for low, high, label in AGE_BANDS]


def families(codes: Iterable[str]) -> set[str]:
    return {FAMILY[c] for c in codes if c in FAMILY}


def split(codes: str) -> list[str]:
    return [c for c in (codes or "").split(";") if c]


@dataclass(frozen=True)
class Facts:
    """What the flag rules look at for one registry entry."""

    values: Mapping[str, object]
    here: tuple[str, ...]  # active insurances in this region
    elsewhere: tuple[str, ...]
    agency_persons: int  # how many of our registrations the entry links
    problems: tuple[tuple[str, str], ...] = ()  # (field, why) from the sources
    conflicting: tuple[str, ...] = ()
    deceased: bool = False


def duplicate_flag(facts: Facts) -> Flag | None:
    """重复参保 (E§10, E§29): two registrations here, or one scheme here and elsewhere."""
    if facts.agency_persons > 1:
        return Flag("duplicate", f"本地有{facts.agency_persons}条参保登记属于同一人")
    both = families(facts.here) & families(facts.elsewhere)
    if both:
        names = "、".join(sorted(both_names(facts, both)))
        return Flag("duplicate", f"同时在本地和异地参加{names}")
    return None


def both_names(facts: Facts, both: set[str]) -> set[str]:
    return {INSURANCES[c] for c in facts.here if FAMILY.get(c) in both}


def enrollment_flag(facts: Facts, today: dt.date) -> Flag | None:
    """未参保 / 未参全 (E§10): nothing anywhere and no reason known yet; or employed without
    every insurance an employee joins."""
    if facts.here or facts.elsewhere:
        employed = facts.values.get("employment_status") == "employed"
        missing = {"injury", "unemployment", "pension", "medical"} - families(facts.here)
        if employed and facts.here and missing:
            names = "、".join(sorted(FAMILY_NAMES[f] for f in missing))
            return Flag("partial", f"单位就业人员未参加{names}", ("employment_status",))
        return None
    if facts.values.get("not_enrolled_reason"):
        return None  # collected: the reason is on the register (E§13, E§29)
    age = age_on(facts.values.get("birth_date"), today)  # type: ignore[arg-type]
    why = "未在本地或异地参加任何社会保险"
    if age is not None and age >= PENSION_FROM:
        why += "（已满16周岁）"
    return Flag("not_enrolled", why, ("not_enrolled_reason", "employment_status"))


FAMILY_NAMES = {"pension": "养老保险", "medical": "医疗保险", "injury": "工伤保险",
                "unemployment": "失业保险", "maternity": "生育保险"}
ID_PROBLEMS = {"id.missing": "缺少公民身份号码", "id.format": "公民身份号码格式不正确",
               "id.check_digit": "公民身份号码校验码不正确",
               "id.birth_date": "公民身份号码中的出生日期不存在",
               "id.birth_future": "公民身份号码中的出生日期晚于今天",
               "id.area_code": "公民身份号码中的行政区划代码不存在"}


def accuracy_flag(facts: Facts) -> Flag | None:
    """信息不准 (E§10, E§12): a missing or invalid ID, sources that disagree, no phone or
    residence — the fields to collect."""
    reasons, fields = [], []
    values = facts.values
    if not values.get("citizen_id"):
        reasons.append("缺少公民身份号码")
        fields.append("citizen_id")
    for field, why in facts.problems:
        reasons.append(why)
        fields.append(field)
    for field in facts.conflicting:
        reasons.append(f"各来源的{FIELDS[field]}不一致")
        fields.append(field)
    for field in ("phone", "residence"):
        if not values.get(field):
            reasons.append(f"缺少{FIELDS[field]}")
            fields.append(field)
    if not reasons:
        return None
    unique = tuple(dict.fromkeys(fields))
    return Flag("inaccurate", "；".join(dict.fromkeys(reasons)), unique)


ENTRY_STATUS = {"confirmed": "已确认登记", "investigate": "需调查登记", "deceased": "已死亡"}


def entry_status(deceased: bool, flag_kinds: Sequence[str]) -> str:
    """A death takes the person out of the resident figures (E§22); an open 未参保, 未参全 or
    信息不准 flag makes them 需调查登记人员 (E§10)."""
    if deceased:
        return "deceased"
    return "investigate" if any(k in INVESTIGATE for k in flag_kinds) else "confirmed"


def flags(facts: Facts, today: dt.date) -> list[Flag]:
    """Every flag an entry carries now; a deceased person carries none."""
    if facts.deceased:
        return []
    found = [duplicate_flag(facts), enrollment_flag(facts, today), accuracy_flag(facts)]
    return [f for f in found if f is not None]


# --- source files ---------------------------------------------------------------------------

MAX_FILE_BYTES = 50 * 1024 * 1024


def file_error(message: str) -> InvalidInput:
    return InvalidInput("registry.file", message, "file")


def parse_file(source: str, content: bytes) -> tuple[str, list]:
    """(CSV header or "", items) of a department file; an unreadable file is refused whole."""
    from jingban.core.files import json_items

    if source not in FILE_SOURCES:
        raise InvalidInput("registry.source", "来源应为：" + "、".join(
            f"{s}（{SOURCES[s]}）" for s in FILE_SOURCES), "source")
    if len(content) > MAX_FILE_BYTES:
        raise file_error(f"文件超过{MAX_FILE_BYTES // 1024 // 1024}MB，请拆分后分批上传")
    text = decode(content)
    if not text.strip() or "\x00" in text:
        raise file_error("文件为空或含有空字符（NUL）")
    header, items = ("", json_items(text, file_error)) if text.lstrip()[0] in "[{" else _csv(text)
    if not items:
        raise file_error("文件中没有数据记录")
    return header, items


def decode(content: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (GBK: what Excel in Chinese saves)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise file_error("文件不是 UTF-8 或 GBK 编码，请另存为 UTF-8 后上传")


def _csv(text: str) -> tuple[str, list]:
    """One record a line (no registry field of E§7 holds a line break). A line whose quotes do
    not pair up is a listed broken row, so an unclosed quote never swallows the next rows."""
    import io

    from jingban.core.files import Item, clean

    lines = [line.rstrip("\r\n") for line in io.StringIO(text, newline="").readlines()]
    header = _cells(lines[0])
    if header is None:
        raise file_error("CSV 表头的引号未闭合")
    columns = [c.strip() for c in header]
    if unknown := [c for c in columns if c not in COLUMNS]:
        raise file_error(f"CSV 表头含有无法识别的列：{'、'.join(unknown)}")
    if "name" not in columns:
        raise file_error("CSV 表头缺少必需的列：name（姓名）；第一行应为表头")
    items = []
    for number, raw in enumerate(lines[1:], 2):
        row = _cells(raw)
        if row is not None and not any(cell.strip() for cell in row):
            continue  # a blank line
        if row is None:
            items.append(Item(number, raw, None, f"第{number}行的引号未闭合（引号应成对出现）"))
        elif len(row) > len(columns):
            items.append(Item(number, raw, None, f"第{number}行的列数多于表头"))
        else:
            items.append(Item(number, raw, clean(dict(zip(columns, row, strict=False)))))
    return lines[0], items


def _cells(line: str) -> list[str] | None:
    """The cells of one CSV line, or None when its quotes do not pair up (a doubled quote
    inside a quoted cell counts twice, so it keeps the pairs)."""
    import csv

    if line.count('"') % 2:
        return None
    try:
        return next(csv.reader([line], strict=True), [])
    except csv.Error:
        return None


# --- statistics (E§27–§31) ------------------------------------------------------------------

DIMENSIONS = {"household_region": "户口所在地", "age_band": "年龄段", "sex": "性别",
              "employment_status": "就业状态", "where": "本地/异地参保",
              "not_enrolled_reason": "未参保原因", "insurance": "险种"}
WHERE = {"here": "仅本地参保", "elsewhere": "仅异地参保", "both": "本地和异地均参保",
         "none": "未参保"}
SEX_NAMES = {"M": "男", "F": "女", "": "未知"}


def value_label(dimension: str, value: str) -> str:
    if dimension == "household_region" and value and (name := ids.area_name(value[:6])):
        return f"{name}（{value}）"
    names = {"sex": SEX_NAMES, "employment_status": EMPLOYMENT,
             "where": WHERE, "not_enrolled_reason": {**REASONS, "unknown": "原因未知"},
             "insurance": {**INSURANCES, "none": "未参保"}}.get(dimension, {})
    return names.get(value, value or "未登记")


# GB/T 3304 民族代码 (the code set LD/T92—2013 names for 民族, E§7): a source may send the
# two-digit code or the name; forms print the name.
ETHNICITIES = dict(enumerate((
    "汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族",
    "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族",
    "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族",
    "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族",
    "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族",
    "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"), 1))
ETHNICITY_CODES = {**{f"{n:02d}": name for n, name in ETHNICITIES.items()},
                   "97": "其他未识别民族", "98": "外国血统中国籍人士"}


def ethnicity_name(value: str | None) -> str:
    """The name of an ethnicity given as its GB/T 3304 code (1 or 2 digits) or as a name."""
    text = (value or "").strip()
    return ETHNICITY_CODES.get(text.zfill(2), text) if text.isdigit() else text


def division_name(code: str | None) -> str:
    """A division as printed: the county's name (national table), and below the county the
    full code after it — township and community names are in no table the agency holds."""
    code = (code or "").strip()
    if not code:
        return ""
    county = ids.area_name(code[:6]) if re.fullmatch(r"\d{6}(\d{3}){0,2}", code) else None
    if county is None:
        return code
    return county if len(code) == 6 else f"{county}（{code}）"


def insurance_names(codes: str | None) -> str:
    return "、".join(INSURANCES.get(c, c) for c in split(codes or ""))


SHOWN = {"sex": lambda v: SEX_NAMES.get(v, v) if v else "", "ethnicity": ethnicity_name,
         "household_region": division_name, "residence_region": division_name,
         "elsewhere_region": division_name, "insured_region": division_name,
         "household_type": lambda v: HOUSEHOLD_TYPES.get(v, v),
         "employment_status": lambda v: EMPLOYMENT.get(v, v),
         "not_enrolled_reason": lambda v: REASONS.get(v, v),
         "insured_here": insurance_names, "insured_elsewhere": insurance_names,
         "insurances": insurance_names}


def shown(field: str, value: object) -> str:
    """A registry value as a person reads it: names, not codes (printed forms, sheets)."""
    text = "" if value is None else str(value)
    return SHOWN[field](text) if field in SHOWN else text


def rate(part: int, whole: int) -> float:
    """A percentage to one decimal (0 for nothing)."""
    return round(100 * part / whole, 1) if whole else 0.0
