"""Settings from the environment (JINGBAN_*)."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def var_dir() -> Path:
    return Path(os.environ.get("JINGBAN_VAR_DIR", "var")).resolve()


def _secret_key(var_dir: Path) -> str:
    """JINGBAN_SECRET_KEY, or a key generated once and kept in var/secret.key."""
    if key := os.environ.get("JINGBAN_SECRET_KEY"):
        return key
    path = var_dir / "secret.key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    database_url: str
    secret_key: str
    region: str
    policy_dirs: tuple[Path, ...]
    calendar_dirs: tuple[Path, ...]
    token_ttl_seconds: int = 8 * 3600
    password_profile: str = "default"
    extra: dict = field(default_factory=dict)
    demo_mode: bool = False  # seclogin: demo default passwords accepted (`jingban demo` only)
    max_body_bytes: int = 4 << 20  # seclogin: larger request bodies get 413 (transfer messages fit)
    max_upload_bytes: int = 200 << 20  # seclogin: larger uploads get 413 (records import: 200 MB)
    audit_anchor: Path | None = None  # the signed chain head file (core.anchor); None = none  # secops

    @classmethod
    def from_env(cls) -> Settings:
        var = var_dir()
        default_db = f"sqlite:///{var / 'jingban.db'}"
        policy_dirs = [PROJECT_ROOT / "policy"]
        if extra := os.environ.get("JINGBAN_POLICY_DIR"):
            policy_dirs.insert(0, Path(extra))
        loaded = Path(os.environ.get("JINGBAN_CALENDAR_DIR", var / "calendar"))
        calendar_dirs = [loaded, PROJECT_ROOT / "policy" / "calendar"]
        return cls(
            database_url=os.environ.get("JINGBAN_DATABASE_URL", default_db),
            secret_key=_secret_key(var),
            region=os.environ.get("JINGBAN_REGION", "330106"),
            policy_dirs=tuple(policy_dirs),
            calendar_dirs=tuple(calendar_dirs),
            token_ttl_seconds=int(os.environ.get("JINGBAN_TOKEN_TTL", 8 * 3600)),
            password_profile=os.environ.get("JINGBAN_PASSWORD_PROFILE", "default"),
            demo_mode=os.environ.get("JINGBAN_DEMO") == "1",  # seclogin
            max_body_bytes=int(os.environ.get("JINGBAN_MAX_BODY_BYTES", 4 << 20)),  # seclogin
            max_upload_bytes=int(os.environ.get("JINGBAN_MAX_UPLOAD_BYTES", 200 << 20)),  # seclogin
            audit_anchor=anchor_path(var),  # secops
        )


def anchor_path(var: Path) -> Path | None:  # secops
    """JINGBAN_AUDIT_ANCHOR (a path, or ``off``), else var/audit-anchor.json."""
    chosen = os.environ.get("JINGBAN_AUDIT_ANCHOR", "")
    if chosen.lower() == "off":
        return None
    return Path(chosen).resolve() if chosen else var / "audit-anchor.json"
