"""Authentication and authorisation: argon2 passwords, signed bearer tokens, permissions."""

from __future__ import annotations

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from jingban.core import audit, passwords, sessions
from jingban.core.actor import Actor
from jingban.core.db import retry_busy, transactional
from jingban.core.errors import AuthError, Conflict, InvalidInput, NotFound, PermissionDenied
from jingban.core.login_models import LoginSession  # load15
from jingban.core.models import User, UserRole
from jingban.core.rules import PORTAL_ROLES, ROLE_NAMES, role_conflict

STAFF_READ = frozenset({"clerk", "reviewer_1", "reviewer_2", "reviewer_3", "inspector",
                        "supervisor", "data_admin", "surveyor", "grassroots"})

# permission -> roles that hold it
PERMISSIONS: dict[str, frozenset[str]] = {
    "registration.read": STAFF_READ,
    "registration.write": frozenset({"clerk"}),
    "registration.liability": frozenset({"accountant", "inspector"}),
    "sharing.upload": frozenset({"data_admin"}),
    "sharing.read": frozenset({"data_admin", "inspector", "supervisor"}),
    "users.manage": frozenset({"sysadmin"}),
    "cases.intake": frozenset({"clerk"}),
    "cases.review": frozenset({"reviewer_1", "reviewer_2", "reviewer_3"}),
    "cases.read": STAFF_READ,
    "cases.apply": frozenset({"person", "employer"}),
    # acts the case engine runs once it has checked intake, ownership and review
    "cases.act": frozenset({"clerk", "reviewer_1", "reviewer_2", "reviewer_3", "person",
                            "employer"}),
    "outbox.drain": frozenset({"sysadmin"}),
    "benefits.read": STAFF_READ,
    "benefits.notify": frozenset({"clerk"}),
    "benefits.payroll": frozenset({"accountant"}),  # 待遇发放 is run by the fund's accountant
    "benefits.payroll_read": frozenset({"accountant", "cashier", "inspector", "supervisor"}),
    "audit.verify": frozenset({"sysadmin", "inspector", "supervisor"}),
    "records.import": frozenset({"accountant"}),
    "records.interest": frozenset({"accountant"}),
    "records.read": STAFF_READ | {"accountant"},
    "records.correct": frozenset({"clerk"}),
    # stops, eligibility verification and recovery (R§25, R§26, R§46); credit records (R§45)
    "benefits.stop": frozenset({"clerk"}),
    "benefits.verify": frozenset({"clerk", "inspector"}),
    "benefits.recovery": frozenset({"clerk", "accountant"}),
    "oversight.record": frozenset({"clerk", "accountant", "inspector"}),
    "oversight.read": frozenset({"inspector", "supervisor"}),
    "transfers.read": STAFF_READ,
    "transfers.start": frozenset({"clerk"}),
    "transfers.confirm": frozenset({"clerk"}),
    "transfers.deliver": frozenset({"sysadmin"}),
    # the funds ledger (R§39–§41): the accountant books, prepares manual entries and reversals
    # (FUND-MANUAL / FUND-REVERSAL cases) and closes; the last reviewer approves them
    "funds.read": frozenset({"accountant", "cashier", "reviewer_1", "reviewer_2", "reviewer_3",
                             "inspector", "supervisor"}),
    "funds.book": frozenset({"accountant"}),
    "funds.confirm": frozenset({"cashier"}),  # 出纳确认银行收付 (Z-10(2))
    "funds.approve": frozenset({"reviewer_1", "reviewer_2", "reviewer_3"}),
    "funds.reconcile": frozenset({"accountant"}),  # 对账 (Z-10(1)3): import statements, resolve
    "funds.budget": frozenset({"accountant"}),  # 基金预算草案 (R§39): prepare, edit, submit, revise
    "funds.report": frozenset({"accountant"}),  # 报送月报 (Z-3(4)), 公开年度基金信息 (R§50)
    # the serious-dishonesty list (R§45): the inspector proposes, serves notice, removes;
    # the supervisor's read-only view (R§47)
    "oversight.dishonesty": frozenset({"inspector"}),
    "oversight.dishonesty_statement": frozenset({"clerk", "inspector"}),
    "supervision.read": frozenset({"supervisor"}),
    # inspections (核查, R§42, R§44) and penalties (R§55, R§57): the inspector files, concludes,
    # proposes; reviewers decide through the cases; collections are recorded with the accountant
    "oversight.inspect": frozenset({"inspector"}),
    "oversight.collect": frozenset({"inspector", "accountant"}),
    # anomaly monitors (issue 12 item 3): the inspection post runs them and handles the hits
    "oversight.monitor": frozenset({"inspector"}),
}
# oversight-complaints (issue 12 items 5, 6): complaints and reports (R§51) — the reporter's
# identity only to the complaint post; reconsideration and litigation recorded against a case,
# a revoked or changed decision reopened through the case engine (R§52)
PERMISSIONS.update({
    "complaints.handle": frozenset({"complaint_officer"}),
    "complaints.identity": frozenset({"complaint_officer"}),
    "complaints.read": frozenset({"complaint_officer", "inspector", "supervisor"}),
    "complaints.report": frozenset({"person", "employer"}),
    "challenges.record": frozenset({"complaint_officer", "inspector"}),
    "challenges.read": frozenset({"complaint_officer", "inspector", "supervisor"}),
    "cases.reopen": frozenset({"complaint_officer", "inspector"}),
})
# agreements (issue 13 items 1, 2, 7): institutions, agreements and breach handling (R§33, R§43)
PERMISSIONS.update({
    "agreements.manage": frozenset({"agreement_manager"}),  # agreements
    "agreements.read": frozenset({"agreement_manager", "reviewer_1", "reviewer_2", "reviewer_3",
                                  "inspector", "supervisor"}),  # agreements
})
PERMISSIONS["oversight.record"] = PERMISSIONS["oversight.record"] | {"agreement_manager"}  # agreements
# enrollment (issue 14): the universal enrollment registry (全民参保登记, E§1–§34) — the data
# administrator takes department files in, runs the linkage and decides the doubtful pairs; the
# clerk or the person collects a flagged person's missing fields (E§13, E§14)
PERMISSIONS.update({  # enrollment
    "enrollment.read": STAFF_READ,  # enrollment
    "enrollment.upload": frozenset({"data_admin"}),  # enrollment
    "enrollment.link": frozenset({"data_admin"}),  # enrollment
    "enrollment.review": frozenset({"data_admin"}),  # enrollment
    "enrollment.collect": frozenset({"clerk", "person"}),  # enrollment
    # household survey (E§15–§19): the grassroots platform plans and reviews, surveyors enter,
    # the county agency's data administrator approves
    "enrollment.survey_plan": frozenset({"grassroots"}),  # enrollment
    "enrollment.survey_enter": frozenset({"surveyor"}),  # enrollment
    "enrollment.survey_approve": frozenset({"data_admin"}),  # enrollment
})  # enrollment

