"""Work-injury batch work: a dependant's pension ends at the age limit (劳动和社会保障部令第18号
第四条: 年满18周岁且未完全丧失劳动能力). A child, grandchild or sibling who was not found unable
to work stops from the month after the birthday, through the common stops (an overpayment of
a month already paid is ordered back there). Rerunning stops nobody twice: a stopped award
is no longer in force.
"""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.benefits.common.models import Award, StopReport
from jingban.benefits.injury import rules
from jingban.benefits.stops import service as stops
from jingban.core import agency, clock
from jingban.core.actor import Actor
from jingban.core.auth import require
from jingban.core.db import transactional
from jingban.registration.models import Person


def _reaches_limit(award: Award, person: Person, limit: int) -> bool:
    inputs = json.loads(award.breakdown or "{}").get("inputs", {})
    return (inputs.get("relationship") in rules.MINOR_RELATIONSHIPS and not inputs.get("unable_to_work")
            and rules.age_limit_day(person.birth_date, limit) <= clock.today())


@transactional
def stop_at_age_limit(db: Session, actor: Actor) -> list[StopReport]:
    """Stop every dependant's pension whose holder has reached the age limit by today."""
    require(actor, "benefits.stop")
    limit = agency.param(db, "injury.child_age_limit", clock.today())
    rows = db.execute(select(Award, Person).join(Person, Person.id == Award.person_id).where(
        Award.kind == rules.DEPENDANT, Award.status.in_(("active", "suspended")))
        .order_by(Award.id)).all()
    made = []
    for award, person in rows:
        if not _reaches_limit(award, person, limit):
            continue
        birthday = rules.age_limit_day(person.birth_date, limit)
        awards = [a for a in stops.applicable(db, person, "age_limit") if a.id == award.id]
        made.append(stops.report_event(
            db, actor, person, awards, reason="age_limit", event_date=birthday,
            reported_on=clock.today(), source="case", reporter_name="供养亲属年龄核查", phone="",
            source_ref=f"award:{award.id}", note=f"年满{limit}周岁且未完全丧失劳动能力"))
    return made
