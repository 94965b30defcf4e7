"""Login failure handling (登录失败处理, GB/T 22239-2019 8.1.4.1 b): every attempt logged; an
address with too many failures is paused, an account with too many in a row is locked until the
lock runs out or the sysadmin lifts it; a demo default password is refused outside demo mode."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jingban.core import audit, clock, passwords, policy, sessions
from jingban.core.actor import Actor
from jingban.core.auth import authenticate, require
from jingban.core.db import retry_busy, transactional
from jingban.core.errors import AuthError, JingbanError, NotFound
from jingban.core.login_models import AccountLock, LoginAttempt
from jingban.core.models import User

LOCKER = Actor("system", frozenset(), True, "api")  # the lock is the system's act, not a user's
audit.ACT_NAMES.update({"auth.locked": "账号锁定（连续登录失败）", "auth.unlocked": "解除账号锁定"})


class TooManyAttempts(JingbanError):
    """登录失败过多：暂停来源地址的登录."""

    status = 429


class AccountLocked(JingbanError):
    """账号已锁定."""

    status = 423


@dataclass(frozen=True)
class Limits:
    max_failures: int
    window: dt.timedelta
    lockout: dt.timedelta | None  # None: until the sysadmin unlocks
    address_max: int


def limits(region: str) -> Limits:
    today = clock.today()

    def get(name: str) -> int:
        return int(policy.value(f"auth.login.{name}", region, today))

    lockout = get("lockout_minutes")
    return Limits(get("max_failures"), dt.timedelta(minutes=get("failure_window_minutes")),
                  dt.timedelta(minutes=lockout) if lockout else None, get("address_max_failures"))


def active_lock(db: Session, user_id: int, at: dt.datetime) -> AccountLock | None:
    rows = db.execute(select(AccountLock).where(AccountLock.user_id == user_id,
                                                AccountLock.unlocked_at.is_(None))).scalars()
    return next((r for r in rows if r.until is None or sessions.aware(r.until) > at), None)


def _note(db: Session, username: str, address: str, outcome: str) -> None:
    def write() -> None:
        db.add(LoginAttempt(at=clock.now(), username=username[:64], address=address[:64],
                            ok=outcome == "ok", outcome=outcome))
        db.commit()

    retry_busy(db, write)


def _address_failures(db: Session, address: str, since: dt.datetime) -> int:
    return db.execute(select(func.count()).where(
        LoginAttempt.address == address[:64], LoginAttempt.at >= since,
        LoginAttempt.ok.is_(False))).scalar_one()


def _failures_in_a_row(db: Session, username: str, since: dt.datetime) -> int:
    """Failures in the window since the last success (or the last lock lifted)."""
    rows = db.execute(select(LoginAttempt.outcome).where(
        LoginAttempt.username == username, LoginAttempt.at >= since)
        .order_by(LoginAttempt.id.desc())).scalars()
    count = 0
    for outcome in rows:
        if outcome in ("ok", "unlocked"):
            break
        count += outcome == "bad_credentials"
    return count


def _lock_if_due(db: Session, user: User, rule: Limits) -> None:
    retry_busy(db, lambda: _lock_now_if_due(db, user, rule))


def _lock_now_if_due(db: Session, user: User, rule: Limits) -> None:
    at = clock.now()
    failures = _failures_in_a_row(db, user.username, at - rule.window)
    if failures < rule.max_failures or active_lock(db, user.id, at):
        return
    until = at + rule.lockout if rule.lockout else None
    db.add(AccountLock(user_id=user.id, locked_at=at, until=until, failures=failures))
    audit.record(db, LOCKER, "auth.locked", f"user:{user.username}",
                 after={"failures": failures, "until": until})
    db.commit()


def _locked_error(lock: AccountLock) -> AccountLocked:
    until = (f"，{clock.local(lock.until):%Y-%m-%d %H:%M} 后自动解除" if lock.until
             else "，请联系系统管理员解锁")
    return AccountLocked("auth.locked", f"连续登录失败次数过多，账号已锁定{until}", "username")


def sign_in(db: Session, username: str, password: str, *, address: str, region: str,
            profile: str = "default", demo: bool = False) -> User:
    """Check the credentials under the throttle and the lock; each attempt is logged."""
    rule, at, username = limits(region), clock.now(), username.strip()
    if _address_failures(db, address, at - rule.window) >= rule.address_max:
        _note(db, username, address, "throttled")
        raise TooManyAttempts("auth.throttled", "该地址登录失败次数过多，请稍后再试")
    user = db.execute(select(User).where(User.username == username)).scalar()
    if user is not None and (lock := active_lock(db, user.id, at)):
        _note(db, username, address, "locked")
        raise _locked_error(lock)
    try:
        user = authenticate(db, username, password, profile)
    except AuthError:
        _note(db, username, address, "bad_credentials")
        if user is not None:
            _lock_if_due(db, user, rule)
        raise
    if passwords.is_default(password) and not demo:
        _note(db, username, address, "default_password")
        raise AuthError("auth.default_password", "该账号仍使用演示默认密码，演示模式以外不能登录，"
                                                 "请联系系统管理员重设密码", "password")
    _note(db, username, address, "ok")
    return user


@transactional
def unlock(db: Session, actor: Actor, username: str, reason: str = "") -> AccountLock:
    """The sysadmin lifts an account's lock (解除锁定); the failure count starts again."""
    require(actor, "users.manage")
    user = db.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        raise NotFound("user.not_found", f"用户 {username} 不存在", "username")
    lock = active_lock(db, user.id, clock.now())
    if lock is None:
        raise NotFound("auth.not_locked", f"用户 {username} 当前未被锁定", "username")
    lock.unlocked_at, lock.unlocked_by = clock.now(), actor.username
    db.add(LoginAttempt(at=clock.now(), username=username, address="", ok=False,
                        outcome="unlocked"))
    audit.record(db, actor, "auth.unlocked", f"user:{username}", reason=reason,
                 before={"locked_at": lock.locked_at, "failures": lock.failures},
                 after={"unlocked_by": actor.username})
    return lock


def locks(db: Session, actor: Actor) -> list[tuple[AccountLock, str]]:
    """The locks in force now, newest first, with the user name (the sysadmin's list)."""
    require(actor, "users.manage")
    at = clock.now()
    rows = db.execute(select(AccountLock, User.username).join(User, User.id == AccountLock.user_id)
                      .where(AccountLock.unlocked_at.is_(None))
                      .order_by(AccountLock.id.desc())).all()
    return [(lock, name) for lock, name in rows
            if lock.until is None or sessions.aware(lock.until) > at]


LOCK_HEADERS = ("用户名", "锁定时间", "连续失败次数", "自动解除时间")


def lock_rows(db: Session, actor: Actor) -> list[tuple[str, str, int, str]]:
    """The locks in force, as the list and its Excel export show them."""
    def shown(ts: dt.datetime | None) -> str:
        return f"{clock.local(ts):%Y-%m-%d %H:%M}" if ts else "须管理员解锁"

    return [(name, shown(lock.locked_at), lock.failures, shown(lock.until))
            for lock, name in locks(db, actor)]
