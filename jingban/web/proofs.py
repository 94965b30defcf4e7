"""Proof pages: the public check (/verify), the person's own proofs (/my/proofs; his rights
record is /my/rights in web/records.py), and the counter's "出具证明"."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.errors import PermissionDenied
from jingban.core.http import get_db
from jingban.records import proofs
from jingban.records.proofs_api import pdf_response
from jingban.registration.models import Person
from jingban.web.pages import page_actor, posted, render, see_other, signed_in
from jingban.web.person_links import PersonSsn  # sec15

router = APIRouter()
Kind = Literal["enrollment", "rights"]
Form = dict[str, Any]


# --- public check --------------------------------------------------------------------------------

@router.get("/verify")
def verify_form(request: Request, code: str = Query(default="", max_length=64)):
    """证明核验: anyone, no login. A submitted code goes to its own address."""
    if code.strip():
        return see_other(f"/verify/{proofs.normalize(code)[:32] or '-'}")
    return render(request, "proof_verify.html", proof=None, code="")


@router.get("/verify/{code}")
def verify_page(request: Request, code: str, db: Session = Depends(get_db)):
    proof = proofs.verify(db, code[:64])
    if proof is None:
        return render(request, "proof_verify.html", status=404, proof=None, code=code[:64],
                      missing=True)
    return render(request, "proof_verify.html", proof=proofs.public_view(proof), code=code)


# --- the person's portal -------------------------------------------------------------------------

def _own_ssn(db: Session, actor: Actor) -> str:
    kind, _, ident = (actor.subject or "").partition(":")
    person = db.get(Person, int(ident)) if kind == "person" and ident.isdigit() else None
    if person is None:
        raise PermissionDenied("records.person_only", "“我的权益记录”仅供参保人本人使用")
    return person.ssn


@router.get("/my/proofs")
def my_proofs(request: Request, actor: Actor = Depends(signed_in), db: Session = Depends(get_db)):
    """证明打印: issue and download one's own proofs; the ones issued before (the rights
    record itself is /my/rights, web/records.py)."""
    ssn = _own_ssn(db, actor)
    return render(request, "proof_mine.html", own=True, record={"ssn": ssn},
                  proofs=[(p, proofs.facts_of(p)) for p in proofs.proofs_of(db, actor, ssn)],
                  KINDS=proofs.KINDS, grouped=proofs.grouped)


@router.post("/my/proofs/{kind}")
def my_proof(kind: Kind, _: Form = Depends(posted), actor: Actor = Depends(signed_in),
             db: Session = Depends(get_db)) -> Response:
    """Issue a proof for oneself and download it at once."""
    return pdf_response(proofs.issue_proof(db, actor, _own_ssn(db, actor), kind))


@router.get("/my/proofs/{kind}")
def my_proof_get(kind: Kind):
    """A proof is issued by the button (POST); a plain visit goes to the proofs page."""
    return see_other("/my/proofs")


@router.get("/my/proofs/file/{code}.pdf")
def my_proof_file(code: str, actor: Actor = Depends(signed_in),
                  db: Session = Depends(get_db)) -> Response:
    """An earlier proof again: the person's own, or any for staff with records.read."""
    return pdf_response(proofs.proof_for(db, actor, code))


# --- the counter -------------------------------------------------------------------------------

@router.post("/persons/{pid}/proofs/{kind}")
def staff_proof(ssn: PersonSsn, kind: Kind, _: Form = Depends(posted),
                actor: Actor = Depends(page_actor), db: Session = Depends(get_db)) -> Response:
    """出具证明 at the counter: issued and handed over as PDF."""
    return pdf_response(proofs.issue_proof(db, actor, ssn, kind))
