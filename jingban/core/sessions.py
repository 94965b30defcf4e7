"""Server-side sessions (会话): the page cookie's token and each API token name one; signing out
ends it, and so does inactivity beyond auth.session.idle_minutes (GB/T 22239-2019 8.1.4.1 b:
当登录连接超时自动退出). An ended session's token is refused everywhere (the revocation list)."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from jingban.core import clock, policy
from jingban.core.db import retry_busy
from jingban.core.errors import AuthError
from jingban.core.login_models import LoginSession

NATIONAL = "000000"
TOUCH_EVERY = dt.timedelta(seconds=60)  # seen_at is rewritten at most once a minute


def wall_now() -> dt.datetime:
    """Inactivity is physical time: the real clock, not the business clock (JINGBAN_CLOCK, a
    test's clock.travel), which may jump months while a user stays signed in."""
    return dt.datetime.now(dt.UTC)


def aware(ts: dt.datetime) -> dt.datetime:
    """SQLite hands timestamps back naive; they are stored in UTC."""
    return ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)


def idle_limit(region: str = NATIONAL) -> dt.timedelta:
    minutes = policy.value("auth.session.idle_minutes", region, clock.today())
    return dt.timedelta(minutes=int(minutes))


def start(db: Session, user_id: int, channel: str, address: str = "") -> str:
    """A new session (flushed in the caller's transaction); its random id."""
    at = wall_now()
    sid = secrets.token_urlsafe(32)
    db.add(LoginSession(sid=sid, user_id=user_id, channel=channel, address=address[:64],
                        started_at=at, seen_at=at))
    db.flush()
    return sid


def check(db: Session, sid: str | None, region: str = NATIONAL,
          found: LoginSession | None = None) -> None:
    """Refuse an ended or idle session; note activity on a live one. ``found``: the session
    row already read with the user (auth.user_from_token, one query a request)."""  # load15
    if found is None or found.sid != str(sid or ""):  # load15
        found = db.execute(select(LoginSession).where(LoginSession.sid == str(sid or ""))).scalar()
    if found is None or found.ended_at is not None:
        raise AuthError("auth.token_revoked", "登录凭证已注销（已退出或被管理员终止），请重新登录")
    at, limit = wall_now(), idle_limit(region)
    if at - aware(found.seen_at) > limit:
        _end(db, found.sid, "idle", at)
        raise AuthError("auth.session_idle",
                        f"超过{limit.seconds // 60}分钟无操作，已自动退出，请重新登录")
    if at - aware(found.seen_at) > TOUCH_EVERY:
        touched = update(LoginSession).where(LoginSession.id == found.id).values(seen_at=at)
        retry_busy(db, lambda: (db.execute(touched), db.commit()))


def _end(db: Session, sid: str, reason: str, at: dt.datetime) -> None:
    ended = (update(LoginSession).where(LoginSession.sid == sid, LoginSession.ended_at.is_(None))
             .values(ended_at=at, end_reason=reason))
    retry_busy(db, lambda: (db.execute(ended), db.commit()))


def end(db: Session, sid: str | None, reason: str = "logout") -> None:
    """End one session (sign-out); an unknown or ended one is left as it is."""
    if sid:
        _end(db, str(sid), reason, wall_now())


def end_all(db: Session, user_id: int, reason: str) -> int:
    """End every live session of a user inside the caller's transaction (an admin's act)."""
    result = db.execute(update(LoginSession)
                        .where(LoginSession.user_id == user_id, LoginSession.ended_at.is_(None))
                        .values(ended_at=wall_now(), end_reason=reason))
    return result.rowcount or 0
