"""Portal accounts of insured persons (门户账户, SPEC §4 item 7): activation by SSN, the
mobile number registered with the agency and a one-time code sent through the notification
outbox. The only writer; the API (accounts.api) and the page (web.activation) both call it.

No table of its own: a code request returns a signed ten-minute ticket (SSN, argon2 hash of
the code, a nonce, and the password state it was issued against), which the page keeps in
its session and an API client sends back. Codes sent and wrong tries are audit events, so a
replayed ticket neither resets the count nor activates twice.

Why an area of its own: the act joins registration (the person and phone), the case
engine's outbox and core.auth (the user); core must not depend on business areas, and the
page must not hold the rule, so it lives beside them as a small area with the usual rooms.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.accounts import rules
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import MIN_PASSWORD, create_user, hasher, set_password
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, PermissionDenied
from jingban.core.models import AuditEvent, User
from jingban.notices.service import notify
from jingban.registration.models import Person
from jingban.registration.service import person_subject

CODE_ACT, FAILED_ACT = "auth.activation_code", "auth.activation_failed"
audit.ACT_NAMES.update({FAILED_ACT: "门户账户激活验证码错误", CODE_ACT: "发送门户账户激活验证码"})

# Accounts are created or reset on the person's own proof (SSN + registered phone + the code
# sent to it); create_user/set_password accept "system" as the acting user.
ACTIVATION = Actor("system", frozenset(), True, "web")

# A person without a registered mobile number never matches: the counter opens the account.
NO_MATCH = "信息不匹配：请核对社会保障号码和在经办机构登记的手机号码"
SMS = "【社会保险经办】您的门户账户激活验证码为 {code}，10分钟内有效。请勿告诉他人；如非本人操作，请忽略。"
NOTE = "已向您登记的手机发送门户账户激活验证码（10分钟内有效）。如非本人操作，请联系经办机构。"
SENT = "验证码已发送至您登记的手机，10分钟内有效"
NO_TICKET = "请先填写社会保障号码和手机号码获取验证码"


@dataclass(frozen=True)
class Ticket:
    """What a code request returns: the signed ticket and the person it is for."""

    value: str
    person: Person


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="jingban.portal-activation")


def _matching(db: Session, ssn: str, phone: str) -> Person | None:
    person = db.execute(select(Person).where(Person.ssn == ssn.strip().upper()[:32])).scalar()
    if person is None or person.status != "active" or not rules.same_phone(person.phone, phone):
        return None
    return person


def _password_state(db: Session, ssn: str) -> str:
    """Changes once the account is (re)activated, so one code serves one activation."""
    found = db.execute(select(User.password_hash).where(User.username == ssn)).scalar()
    return (found or "")[-12:]


def _count(db: Session, act: str, **where: Any) -> int:
    stmt = select(func.count()).select_from(AuditEvent).where(AuditEvent.act == act)
    for column, value in where.items():
        stmt = stmt.where(value(getattr(AuditEvent, column)))
    return db.execute(stmt).scalar() or 0


@transactional
def request_code(db: Session, ssn: str, phone: str, *, secret: str, profile: str,
                 channel: str = "web") -> Ticket:
    """Send a one-time code to the registered phone of the active person with this SSN (at
    most MAX_CODES in CODE_SECONDS); the ticket carries only the code's hash."""
    ssn = (ssn or "").strip().upper()
    if not ssn or not (phone or "").strip():
        raise InvalidInput("activation.missing", "请填写社会保障号码和登记的手机号码",
                           "ssn" if not ssn else "phone")
    person = _matching(db, ssn, phone)
    if person is None:
        raise InvalidInput("activation.mismatch", NO_MATCH)
    since = clock.now() - dt.timedelta(seconds=rules.CODE_SECONDS)
    if _count(db, CODE_ACT, subject=lambda c: c == person_subject(person),
              at=lambda c: c >= since) >= rules.MAX_CODES:
        raise Conflict("activation.too_often", "验证码发送过于频繁，请10分钟后再试")
    code = f"{secrets.randbelow(10 ** rules.CODE_DIGITS):0{rules.CODE_DIGITS}d}"
    notify(db, person.ssn, "activation", NOTE, phone=person.phone, sms_body=SMS.format(code=code))
    audit.record(db, ACTIVATION.via(channel), CODE_ACT, person_subject(person),
                 after={"channel": "sms"})
    value = _serializer(secret).dumps({
        "ssn": person.ssn, "person": person.id, "hash": hasher(profile).hash(code),
        "nonce": secrets.token_hex(8), "pw": _password_state(db, person.ssn)})
    return Ticket(value, person)


