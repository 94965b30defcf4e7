"""Administrators' acts outside the services, put in the audit chain (GB/T 22239-2019 8.1.4.3
安全审计; issue 15 item 2): a working-day calendar loaded, a signing key made, the policy set the
service starts with. (Users and roles are audited by core.auth, locks by core.logins.)"""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from jingban.core import audit
from jingban.core.actor import Actor
from jingban.core.db import transactional
from jingban.core.models import AuditEvent

POLICY_LOADED = "admin.policy_loaded"
audit.ACT_NAMES.update({"admin.calendar_loaded": "载入工作日历", "admin.key_created": "生成密钥",
                        POLICY_LOADED: "载入政策参数"})


def sm3(data: bytes) -> str:
    return hashlib.new("sm3", data).hexdigest()


def policy_files(dirs: tuple[Path, ...]) -> dict[str, str]:
    """Every policy YAML file in use, by path, with its SM3 digest."""
    return {str(path): sm3(path.read_bytes())
            for directory in dirs for path in sorted(Path(directory).rglob("*.yaml"))}


@transactional
def calendar_loaded(db: Session, actor: Actor, year: int, text: str, replaced: bool,
                    reference: str) -> None:
    audit.record(db, actor, "admin.calendar_loaded", f"calendar:{year}",
                 after={"sm3": sm3(text.encode()), "replaced": replaced, "reference": reference})


@transactional
def key_created(db: Session, actor: Actor, kind: str, path: Path, public: str) -> None:
    """A key made: where it is kept and its public half (never the private key)."""
    audit.record(db, actor, "admin.key_created", f"key:{kind}",
                 after={"path": str(path), "public_key": public})


@transactional
def policy_loaded(db: Session, actor: Actor, dirs: tuple[Path, ...]) -> bool:
    """The policy set in use, when it differs from the one last recorded; whether recorded."""
    files = policy_files(dirs)
    digest = sm3("\n".join(f"{p} {d}" for p, d in files.items()).encode())
    last = db.execute(select(AuditEvent.after).where(AuditEvent.act == POLICY_LOADED)
                      .order_by(AuditEvent.id.desc()).limit(1)).scalar()
    if last and f'"sm3":"{digest}"' in last:
        return False
    audit.record(db, actor, POLICY_LOADED, "policy", after={"sm3": digest, "files": files})
    return True
