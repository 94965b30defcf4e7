"""The policy split of a medical (or work-injury) bill (医疗费用分割, R§20–§22): what the fund
pays and what the insured person pays, line by line and for the whole bill.

Pure functions, independent of the claims tables: the same split serves the direct settlement
with an institution and the manual reimbursement (手工报销) of the invoices a person brings.
Input is the bill's accepted lines (amount, catalog category, self-pay share) and the person's
year-to-date fund payments; the parameters are dated regional policy (policy/*/medical.yaml).

Order of the split (《社会保险法》第二十八条; 国家医疗保障局令第1号 第三十一条):
1. 丙类 (outside the catalog) is paid wholly by the person (全自费);
2. 乙类 is first self-paid at its share (先行自付), the rest is within policy;
3. 甲类 is wholly within policy;
4. within policy, the deductible (起付线) is the person's; above it the fund pays its share
   (基金支付比例), the person the rest (共付);
5. the fund's payment is limited by what is left of the annual cap (封顶线) this year.
Every amount is rounded half-up to the fen once, where it arises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from jingban.core.errors import InvalidInput
from jingban.core.money import round_fen

CATEGORIES = {"甲": "甲类（全部纳入支付范围）", "乙": "乙类（先行自付一定比例）", "丙": "丙类（全部自费）"}
FULL_BP = 10000


@dataclass(frozen=True)
class Params:
    """One fund's split parameters on the service date (policy medical.split.*)."""

    deductible_fen: int
    fund_share_bp: int
    annual_cap_fen: int
    category_self_pay_bp: dict[str, int]


@dataclass(frozen=True)
class BillLine:
    """One accepted line: its amount after review, catalog category and self-pay share (bp;
    None takes the category's default)."""

    amount_fen: int
    category: str
    self_pay_bp: int | None = None


@dataclass(frozen=True)
class Split:
    total_fen: int  # 医疗费用总额（审核认可）
    out_of_scope_fen: int  # 全自费（丙类及超出支付范围）
    first_self_pay_fen: int  # 乙类先行自付
    in_policy_fen: int  # 政策范围内费用
    deductible_fen: int  # 起付线以下（个人负担）
    co_pay_fen: int  # 起付线以上个人共付
    over_cap_fen: int  # 超过封顶线（个人负担）
    fund_fen: int  # 基金支付
    person_fen: int  # 个人负担合计

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def params_of(value: Callable[[str], dict], fund: str) -> Params:
    """The fund's split parameters from policy (``value(name)`` reads one dated parameter)."""
    tables = {name: value(f"medical.split.{name}") for name in
              ("deductible_fen", "fund_share_bp", "annual_cap_fen")}
    if any(fund not in table for table in tables.values()):
        raise InvalidInput("claims.fund", f"基金 {fund} 没有配置起付线、支付比例或封顶线", "fund")
    shares = {str(k): int(v) for k, v in value("medical.split.category_self_pay_bp").items()}
    # inj11: a fund whose own catalogue pays in-scope items in full overrides the category
    # shares (工伤保险: 甲类、乙类 without 先行自付, 《工伤保险条例》第三十条)
    shares.update({str(k): int(v) for k, v in value("medical.split.fund_category_self_pay_bp")  # inj11
                   .get(fund, {}).items()})  # inj11
    return Params(int(tables["deductible_fen"][fund]), int(tables["fund_share_bp"][fund]),
                  int(tables["annual_cap_fen"][fund]), shares)  # inj11


def self_pay_share(line: BillLine, params: Params) -> int:
    """A line's self-pay share in bp: 丙类 always all, else the price item's share or the
    category's default (国家医疗保障局令第1号 第三十一条)."""
    if line.category not in CATEGORIES:
        raise InvalidInput("claims.category", f"目录类别应为甲、乙或丙，不能为“{line.category}”", "category")
    if line.category == "丙":
        return FULL_BP
    share = params.category_self_pay_bp[line.category] if line.self_pay_bp is None else line.self_pay_bp
    if not 0 <= share <= FULL_BP:
        raise InvalidInput("claims.self_pay_bp", "自付比例应在0至100%之间", "self_pay_bp")
    return share


def line_self_pay(line: BillLine, params: Params) -> int:
    """The part of one line the person pays before the deductible (全自费 or 先行自付)."""
    return round_fen(Decimal(line.amount_fen) * self_pay_share(line, params) / FULL_BP)


def split(lines: Sequence[BillLine], params: Params, fund_paid_ytd_fen: int,
          deductible_borne_ytd_fen: int = 0) -> Split:  # medmat
    """The split of one bill (one admission or one visit) for a person whose fund payments this
    calendar year already reach ``fund_paid_ytd_fen`` (《社会保险法》第二十八条).
    ``deductible_borne_ytd_fen``: for a yearly deductible (门诊慢特病), what the person has borne
    of it this year already; 0 for a deductible per admission."""  # medmat
    if any(x.amount_fen < 0 for x in lines) or min(fund_paid_ytd_fen, deductible_borne_ytd_fen) < 0:  # medmat
        raise InvalidInput("claims.negative", "费用金额和年度累计支付不能为负数", "amount")
    total = sum(x.amount_fen for x in lines)
    out_of_scope = sum(x.amount_fen for x in lines if x.category == "丙")
    first_self = sum(line_self_pay(x, params) for x in lines if x.category != "丙")
    in_policy = total - out_of_scope - first_self
    deductible = min(in_policy, max(0, params.deductible_fen - deductible_borne_ytd_fen))  # medmat
    above = in_policy - deductible
    fund_due = round_fen(Decimal(above) * params.fund_share_bp / FULL_BP)
    room = max(0, params.annual_cap_fen - fund_paid_ytd_fen)
    fund = min(fund_due, room)
    co_pay = above - fund_due
    over_cap = fund_due - fund
    return Split(total, out_of_scope, first_self, in_policy, deductible, co_pay, over_cap, fund,
                 total - fund)
