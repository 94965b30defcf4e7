"""The calculation behind a benefit case, shown inline on the reviewer's case page: the award
once determined, else the determination as it would be made today."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award
from jingban.benefits.pension import service
from jingban.benefits.survivor import service as survivors
from jingban.cases.models import Case
from jingban.cases.service import payload_of
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.web.display import yuan

TITLES = {"BEN-PENSION": ("基本养老金核定测算", "月基本养老金"),
          "BEN-PENSION-REDETERMINE": ("基本养老金重新核定测算", "月基本养老金"),
          survivors.ITEM: ("遗属待遇测算", "遗属待遇合计")}


def calculation(db: Session, actor: Actor, case: Case) -> dict[str, Any] | None:
    if case.item_code not in TITLES:
        return None
    title, total_label = TITLES[case.item_code]
    found: dict[str, Any] = {"title": title, "total_label": total_label, "lines": [],
                             "total": None, "start": None, "problem": None}
    award = db.execute(select(Award).where(Award.case_id == case.id)
                       .order_by(Award.id.desc())).scalars().first()
    if award is not None:
        found.update(title=title.replace("测算", "结果"), lines=service.breakdown_of(award)["lines"],
                     total=yuan(award.monthly_amount), start=award.start_period)
        return found
    payload = payload_of(case)
    try:
        if case.item_code == survivors.ITEM:
            calc = survivors.preview(db, actor, str(payload.get("ssn") or ""))
            found.update(lines=calc.lines, total=yuan(calc.total) if calc.lines else None,
                         problem="；".join(calc.problems) or None)
        else:
            preview = service.preview_pension(db, actor, case.applicant_key,
                                              payload.get("retirement_age_months"))
            found.update(lines=[line.model_dump() for line in preview.lines], total=preview.total,
                         start=preview.start_period, problem="；".join(preview.problems) or None)
    except JingbanError as exc:
        found["problem"] = exc.message
    return found
