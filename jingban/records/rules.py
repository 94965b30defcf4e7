"""Records rules (SPEC §4): rates, rounding, account credits, interest, contribution years.

Pure functions; the rates themselves are dated policy parameters (policy/*/records.yaml),
handed in by the caller. Money is integer fen; every formula rounds half-up once.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from jingban.core.errors import InvalidInput
from jingban.core.money import round_fen
from jingban.registration.rules import INSURANCES, NEEDS_BASE

MAX_FILE_BYTES = 200 * 1024 * 1024

COLUMNS = ("record_id", "uscc", "ssn", "insurance", "period", "base", "employer_amount",
           "personal_amount", "paid_on")
REQUIRED_COLUMNS = ("record_id", "ssn", "insurance", "period", "employer_amount",
                    "personal_amount")
FIELD_NAMES = {"record_id": "征收记录编号", "uscc": "统一社会信用代码", "ssn": "社会保障号码",
               "insurance": "险种", "period": "费款所属期", "base": "缴费基数",
               "employer_amount": "单位缴费金额", "personal_amount": "个人缴费金额",
               "paid_on": "缴费日期"}
STATUS = {"posted": "已入账", "arrears": "欠费", "rejected": "已拒绝", "duplicate": "重复"}

# Individual accounts (个人账户) are kept for these schemes (SPEC §4).
SCHEMES = {"pension_enterprise": "企业职工基本养老保险", "pension_resident": "城乡居民基本养老保险"}
FLAT = {"pension_resident", "medical_resident"}  # 按档次缴费，没有缴费基数
DEEMED_INSURANCES = {"pension_enterprise", "pension_institution"}
ENTRY_KINDS = {"contribution": "个人缴费记账", "subsidy": "政府补贴", "interest": "利息",
               "reversal": "冲正"}

# 职工基本养老保险个人账户计息 (劳办发〔1997〕116号《职工基本养老保险个人账户管理暂行办法》):
# 当年计息 = 上年末账户累计储存额 × 本年记账利率 + 本年记账额 × 本年记账利率 × 1.083 × 1/2.
MONTHLY_ANNUITY_FACTOR = Decimal("1.083")

ROW_MESSAGES = {
    "records.columns": "该行的列数与表头不一致",
    "records.record_id": "征收记录编号不能超过64个字符",
    "records.insurance": "险种代码不正确，可选值：" + "、".join(INSURANCES),
    "records.period_format": "费款所属期格式应为 YYYYMM（如 202401）",
    "records.period_future": "费款所属期晚于当前月份",
    "records.base_not_applicable": "该险种按档次缴费，不填写缴费基数",
    "records.base_range": "缴费基数超出该所属期的上下限（国办发〔2019〕13号第三条）",
    "records.no_rate": "该所属期没有有效的费率或基数参数，无法核对",
    "records.risk_class": "单位尚未核定工伤保险行业风险类别，无法核对工伤保险费",
    "records.not_enrolled": "该人员在该所属期没有此险种的参保登记（经该单位或个人参保）",
    "records.employer_amount": "单位缴费金额与缴费基数×单位费率不符",
    "records.personal_amount": "个人缴费金额与缴费基数×个人费率不符",
    "records.flat_amount": "按档次缴费的险种应有个人缴费金额且单位缴费为0",
    "records.duplicate": "该征收记录编号此前已入账或在本文件中重复，未重复入账",
    "records.arrears_exists": "该人员该所属期该险种的欠费已登记，未重复登记",
    "records.paid_future": "缴费日期晚于今天",
    "person.not_found": "未找到该社会保障号码的参保人",
    "employer.not_found": "未找到该统一社会信用代码的参保单位",
    "money.invalid": "金额格式不正确",
    "money.negative": "金额不能为负数",
    "money.precision": "金额最多保留两位小数（精确到分）",
    "validation.date_invalid": "不是有效的日期，应为 YYYY-MM-DD",
}
ROW_FIELDS = {"records.columns": None, "records.insurance": "insurance",
              "records.period_format": "period", "records.period_future": "period",
              "records.base_not_applicable": "base", "records.base_range": "base",
              "records.no_rate": "period", "records.risk_class": "uscc",
              "records.not_enrolled": "insurance", "records.employer_amount": "employer_amount",
              "records.personal_amount": "personal_amount", "records.flat_amount":
              "personal_amount", "records.duplicate": "record_id", "records.arrears_exists":
              "period", "records.paid_future": "paid_on", "records.record_id": "record_id",
              "person.not_found": "ssn", "employer.not_found": "uscc"}
DUPLICATE_CODES = {"records.duplicate", "records.arrears_exists"}


def row_message(code: str, field: str | None) -> str:
    """The Chinese message of a refused row; a missing field names its column."""
    if code == "validation.missing":
        return f"{FIELD_NAMES.get(field or '', field)}：缺少必填字段"
    message = ROW_MESSAGES.get(code, "该行数据不正确")
    label = FIELD_NAMES.get(field or "")
    return f"{label}：{message}" if label and code.startswith(("money.", "validation.")) else message


# --- the file --------------------------------------------------------------------------------

def file_error(message: str) -> InvalidInput:
    return InvalidInput("records.file", message, "file")


def decode(content: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with or without BOM, else GBK (GB18030 subset) holding only
    ASCII and Chinese text; anything else is refused whole."""
    if len(content) > MAX_FILE_BYTES:
        raise file_error(f"文件超过{MAX_FILE_BYTES // 1024 // 1024}MB，请按所属期拆分后分批导入")
    if b"\x00" in content:
        raise file_error("文件含有空字符（NUL），可能是 UTF-16 或二进制文件；请另存为 UTF-8 或 GBK")
    try:
        text, encoding = content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        try:
            text, encoding = content.decode("gbk"), "gbk"
        except UnicodeDecodeError:
            raise file_error("文件编码无法识别：仅接受 UTF-8 或 GBK 编码的文件") from None
        if not all(_gbk_plausible(ch) for ch in text if ord(ch) > 0x7F):
            raise file_error("文件编码无法识别：仅接受 UTF-8 或 GBK 编码的文件") from None
    if not text.strip():
        raise file_error("文件为空")
    return text, encoding


