"""Claim review rules (医疗费用审核, Z-6; R§20–§22): pure functions over one month's claims that
flag lines for a reviewer. Each rule cites its clause; ``batch.py`` gives the same flags set-based
over the stored lines (a test compares the two). Also the checks of an uploaded row.

Z-6 = 郑人社〔2016〕27号 第六部分（医疗保险基金支付监督）; Z-6(5)n is item n of its point (五)
(定点医药机构违规行为), Z-6(6)n of point (六) (骗取基金), Z-6(7)n of point (七) (参保人员).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

RULES = {
    "not_listed": "不在协议价格目录或超出支付范围（郑人社〔2016〕27号 六（六）1）",
    "over_price": "单价高于协议价格（超标准收费，六（五）6）",
    "split_charge": "分解收费：同一项目同日拆分在同一机构的多次就诊中收费（六（五）6）",
    "repeated": "重复收费：同一就诊同一项目同日重复收费（六（六）3）",
    "over_quantity": "超过每日临床限量（超量用药、超范围检查，六（五）5）",
    "bed_blocking": "挂床住院：住院日只有床位费、没有诊疗项目（六（五）2）",
    "card_profile": "冒用社保卡嫌疑：项目与参保人性别或年龄不符（六（七）1、六（五）1）",
    "card_simultaneous": "冒用社保卡嫌疑：同期在另一机构住院（六（七）1、六（五）1）",
    "after_death": "服务日期在参保人登记死亡之后（六（六）2 虚构医疗服务）",
    "readmission": "出院后短期内再次住院（疑似分解住院，六（五）3）",
}
DECISIONS = {"accept": "认可", "cut": "核减", "refuse": "拒付"}
VISIT_KINDS = {"inpatient": "住院", "outpatient": "门诊"}
SEX_CODES = {"1": "M", "2": "F"}  # a price item's sex_only (GB/T 2261.1) → Person.sex


@dataclass(frozen=True)
class Item:
    """A price-list entry as the rules need it (agreements' PriceItem on the service date)."""

    unit_price_fen: int
    daily_limit: int | None = None
    sex_only: str | None = None
    min_age: int | None = None
    max_age: int | None = None


@dataclass(frozen=True)
class Line:
    id: int
    code: str
    service_on: dt.date
    quantity: int
    unit_price_fen: int
    amount_fen: int


@dataclass(frozen=True)
class Claim:
    id: int
    institution_id: int
    person_id: int
    inpatient: bool
    admission_on: dt.date
    discharge_on: dt.date
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class Person:
    sex: str
    birth_date: dt.date
    death_date: dt.date | None = None


@dataclass(frozen=True)
class Flag:
    line_id: int
    rule: str
    cut_fen: int  # the cut the rule suggests (the reviewer decides)


@dataclass(frozen=True)
class Params:
    readmission_days: int
    bed_prefixes: tuple[str, ...]
    idle_days: int


Prices = Callable[[int, str, dt.date], Item | None]  # (institution, code, day) → item


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


# --- rules on one claim ------------------------------------------------------------------------

def not_listed(claim: Claim, prices: Prices) -> list[Flag]:
    """Z-6(6)1: an item not on the institution's price list that day is outside the fund."""
    return [Flag(x.id, "not_listed", x.amount_fen) for x in claim.lines
            if prices(claim.institution_id, x.code, x.service_on) is None]


def over_price(claim: Claim, prices: Prices) -> list[Flag]:
    """Z-6(5)6 超标准收费: a unit price above the agreed price; the excess is cut."""
    found = []
    for x in claim.lines:
        item = prices(claim.institution_id, x.code, x.service_on)
        if item is not None and x.unit_price_fen > item.unit_price_fen:
            excess = (x.unit_price_fen - item.unit_price_fen) * x.quantity
            found.append(Flag(x.id, "over_price", min(excess, x.amount_fen)))
    return found


def repeated(claim: Claim) -> list[Flag]:
    """Z-6(6)3 重复收费: the same item charged again the same day in the same claim; every
    line after the first is flagged."""
    seen: set[tuple[str, dt.date]] = set()
    found = []
    for x in sorted(claim.lines, key=lambda x: x.id):
        if (x.code, x.service_on) in seen:
            found.append(Flag(x.id, "repeated", x.amount_fen))
        seen.add((x.code, x.service_on))
    return found


def over_quantity(claim: Claim, prices: Prices) -> list[Flag]:
    """Z-6(5)5 超量用药: a line's quantity above the item's clinical limit per day; the excess
    quantity is cut."""
    found = []
    for x in claim.lines:
        item = prices(claim.institution_id, x.code, x.service_on)
        if item is not None and item.daily_limit is not None and x.quantity > item.daily_limit:
            excess = (x.quantity - item.daily_limit) * min(x.unit_price_fen, item.unit_price_fen)
            found.append(Flag(x.id, "over_quantity", min(excess, x.amount_fen)))
    return found


def is_bed(code: str, params: Params) -> bool:
    return code.startswith(params.bed_prefixes)


def bed_blocking(claim: Claim, params: Params) -> list[Flag]:
    """Z-6(5)2 挂床住院: an admission with at least ``idle_days`` days that carry a bed charge and
    no treatment line; the bed charges of those days are flagged."""
    if not claim.inpatient:
        return []
    bed: dict[dt.date, list[Line]] = defaultdict(list)
    treated: set[dt.date] = set()
    for x in claim.lines:
        (bed[x.service_on].append(x) if is_bed(x.code, params) else treated.add(x.service_on))
    idle = [day for day in bed if day not in treated]
    if len(idle) < params.idle_days:
        return []
    return [Flag(x.id, "bed_blocking", x.amount_fen) for day in idle for x in bed[day]]


def card_profile(claim: Claim, prices: Prices, person: Person) -> list[Flag]:
    """Z-6(7)1, Z-6(5)1 冒用社会保障卡: an item for the other sex, or outside its age range on
    the service day, points to someone else using the card."""
    found = []
    for x in claim.lines:
        item = prices(claim.institution_id, x.code, x.service_on)
        if item is None:
            continue
        age = age_on(person.birth_date, x.service_on)
        if ((item.sex_only and SEX_CODES.get(item.sex_only, item.sex_only) != person.sex)
                or (item.min_age is not None and age < item.min_age)
                or (item.max_age is not None and age > item.max_age)):
            found.append(Flag(x.id, "card_profile", x.amount_fen))
    return found


def after_death(claim: Claim, person: Person) -> list[Flag]:
    """Z-6(6)2 虚构医疗服务: a service dated after the person's recorded death."""
    if person.death_date is None:
        return []
    return [Flag(x.id, "after_death", x.amount_fen) for x in claim.lines
            if x.service_on > person.death_date]


# --- rules across one person's claims ----------------------------------------------------------

def split_charge(claims: Sequence[Claim]) -> list[Flag]:
    """Z-6(5)6 分解项目收费: the same item the same day for the same person at the same
    institution, split over several claims; the lines of every claim after the first."""
    first: dict[tuple[int, str, dt.date], int] = {}
    for claim in sorted(claims, key=lambda c: c.id):
        for x in claim.lines:
            first.setdefault((claim.institution_id, x.code, x.service_on), claim.id)
    return [Flag(x.id, "split_charge", x.amount_fen) for claim in claims for x in claim.lines
            if first[(claim.institution_id, x.code, x.service_on)] != claim.id]


def simultaneous(claims: Sequence[Claim]) -> list[Flag]:
    """Z-6(7)1 冒用社会保障卡住院: a line dated inside the person's stay at another institution
    (a stay counts from admission to the day before discharge); cut left to the reviewer."""
    stays = [c for c in claims if c.inpatient]
    return [Flag(x.id, "card_simultaneous", 0) for c in stays for x in c.lines
            if any(o.institution_id != c.institution_id
                   and o.admission_on <= x.service_on < o.discharge_on for o in stays)]


def readmission(claims: Sequence[Claim], params: Params) -> list[Flag]:
    """Z-6(5)3 分解住院: an admission within ``readmission_days`` after another discharge of the
    same person (any institution); every line of the later stay, cut left to the reviewer."""
    stays = [c for c in claims if c.inpatient]
    return [Flag(x.id, "readmission", 0) for c in stays
            if any(o.id != c.id and o.discharge_on <= c.admission_on
                   and (c.admission_on - o.discharge_on).days <= params.readmission_days
                   for o in stays)
            for x in c.lines]


# --- the whole review --------------------------------------------------------------------------

def review(claims: Iterable[Claim], persons: dict[int, Person], prices: Prices,
           params: Params, history: Iterable[Claim] = ()) -> set[Flag]:
    """Every rule over a month's claims; ``history`` holds the persons' earlier claims (for
    readmission and split charging across months: flags go only to this month's lines)."""
    claims = list(claims)
    flags: set[Flag] = set()
    for c in claims:
        person = persons[c.person_id]
        flags.update(not_listed(c, prices) + over_price(c, prices) + repeated(c)
                     + over_quantity(c, prices) + bed_blocking(c, params)
                     + card_profile(c, prices, person) + after_death(c, person))
    by_person: dict[int, list[Claim]] = defaultdict(list)
    for c in [*history, *claims]:
        by_person[c.person_id].append(c)
    mine = {x.id for c in claims for x in c.lines}
    for group in by_person.values():
        found = split_charge(group) + simultaneous(group) + readmission(group, params)
        flags.update(f for f in found if f.line_id in mine)
    return flags


# --- an uploaded row ---------------------------------------------------------------------------

def amount_problem(quantity: int, unit_price_fen: int, amount_fen: int, max_line_fen: int,
                   max_quantity: int) -> str | None:
    """Why a line's figures are not believable (R§20: the fund pays only real charges), or None."""
    if quantity <= 0 or quantity > max_quantity:
        return f"数量应为1至{max_quantity}之间的整数"
    if unit_price_fen < 0 or amount_fen < 0:
        return "单价和金额不能为负数"
    if amount_fen > max_line_fen:
        return f"金额超过单条明细的合理上限（{max_line_fen // 100}元）"
    if amount_fen != quantity * unit_price_fen:
        return "金额与数量×单价不符"
    return None


def dates_problem(admission: dt.date, discharge: dt.date, service_on: dt.date,
                  period: int) -> str | None:
    """Why a claim's dates do not hold together, or None: the discharge (or visit) falls in the
    settlement month and every service inside the stay."""
    if discharge < admission:
        return "出院日期早于入院日期"
    if discharge.year * 100 + discharge.month != period:
        return f"出院（就诊）日期不在结算月份 {period} 内"
    if not admission <= service_on <= discharge:
        return "费用发生日期不在入院至出院日期之间"
    return None


def decision_problem(decision: str, cut_fen: int | None, amount_fen: int,
                     reason: str) -> str | None:
    """Why a reviewer's decision on a flagged line cannot stand, or None (Z-6(3) 逐级审核)."""
    if decision not in DECISIONS:
        return "审核结论应为认可、核减或拒付"
    if decision != "accept" and not reason.strip():
        return "核减或拒付须写明理由"
    if decision == "cut" and (cut_fen is None or not 0 < cut_fen <= amount_fen):
        return "核减金额应大于0且不超过该条明细金额"
    return None


def accepted_amount(decision: str | None, cut_fen: int | None, amount_fen: int) -> int:
    """A line's amount after review: unflagged or accepted in full, less the cut, or nothing."""
    if decision == "refuse":
        return 0
    if decision == "cut":
        return amount_fen - (cut_fen or 0)
    return amount_fen


def invoice_problems(service_on: dt.date, today: dt.date, window_months: int, amount_fen: int,
                     max_line_fen: int) -> list[str]:
    """Why an invoice line cannot be taken (《社会保险经办条例》第二十条): a date to come or past
    the filing window, a negative or absurd amount."""
    problems = []
    year, month = divmod(today.year * 12 + today.month - 1 - window_months, 12)
    month += 1
    if service_on > today:
        problems.append(f"票据日期{service_on}晚于今天")
    elif service_on < dt.date(year, month, 1):
        problems.append(f"票据日期{service_on}已超过{window_months}个月申报时限")
    if amount_fen <= 0:
        problems.append("票据金额应大于0")
    elif amount_fen > max_line_fen:
        problems.append(f"票据金额{amount_fen}分超过单条上限{max_line_fen}分，请核对")
    return problems
