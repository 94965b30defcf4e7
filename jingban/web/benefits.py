"""Benefit pages: the pre-retirement review list (D§18), the same service as the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy.orm import Session

from jingban.benefits import service
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.http import get_db
from jingban.web.display import RETIREMENT_CATEGORIES
from jingban.web.pages import page_actor, posted, render, see_other

router = APIRouter()


def _page(request: Request, db: Session, actor: Actor, month: str | None, status: int = 200,
          **context: Any):
    return render(request, "benefits_prereview.html", status=status,
                  listing=service.prereview(db, actor, month), categories=RETIREMENT_CATEGORIES,
                  **context)


@router.get("/benefits/prereview")
def prereview(request: Request, month: str | None = None, actor: Actor = Depends(page_actor),
              db: Session = Depends(get_db)):
    try:
        return _page(request, db, actor, month or None)
    except JingbanError as exc:
        return _page(request, db, actor, None, status=exc.status, error=exc)


@router.post("/benefits/prereview/notices")
def notices(request: Request, values: dict[str, Any] = Depends(posted),
            actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    month = str(values.get("month") or "") or None
    try:
        sent = service.send_prereview_notices(db, actor, month)
    except JingbanError as exc:
        return _page(request, db, actor, month, status=exc.status, error=exc)
    return see_other(f"/benefits/prereview?month={month or ''}",
                     f"已发送预审通知 {sent} 人（已通知过的不再重复）", request)