_hashers = {"default": PasswordHasher(), "fast": PasswordHasher.from_parameters(profiles.CHEAPEST)}
MIN_PASSWORD = 8


def hasher(profile: str) -> PasswordHasher:
    return _hashers.get(profile, _hashers["default"])


def can(actor: Actor, permission: str) -> bool:
    return bool(actor.roles & PERMISSIONS[permission])


def require(actor: Actor, permission: str) -> None:
    if not can(actor, permission):
        allowed = "、".join(ROLE_NAMES[r] for r in sorted(PERMISSIONS[permission]))
        raise PermissionDenied("auth.forbidden", f"无权办理此业务，需要以下角色之一：{allowed}")


def actor_for(user: User, channel: str) -> Actor:
    return Actor(user.username, user.role_names, user.formal_staff, channel, user.id, user.subject)


# --- tokens -------------------------------------------------------------------------------

def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="jingban.api-token")


def issue_token(secret: str, user: User, sid: str) -> str:
    """A signed token naming the user and the server-side session (seclogin)."""
    return _serializer(secret).dumps({"uid": user.id, "pw": user.password_hash[-12:], "sid": sid})


def open_session(db: Session, secret: str, user: User, channel: str, address: str = "") -> str:
    """Start a server-side session for a signed-in user (committed); its token.  # seclogin"""
    user_id = user.id

    def begin() -> str:
        sid = sessions.start(db, user_id, channel, address)
        db.commit()
        return sid

    return issue_token(secret, user, retry_busy(db, begin))


