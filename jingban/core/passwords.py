"""Password policy (口令复杂度, GB/T 22239-2019 8.1.4.1 a): length and character classes from
policy/national/security.yaml, not the user name, not a common password, not a default one."""

from __future__ import annotations

import functools
import re

from jingban.core import clock, policy
from jingban.core.config import PROJECT_ROOT
from jingban.core.errors import InvalidInput

COMMON_FILE = PROJECT_ROOT / "policy" / "security" / "common_passwords.txt"
NATIONAL = "000000"  # no region: the national values
# The passwords `jingban demo` prints (demo-<user>-2026): accepted in demo mode only.
DEFAULT_PASSWORD = re.compile(r"^demo-[a-z0-9_]+-\d{4}$", re.IGNORECASE)
CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"),
           re.compile(r"[^a-zA-Z0-9]"))
LETTER = re.compile(r"[a-zA-Z]")


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(s.strip().lower() for s in lines if s.strip() and not s.startswith("#"))


def is_default(password: str) -> bool:
    """A demo default password (演示默认密码)."""
    return bool(DEFAULT_PASSWORD.match(password or ""))


def classes(password: str) -> int:
    return sum(1 for pattern in CLASSES if pattern.search(password))


def resembles_name(password: str, username: str) -> bool:
    """The user name (or its reverse) with only digits and symbols around it: admin@2026."""
    low, name = password.lower(), username.strip().lower()
    if len(name) < 3:
        return low == name
    for variant in (name, name[::-1]):
        if variant in low and not LETTER.search(low.replace(variant, "")):
            return True
    return False


def problem(password: str, username: str, *, demo: bool = False,
            region: str = NATIONAL) -> tuple[str, str] | None:
    """(code, Chinese message) of the first rule the password breaks; None when it is good."""
    if is_default(password):
        return None if demo else ("user.password_default",
                                  "不得使用演示默认密码（仅演示模式可用），请设置新密码")
    today = clock.today()
    length = policy.value("auth.password.min_length", region, today)
    needed = policy.value("auth.password.min_classes", region, today)
    if len(password) < length:
        return "user.password_short", f"密码至少{length}位"
    if classes(password) < needed:
        return ("user.password_classes",
                f"密码须包含大写字母、小写字母、数字、符号中的至少{needed}类")
    if resembles_name(password, username):
        return "user.password_username", "密码不得使用用户名或以用户名为主体"
    if password.lower() in common_passwords():
        return "user.password_common", "密码过于常见，容易被猜中，请换一个"
    return None


def check(password: str, username: str, *, demo: bool = False, field: str = "password",
          region: str = NATIONAL) -> None:
    """Refuse a password that breaks the policy, naming the rule."""
    if found := problem(password, username, demo=demo, region=region):
        raise InvalidInput(found[0], found[1], field)
