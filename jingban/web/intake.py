"""Intake forms (受理表单) built from the catalog: fields from the item's act, the materials
checklist, the agent; and how the engine's errors find their field on the page."""

from __future__ import annotations

import datetime as dt
import types
import typing
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from jingban.cases import acts, service
from jingban.cases.models import Case
from jingban.cases.rules import Item
from jingban.core.actor import Actor
from jingban.core.errors import JingbanError
from jingban.core.workdays import due_label
from jingban.web.display import FORM_TITLES, LABELS, label, options_for
from jingban.web.pages import form_error

MATERIAL = "material."
AGENT_FIELDS = ("agent_name", "agent_id_number", "agent_authorization")


@dataclass(frozen=True)
class FormField:
    name: str
    title: str
    type: str = "text"  # text / date / number
    required: bool = False
    options: dict[str, str] | None = None
    hint: str = ""


def _plain(annotation: Any) -> Any:
    """``X | None`` → ``X``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _form_field(schema: type[BaseModel], name: str, info) -> FormField:
    kind = _plain(info.annotation)
    options = (options_for(name, typing.get_args(kind), schema.__name__)
               if typing.get_origin(kind) is Literal else None)
    input_type = {dt.date: "date", int: "number"}.get(kind, "text")
    title = FORM_TITLES.get(schema.__name__, {}).get(name) or (
        label(name) if name in LABELS else info.description or name)
    hint = info.description if info.description and info.description != title else ""
    if kind is Decimal:
        hint = hint or "单位：元"
    return FormField(name, title, input_type, info.is_required(), options, hint)


def fields_of(item: Item) -> list[FormField]:
    """The payload fields of an item: the subject's key first, then the act's request model."""
    act = acts.get(item.act)
    if act is None:
        return []
    fields = [FormField(act.key, label(act.key), required=True)] if act.key else []
    return fields + [_form_field(act.schema, name, info)
                     for name, info in act.schema.model_fields.items()]


def payload_of(item: Item, values: dict[str, Any]) -> dict[str, Any]:
    """The form as the engine's payload; blank optional fields mean "not given"."""
    act = acts.get(item.act)
    if act is None:
        return {}  # the engine refuses an item that is not open yet
    fields = act.schema.model_fields
    data = {k: v for k, v in values.items()
            if k in fields and (v != "" or fields[k].is_required())}
    try:
        model = act.schema.model_validate(data)
    except ValidationError as exc:
        raise form_error(exc, {f.name: f.title for f in fields_of(item)}) from None
    payload = model.model_dump(mode="json", exclude_unset=True)
    if act.key:
        payload = {act.key: str(values.get(act.key, "")).strip().upper(), **payload}
    return payload


def provided(values: dict[str, Any]) -> list[str]:
    """Codes of the ticked materials (checkboxes named ``material.<code>``)."""
    return [k.removeprefix(MATERIAL) for k in values if k.startswith(MATERIAL)]


def agent(values: dict[str, Any]) -> dict[str, str] | None:
    """授权代办: the agent's details, or None when the applicant came in person."""
    given = {k.removeprefix("agent_"): str(values.get(k, "")).strip() for k in AGENT_FIELDS}
    return given if any(given.values()) else None


def new_request_id() -> str:
    return uuid.uuid4().hex


def on_form(exc: JingbanError, titles: dict[str, str] | None = None) -> JingbanError:
    """The engine's error with its field named as the form names it ("payload.name" → "name",
    "agent.id_number" → "agent_id_number") and its message in the form's words."""
    field = exc.field or ""
    head, _, rest = field.partition(".")
    if head == "payload":
        shown = rest
    elif head == "agent":
        shown = f"agent_{rest or 'name'}"
    else:
        shown = field or None
    message = exc.message
    if field and message.startswith(f"{field}："):
        title = (titles or {}).get(shown or "") or label(shown)
        message = f"{title}：{message.removeprefix(field + '：')}"
    copy = type(exc)(exc.code, message, shown)
    copy.status = exc.status
    return copy


def submit(db: Session, actor: Actor, item: Item, values: dict[str, Any],
           payload: dict[str, Any] | None = None) -> tuple[Case, bool]:
    """受理 through the engine; also says whether the form's request id was already used."""
    request_id = str(values.get("request_id") or "").strip()[:64] or None
    repeated = bool(request_id) and service.by_request_id(db, request_id) is not None
    case = service.submit(db, actor, item.code,
                          payload_of(item, values) if payload is None else payload,
                          provided=provided(values), agent=agent(values), request_id=request_id)
    return case, repeated


def notice(item: Item, case: Case, repeated: bool = False) -> str:
    """The one-line notice after intake."""
    if repeated:
        return f"该申请此前已受理（业务件号{case.number}），未重复受理"
    if case.status == "completed":
        return f"{item.name}已办结，业务件号{case.number}"
    if case.status == "awaiting_materials":
        return f"已受理，业务件号{case.number}。材料不齐，已一次性告知需补正的全部材料"
    return f"已受理，业务件号{case.number}，应于{due_label(case.due_on, case.due_provisional)}前办结"