def token_session(secret: str, token: str | None) -> str | None:
    """The session id a token names, signature checked but not its age (for sign-out)."""
    try:
        return _serializer(secret).loads(token or "").get("sid")
    except (BadSignature, AttributeError):
        return None


def user_from_token(db: Session, secret: str, token: str, max_age: int,
                    region: str = sessions.NATIONAL) -> User:
    """The active user a token names; a changed password, a sign-out or idleness revokes it."""
    try:
        data = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired:
        raise AuthError("auth.token_expired", "登录凭证已过期，请重新登录") from None
    except BadSignature:
        raise AuthError("auth.token_invalid", "登录凭证无效") from None
    if not isinstance(data, dict) or not isinstance(data.get("uid"), int):
        raise AuthError("auth.token_invalid", "登录凭证无效")
    user, found = _user_and_session(db, data["uid"], str(data.get("sid") or ""))  # load15
    if user is None or not user.active or user.password_hash[-12:] != data.get("pw"):
        raise AuthError("auth.token_invalid", "登录凭证无效")
    sessions.check(db, data.get("sid"), region, found)  # load15
    return user


def _user_and_session(db: Session, uid: int, sid: str) -> tuple[User | None, LoginSession | None]:
    """load15: the user, his roles and the session the token names in one query (a request's
    sign-in check); apart (the session looked up by sessions.check) when they do not pair."""
    row = db.execute(select(User, LoginSession)
                     .join(LoginSession, LoginSession.user_id == User.id)
                     .where(User.id == uid, LoginSession.sid == sid)
                     .options(joinedload(User.roles))).unique().first()
    return (row[0], row[1]) if row else (db.get(User, uid), None)


# --- users ------------------------------------------------------------------------------------

def authenticate(db: Session, username: str, password: str, profile: str = "default") -> User:
    user = db.execute(select(User).where(User.username == username)).scalar()
    ph = hasher(profile)
    try:
        if user is None or not user.active:
            raise VerificationError
        ph.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise AuthError("auth.bad_credentials", "用户名或密码不正确") from None
    return user


def _check_roles(roles: set[str], formal_staff: bool) -> None:
    if problem := role_conflict(roles, formal_staff):
        raise InvalidInput(problem[0], problem[1], "roles")


def _check_subject(roles: set[str], subject: str | None) -> None:
    if bool(roles & PORTAL_ROLES) != bool(subject):
        raise InvalidInput("user.subject", "单位或个人门户用户须关联参保单位或参保人，经办人员不得关联",
                           "subject")


@transactional
def create_user(db: Session, actor: Actor, username: str, password: str, roles: set[str], *,
                display_name: str = "", formal_staff: bool = False,
                profile: str = "default", subject: str | None = None, demo: bool = False) -> User:
    """Add a user; the roles must respect the separation of incompatible duties (R§37).
    The password must meet the policy (``demo``: a demo seed's default password is allowed)."""
    if actor.username != "system":
        require(actor, "users.manage")
    username = username.strip()
    if not username or len(username) > 64:
        raise InvalidInput("user.username", "用户名不能为空且不超过64个字符", "username")
    passwords.check(password, username, demo=demo)  # seclogin
    _check_roles(roles, formal_staff)
    _check_subject(roles, subject)
    if db.execute(select(User.id).where(User.username == username)).first():
        raise Conflict("user.exists", f"用户名 {username} 已存在", "username")
    user = User(username=username, display_name=display_name or username,
                password_hash=hasher(profile).hash(password), formal_staff=formal_staff,
                subject=subject,
                roles=[UserRole(role=r) for r in sorted(roles)])
    db.add(user)
    db.flush()
    audit.record(db, actor, "auth.create_user", f"user:{username}",
                 after={"roles": sorted(roles), "formal_staff": formal_staff, "subject": subject})
    return user


