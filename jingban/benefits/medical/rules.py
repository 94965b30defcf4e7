"""Medical benefit rules (基本医疗保险待遇, R§20; 《社会保险法》第二十三条至第三十条). Pure
functions; the split of a bill is agreements.claims.split, shared with direct settlement."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from jingban.agreements.claims import rules as review_rules
from jingban.agreements.claims import split
from jingban.benefits.common.rules import add_months

INSURANCES = ("medical_employee", "medical_resident")  # 职工医保、城乡居民医保
MATERNITY = "maternity"
# The one-off award kind that pays a reimbursement, by the fund that pays it.
KINDS = {"medical_employee": "reimburse_employee", "medical_resident": "reimburse_resident",
         "maternity": "reimburse_maternity"}
PURPOSES = {"illness": "疾病医疗费用", "maternity": "生育医疗费用"}
COVERAGE = {"inpatient": "住院", "chronic": "门诊慢特病", "outpatient": "普通门诊（门诊统筹）",
            "self_paid": "普通门诊（统筹地区未设门诊统筹，个人负担）"}
COVERED = ("inpatient", "chronic", "outpatient")


def coverage(inpatient: bool, diagnosis: str, recognised: set[str], pooled: bool) -> str:
    """What a bill is to the pooled fund (《社会保险法》第二十八条; 国办发〔2021〕14号 第二条):
    an admission is covered; an outpatient bill for a chronic or special disease the person is
    recognised for on its date is chronic (门诊慢特病); other outpatient care is covered by the
    general outpatient pooling (门诊统筹) where the region has one (``pooled``: the policy
    medical.outpatient.pooling names the fund), else it is the person's own."""
    if inpatient:
        return "inpatient"
    if disease_of(diagnosis) in recognised:
        return "chronic"
    return "outpatient" if pooled else "self_paid"


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


def pooling_params(params: split.Params, pooling: dict, ytd_fen: int, pooled_paid_fen: int) -> split.Params:
    """The split parameters of an ordinary outpatient bill under the general outpatient pooling
    (国办发〔2021〕14号 第二条第（二）项): its yearly deductible and share; the fund pays at most
    what is left of both the pooling's own yearly limit and the fund's annual cap, so the cap
    the split sees is the year's payments so far plus the smaller of the two rooms."""
    room = min(max(0, int(pooling["annual_cap_fen"]) - pooled_paid_fen),
               max(0, params.annual_cap_fen - ytd_fen))
    return replace(params, deductible_fen=int(pooling["deductible_fen"]),
                   fund_share_bp=int(pooling["fund_share_bp"]), annual_cap_fen=ytd_fen + room)


def recognition_end(valid_from: dt.date, months: int) -> dt.date:
    """The last day of a recognition valid ``months`` months from ``valid_from`` (the day
    before the same day ``months`` later, or before that month's last day)."""
    year, month = add_months(valid_from.year, valid_from.month, months)
    following = dt.date(*add_months(year, month, 1), 1)
    last_day = (following - dt.timedelta(days=1)).day
    return dt.date(year, month, min(valid_from.day, last_day)) - dt.timedelta(days=1)


# The checks of a manual claim's invoice line, shared with the work-injury reimbursement.
invoice_problems = review_rules.invoice_problems
