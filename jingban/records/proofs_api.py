"""Proof endpoints under /api/v1: issue, download (staff or the owner), verify (public)."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.errors import NotFound
from jingban.core.http import api_actor, get_db
from jingban.records import proofs

router = APIRouter(tags=["缴费与权益记录 records"])


class ProofRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["enrollment", "rights"] = Field(
        description="enrollment（参保证明）或 rights（个人权益记录单）")


class ProofOut(BaseModel):
    code: str = Field(description="验证码（16位，A–Z、2–7）")
    code_grouped: str
    kind: str
    title: str
    year: int | None
    issued_at: str = Field(description="出具时间（北京时间）")
    issued_by: str
    digest: str = Field(description="证明内容的 SM3 摘要")
    pdf_url: str
    verify_url: str


class VerifyOut(BaseModel):
    code: str
    kind: str
    title: str
    issued_on: str
    issued_at: str
    name: str = Field(description="姓名（部分隐去）")
    ssn: str = Field(description="社会保障号码（部分隐去）")
    authentic: Literal[True] = Field(description="记录未被改动（SM3 摘要相符）")
    facts: dict[str, Any] = Field(description="证明所载内容")


class NotAuthenticOut(BaseModel):
    """A proof whose stored record was altered: only that it is not authentic, no facts."""
    code: str
    authentic: Literal[False] = Field(description="记录已被改动（SM3 摘要不符）")
    message: str = Field(description="说明（中文）")


def proof_out(proof) -> ProofOut:
    facts = proofs.facts_of(proof)
    return ProofOut(code=proof.code, code_grouped=proofs.grouped(proof.code), kind=proof.kind,
                    title=facts["title"], year=proof.year, issued_at=facts["issued_at"],
                    issued_by=proof.issued_by, digest=proof.digest,
                    pdf_url=f"/api/v1/proofs/{proof.code}.pdf",
                    verify_url=f"{proofs.VERIFY_PATH}{proof.code}")


def pdf_response(proof) -> Response:
    return Response(proofs.render_pdf(proof), media_type="application/pdf",
                    headers={"Content-Disposition":
                             f'attachment; filename="{proofs.filename(proof)}"',
                             "Cache-Control": "private, no-store"})


@router.post("/persons/{ssn}/proofs", status_code=201, response_model=ProofOut,
             summary="出具参保证明或个人权益记录单（带验证码，留痕）")
def issue(ssn: str, data: ProofRequest, actor: Actor = Depends(api_actor),
          db: Session = Depends(get_db)):
    return proof_out(proofs.issue_proof(db, actor, ssn, data.kind))


@router.get("/proofs/{code}.pdf", summary="下载证明 PDF（经办人员或本人）",
            response_class=Response, responses={200: {"content": {"application/pdf": {}}}})
def download(code: str, actor: Actor = Depends(api_actor), db: Session = Depends(get_db)):
    return pdf_response(proofs.proof_for(db, actor, code))


@router.get("/verify/{code}", response_model=VerifyOut | NotAuthenticOut,
            summary="核验证明（公开，无需登录）：返回证明所载内容，姓名和社会保障号码部分隐去；"
                    "记录已被改动的证明只返回 authentic=false 和说明，不返回内容")
def verify(code: str, db: Session = Depends(get_db)):
    proof = proofs.verify(db, code)
    if proof is None:
        raise NotFound("proof.not_found", "未找到该验证码对应的证明", "code")
    return proofs.public_view(proof)
