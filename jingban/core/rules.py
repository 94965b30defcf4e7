"""Kernel rules: roles and internal control. Pure functions, no I/O."""

from __future__ import annotations

# SPEC §2 roles. Portal roles (employer, person) belong to outside users only.
ROLE_NAMES = {
    "clerk": "前台受理",
    "reviewer_1": "初审",
    "reviewer_2": "复核",
    "reviewer_3": "审核",
    "accountant": "会计",
    "cashier": "出纳",
    "inspector": "稽核",
    "data_admin": "数据管理",
    "sysadmin": "系统管理员",
    "supervisor": "行政监督",
    "surveyor": "调查员",
    "grassroots": "基层平台",
    "employer": "参保单位",
    "person": "参保人",
}
ROLES = frozenset(ROLE_NAMES)

# Duty families that one user may not combine (R§37; Z-10(2), Z-10(4), Z-11(4)).
DUTY_FAMILIES = {
    "business": frozenset({"clerk", "reviewer_1", "reviewer_2", "reviewer_3",
                           "surveyor", "grassroots"}),
    "finance": frozenset({"accountant", "cashier"}),
    "data": frozenset({"data_admin"}),
    "audit": frozenset({"inspector", "supervisor"}),
}
PORTAL_ROLES = frozenset({"employer", "person"})
# oversight-complaints (issue 12 item 5): the complaint post (举报投诉受理) alone knows who
# reported (R§51); it is an oversight duty, compatible with the inspector's.
ROLE_NAMES["complaint_officer"] = "举报投诉"
ROLES = frozenset(ROLE_NAMES)
DUTY_FAMILIES["audit"] = DUTY_FAMILIES["audit"] | {"complaint_officer"}
FORMAL_STAFF_ROLES = frozenset({"reviewer_3"})  # 审核 must be 正式在编 (SPEC §2)
# 行政监督 (R§47): the administrative department looks, never acts; it holds no other role, and
# every write request of a user holding it is refused before the route runs (core.http).
READ_ONLY_ROLES = frozenset({"supervisor"})


def role_conflict(roles: set[str], formal_staff: bool) -> tuple[str, str] | None:
    """(code, Chinese reason) when the roles may not be held together, else None (R§37)."""
    unknown = roles - ROLES
    if unknown:
        return "role.unknown", f"未知角色：{'、'.join(sorted(unknown))}"
    if not roles:
        return "role.empty", "至少需要一个角色"
    if roles & PORTAL_ROLES and len(roles) > 1:
        return "role.portal", "单位或个人门户用户不能兼任经办机构角色"
    if "sysadmin" in roles and len(roles) > 1:
        return "role.sysadmin", "系统管理员不得兼任任何业务角色（R§37 不相容岗位分离）"
    if roles & READ_ONLY_ROLES and len(roles) > 1:
        return "role.read_only", "行政监督为只读监督角色，不得兼任经办机构任何岗位（R§47）"
    if {"accountant", "cashier"} <= roles:
        return "role.accountant_cashier", "会计与出纳不得由同一人担任（Z-10(4)）"
    families = [name for name, members in DUTY_FAMILIES.items() if roles & members]
    if len(families) > 1:
        names = {"business": "业务经办", "finance": "基金财务", "data": "信息数据管理",
                 "audit": "稽核监督"}
        joined = "与".join(names[f] for f in families)
        return "role.incompatible", f"{joined}属于不相容岗位，不得由同一人兼任（R§37）"
    if roles & FORMAL_STAFF_ROLES and not formal_staff:
        return "role.formal_staff", "审核岗须由正式在编人员担任"
    return None


# agreements (issue 13): the agreement manager (协议管理) contracts with service institutions and
# handles breaches (R§33, R§43); a business post, apart from the reviewers who approve its cases.
ROLE_NAMES["agreement_manager"] = "协议管理"  # agreements
ROLES = frozenset(ROLE_NAMES)  # agreements
DUTY_FAMILIES["business"] = DUTY_FAMILIES["business"] | {"agreement_manager"}  # agreements
