"""Transfer rules (SPEC §5; 《社会保险经办条例》第十二条至第十六条). Pure functions.

The dated numbers (rates, ages, months, step limits) come from policy/national/transfers.yaml,
handed in by the caller. Money is integer fen, rounded half-up once per amount.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from jingban.core.money import round_fen, to_yuan

KINDS = {
    "pension_enterprise": "企业职工基本养老保险关系跨省转移接续",
    "pension_cross": "机关事业单位与企业之间基本养老保险关系转移接续",
    "pension_resident": "城乡居民基本养老保险关系转移",
    "medical_employee": "职工基本医疗保险关系转移接续",
    "unemployment": "失业保险关系转移接续",
}
# 《社会保险经办条例》第十五条: no transfer; a new enrollment at the new place.
NOT_TRANSFERABLE = {"injury": "工伤保险", "maternity": "生育保险"}
NOT_TRANSFERABLE_REASON = ("{name}关系不转移接续：跨统筹地区就业的，在新就业地重新参加{name}，"
                           "此前发生的待遇仍由原统筹地区基金承担（《社会保险经办条例》第十五条）")

# Which contributions move with each kind, and under which insurance they are kept at the
# new place (年限累计计算: the receiving scheme's years).
MOVES = {
    "pension_enterprise": ("pension_enterprise",),
    "pension_cross": ("pension_enterprise", "pension_institution"),
    "pension_resident": ("pension_resident",),
    "medical_employee": ("medical_employee",),
    "unemployment": ("unemployment",),
}
ACCOUNT_SCHEME = {"pension_enterprise": "pension_enterprise", "pension_cross": "pension_enterprise",
                  "pension_resident": "pension_resident"}
# The catalog item each application is a case of.
ITEMS = {"pension_enterprise": "TRF-PENSION-ENTERPRISE", "pension_cross": "TRF-PENSION-CROSS",
         "pension_resident": "TRF-PENSION-CROSS", "medical_employee": "TRF-MEDICAL-EMPLOYEE"}
UNEMPLOYMENT_ITEMS = {"in": "TRF-UNEMPLOYMENT-IN", "out": "TRF-UNEMPLOYMENT-OUT"}

STEP_NAMES = {"contact_letter": "新参保地审核并发出联系函", "info_sheet": "原参保地核对并传送信息表",
              "confirmation": "新参保地审核确认信息表", "funds": "原参保地办理基金划转",
              "completion": "新参保地核对金额并办结"}
SIDE_NAMES = {"new": "转入地", "old": "转出地"}
STATUS = {"open": "办理中", "completed": "已办结", "refused": "不予办理"}
MESSAGES = {"application": "转移申请（转出地受理）", "contact_letter": "联系函", "info_sheet": "信息表",
            "confirmation": "确认信息表", "funds": "基金划转通知", "completion": "办结反馈",
            "refusal": "不予办理通知"}
MESSAGE_STATUS = {"pending": "待送达（重试中）", "acked": "对方已确认收到", "refused": "对方不予办理",
                  "rejected": "对方拒收", "accepted": "已接收"}


@dataclass(frozen=True)
class Step:
    code: str
    wd: int | None  # None: due with the whole transfer's limit
    side: str  # new | old


def plan(steps_param: list, kind: str, amount_moves: bool = True) -> list[Step]:
    """The ordered steps of a transfer; without money to move the funds step is skipped."""
    steps = [Step(str(code), None if wd is None else int(wd), str(side))
             for code, wd, side in steps_param]
    if not amount_moves:
        steps = [s for s in steps if s.code != "funds"]
    return steps


def item_for(kind: str, direction: str) -> str:
    """The catalog item (事项) an application of this kind is handled as."""
    if kind == "unemployment":
        return UNEMPLOYMENT_ITEMS[direction]
    return ITEMS[kind]


def not_transferable(insurance: str) -> str | None:
    """Why an insurance has no transfer (工伤、生育, 《社会保险经办条例》第十五条), or None."""
    if name := NOT_TRANSFERABLE.get(insurance):
        return NOT_TRANSFERABLE_REASON.format(name=name)
    return None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def province(region: str) -> str:
    return (region or "")[:2]


def needs_temporary_account(sex: str, birth: dt.date, on: dt.date, household_region: str,
                            new_region: str, ages: dict) -> bool:
    """国办发〔2009〕66号第五条第二项: a man ≥ 50 or a woman ≥ 40 moving to a province that is not
    the household's keeps the relationship at the old place; the new place opens a temporary
    contribution account (临时基本养老保险缴费账户) instead of taking the relationship."""
    limit = ages.get(sex)
    if limit is None or age_on(birth, on) < int(limit):
        return False
    return province(household_region) != province(new_region)


@dataclass(frozen=True)
class Stay:
    """Months of enterprise pension contributions in one pooling region, oldest first."""

    region: str
    months: int


def claim_place(household_region: str, relationship_region: str, stays: list[Stay],
                min_months: int) -> str:
    """国办发〔2009〕66号第六条: where the pension is claimed (待遇领取地).

    1. the household region, when the relationship is there;
    2. else the place where the relationship is, with ≥ 10 years paid there;
    3. else the last earlier place with ≥ 10 years (the relationship goes back there);
    4. else the household region."""
    if province(relationship_region) == province(household_region):
        return household_region
    totals: dict[str, int] = {}
    for stay in stays:
        totals[province(stay.region)] = totals.get(province(stay.region), 0) + stay.months
    if totals.get(province(relationship_region), 0) >= min_months:
        return relationship_region
    for stay in reversed(stays):
        if totals[province(stay.region)] >= min_months:
            return stay.region
    return household_region


def pooled_fund(bases: Iterable[tuple[int, int]], start_period: int, rate: Decimal) -> int:
    """统筹基金 = 12 % × the sum of actual contribution wages of each year since the start;
    a year with fewer months counts only its months (按实际缴费月数计算) — which is what
    summing the monthly bases does. (国办发〔2009〕66号第四条第二项)

    A month paid twice (two employers, a repeated collector row) is one month of wages:
    each month counts once, at its highest base — the wage the month was actually insured
    at, as the months count (months_count) counts it once too."""
    per_month: dict[int, int] = {}
    for period, base in bases:
        if period >= start_period:
            per_month[period] = max(per_month.get(period, 0), base)
    return round_fen(Decimal(sum(per_month.values())) * rate)


@dataclass(frozen=True)
class Amount:
    account: int  # 个人账户储存额
    pooled: int  # 统筹基金 / 失业保险费用
    total: int
    basis: str


def pension_amount(kind: str, balance: int, bases: Iterable[tuple[int, int]],
                   starts: dict, rate: Decimal) -> Amount:
    """What moves with a pension transfer (国办发〔2009〕66号第四条; 人社部发〔2014〕17号):
    the whole account balance, plus the pooled part for the employee schemes."""
    if kind == "pension_resident":
        return Amount(balance, 0, balance, "城乡居民养老保险：一次性转移个人账户全部储存额")
    pooled = pooled_fund(bases, int(starts[kind]), rate)
    start = str(starts[kind])
    return Amount(balance, pooled, balance + pooled,
                  f"个人账户储存额 + {start[:4]}年{int(start[4:])}月以来各年度实际缴费工资之和×{rate}")


def unemployment_months(paid_months: int, table: list) -> int:
    """《失业保险条例》第十七条: the longest benefit period for the months paid."""
    months = 0
    for least, entitled in table:
        if paid_months >= int(least):
            months = int(entitled)
    return months


def unemployment_amount(paid_months: int, received_months: int, monthly_benefit: int,
                        table: list, extra_share: Decimal, min_months: int,
                        local_months: int | None = None) -> Amount:
    """失业保险费用 = the benefit still due (应享受失业保险金总额, for all months paid — they add
    up — less the months already received) + half of it for medical premiums and training
    subsidies; nothing when paid under one year at the old place itself (``local_months``:
    months merged from earlier places do not count there) (《社会保险经办条例》第十四条解读;
    人社厅发〔2021〕85号)."""
    here = paid_months if local_months is None else local_months
    if here < min_months:
        return Amount(0, 0, 0, f"在转出地缴费不满{min_months}个月，只转移关系，不转移费用")
    months = max(unemployment_months(paid_months, table) - received_months, 0)
    benefit = months * monthly_benefit
    extra = round_fen(Decimal(benefit) * extra_share)
    return Amount(0, benefit + extra, benefit + extra,
                  f"应享受失业保险金{months}个月×月标准 + 其{extra_share}（医疗保险费、培训与职业介绍补贴）")


def entitlement_amount(months_left: int, monthly_benefit: int, received_months: int,
                       extra_share: Decimal, min_months: int, local_months: int) -> Amount:
    """失业保险费用 from the agency's own benefit record (R§16 解读; 人社厅发〔2021〕85号): the
    entitlement still due (the months left × the person's monthly amount) + half of it;
    nothing when paid under a year at the old place itself."""
    if local_months < min_months:
        return Amount(0, 0, 0, f"在转出地缴费不满{min_months}个月，只转移关系，不转移费用")
    benefit = months_left * monthly_benefit
    extra = round_fen(Decimal(benefit) * extra_share)
    return Amount(0, benefit + extra, benefit + extra,
                  f"本地待遇记录：已领取失业保险金{received_months}个月，尚可领取{months_left}个月×"
                  f"月标准{to_yuan(monthly_benefit)}元 + 其{extra_share}（医疗保险费、培训与职业介绍补贴）")


def may_pay_while_pending(kind: str, relationship_in: bool) -> bool:
    """人社厅发〔2021〕85号: once the unemployment relationship is in, the new place pays
    benefits even while the funds are still on the way."""
    return kind == "unemployment" and relationship_in


def receiving_problem(kind: str, receiving: bool) -> str | None:
    """《社会保险经办条例》第十二条第三款 (and 国办发〔2009〕66号 for the employee schemes): a
    pension relationship moves only while the pension is not yet paid."""
    if not receiving:
        return None
    scheme = "城乡居民养老保险" if kind == "pension_resident" else "基本养老保险"
    return f"已领取{scheme}待遇的，不能转移{scheme}关系（《社会保险经办条例》第十二条）"


def months_count(periods: Iterable[int]) -> int:
    """Distinct months paid (a month paid twice counts once)."""
    return len(set(periods))


# --- the protocol's state machine ------------------------------------------------------------------
# Each message performs one step at the side that receives it. A step is taken once, in
# order: the message of a step already done is a duplicate (answered, nothing changes); one
# whose earlier steps are not all done is out of order and refused. ``funds`` may be passed
# over when nothing moves (OPTIONAL), so the completion can follow the confirmation directly.
RECEIVES = {"contact_letter": "old", "info_sheet": "new", "confirmation": "old",
            "funds": "new", "completion": "old"}
OPTIONAL = {"funds"}
APPLY, DUPLICATE, OUT_OF_ORDER = "apply", "duplicate", "out_of_order"


def step_verdict(steps: list[tuple[str, bool]], code: str, moves_money: bool) -> str:
    """What to do with the message of step ``code`` given the transfer's (step, done) in
    order: APPLY, DUPLICATE (already done) or OUT_OF_ORDER (an earlier step is pending)."""
    done = dict(steps)
    if code not in done:
        return OUT_OF_ORDER
    if done[code]:
        return DUPLICATE
    for step, finished in steps:
        if step == code:
            return APPLY
        if not finished and not (step in OPTIONAL and not moves_money):
            return OUT_OF_ORDER
    return OUT_OF_ORDER


# Labels for pages (the templates show these, never the codes).
DIRECTIONS = {"in": "转入本地", "out": "从本地转出"}
ROLES = {"new": "转入地（本机构）", "old": "转出地（本机构）"}
