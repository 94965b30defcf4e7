"""Stop report pages. Reports of a stopping event and resumptions are case items; their forms
are the engine's intake pages (/cases/new/BEN-STOP-REPORT, /cases/new/BEN-RESUME)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.stops import service as stops
from jingban.core.actor import Actor
from jingban.core.http import get_db
from jingban.registration.models import Person
from jingban.web.pages import page_actor, render

router = APIRouter()
Form = dict[str, Any]
STOP_REASONS = {"death": "死亡", "declared_dead": "被宣告死亡", "imprisonment": "在押服刑",
                "nationality_loss": "丧失国籍", "other": "其他"}


@router.get("/benefits/stops")
def stop_list(request: Request, actor: Actor = Depends(page_actor), db: Session = Depends(get_db)):
    reports = stops.reports(db, actor)
    ids = {r.person_id for r in reports}
    persons = {p.id: p for p in db.execute(select(Person).where(Person.id.in_(ids))).scalars()} \
        if ids else {}
    return render(request, "benefit_stops.html", reports=reports, persons=persons,
                  reasons=STOP_REASONS, sources=stops.SOURCES)
