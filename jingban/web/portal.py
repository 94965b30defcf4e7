"""The person's portal additions: 待遇测算 (benefit estimate, the /api/v1/estimates services
prefilled from the person's own record) and 我的消息 (the notices sent to the person or
employer); and id links (``person:12``) to the staff page of a person or employer."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.benefits.pension import rules as benefit_rules
from jingban.benefits.pension import service as benefits
from jingban.benefits.pension.schemas import PensionQuery, RetirementQuery
from jingban.core import agency, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.errors import JingbanError, NotFound, PermissionDenied
from jingban.core.http import RowId, get_db
from jingban.core.money import to_yuan
from jingban.notices.models import Notification
from jingban.records import service as records
from jingban.records.models import AccountEntry
from jingban.registration.models import Employer, Person
from jingban.web.display import RETIREMENT_CATEGORIES
from jingban.web.pages import form_error, page_actor, render, see_other, signed_in
from jingban.web.person_links import person_path  # sec15

router = APIRouter()

# Notice kinds as the inbox names them (prefixes before ":" for the dated ones).
NOTICE_KINDS = {"prereview": "退休预审通知", "pension_award": "待遇核定决定", "stop": "停发通知",
                "recovery": "退回多领待遇通知", "resume": "恢复发放通知", "verification": "资格核实通知",
                "survivor_award": "遗属待遇核定决定", "survivor": "遗属待遇申领提示",
                "accepted": "业务受理通知", "missing": "补正材料告知", "decision": "办结通知",
                "rejected": "退回通知", "closed": "终止办理通知"}
NOTICE_KINDS["dishonesty"] = "严重失信主体名单告知"  # oversight-dishonesty
DEMAND_KINDS = ("recovery",)
ESTIMATE_TITLES = {"birth_date": "出生日期", "category": "人员类别", "region": "统筹地区",
                   "retirement_month": "退休时间", "contribution_months": "缴费月数（含视同）",
                   "average_index": "平均缴费指数", "account_balance": "个人账户储存额（元）",
                   "retirement_age_months": "退休年龄（月）"}


def _own(db: Session, actor: Actor) -> Person | Employer:
    kind, _, ident = (actor.subject or "").partition(":")
    model = {"person": Person, "employer": Employer}.get(kind)
    row = db.get(model, int(ident)) if model and ident.isdigit() else None
    if row is None:
        raise PermissionDenied("portal.subject", "该页面仅供参保人或参保单位网上查询使用")
    return row


# --- 我的消息 -------------------------------------------------------------------------------------

def notice_kind(kind: str) -> str:
    return NOTICE_KINDS.get(kind, NOTICE_KINDS.get(kind.partition(":")[0], "通知"))


@router.get("/my/messages")
def my_messages(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    """The notices sent to me, newest first; a repayment demand says how and where to pay."""
    own = _own(db, actor)
    key = own.ssn if isinstance(own, Person) else own.uscc
    notes = db.execute(select(Notification).where(Notification.recipient == key)
                       .order_by(Notification.id.desc()).limit(200)).scalars().all()
    channels = agency.param(db, "benefits.recovery.payment_channels", clock.today())
    return render(request, "portal_messages.html", notes=notes, kind_name=notice_kind,
                  demands=DEMAND_KINDS, channels=channels)


# --- 待遇测算 -------------------------------------------------------------------------------------

def _record_inputs(db: Session, person: Person) -> dict[str, Any]:
    """What the person's own record says: months (with deemed), the average index, balance."""
    region, today = db.info["region"], clock.today()
    months = records.contribution_months(db, [person.id], benefits.PENSION_SCHEMES)[person.id]
    paid = benefits.paid_indices(db, person.id, region)
    deemed_index = Decimal(agency.param(db, "pension.deemed_index", today))
    index = benefit_rules.average_index(paid, months - len(paid), deemed_index)
    balance = db.execute(select(func.coalesce(func.sum(AccountEntry.amount), 0)).where(
        AccountEntry.person_id == person.id, AccountEntry.scheme == "pension_enterprise")).scalar()
    return {"region": region, "contribution_months": months, "average_index": str(index or "1"),
            "account_balance": str(to_yuan(int(balance)))}


def _category(person: Person) -> str:
    return person.retirement_category or ("male" if person.sex == "M" else "female_50")


@router.get("/my/estimate")
def my_estimate(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    own = _own(db, actor)
    if not isinstance(own, Person):
        raise PermissionDenied("portal.person_only", "待遇测算仅供参保人本人使用")
    given = {k: v.strip() for k, v in request.query_params.items() if k in ESTIMATE_TITLES and v.strip()}
    values = {"birth_date": own.birth_date.isoformat(), "category": _category(own),
              **_record_inputs(db, own), **given}
    retirement = pension = error = None
    try:
        query = _validated(RetirementQuery, values, ("birth_date", "category"))
        retirement = benefits.estimate_retirement(db, actor, query.birth_date, query.category)
        values.setdefault("retirement_month", retirement.retirement_month)
        values.setdefault("retirement_age_months", str(retirement.retirement_age_months))
        pension = benefits.estimate_pension(db, actor, _validated(PensionQuery, values, (
            "region", "retirement_month", "contribution_months", "average_index",
            "account_balance", "retirement_age_months")))
    except JingbanError as exc:
        error = exc
    return render(request, "portal_estimate.html", status=error.status if error else 200,
                  person=own, values=values, retirement=retirement, pension=pension, error=error,
                  categories=RETIREMENT_CATEGORIES, titles=ESTIMATE_TITLES)


def _validated(schema, values: dict[str, Any], names: tuple[str, ...]):
    try:
        return schema.model_validate({k: values[k] for k in names if k in values})
    except ValidationError as exc:
        raise form_error(exc, ESTIMATE_TITLES) from None


# --- id links (person:12, employer:3) → the record's staff page --------------------------------

@router.get("/persons/id/{person_id}")
def person_by_id(person_id: RowId, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    require(actor, "registration.read")
    person = db.get(Person, person_id)
    if person is None:
        raise NotFound("person.not_found", f"未找到编号为 {person_id} 的参保人")
    return see_other(person_path(person))


@router.get("/employers/id/{employer_id}")
def employer_by_id(employer_id: RowId, actor: Actor = Depends(page_actor),
                   db: Session = Depends(get_db)):
    require(actor, "registration.read")
    employer = db.get(Employer, employer_id)
    if employer is None:
        raise NotFound("employer.not_found", f"未找到编号为 {employer_id} 的参保单位")
    return see_other(f"/employers/{employer.uscc}")
