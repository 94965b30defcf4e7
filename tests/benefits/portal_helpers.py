"""A person's portal account (the web login of an insured person), shared by the benefit page
tests of medical, maternity and unemployment benefits."""

from __future__ import annotations

from sqlalchemy import select

from jingban.core.actor import SYSTEM
from jingban.core.auth import create_user
from jingban.registration.models import Person
from tests.conftest import PASSWORD


def portal_user(sessions, ssn: str, username: str) -> None:
    """The portal account ``username`` for the person with ``ssn`` (role person)."""
    with sessions() as s:
        person = s.execute(select(Person).where(Person.ssn == ssn)).scalar_one()
        create_user(s, SYSTEM, username, PASSWORD, {"person"}, subject=f"person:{person.id}",
                    profile="fast")
