"""Portal account activation (门户账户激活, SPEC §4 item 7) and the large-text switch (R§30).

No table of its own: the one-time code goes out through the notification outbox; the browser
session holds a signed ten-minute token (SSN, argon2 hash of the code, a nonce and the
password state it was issued against); failed attempts are counted in the session and, so
that replaying an older cookie does not reset them, as audit events tied to the nonce."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import APIRouter, Depends, Request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.cases.service import notify
from jingban.core import audit, clock
from jingban.core.actor import Actor
from jingban.core.auth import MIN_PASSWORD, create_user, hasher, set_password
from jingban.core.db import transactional
from jingban.core.errors import Conflict, InvalidInput, JingbanError, PermissionDenied
from jingban.core.http import get_db
from jingban.core.models import AuditEvent, User
from jingban.registration.models import Person
from jingban.registration.service import person_subject
from jingban.web.pages import posted, render, safe_next, see_other, sign_in

router = APIRouter()

TOKEN_SECONDS = 600
MAX_ATTEMPTS = 5
MAX_CODES = 3  # codes sent to one person within TOKEN_SECONDS
SESSION_KEY = "activation"
TRIES_KEY = "activation_tries"
TEXT_COOKIE = "jingban_text"
FAILED_ACT = "auth.activation_failed"
audit.ACT_NAMES.update({FAILED_ACT: "门户账户激活验证码错误",
                        "auth.activation_code": "发送门户账户激活验证码"})

# Portal accounts are created or reset on the person's own proof (SSN + registered phone +
# the code sent to it); create_user/set_password accept "system" as the acting user.
ACTIVATION = Actor("system", frozenset(), True, "web")

NO_MATCH = "信息不匹配：请核对社会保障号码和在经办机构登记的手机号码"
NO_CHANNEL = "暂无法通过网上发送验证码，请携带本人有效身份证件到经办机构柜台开通门户账户"
SMS = "【社会保险经办】您的门户账户激活验证码为 {code}，10分钟内有效。请勿告诉他人；如非本人操作，请忽略。"
NOTE = "已向您登记的手机发送门户账户激活验证码（10分钟内有效）。如非本人操作，请联系经办机构。"


# --- the one-time code through the outbox ------------------------------------------------------

def queue_activation_code(db: Session, person: Person, code: str) -> None:
    """Queue the SMS holding the code (inside the caller's transaction); the portal notice
    itself does not carry the code."""
    if not person.phone:
        raise Conflict("activation.no_channel", NO_CHANNEL)
    notify(db, person.ssn, "activation", NOTE, phone=person.phone, sms_body=SMS.format(code=code))


def _digits(phone: str) -> str:
    digits = re.sub(r"\D", "", phone or "")
    return digits[2:] if len(digits) == 13 and digits.startswith("86") else digits


def _matching(db: Session, ssn: str, phone: str) -> Person | None:
    person = db.execute(select(Person).where(Person.ssn == ssn.strip().upper()[:32])).scalar()
    if (person is None or person.status != "active" or not _digits(person.phone)
            or _digits(person.phone) != _digits(phone)):
        return None
    return person


def _password_state(db: Session, ssn: str) -> str:
    """Changes once the account is (re)activated, so one code serves one activation."""
    found = db.execute(select(User.password_hash).where(User.username == ssn)).scalar()
    return (found or "")[-12:]


@transactional
def request_code(db: Session, ssn: str, phone: str, profile: str) -> tuple[Person, str] | None:
    """(person, code hash) once SSN and phone match an active person; None otherwise."""
    person = _matching(db, ssn, phone)
    if person is None:
        return None
    since = clock.now() - dt.timedelta(seconds=TOKEN_SECONDS)
    sent = db.execute(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.act == "auth.activation_code", AuditEvent.subject == person_subject(person),
        AuditEvent.at >= since)).scalar()
    if sent >= MAX_CODES:
        raise Conflict("activation.too_often", "验证码发送过于频繁，请10分钟后再试")
    code = f"{secrets.randbelow(10**6):06d}"
    queue_activation_code(db, person, code)
    audit.record(db, ACTIVATION, "auth.activation_code", person_subject(person),
                 after={"channel": "sms"})
    return person, hasher(profile).hash(code)


# --- the session token ---------------------------------------------------------------------------

def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.settings.secret_key,
                                  salt="jingban.portal-activation")


def _token(request: Request) -> dict[str, Any]:
    token = request.session.get(SESSION_KEY)
    if not token:
        raise InvalidInput("activation.no_token", "请先填写社会保障号码和手机号码获取验证码")
    try:
        return _serializer(request).loads(token, max_age=TOKEN_SECONDS)
    except SignatureExpired:
        _forget(request)
        raise InvalidInput("activation.expired", "验证码已过期（10分钟内有效），请重新获取") from None
    except BadSignature:
        _forget(request)
        raise InvalidInput("activation.no_token", "请先填写社会保障号码和手机号码获取验证码") from None


def _forget(request: Request) -> None:
    request.session.pop(SESSION_KEY, None)
    request.session.pop(TRIES_KEY, None)


def _failures(db: Session, nonce: str) -> int:
    return db.execute(select(func.count()).select_from(AuditEvent)
                      .where(AuditEvent.act == FAILED_ACT,
                             AuditEvent.related == f"activation:{nonce}")).scalar() or 0


@transactional
def _record_failure(db: Session, person_id: int, nonce: str) -> None:
    audit.record(db, ACTIVATION, FAILED_ACT, f"person:{person_id}",
                 related=f"activation:{nonce}")


def _check_code(request: Request, db: Session, data: dict[str, Any], code: str) -> None:
    tries = max(int(request.session.get(TRIES_KEY, 0)), _failures(db, data["nonce"]))
    if tries >= MAX_ATTEMPTS:
        _forget(request)
        raise PermissionDenied("activation.too_many",
                               f"验证码错误已达{MAX_ATTEMPTS}次，请重新获取验证码")
    if _password_state(db, data["ssn"]) != data["pw"]:
        _forget(request)
        raise InvalidInput("activation.used", "该验证码已使用，请重新获取", "code")
    try:
        hasher(request.app.state.settings.password_profile).verify(data["hash"], code.strip())
    except (VerificationError, InvalidHashError):
        tries += 1
        request.session[TRIES_KEY] = tries
        _record_failure(db, data["person"], data["nonce"])
        left = MAX_ATTEMPTS - tries
        message = (f"验证码不正确，还可尝试{left}次" if left
                   else f"验证码不正确，已达{MAX_ATTEMPTS}次，请重新获取验证码")
        raise InvalidInput("activation.wrong_code", message, "code") from None


def _activate(db: Session, person: Person, password: str, profile: str) -> User:
    """Create the portal user (username = SSN) or give the existing one the new password."""
    user = db.execute(select(User).where(User.username == person.ssn)).scalar()
    if user is None:
        return create_user(db, ACTIVATION, person.ssn, password, {"person"},
                           display_name=person.name, profile=profile,
                           subject=person_subject(person))
    if user.subject != person_subject(person) or not user.active:
        raise Conflict("activation.account", "该账户不能在网上重设密码，请到经办机构柜台办理")
    return set_password(db, ACTIVATION, person.ssn, password, profile)


# --- pages ----------------------------------------------------------------------------------------

@router.get("/activate")
def activate_page(request: Request):
    return render(request, "activate.html")


@router.post("/activate")
def activate_request(request: Request, values: dict[str, Any] = Depends(posted),
                     db: Session = Depends(get_db)):
    ssn, phone = str(values.get("ssn", "")).strip().upper(), str(values.get("phone", ""))
    shown = {"ssn": ssn, "phone": phone}
    try:
        if not ssn or not phone.strip():
            raise InvalidInput("activation.missing", "请填写社会保障号码和登记的手机号码",
                               "ssn" if not ssn else "phone")
        found = request_code(db, ssn, phone, request.app.state.settings.password_profile)
        if found is None:
            raise InvalidInput("activation.mismatch", NO_MATCH)
    except JingbanError as exc:
        return render(request, "activate.html", status=exc.status, error=exc, values=shown)
    person, code_hash = found
    _forget(request)
    request.session[SESSION_KEY] = _serializer(request).dumps({
        "ssn": person.ssn, "person": person.id, "hash": code_hash,
        "nonce": secrets.token_hex(8), "pw": _password_state(db, person.ssn)})
    return see_other("/activate/confirm", "验证码已发送至您登记的手机，10分钟内有效", request)


@router.get("/activate/confirm")
def confirm_page(request: Request):
    return render(request, "activate_confirm.html")


@router.post("/activate/confirm")
def confirm(request: Request, values: dict[str, Any] = Depends(posted),
            db: Session = Depends(get_db)):
    code, password = str(values.get("code", "")), str(values.get("password", ""))
    try:
        data = _token(request)
        if len(password) < MIN_PASSWORD:
            raise InvalidInput("user.password", f"新密码至少{MIN_PASSWORD}位", "password")
        if password != str(values.get("password2", "")):
            raise InvalidInput("user.password_confirm", "两次输入的新密码不一致", "password2")
        _check_code(request, db, data, code)
        person = db.get(Person, data["person"])
        user = _activate(db, person, password, request.app.state.settings.password_profile)
    except JingbanError as exc:
        db.rollback()
        return render(request, "activate_confirm.html", status=exc.status, error=exc)
    sign_in(request, user)
    return see_other("/my", "门户账户已开通，今后请用社会保障号码和新密码登录", request)


# --- large text (大字模式) --------------------------------------------------------------------------

@router.post("/text-size")
def text_size(request: Request, values: dict[str, Any] = Depends(posted)):
    reply = see_other(safe_next(str(values.get("next") or "/")))
    if values.get("large") == "1":
        reply.set_cookie(TEXT_COOKIE, "large", max_age=365 * 24 * 3600, samesite="lax",
                         httponly=True)
    else:
        reply.delete_cookie(TEXT_COOKIE)
    return reply

