"""The person's overview of every benefit (我的待遇, issue 11 point 6): each award of every
insurance — pension, survivor, unemployment, training subsidy, work injury (one-off grants
and monthly allowances, named by injury.rules), medical reimbursements, maternity — with its
breakdown, months used and left where it is monthly, its payments and its stops; this year's
medical fund payments against the cap; and the estimates before applying for unemployment and
maternity benefits. Reads only.

It lives with medical benefits because it reads the areas below it (pension, unemployment,
maternity) and none of them reads it.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award, AwardEvent, Payment
from jingban.benefits.injury import rules as injury
from jingban.benefits.maternity import service as maternity
from jingban.benefits.medical import rules
from jingban.benefits.medical import service as medical
from jingban.benefits.unemployment import service as unemployment
from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import JingbanError
from jingban.registration.service import find_person, person_subject

KIND_NAMES = {"pension_enterprise": "企业职工基本养老金", "pension_institution": "机关事业单位基本养老金",
              "pension_resident": "城乡居民基本养老金", "survivor": "遗属待遇",
              "survivor_unemployment": "遗属待遇（失业保险基金支付）", "unemployment": "失业保险金",
              "training_subsidy": "技能提升补贴", "injury": "工伤保险待遇", "maternity": "生育津贴",
              "reimburse_employee": "医疗费用手工报销（职工医保）",
              "reimburse_resident": "医疗费用手工报销（居民医保）",
              "reimburse_maternity": "生育医疗费用手工报销",
              **injury.KIND_NAMES}  # the work-injury kinds: one source, injury.rules
STATUS_NAMES = {"active": "发放中", "suspended": "暂停", "stopped": "已终止", "replaced": "已重新核定"}
ONE_OFF = ("training_subsidy", "maternity", *rules.KINDS.values(),
           *(kind for kind in injury.KIND_NAMES if kind not in injury.MONTHLY_KINDS))


def _months(db: Session, award: Award) -> dict:
    """Months used and left: an unemployment benefit by its entitlement; another monthly
    benefit by the months paid and its last month if it has one; a one-off has none."""
    if award.kind in ONE_OFF:
        return {"monthly": False, "used": None, "left": None}
    used = unemployment.months_drawn(db, award)
    if award.kind == unemployment.KIND:
        return {"monthly": True, "used": used, "left": max(unemployment.entitled_of(award) - used, 0)}
    return {"monthly": True, "used": used, "left": None}


def _award(db: Session, award: Award) -> dict:
    payments = list(db.execute(select(Payment).where(Payment.award_id == award.id)
                               .order_by(Payment.period.desc())).scalars())
    events = list(db.execute(select(AwardEvent).where(AwardEvent.award_id == award.id)
                             .order_by(AwardEvent.id)).scalars())
    return {"award": award, "name": KIND_NAMES.get(award.kind, award.kind),
            "status": "一次性支付" if award.kind in ONE_OFF else STATUS_NAMES.get(award.status, award.status),
            "lines": json.loads(award.breakdown or "{}").get("lines", []),
            "paid": sum(p.net for p in payments if p.run_id is not None),
            "pending": sum(p.net for p in payments if p.run_id is None),
            "payments": payments, "events": events, **_months(db, award)}


def _estimate(fn, *args):
    """An estimate, or the reason it cannot be made (no person record of that kind)."""
    try:
        return fn(*args)
    except JingbanError:
        return None


def overview(db: Session, actor: Actor, ssn: str) -> dict:
    """Everything the person receives or received, newest first, and the estimates."""
    person = find_person(db, ssn)
    subject = person_subject(person)
    if actor.subject != subject:
        require(actor, "benefits.read")
        audit.log_access(db, actor, subject, "benefits_overview")
    awards = list(db.execute(select(Award).where(Award.person_id == person.id)
                             .order_by(Award.id.desc())).scalars())
    receiving = any(a.kind == unemployment.KIND and a.status in unemployment.IN_FORCE for a in awards)
    pregnancy = maternity.open_pregnancy(db, person.id)
    return {"person": person, "awards": [_award(db, a) for a in awards],
            "medical": medical.record_of(db, actor, ssn),
            "unemployment_estimate": None if receiving else _estimate(unemployment.preview, db, actor, ssn),
            "maternity_estimate": _estimate(maternity.preview, db, actor, ssn) if pregnancy else None,
            "pregnancy": pregnancy}