def read_ticket(secret: str, ticket: str | None) -> dict[str, Any]:
    if not ticket:
        raise InvalidInput("activation.no_ticket", NO_TICKET, "ticket")
    try:
        return _serializer(secret).loads(ticket, max_age=rules.CODE_SECONDS)
    except SignatureExpired:
        raise InvalidInput("activation.expired", "验证码已过期（10分钟内有效），请重新获取",
                           "ticket") from None
    except BadSignature:
        raise InvalidInput("activation.no_ticket", NO_TICKET, "ticket") from None


@transactional
def _record_failure(db: Session, person_id: int, nonce: str, channel: str) -> None:
    audit.record(db, ACTIVATION.via(channel), FAILED_ACT, f"person:{person_id}",
                 related=f"activation:{nonce}")


def _check_code(db: Session, data: dict[str, Any], code: str, profile: str,
                channel: str) -> None:
    tries = _count(db, FAILED_ACT, related=lambda c: c == f"activation:{data['nonce']}")
    if tries >= rules.MAX_ATTEMPTS:
        raise PermissionDenied("activation.too_many",
                               f"验证码错误已达{rules.MAX_ATTEMPTS}次，请重新获取验证码")
    if _password_state(db, data["ssn"]) != data["pw"]:
        raise InvalidInput("activation.used", "该验证码已使用，请重新获取", "code")
    try:
        hasher(profile).verify(data["hash"], (code or "").strip())
    except (VerificationError, InvalidHashError):
        _record_failure(db, data["person"], data["nonce"], channel)  # kept: its own commit
        left = rules.MAX_ATTEMPTS - tries - 1
        message = (f"验证码不正确，还可尝试{left}次" if left
                   else f"验证码不正确，已达{rules.MAX_ATTEMPTS}次，请重新获取验证码")
        raise InvalidInput("activation.wrong_code", message, "code") from None


def confirm(db: Session, ticket: str | None, code: str, password: str, *, secret: str,
            profile: str, channel: str = "web") -> User:
    """Open (or reset) the person's portal account with the code from the SMS. A wrong code
    is recorded (and committed) before the error; the account is one transaction."""
    data = read_ticket(secret, ticket)
    if len(password or "") < MIN_PASSWORD:
        raise InvalidInput("user.password", f"新密码至少{MIN_PASSWORD}位", "password")
    _check_code(db, data, code, profile, channel)
    return _activate(db, data["person"], password, profile, channel)


@transactional
def _activate(db: Session, person_id: int, password: str, profile: str, channel: str) -> User:
    """Create the portal user (username = SSN) or give the existing one the new password."""
    person = db.get(Person, person_id)
    if person is None or person.status != "active":
        raise Conflict("activation.account", "该账户不能在网上开通，请到经办机构柜台办理")
    actor = ACTIVATION.via(channel)
    user = db.execute(select(User).where(User.username == person.ssn)).scalar()
    if user is None:
        user = create_user(db, actor, person.ssn, password, {"person"}, display_name=person.name,
                           profile=profile, subject=person_subject(person))
    elif user.subject != person_subject(person) or not user.active:
        raise Conflict("activation.account", "该账户不能在网上重设密码，请到经办机构柜台办理")
    else:  # create_user and set_password record the act's audit event
        user = set_password(db, actor, person.ssn, password, profile)
    return user
