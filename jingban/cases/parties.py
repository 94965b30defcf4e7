"""Who a case is about and who applied: the engine's view of persons and units.

The engine keys a case by a subject (``person:<id>``, ``employer:<id>``) and an applicant key
(an SSN, an ID number or a USCC). It learns what lies behind them from a directory the
registration area provides (``use``, called by the application wiring), so the engine does not
import registration.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Party:
    """A registered person or unit as the engine needs it."""

    subject: str  # person:<id> / employer:<id>
    key: str  # SSN or USCC
    name: str
    phone: str = ""
    died: bool = False  # a person recorded dead (death_date set)


class Directory(Protocol):
    def find(self, db: Session, field: str, key: str) -> Party | None:
        """The party a payload's key field names ("ssn", "uscc"); raises NotFound when the
        key is unknown; None when the field is not a key this directory knows."""

    def of(self, db: Session, subject: str | None) -> Party | None:
        """The party behind a subject string, or None."""

    def key_of(self, result: Any) -> str | None:
        """The applicant key of an act's result when it is a person or a unit (registering or
        correcting one may change it), else None."""


class _Nobody:
    def find(self, db: Session, field: str, key: str) -> Party | None:
        return None

    def of(self, db: Session, subject: str | None) -> Party | None:
        return None

    def key_of(self, result: Any) -> str | None:
        return None


_directory: Directory = _Nobody()


def use(directory: Directory) -> None:
    global _directory
    _directory = directory


def find(db: Session, field: str, key: str) -> Party | None:
    return _directory.find(db, field, key)


def of(db: Session, subject: str | None) -> Party | None:
    return _directory.of(db, subject)


def person(db: Session, subject: str | None) -> Party | None:
    """The person behind a ``person:<id>`` subject, or None."""
    return of(db, subject) if (subject or "").startswith("person:") else None


def key_of(result: Any) -> str | None:
    return _directory.key_of(result)
