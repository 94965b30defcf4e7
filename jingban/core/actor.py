"""Who is acting, and through which channel (柜台/网上/接口/数据交换)."""

from __future__ import annotations

from dataclasses import dataclass

CHANNELS = {"counter": "柜台", "web": "网上", "api": "接口", "feed": "数据交换", "cli": "命令行"}


@dataclass(frozen=True)
class Actor:
    username: str
    roles: frozenset[str]
    formal_staff: bool = False
    channel: str = "api"
    user_id: int | None = None

    def via(self, channel: str) -> Actor:
        return Actor(self.username, self.roles, self.formal_staff, channel, self.user_id)


# Bootstrap actor for `jingban init` and migrations of data; holds no business role.
SYSTEM = Actor("system", frozenset({"sysadmin"}), True, "cli")
