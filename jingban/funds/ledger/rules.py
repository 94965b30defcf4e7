"""The fund accounting rules (SPEC §9, R§39–§41): which accounts an event debits and credits,
what makes an entry valid, and what the expenditure account may receive.

Every entry belongs to one insurance fund and balances to the fen. The chart, the three bank
accounts and the expenditure account's permitted sources are dated policy (funds.yaml).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from jingban.registration.rules import INSURANCES

FUNDS = INSURANCES  # one fund per insurance (分险种建账)
CLASSES = {"asset": "资产", "liability": "负债", "net_assets": "净资产", "income": "收入",
           "expense": "支出"}
DEBIT_NORMAL = {"asset", "expense"}  # balances carried on the debit side
BANK_KINDS = {"income": "收入户", "fiscal": "财政专户", "expenditure": "支出户"}
ENTRY_KINDS = {"auto": "业务自动记账", "sweep": "收入户归集财政专户", "interest": "利息",
               "manual": "手工记账", "reversal": "冲销"}

# The accounts each automatic posting uses (codes of the chart, funds.chart).
FUND_BALANCE = 3001  # 基金结余 (net assets carried forward)
CONTRIBUTION_INCOME = 4001
FISCAL_SUBSIDY_INCOME = 4101  # 财政补贴收入 (the resident pension's contribution subsidy)
INTEREST_INCOME = 4301
TRANSFER_INCOME = 4501
OTHER_INCOME = 4801  # recovered overpayments (追回多发待遇)
BENEFIT_EXPENSE = 5001
TRANSFER_EXPENSE = 5201

# Signatures on a voucher (Z-10(2)): the accountant prepares (books it), the cashier confirms
# the bank movement, a reviewer approves a manual entry or a reversal. One person, one step.
SIGN_STEPS = {"confirm": "出纳确认", "approve": "复核审批"}
SIGN_ROLES = {"confirm": "funds.confirm", "approve": "funds.approve"}
REVIEWED_KINDS = {"manual", "reversal"}  # high-risk (SPEC §2): approved through a case


@dataclass(frozen=True)
class Line:
    account: int
    debit: int = 0
    credit: int = 0


def period_of(day: dt.date) -> int:
    return day.year * 100 + day.month


def month_end(period: int) -> dt.date:
    year, month = divmod(period, 100)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def entry_problem(fund: str, lines: list[Line],
                  chart: dict[int, tuple[str, str]]) -> tuple[str, str] | None:
    """(code, why) an entry cannot be booked, or None: one known fund, known accounts, amounts
    in whole fen on one side each, and debits equal to credits (财会〔2017〕28号 借贷记账法)."""
    if fund not in FUNDS:
        return "funds.unknown_fund", f"未知的险种基金：{fund}"
    if len(lines) < 2:
        return "funds.invalid_entry", "记账凭证至少应有借贷两行"
    for line in lines:
        if line.account not in chart:
            return "funds.unknown_account", f"会计科目 {line.account} 不在科目表中"
        if not isinstance(line.debit, int) or not isinstance(line.credit, int):
            return "funds.invalid_entry", "金额必须以分为单位的整数记录"
        if line.debit < 0 or line.credit < 0 or (line.debit > 0) == (line.credit > 0):
            return ("funds.invalid_entry",
                    f"科目 {line.account} 的金额应为正数且只记借方或贷方之一")
    debits, credits = sum(x.debit for x in lines), sum(x.credit for x in lines)
    if debits != credits:
        return "funds.unbalanced", f"借贷不平衡：借方合计 {debits} 分，贷方合计 {credits} 分"
    return None


def expenditure_problem(lines: list[Line], banks: dict[str, int], sources: list[int]) -> str | None:
    """The expenditure account (支出户) receives only from the fiscal account, a higher or
    lower agency, its own interest and returned payments (财社〔2017〕144号 第四十一条): what an
    entry debits to it must be covered by what it credits to those sources."""
    received = sum(x.debit for x in lines if x.account == banks["expenditure"])
    covered = sum(x.credit for x in lines if x.account in set(sources))
    if received > covered:
        return "支出户只能接收财政专户拨入、上级下拨或下级上解、本账户利息和退回的待遇，不得发生其他收入"
    return None


def mirror_problem(lines: list[Line], reversed_lines: list[Line]) -> str | None:
    """A reversal (冲销) is read on the entry it reverses, not as a fresh receipt: it restores
    the books to where they were before that entry, which was allowed when it was booked, so
    its debit to the expenditure account (what the entry paid out, coming back from where it
    went) is allowed too — but only as the exact mirror of that entry, every line on the other
    side with the same account and amount (in any order). Anything else would be a way round
    the expenditure account's rule (财社〔2017〕144号 第四十一条) and is refused."""
    if Counter(lines) != Counter(reversal_lines(reversed_lines)):
        return "冲销凭证必须与被冲销凭证的科目、金额逐行相同、借贷方向相反，不得增减或改动分录"
    return None


