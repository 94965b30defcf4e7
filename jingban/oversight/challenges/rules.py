"""Reconsideration and litigation rules (行政复议、行政诉讼, R§52): what may be challenged, how
each outcome acts on the challenged case. Pure functions."""

from __future__ import annotations

import datetime as dt

KINDS = {"reconsideration": "行政复议", "litigation": "行政诉讼"}
OUTCOMES = {"upheld": "维持（驳回请求）", "revoked": "撤销", "changed": "变更",
            "withdrawn": "撤回或终止"}
# what each outcome does to the challenged case: confirm it, reopen it, or leave it as it is
EFFECTS = {"upheld": "confirm", "revoked": "reopen", "changed": "reopen", "withdrawn": None}
STATUSES = {"pending": "审理中", "decided": "已结案"}
DECIDED_CASES = {"completed", "returned", "closed"}
BASIS = "《社会保险经办条例》第五十二条"


def challenge_problem(case_status: str, pending: bool) -> tuple[str, str] | None:
    """Only a decided case can be challenged, and one challenge is heard at a time (R§52)."""
    if case_status not in DECIDED_CASES:
        return "challenge.not_decided", "只能对已作出决定（已办结、已退回或已终止）的业务件申请复议或提起诉讼"
    if pending:
        return "challenge.pending", "该业务件已有审理中的行政复议或行政诉讼"
    return None


def date_problem(filed_on: dt.date, decided_on: dt.date | None, today: dt.date,
                 received_on: dt.date) -> tuple[str, str, str] | None:
    """Dates that cannot be: in the future, before the case existed, a decision before filing."""
    if filed_on > today:
        return "challenge.filed_on", "申请（起诉）日期不能晚于今天", "filed_on"
    if filed_on < received_on:
        return "challenge.filed_on", "申请（起诉）日期不能早于被申请业务件的受理日期", "filed_on"
    if decided_on is not None and not filed_on <= decided_on <= today:
        return "challenge.decided_on", "结案日期应在申请日期与今天之间", "decided_on"
    return None


def effect_note(kind: str, outcome: str, reference: str, note: str) -> str:
    """The line the challenged case's timeline gets."""
    text = f"{KINDS[kind]}{OUTCOMES[outcome]}（{reference}，{BASIS}）"
    return f"{text}：{note}" if note else text
