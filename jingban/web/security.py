"""The sysadmin's account-lock page (账号锁定): the locks in force, their Excel export, and the
unlock — the same services as the API (issue 15 item 2)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Request
from sqlalchemy.orm import Session

from jingban.core import logins
from jingban.core.actor import Actor
from jingban.core.excel import workbook, xlsx_response
from jingban.core.http import get_db
from jingban.web.pages import page_actor, posted, render, see_other

router = APIRouter()
PAGE = "/admin/locks"
Username = Path(min_length=1, max_length=64)


@router.get(PAGE)
def locks_page(request: Request, actor: Actor = Depends(page_actor),
               db: Session = Depends(get_db)):
    return render(request, "security/locks.html", locks=logins.locks(db, actor))


@router.get(f"{PAGE}.xlsx")
def locks_xlsx(actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    content = workbook("被锁定账号", logins.LOCK_HEADERS, logins.lock_rows(db, actor))
    return xlsx_response(content, "被锁定账号.xlsx")


@router.post(PAGE + "/{username}/unlock")
def unlock(request: Request, username: str = Username, values: dict[str, Any] = Depends(posted),
           actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    logins.unlock(db, actor, username, str(values.get("reason", ""))[:200])
    return see_other(PAGE, f"已解除账号 {username} 的锁定", request)