@transactional
def set_roles(db: Session, actor: Actor, username: str, roles: set[str],
              formal_staff: bool | None = None) -> User:
    require(actor, "users.manage")
    user = db.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        raise NotFound("user.not_found", f"用户 {username} 不存在", "username")
    formal = user.formal_staff if formal_staff is None else formal_staff
    _check_roles(roles, formal)
    _check_subject(roles, user.subject)
    before = {"roles": sorted(user.role_names), "formal_staff": user.formal_staff}
    user.roles = [UserRole(role=r) for r in sorted(roles)]
    user.formal_staff = formal
    audit.record(db, actor, "auth.set_roles", f"user:{username}", before=before,
                 after={"roles": sorted(roles), "formal_staff": formal})
    return user


audit.ACT_NAMES["auth.set_password"] = "重设密码"


@transactional
def set_password(db: Session, actor: Actor, username: str, password: str,
                 profile: str = "default") -> User:
    """Replace a user's password (tokens issued before stop working); the hash is not audited."""
    if actor.username != "system":
        require(actor, "users.manage")
    passwords.check(password, username)  # seclogin
    user = db.execute(select(User).where(User.username == username)).scalar()
    if user is None:
        raise NotFound("user.not_found", f"用户 {username} 不存在", "username")
    user.password_hash = hasher(profile).hash(password)
    audit.record(db, actor, "auth.set_password", f"user:{username}",
                 after={"password": "changed", "subject": user.subject})
    return user


# secdata (issue 15 item 1): personal data on screen (R§35, R§49). Who sees which kind in full
# without the show action: the cashier checks the accounts payments go to; the surveyor and the
# grassroots platform visit and call people. Everyone else sees them masked.
PII_FULL: dict[str, frozenset[str]] = {  # secdata
    "id": frozenset(),
    "phone": frozenset({"surveyor", "grassroots"}),
    "bank_account": frozenset({"cashier"}),
    "address": frozenset({"surveyor", "grassroots"}),
}
PERMISSIONS.update({  # secdata
    # the "show" action: full values on a stated reason, logged
    "pii.reveal": frozenset({"clerk", "reviewer_1", "reviewer_2", "reviewer_3", "inspector",
                             "accountant", "cashier", "complaint_officer"}),
    # exports (CSV, Excel, PDF lists) carrying personal data
    "pii.export": frozenset({"inspector", "data_admin", "accountant"}),
    # the read log (查询留痕) of a person
    "pii.access_log": frozenset({"inspector", "supervisor", "data_admin"}),
    **{f"pii.full_{kind}": roles for kind, roles in PII_FULL.items() if roles},
})
# claims (issue 13 items 3–5): institutions upload their monthly claims (or a clerk for them);
# reviewers run the review and decide flagged lines; the accountant prepares the settlement
PERMISSIONS.update({  # claims
    "claims.upload": frozenset({"clerk", "employer"}),
    "claims.review": frozenset({"reviewer_1", "reviewer_2"}),
    "claims.read": STAFF_READ | {"accountant"},
    "claims.settle": frozenset({"accountant"}),
})
PERMISSIONS["benefits.maternity_record"] = frozenset({"clerk"})  # medmat: 生育登记 for the woman
# enr14: the data administrator deciding a pair of registry records may show them in full (logged)
PERMISSIONS["pii.reveal"] = PERMISSIONS["pii.reveal"] | frozenset({"data_admin"})  # enr14