def _gbk_plausible(ch: str) -> bool:
    """Chinese characters and full-width punctuation: what a collector's GBK file holds."""
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF
            or 0x2010 <= code <= 0x2027 or code in (0x00B7, 0x00D7))


def check_columns(columns: list[str]) -> None:
    if missing := [c for c in REQUIRED_COLUMNS if c not in columns]:
        listed = "、".join(f"{c}（{FIELD_NAMES[c]}）" for c in missing)
        raise file_error(f"表头缺少必需的列：{listed}；第一行应为表头")
    if unknown := [c for c in columns if c not in FIELD_NAMES]:
        raise file_error(f"表头含有无法识别的列：{'、'.join(unknown)}")
    if len(set(columns)) != len(columns):
        raise file_error("表头有重复的列")


# --- rates and amounts -----------------------------------------------------------------------

@dataclass(frozen=True)
class Rates:
    """Rates of one insurance for one route and period; None for flat (档次) schemes."""

    employer: Decimal | None
    personal: Decimal | None
    account: Decimal  # share of the base credited to the individual account


Param = Callable[[str], object]


def rates(param: Param, insurance: str, individual: bool, risk_class: int | None) -> Rates:
    """Employer and personal rates (cited in the policy files): 国办发〔2019〕13号 (pension
    16 %, unemployment 1 %), 国发〔1997〕26号 (personal 8 %), 国发〔2005〕38号 (flexible workers
    20 %; the account 8 %), 人社部发〔2015〕71号 (injury by risk class), regional medical rates."""
    account = Decimal(str(param("records.account_ratio"))) if insurance == "pension_enterprise" \
        else Decimal(0)
    if insurance in FLAT:
        return Rates(None, None, Decimal(0))
    if individual:
        return Rates(Decimal(0), Decimal(str(param(f"contribution.rate.flexible.{insurance}"))),
                     account)
    if insurance == "injury":
        by_class = param("contribution.rate.injury.by_class")
        if not risk_class or not 1 <= risk_class <= len(by_class):
            raise InvalidInput("records.risk_class", ROW_MESSAGES["records.risk_class"], "uscc")
        employer = Decimal(str(by_class[risk_class - 1]))
    else:
        employer = Decimal(str(param(f"contribution.rate.{insurance}.employer")))
    return Rates(employer, Decimal(str(param(f"contribution.rate.{insurance}.personal"))), account)


def due(base: int, rate: Decimal) -> int:
    """Amount due on a base at a rate, half-up to the fen."""
    return round_fen(Decimal(base) * rate)


def fraction(rate: Decimal) -> tuple[int, int]:
    """A rate as an exact integer fraction, for set-based integer arithmetic in SQL."""
    num, den = Decimal(rate).as_integer_ratio()
    return num, den


