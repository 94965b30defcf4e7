"""Reconsideration and litigation rules (行政复议、行政诉讼, R§52): what may be challenged, how
each outcome acts on the challenged case. Pure functions."""

from __future__ import annotations

import calendar
import datetime as dt

KINDS = {"reconsideration": "行政复议", "litigation": "行政诉讼"}
OUTCOMES = {"upheld": "维持（驳回请求）", "revoked": "撤销", "changed": "变更",
            "withdrawn": "撤回或终止"}
# what each outcome does to the challenged case: confirm it, reopen it, or leave it as it is
EFFECTS = {"upheld": "confirm", "revoked": "reopen", "changed": "reopen", "withdrawn": None}
STATUSES = {"pending": "审理中", "decided": "已结案"}
DECIDED_CASES = {"completed", "returned", "closed"}
BASIS = "《社会保险经办条例》第五十二条"
# the filing limit that applies: a lawsuit after an upheld reconsideration has its own (§45)
LIMITS = {"reconsideration": "行政复议", "litigation": "行政诉讼",
          "litigation_after_reconsideration": "不服复议决定提起行政诉讼"}
LIMIT_BASIS = {"reconsideration": "《中华人民共和国行政复议法》第二十条第一款（六十日）",
               "litigation": "《中华人民共和国行政诉讼法》第四十六条第一款（六个月）",
               "litigation_after_reconsideration":
                   "《中华人民共和国行政诉讼法》第四十五条（收到复议决定书之日起十五日）"}
LATE_BASIS = {"reconsideration": "《中华人民共和国行政复议法》第二十条第二款",
              "litigation": "《中华人民共和国行政诉讼法》第四十八条",
              "litigation_after_reconsideration": "《中华人民共和国行政诉讼法》第四十八条"}


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


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def limit_of(kind: str, last_challenge: tuple[str, str | None] | None) -> str:
    """Which limit a filing has: a lawsuit against a case whose latest challenge is a
    reconsideration that upheld it is a suit against that reconsideration decision (行政诉讼法
    §45); a revoked or changed case was decided anew, and its new decision has the ordinary
    limits (§46)."""
    if kind == "litigation" and last_challenge == ("reconsideration", "upheld"):
        return "litigation_after_reconsideration"
    return kind


def filing_limit(limit: str, known_on: dt.date, days: int, months: int) -> dt.date:
    """The last day to file, before a holiday moves it (民法典 §201: the first day is not
    counted): reconsideration 60 days (行政复议法 §20), litigation 6 months (行政诉讼法 §46),
    litigation after a reconsideration decision ``days`` (15, 行政诉讼法 §45) from receiving it."""
    if limit == "litigation":
        return add_months(known_on, months)
    return known_on + dt.timedelta(days=days)


def filing_problem(kind: str, filed_on: dt.date, known_on: dt.date, due: dt.date,
                   late_reason: str) -> tuple[str, str, str] | None:
    """Filed after the limit, without the good reason the law allows (不可抗力或者其他正当理由);
    ``kind`` is the limit (``limit_of``)."""
    if known_on > filed_on:
        return "challenge.known_on", "知道该行政行为的日期不能晚于申请（起诉）日期", "known_on"
    if filed_on > due and not late_reason.strip():
        return ("challenge.filing_overdue",
                f"{LIMITS[kind]}已超过法定期限：应于{due.isoformat()}前提出（{LIMIT_BASIS[kind]}），"
                f"实际于{filed_on.isoformat()}提出；因不可抗力或者其他正当理由耽误期限的，"
                f"须写明理由（{LATE_BASIS[kind]}）", "late_reason")
    return None
