"""Medical benefit rules (基本医疗保险待遇, R§20; 《社会保险法》第二十三条至第三十条). Pure
functions; the split of a bill is agreements.claims.split, shared with direct settlement."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from jingban.agreements.claims import split
from jingban.benefits.common.rules import add_months

INSURANCES = ("medical_employee", "medical_resident")  # 职工医保、城乡居民医保
MATERNITY = "maternity"
# The one-off award kind that pays a reimbursement, by the fund that pays it.
KINDS = {"medical_employee": "reimburse_employee", "medical_resident": "reimburse_resident",
         "maternity": "reimburse_maternity"}
PURPOSES = {"illness": "疾病医疗费用", "maternity": "生育医疗费用"}
COVERAGE = {"inpatient": "住院", "chronic": "门诊慢特病", "outpatient": "普通门诊（不属统筹基金报销范围）"}


def coverage(inpatient: bool, diagnosis: str, recognised: set[str]) -> str:
    """What a bill is to the pooled fund (《社会保险法》第二十八条; 国办发〔2021〕14号 第二条):
    an admission is covered; an outpatient bill only for a chronic or special disease the
    person is recognised for on its date (门诊慢特病); other outpatient care is his own."""
    if inpatient:
        return "inpatient"
    return "chronic" if disease_of(diagnosis) in recognised else "outpatient"


def disease_of(diagnosis: str) -> str:
    """The ICD-10 category (three characters) a diagnosis code belongs to: E11.9 → E11."""
    return diagnosis.strip().upper()[:3]


def bill_lines(lines: list[tuple[int, str, int | None]], covered: bool) -> list[split.BillLine]:
    """(amount, category, self-pay share) lines for the split; an uncovered bill is wholly the
    person's (全自费), so each of its lines counts as outside the scope (丙)."""
    return [split.BillLine(amount, category if covered else "丙", share if covered else None)
            for amount, category, share in lines]


def chronic_params(params: split.Params, deductible_fen: int, fund_share_bp: int) -> split.Params:
    """The split parameters of a chronic-disease outpatient bill: its own yearly deductible and
    share, the fund's annual cap unchanged (one cap for all the year's care)."""
    return replace(params, deductible_fen=deductible_fen, fund_share_bp=fund_share_bp)


def recognition_end(valid_from: dt.date, months: int) -> dt.date:
    """The last day of a recognition valid ``months`` months from ``valid_from`` (the day
    before the same day ``months`` later, or before that month's last day)."""
    year, month = add_months(valid_from.year, valid_from.month, months)
    following = dt.date(*add_months(year, month, 1), 1)
    last_day = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(valid_from.day, last_day)) - dt.timedelta(days=1)


def invoice_problems(service_on: dt.date, today: dt.date, window_months: int, amount_fen: int,
                     max_line_fen: int) -> list[str]:
    """Why an invoice line cannot be taken (《社会保险经办条例》第二十条): a date to come or past
    the filing window, a negative or absurd amount."""
    problems = []
    year, month = add_months(today.year, today.month, -window_months)
    if service_on > today:
        problems.append(f"票据日期{service_on}晚于今天")
    elif service_on < dt.date(year, month, 1):
        problems.append(f"票据日期{service_on}已超过{window_months}个月申报时限")
    if amount_fen <= 0:
        problems.append("票据金额应大于0")
    elif amount_fen > max_line_fen:
        problems.append(f"票据金额{amount_fen}分超过单条上限{max_line_fen}分，请核对")
    return problems
