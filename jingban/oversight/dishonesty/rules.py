"""Rules of the serious-dishonesty list (严重失信主体名单, R§45; seed 002; SPEC §7). Pure
functions: the entry criteria over a subject's credit records, and the periods of the list."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from jingban.core.privacy import mask_id  # sec15

BASIS = "《社会保险经办条例》第四十五条；seed 002 “确立诚信制度，约束失信行为”（严重失信主体名单制度）"

STATUSES = {"proposed": "拟列入（待告知）", "noticed": "已告知（陈述申辩期）",
            "listed": "已列入并公示", "revoked": "异议成立已撤销", "repaired": "信用修复已移出",
            "removed": "期满已移出", "dropped": "不予列入"}
ACTIVE = frozenset({"proposed", "noticed", "listed"})
SUBJECT_KINDS = {"person": "个人", "employer": "用人单位", "institution": "社会保险服务机构"}


@dataclass(frozen=True)
class Credit:
    """What the criteria read of one recorded credit record."""

    id: int
    act: str
    recorded_on: dt.date


@dataclass(frozen=True)
class Finding:
    """The criterion a subject meets, and the records that meet it."""

    criterion: str  # serious | repeat
    text: str
    record_ids: tuple[int, ...]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def meets_criteria(credits: Sequence[Credit], today: dt.date, criteria: dict,
                   names: dict[str, str]) -> Finding | None:
    """认定标准 (R§45; policy oversight.dishonesty.criteria): one recorded serious act (fraud,
    forged cards), or ``repeat_count`` recorded acts of the repeat kinds within
    ``repeat_months`` months up to today. None when the subject does not meet them."""
    serious = [c for c in credits if c.act in criteria["serious"]]
    if serious:
        acts = "、".join(sorted({names.get(c.act, c.act) for c in serious}))
        return Finding("serious", f"存在严重失信行为：{acts}", tuple(c.id for c in serious))
    since = add_months(today, -int(criteria["repeat_months"]))
    repeated = [c for c in credits if c.act in criteria["repeat"] and since <= c.recorded_on <= today]
    if len(repeated) >= int(criteria["repeat_count"]):
        return Finding("repeat", f"{criteria['repeat_months']}个月内累计失信行为{len(repeated)}次"
                                 f"（标准为{criteria['repeat_count']}次）",
                       tuple(c.id for c in repeated))
    return None


def decision_problem(status: str, today: dt.date, statement_due: dt.date | None
                     ) -> tuple[str, str] | None:
    """Why a listing may not be decided now: never without the prior notice, never before the
    period to state one's case has run out (seed 002; R§52)."""
    if status == "proposed" or statement_due is None:
        return "dishonesty.no_notice", ("未事先告知当事人拟列入的事实、理由、依据及其陈述申辩权利，"
                                        "不得列入严重失信主体名单")
    if status != "noticed":
        return "dishonesty.status", f"当前状态为“{STATUSES.get(status, status)}”，不能作出列入决定"
    if today <= statement_due:
        return "dishonesty.statement_period", (f"陈述申辩期限至{statement_due.isoformat()}，"
                                               "期限届满前不得作出列入决定")
    return None


def removal_problem(status: str, today: dt.date, until: dt.date | None) -> tuple[str, str] | None:
    """Removal at the end of the period only (repair and an upheld objection end it earlier)."""
    if status != "listed" or until is None:
        return "dishonesty.status", f"当前状态为“{STATUSES.get(status, status)}”，不在名单中"
    if today < until:
        return "dishonesty.removal_early", (f"名单有效期至{until.isoformat()}，"
                                            "期满前不得移出（可依法申请信用修复）")
    return None


def repair_problem(status: str, today: dt.date, repair_from: dt.date | None) -> tuple[str, str] | None:
    """信用修复: only a listed subject, and not before the shortest period has passed."""
    if status != "listed" or repair_from is None:
        return "dishonesty.status", f"当前状态为“{STATUSES.get(status, status)}”，不能申请信用修复"
    if today < repair_from:
        return "dishonesty.repair_early", ("列入名单满规定期限后方可申请信用修复，"
                                           f"最早可于{repair_from.isoformat()}申请")
    return None


def mask_key(kind: str, key: str) -> str:
    """What the public page shows of an identifier: a USCC in full (it is public), a person's
    number masked (R§49: personal data never leaked)."""
    return mask_id(key) if kind == "person" else key