def fund_problem(fund: str, line_funds: list[str | None]) -> int | None:
    """The index of the first line naming another fund than its entry's (一笔凭证不得跨险种), or
    None."""
    return next((i for i, x in enumerate(line_funds) if x and x != fund), None)


def reversal_problem(kind: str, reversed_by: int | None, open_case: int | None) -> tuple[str, str] | None:
    """Why an entry cannot be reversed (红字冲销只做一次, 冲销凭证不再冲销), or None."""
    if kind == "reversal":
        return "funds.reverse_reversal", "冲销凭证不能再冲销；如需恢复请重新记账"
    if reversed_by is not None:
        return "funds.reversed", f"该凭证已由凭证 {reversed_by} 冲销"
    if open_case is not None:
        return "funds.reversal_open", f"该凭证已有冲销业务件 {open_case} 在办理中"
    return None


def reversal_lines(lines: list[Line]) -> list[Line]:
    """冲销: every line of the entry on the other side."""
    return [Line(x.account, debit=x.credit, credit=x.debit) for x in lines]


def steps_needed(kind: str, accounts: set[int], banks: dict[str, int]) -> list[str]:
    """The signatures a voucher needs after it is prepared, in order: a reviewer's approval
    for manual entries and reversals, the cashier's confirmation when a bank account moves."""
    steps = ["approve"] if kind in REVIEWED_KINDS else []
    if accounts & set(banks.values()):
        steps.append("confirm")
    return steps


def sign_problem(step: str, username: str, booked_by: str, signed: dict[str, str],
                 needed: list[str]) -> str | None:
    """Why ``username`` cannot sign ``step`` of a voucher prepared by ``booked_by`` that
    already carries ``signed`` (step → username), or None."""
    if step not in needed:
        return f"该凭证不需要{SIGN_STEPS.get(step, step)}"
    if step in signed:
        return f"该凭证已由 {signed[step]} {SIGN_STEPS[step]}"
    if username == booked_by or username in signed.values():
        return "同一人不得在同一凭证上承担制单、出纳确认、复核中的两项（不相容岗位分离）"
    earlier = needed[:needed.index(step)]
    if missing := [x for x in earlier if x not in signed]:
        return f"请先完成{SIGN_STEPS[missing[0]]}"
    return None


STATES = {"awaiting_approve": "待复核审批", "awaiting_confirm": "待出纳确认", "done": "已完成"}


def state_of(needed: list[str], signed: dict[str, str]) -> str:
    """A voucher's state: the first step it still waits for, or done."""
    return STATES[state_code(needed, signed)]


def state_code(needed: list[str], signed: dict[str, str]) -> str:
    return next((f"awaiting_{x}" for x in needed if x not in signed), "done")


def balance(kind: str, debit: int, credit: int) -> int:
    """An account's balance on its normal side."""
    return debit - credit if kind in DEBIT_NORMAL else credit - debit


# --- the automatic postings ------------------------------------------------------------------------

def contribution_lines(banks: dict[str, int], amount: int) -> list[Line]:
    """征收机构划入的社会保险费：借 收入户存款，贷 社会保险费收入."""
    return [Line(banks["income"], debit=amount), Line(CONTRIBUTION_INCOME, credit=amount)]


def subsidy_lines(banks: dict[str, int], amount: int) -> list[Line]:
    """财政补贴收入（城乡居民养老保险缴费补贴），财政拨入财政专户（财社〔2017〕144号 第四十二条）：
    借 财政专户存款，贷 财政补贴收入."""
    return [Line(banks["fiscal"], debit=amount), Line(FISCAL_SUBSIDY_INCOME, credit=amount)]


