"""Who is acting, and through which channel (柜台/网上/接口/数据交换)."""

from __future__ import annotations

from dataclasses import dataclass, replace

CHANNELS = {"counter": "柜台", "web": "网上", "api": "接口", "feed": "数据交换", "cli": "命令行",
            "case": "业务件审批"}


@dataclass(frozen=True)
class Actor:
    username: str
    roles: frozenset[str]
    formal_staff: bool = False
    channel: str = "api"
    user_id: int | None = None
    subject: str | None = None  # portal users: the person or employer they are
    case_id: int | None = None  # set by the case engine while an approved case runs its act

    def via(self, channel: str) -> Actor:
        return replace(self, channel=channel)

    def for_case(self, case_id: int | None) -> Actor:
        return replace(self, case_id=case_id)


# Bootstrap actor for `jingban init` and migrations of data; holds no business role.
SYSTEM = Actor("system", frozenset({"sysadmin"}), True, "cli")
