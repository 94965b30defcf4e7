"""Personal data on screen (R§35, R§49; GB/T 22239-2019 8.1.4.11 个人信息保护): citizen IDs,
phone numbers, bank accounts and addresses are shown masked to every role that does not need
them in full (``auth.PII_FULL``). The full values come only through the "show" action
(``reveal``), which asks for a reason and is logged (查询留痕); exports of personal data are
for the roles allowed to (``pii.export``) and logged the same way.

The same functions serve the pages (the ``pii`` Jinja filter) and the API (``redact``).
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterable
from functools import cache
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.auth import PII_FULL, require
from jingban.core.db import retry_busy
from jingban.core.errors import InvalidInput
from jingban.core.models import AccessLog

KINDS = ("id", "phone", "bank_account", "address")
KIND_NAMES = {"id": "证件号码", "phone": "联系电话", "bank_account": "银行账号", "address": "地址"}
# field name -> kind, wherever a response or a page carries one
FIELDS = {"ssn": "id", "id_number": "id", "reporter_id_number": "id", "applicant_id_number": "id",
          "agent_id_number": "id", "phone": "phone", "reporter_phone": "phone",
          "bank_account": "bank_account", "address": "address"}
# a field named ``<anything>_<suffix>`` (payee_bank_account, applicant_phone…) is of that kind
SUFFIXES = {"_id_number": "id", "_phone": "phone", "_bank_account": "bank_account"}
MIN_REASON = 4
# A person's opaque id in staff URLs (sec15: a citizen ID in a URL lands in access logs, browser
# history and Referer): 80 random bits, 16 lowercase base32 characters, never an SSN's shape.
PUBLIC_ID = re.compile(r"[a-z2-7]{16}")


def new_public_id() -> str:
    return base64.b32encode(secrets.token_bytes(10)).decode().lower()


def is_public_id(value: str) -> bool:
    return PUBLIC_ID.fullmatch(value or "") is not None


@cache
def kind_of(name: str) -> str | None:
    """The kind of personal data a field of this name carries, None for any other field
    (remembered per name: every field of every response is asked, on every read)."""
    if name in FIELDS:
        return FIELDS[name]
    return next((kind for suffix, kind in SUFFIXES.items() if name.endswith(suffix)), None)


def mask_id(value: str) -> str:
    """3301**********1234: the first four and last four characters."""
    return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else _all(value)


def mask_phone(value: str) -> str:
    """138****5678; a short number keeps its last two."""
    if len(value) >= 11:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(len(value) - 2, 0) + value[-2:]


def mask_bank(value: str) -> str:
    """6222***********0123: the bank's first four and the last four."""
    return mask_id(value)


def mask_address(value: str) -> str:
    """The first six characters (province, city), then ****."""
    return value[:6] + "****" if len(value) > 6 else value[:2] + "****"


def _all(value: str) -> str:
    return "*" * len(value)


MASKS = {"id": mask_id, "phone": mask_phone, "bank_account": mask_bank, "address": mask_address}


def mask(value: Any, kind: str) -> Any:
    """The masked form of a value of this kind; empty and non-text values as they are."""
    if not isinstance(value, str) or not value:
        return value
    return MASKS[kind](value)


def sees_full(roles: Iterable[str], kind: str) -> bool:
    """Whether these roles see values of this kind in full without the show action."""
    return bool(set(roles) & PII_FULL[kind])


def shown(roles: Iterable[str], value: Any, kind: str) -> Any:
    return value if sees_full(roles, kind) else mask(value, kind)


def redact(data: Any, actor: Actor, keep: Iterable[str] = ()) -> Any:
    """A response with every personal field masked for this actor (nested models and lists
    too); ``keep`` names fields left as they are (e.g. the SSN a route is keyed by). A part with
    nothing to mask is handed back as it is, not copied (the API's reads redact every reply)."""
    keep = set(keep)
    if isinstance(data, list):
        items = [redact(item, actor, keep) for item in data]
        return data if all(new is old for new, old in zip(items, data, strict=True)) else items
    if isinstance(data, BaseModel):
        changes = {}
        for name in type(data).model_fields:
            if name not in keep:
                value = getattr(data, name)
                if (new := _redacted(value, name, actor, keep)) is not value:
                    changes[name] = new
        return data.model_copy(update=changes) if changes else data
    if isinstance(data, dict):
        found = {k: v if k in keep else _redacted(v, k, actor, keep) for k, v in data.items()}
        return data if all(found[k] is v for k, v in data.items()) else found
    return data


def _redacted(value: Any, name: str, actor: Actor, keep: set[str]) -> Any:
    if (kind := kind_of(name)) and isinstance(value, str):
        return shown(actor.roles, value, kind)
    if isinstance(value, BaseModel | list | dict):
        return redact(value, actor, keep)
    return value


def redact_changes(changes: dict[str, list], actor: Actor,
                   keep: Iterable[str] = ()) -> dict[str, list]:
    """A history row's ``field: [old, new]`` pairs with the personal values masked for this
    actor (the history shows what the person page hides, so it hides it too); ``keep`` as in
    ``redact``."""
    keep = set(keep)
    return {k: [shown(actor.roles, v, kind) for v in pair]
            if (kind := kind_of(k)) and k not in keep else pair for k, pair in changes.items()}


def check_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) < MIN_REASON or len(text) > 300:
        raise InvalidInput("privacy.reason", f"请填写查看或导出的理由（{MIN_REASON}–300个字）", "reason")
    return text


def reveal(db: Session, actor: Actor, subject: str, values: dict[str, str],
           reason: str | None) -> dict[str, str]:
    """The "show" action: the full values, once the reason is given; logged (who, when, what,
    why) in the read log and in the audit chain."""
    require(actor, "pii.reveal")
    why = check_reason(reason)
    _note(db, actor, subject, "reveal", why, {"fields": sorted(values)})
    return values


def log_export(db: Session, actor: Actor, what: str, rows: int, reason: str | None = "", *,
               permission: str = "pii.export") -> None:
    """An export of personal data: only for ``pii.export`` (the bank file: for the payroll
    roles, it must carry the real accounts), logged with what and how many rows."""
    require(actor, permission)
    why = (reason or "").strip()[:300] or "导出清单"
    _note(db, actor, f"export:{what}"[:80], "export", why, {"rows": rows})


def _note(db: Session, actor: Actor, subject: str, view: str, why: str, after: dict) -> None:
    """The read log and the audit chain, committed at once (retried on a stale SQLite snapshot)."""
    def write() -> None:
        db.add(_log(actor, subject, view, why))
        audit.record(db, actor, f"privacy.{view}", subject, after=after, reason=why)
        db.commit()

    retry_busy(db, write)


def _log(actor: Actor, subject: str, view: str, reason: str) -> AccessLog:
    return AccessLog(actor=actor.username, subject=subject, view=view[:32], reason=reason)


audit.ACT_NAMES["privacy.reveal"] = "查看完整个人信息"
audit.ACT_NAMES["privacy.export"] = "导出个人信息"