def due_exact(base: int, num: int, den: int) -> int:
    """``due`` in integer arithmetic (what the SQL does): floor((2·base·num + den) / 2·den)."""
    return (2 * base * num + den) // (2 * den)


def resident_subsidy(payment: int, tiers: list[list[int]]) -> int:
    """城乡居民养老保险缴费补贴 by payment tier (国发〔2014〕8号第四条第（三）项): the tier
    with the highest threshold not above the payment."""
    found = 0
    for threshold, subsidy in sorted(tiers):
        if payment >= threshold:
            found = subsidy
    return found


def needs_base(insurance: str) -> bool:
    return insurance in NEEDS_BASE


# --- individual accounts ---------------------------------------------------------------------

def interest(opening: int, credited: int, rate: Decimal) -> int:
    """Interest of one year (劳办发〔1997〕116号《职工基本养老保险个人账户管理暂行办法》):
    balance at the end of last year × rate + this year's credits × rate × 1.083 × 1/2."""
    return round_fen(Decimal(opening) * rate + Decimal(credited) * rate * MONTHLY_ANNUITY_FACTOR / 2)


def interest_to_month(opening: int, credits: Iterable[tuple[int, int]], rate: Decimal,
                      month: int) -> int:
    """This year's interest up to a transfer out in ``month`` (the balance leaves at the start
    of that month and its interest so far travels with it, 国办发〔2009〕66号第四条第一项
    “个人账户储存额”). The year-end rule pro rata by month: the opening balance earns
    (month − 1)/12 of the year's rate; a credit of month k earns (month − k)/12 — a credit
    is taken as booked at the start of its month, which is what the year-end factor assumes
    (Σ(13 − k)/12 over the twelve months = 78/144 ≈ 1.083 × 1/2). ``credits``: (month, fen)."""
    total = Decimal(opening) * (month - 1)
    total += sum(Decimal(amount) * max(month - k, 0) for k, amount in credits)
    return round_fen(total * rate / 12)


def interest_fraction(rate: Decimal) -> tuple[int, int, int]:
    """(a, b, den) with interest = half-up((opening·a + credited·b) / den), exactly ``interest``."""
    num, den = fraction(rate)
    factor_num, factor_den = fraction(MONTHLY_ANNUITY_FACTOR / 2)
    return num * factor_den, num * factor_num, den * factor_den


def half_up(numerator: int, den: int) -> int:
    """Integer division rounding half away from zero, as ROUND_HALF_UP does."""
    if numerator >= 0:
        return (2 * numerator + den) // (2 * den)
    return -((-2 * numerator + den) // (2 * den))


def credit_year(paid_on: dt.date, closed: set[int], today: dt.date) -> int:
    """记账年度: the year the money arrived, unless that year's interest has been run already,
    then the current year (a late credit earns interest from the year it is booked)."""
    return today.year if paid_on.year in closed else paid_on.year


# --- contribution years ----------------------------------------------------------------------

def period_date(period: int) -> dt.date:
    return dt.date(period // 100, period % 100, 1)


def period_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def actual_months(insurance: str, periods: Iterable[int]) -> int:
    """实际缴费月数: a month paid twice counts once; a resident pension payment is yearly
    (按年缴费) and counts its year's twelve months."""
    per_year = Counter(p // 100 for p in set(periods))
    return sum(year_months(insurance, paid) for paid in per_year.values())


def year_months(insurance: str, paid: int) -> int:
    """实际缴费月数 of one year in which ``paid`` distinct months were paid (see actual_months)."""
    if insurance == "pension_resident":
        return 12 if paid else 0
    return paid


def years_and_months(months: int) -> str:
    return f"{months // 12}年{months % 12}个月"


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from start to end inclusive (1990-01-01..1990-12-31 = 12)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


def deemed_problem(months: int, start: dt.date, end: dt.date, birth: dt.date,
                   cutoff: dt.date, min_age: int) -> str | None:
    """视同缴费年限 (国发〔1997〕26号): working time before the scheme (until the region's
    cutoff), from the personnel file, not before working age, no more than the span."""
    if end < start:
        return "视同缴费期间的结束日期早于开始日期"
    if end > cutoff:
        return f"视同缴费期间须在{cutoff}之前（本地建立个人缴费制度之前）"
    working_age = dt.date(birth.year + min_age, birth.month, min(birth.day, 28))
    if start < working_age:
        return f"视同缴费期间不能早于年满{min_age}周岁"
    if months > months_between(start, end):
        return "视同缴费月数超过所列期间的月数"
    return None
