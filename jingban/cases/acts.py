"""What an act is to the case engine, and the registry that finds one by its code.

A catalog item names the act its final approval runs (``act: registration.register_person``).
The engine knows acts only through this registry: each area declares its acts in its own
``acts.py`` (next to its service) and the application wiring (``jingban.wiring``) registers
them at start-up. The engine itself imports no business area.

A payload is ``{"ssn"|"uscc": key, ...fields of the act's request model}``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput
from jingban.core.http import VALIDATION_MESSAGES


@dataclass(frozen=True)
class Act:
    """One business act a case runs: at intake (tried and undone) and at final approval."""

    code: str  # the catalog's ``act`` value, e.g. "registration.register_person"
    key: str | None  # payload field naming the existing subject, or None when the act creates it
    schema: type[BaseModel]  # the act's request model: the rest of the payload
    run: Callable[[Session, Actor, str | None, Any], Any]  # (db, actor, key, data) → result
    subject: Callable[[Any], str]  # the case's subject from the act's result
    # (subject, applicant key, name) for acts whose applicant is found another way
    applicant: Callable[[Session, Any], tuple[str | None, str, str]] | None = None


_ACTS: dict[str, Act] = {}


def register(*acts: Act) -> None:
    """Make acts findable by code. Registering the same act again is a no-op; another act
    under a code already taken is a programming error."""
    for act in acts:
        known = _ACTS.get(act.code)
        if known is not None and known != act:
            raise ValueError(f"act {act.code} is registered twice with different definitions")
        _ACTS[act.code] = act


def get(code: str | None) -> Act | None:
    """The act registered under ``code``, or None (an item whose act is not open yet)."""
    return _ACTS.get(code or "")


def codes() -> list[str]:
    return sorted(_ACTS)


def parse_payload(act: Act, payload: dict) -> tuple[str | None, BaseModel]:
    """The subject key and the validated request model; errors name the payload field."""
    body = dict(payload or {})
    key = None
    if act.key:
        key = str(body.pop(act.key, "") or "").strip().upper()
        if not key:
            raise InvalidInput("case.payload", f"缺少 payload.{act.key}", f"payload.{act.key}")
    try:
        return key, act.schema.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "payload." + ".".join(str(p) for p in first["loc"])
        message = VALIDATION_MESSAGES.get(first["type"], "字段格式不正确")
        raise InvalidInput(f"validation.{first['type']}", f"{field}：{message}", field) from None
