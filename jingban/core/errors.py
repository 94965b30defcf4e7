"""One exception family. Every error carries a machine code, a Chinese message and a field.

The API turns them into ``{"error": {"code", "message", "field"}}`` with the status below.
"""

from __future__ import annotations


class JingbanError(Exception):
    status = 400

    def __init__(self, code: str, message: str, field: str | None = None):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.field = field

    def to_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidInput(JingbanError):
    """输入不合法."""

    status = 422


class NotFound(JingbanError):
    status = 404


class Conflict(JingbanError):
    """与已有数据冲突（重复登记、状态不允许等）."""

    status = 409


class AuthError(JingbanError):
    """未登录、凭证无效或过期."""

    status = 401


class PermissionDenied(JingbanError):
    status = 403


class PolicyError(JingbanError):
    """政策参数缺失：拒绝办理，绝不沿用过期的值."""

    status = 422