def contribution_reversal_lines(banks: dict[str, int], amount: int, subsidy: int) -> list[Line]:
    """冲正的缴费退出基金收入：保险费由收入户原渠道退回（财社〔2017〕144号 第四十条），收入户月末无余额，
    所需资金由财政专户拨回收入户 —— 借 收入户存款、贷 财政专户存款，借 社会保险费收入、贷 收入户存款；
    随之核发的财政补贴退回财政 —— 借 财政补贴收入，贷 财政专户存款."""
    lines = [Line(banks["income"], debit=amount), Line(banks["fiscal"], credit=amount),
             Line(CONTRIBUTION_INCOME, debit=amount), Line(banks["income"], credit=amount),
             Line(FISCAL_SUBSIDY_INCOME, debit=subsidy), Line(banks["fiscal"], credit=subsidy)]
    return [x for x in lines if x.debit or x.credit]


def payroll_lines(banks: dict[str, int], gross: int, deduction: int) -> list[Line]:
    """一次待遇发放（按险种汇总）：财政专户拨入支出户实发额，借 待遇支出（应发），贷 支出户存款（实发）、
    其他收入（从待遇中抵扣的追回款）."""
    net = gross - deduction
    lines = [Line(banks["expenditure"], debit=net), Line(banks["fiscal"], credit=net),
             Line(BENEFIT_EXPENSE, debit=gross), Line(banks["expenditure"], credit=net)]
    if deduction:
        lines.append(Line(OTHER_INCOME, credit=deduction))
    return [x for x in lines if x.debit or x.credit]


def returned_lines(banks: dict[str, int], amount: int) -> list[Line]:
    """银行退回的待遇：借 支出户存款，贷 社会保险待遇支出（冲减）."""
    return [Line(banks["expenditure"], debit=amount), Line(BENEFIT_EXPENSE, credit=amount)]


def recovery_lines(banks: dict[str, int], amount: int) -> list[Line]:
    """追回的多领待遇（退回款）：借 收入户存款，贷 其他收入."""
    return [Line(banks["income"], debit=amount), Line(OTHER_INCOME, credit=amount)]


def penalty_recovery_lines(banks: dict[str, int], amount: int) -> list[Line]:
    """责令退回的骗取基金（R§55）缴入收入户（郑人社〔2016〕27号第十三部分第（一）项）：借 收入户存款，
    贷 其他收入."""
    return [Line(banks["income"], debit=amount), Line(OTHER_INCOME, credit=amount)]


def transfer_lines(banks: dict[str, int], direction: str, amount: int) -> list[Line]:
    """转移基金：转入 借 收入户存款、贷 转移收入；转出 财政专户拨入支出户，借 转移支出、贷 支出户存款."""
    if direction == "in":
        return [Line(banks["income"], debit=amount), Line(TRANSFER_INCOME, credit=amount)]
    return [Line(banks["expenditure"], debit=amount), Line(banks["fiscal"], credit=amount),
            Line(TRANSFER_EXPENSE, debit=amount), Line(banks["expenditure"], credit=amount)]


def interest_lines(banks: dict[str, int], bank: str, amount: int) -> list[Line]:
    """银行结息：借 该账户存款，贷 利息收入."""
    return [Line(banks[bank], debit=amount), Line(INTEREST_INCOME, credit=amount)]


def sweep_lines(banks: dict[str, int], amount: int) -> list[Line]:
    """月末收入户归集财政专户：借 财政专户存款，贷 收入户存款. A negative income balance (a
    contribution entry reversed after the month's sweep refunded more than came in) is made
    good the other way, 借 收入户 贷 财政专户 (144号 §40: refunds are drawn from the fiscal
    account), so the income account still ends the month at zero."""
    if amount < 0:
        return [Line(banks["income"], debit=-amount), Line(banks["fiscal"], credit=-amount)]
    return [Line(banks["fiscal"], debit=amount), Line(banks["income"], credit=amount)]


def reserve_months(balance_fen: int, monthly_expense_fen: int) -> float | None:
    """累计结余可支付月数; None when nothing is spent yet."""
    return None if monthly_expense_fen <= 0 else balance_fen / monthly_expense_fen


# claims: the monthly settlement with a service institution (R§20–§22)  # claims
def settlement_lines(banks: dict[str, int], amount: int) -> list[Line]:  # claims
    """定点医药机构月度结算（基金支付部分）：财政专户拨入支出户，借 待遇支出，贷 支出户存款（拨付机构）."""
    return [Line(banks["expenditure"], debit=amount), Line(banks["fiscal"], credit=amount),
            Line(BENEFIT_EXPENSE, debit=amount), Line(banks["expenditure"], credit=amount)]
