"""Case rules: the catalog's shape, tiered review, the statutory clock. Pure functions."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from jingban.core.rules import ROLE_NAMES

HIGH_RISK_LEVELS = 3  # SPEC §2: high-risk items need 初审、复核、审核 by three users
REVIEW_ROLES = {1: "reviewer_1", 2: "reviewer_2", 3: "reviewer_3"}
OPEN = {"awaiting_materials", "in_review", "returned"}
STATUS_NAMES = {"awaiting_materials": "待补正材料", "in_review": "审核中", "returned": "已退回",
                "completed": "已办结", "closed": "已终止"}
CHANNELS = {"counter", "web", "api"}


class Material(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    name: str
    basis: str = Field(description="要求该材料的法律、法规或国务院决定 (R§31)")
    shared_by: str | None = Field(default=None, description="已由共享数据证明的来源；不向申请人索要")

    @field_validator("basis")
    @classmethod
    def _basis_required(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("材料必须注明法律依据（《社会保险经办条例》第三十一条）")
        return value


class Item(BaseModel):
    """事项: one entry of the catalog."""

    model_config = ConfigDict(extra="forbid")
    code: str
    name: str
    insurance: str
    applicant: str  # person / employer / dependant (a deceased insured's survivor applies)
    channels: list[str]
    deadline_wd: int = Field(ge=1)
    deadline_basis: str = Field(min_length=1)
    review_levels: int = Field(ge=0, le=3)
    act: str | None
    materials: list[Material]
    intake_roles: list[str] = Field(
        default=[], description="受理岗位：空为前台受理（cases.intake）；机构内部发起的事项由所列岗位受理，"
                                "如手工记账由会计制单")


def intake_problem(item: Item, roles: frozenset[str]) -> tuple[str, str] | None:
    """Why a user holding ``roles`` may not take in ``item`` when the item names its own intake
    posts (an agency's internal act: the accountant prepares a voucher), or None."""
    if not item.intake_roles or roles & set(item.intake_roles):
        return None
    posts = "、".join(ROLE_NAMES.get(r, r) for r in item.intake_roles)
    return "case.intake_role", f"{item.name}须由{posts}岗受理"


def missing_materials(item: Item, provided: set[str]) -> list[Material]:
    """What the applicant still has to bring, all at once (一次性告知, R§31)."""
    return [m for m in item.materials if not m.shared_by and m.code not in provided]


def review_problem(level: int, roles: frozenset[str], formal_staff: bool, username: str,
                   intake_by: str, reviewed_by: set[str]) -> tuple[str, str] | None:
    """Why this user may not decide this level of this case, or None (SPEC §2, R§37, Z-11(4))."""
    role = REVIEW_ROLES[level]
    if role not in roles:
        return "case.level_role", f"第{level}级审核须由{ROLE_NAMES[role]}岗办理"
    if level == 3 and not formal_staff:
        return "case.formal_staff", "第3级审核须由正式在编人员办理"
    if username == intake_by:
        return "case.self_review", "受理人不得审核本人受理的业务"
    if username in reviewed_by:
        return "case.same_reviewer", "同一人不得在同一业务件中审核两个层级"
    return None


def remaining_after(remaining_wd: int, used_wd: int) -> int:
    """Working days left when the clock stops; at least one is always left to finish."""
    return max(remaining_wd - used_wd, 1)
