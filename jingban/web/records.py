"""Records pages (缴费与权益记录): the collector's file, the interest run, a person's rights
record, an employer's staff and arrears — the same records service as /api/v1 — and the
portal views of the person's own record and the employer's own staff."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from jingban.benefits.unemployment import batch as unemployment_batch
from jingban.core import clock, privacy
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, JingbanError, PermissionDenied
from jingban.core.http import RowId, get_db
from jingban.records import rules, service
from jingban.records.models import Contribution
from jingban.records.schemas import InterestRunRequest
from jingban.registration.models import Employer, Person
from jingban.web.pages import page_actor, parse, posted, render, see_other, signed_in
from jingban.web.person_links import PersonSsn  # sec15

router = APIRouter()

Form = dict[str, Any]
SUMMARY_MONTHS = 24


def _names() -> dict[str, Any]:
    return {"schemes": rules.SCHEMES, "entry_kinds": rules.ENTRY_KINDS}


# --- the collector's file (accountant) ---------------------------------------------------------

def _imports_page(request: Request, db: Session, actor: Actor, status: int = 200, **context: Any):
    return render(request, "records_imports.html", status=status,
                  batches=service.list_batches(db, actor, 50), **context)


@router.get("/records/imports")
def imports(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    return _imports_page(request, db, actor)


def _upload(values: Form) -> tuple[str, bytes]:
    upload = values.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput("records.file", "请选择征收机构报送的缴费数据文件", "file")
    return upload.filename, upload.file.read(rules.MAX_FILE_BYTES + 1)


@router.post("/records/imports")
def import_upload(request: Request, values: Form = Depends(posted),
                  actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        filename, content = _upload(values)
        item = service.import_contributions(db, actor, filename=filename, content=content)
    except JingbanError as exc:
        db.rollback()
        return _imports_page(request, db, actor, status=exc.status, error=exc)
    notice = ("该文件此前已导入，未重复入账，以下为原批次结果" if item.repeat
              else "缴费数据已导入，未入账的行逐行列出原因")
    return see_other(f"/records/imports/{item.id}", notice, request)


@router.get("/records/imports/{batch_id}")
def import_batch(request: Request, batch_id: RowId, actor: Actor = Depends(page_actor),
                 db: Session = Depends(get_db)):
    item, problems = service.get_batch(db, actor, batch_id)
    return render(request, "records_batch.html", batch=item, problems=problems,
                  field_names=rules.FIELD_NAMES)


# --- interest run (accountant) -----------------------------------------------------------------

@router.get("/records/interest")
def interest_page(request: Request, _: Actor = Depends(page_actor)):
    return render(request, "records_interest.html", values={"year": clock.today().year - 1},
                  runs=None, **_names())


@router.post("/records/interest")
def interest_run(request: Request, values: Form = Depends(posted),
                 actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    try:
        data = parse(InterestRunRequest, values, {"year": "计息年度"})
        runs = service.credit_interest(db, actor, data.year)
    except JingbanError as exc:
        return render(request, "records_interest.html", status=exc.status, error=exc,
                      values=values, runs=None, **_names())
    return render(request, "records_interest.html", values={"year": data.year}, runs=runs,
                  **_names())


# --- rights record -----------------------------------------------------------------------------

@router.get("/persons/{pid}/rights")
def rights(request: Request, ssn: PersonSsn, actor: Actor = Depends(page_actor),
           db: Session = Depends(get_db)):
    return render(request, "records_rights.html", record=service.rights(db, actor, ssn),
                  own=False, **_names())


def _own(db: Session, actor: Actor, kind: str, model):
    """The person or employer the portal user is; other users are refused."""
    found_kind, _, ident = (actor.subject or "").partition(":")
    row = db.get(model, int(ident)) if found_kind == kind and ident.isdigit() else None
    if row is None:
        who = "参保人" if kind == "person" else "参保单位"
        raise PermissionDenied("portal.subject", f"该页面仅供{who}本人（本单位）网上查询使用")
    return row


@router.get("/my/rights")
def my_rights(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    person = _own(db, actor, "person", Person)
    return render(request, "records_rights.html", record=service.rights(db, actor, person.ssn),
                  own=True, **_names())


# --- employer staff and arrears ------------------------------------------------------------------

def contribution_summary(db: Session, employer_id: int) -> list[dict[str, Any]]:
    """Posted contributions of the employer by month (reversals net out), latest first.
    Called only after the records service has allowed the reader to see the employer."""
    rows = db.execute(
        select(Contribution.period, func.count(func.distinct(Contribution.person_id)),
               func.sum(Contribution.employer_amount), func.sum(Contribution.personal_amount))
        .where(Contribution.person_id.in_(service.employer_persons(employer_id)),
               Contribution.employer_id == employer_id)
        .group_by(Contribution.period).order_by(Contribution.period.desc()).limit(SUMMARY_MONTHS)
    ).all()
    return [{"period": p, "persons": n, "employer_amount": int(e or 0),
             "personal_amount": int(m or 0), "total": int(e or 0) + int(m or 0)}
            for p, n, e, m in rows]


def _employer_view(db: Session, actor: Actor, uscc: str) -> dict[str, Any]:
    staff = service.staff(db, actor, uscc)  # checks the reader first (staff or the employer)
    owed = service.arrears(db, actor, uscc)
    employer = db.execute(select(Employer).where(Employer.uscc == uscc.strip().upper())).scalar()
    return {"employer": employer, "staff": staff, "arrears": owed,
            "owed_total": sum(r["total"] for r in owed),
            "summary": contribution_summary(db, employer.id)}


@router.get("/employers/{uscc}/staff")
def employer_staff(request: Request, uscc: str, actor: Actor = Depends(page_actor),
                   db: Session = Depends(get_db)):
    return render(request, "records_staff.html", **_employer_view(db, actor, uscc))


@router.get("/employers/{uscc}/arrears.csv")
def employer_arrears_csv(uscc: str, actor: Actor = Depends(page_actor),
                         db: Session = Depends(get_db)):
    rows = service.arrears(db, actor, uscc)
    code = uscc.strip().upper()
    privacy.log_export(db, actor, f"arrears.csv:{code}", len(rows))  # secdata
    return Response(service.arrears_csv(code, rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="arrears-{code}.csv"'})


@router.get("/my/employer")
def employer_portal(request: Request, actor: Actor = Depends(signed_in),
                    db: Session = Depends(get_db)):
    employer = _own(db, actor, "employer", Employer)
    return render(request, "employer_portal.html", **_employer_view(db, actor, employer.uscc),
                  refunds=unemployment_batch.employer_refunds(db, employer.id),
                  sizes=unemployment_batch.SIZES)
