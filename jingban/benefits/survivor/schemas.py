"""Request model of a survivor-benefit claim (遗属待遇申领, BEN-SURVIVOR)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from jingban.benefits.common.schemas import Strict

RELATIONSHIPS = {"spouse": "配偶", "child": "子女", "parent": "父母", "other": "其他供养直系亲属"}


class SurvivorClaim(Strict):
    """The deceased insured person and the dependant who claims (and is paid)."""

    ssn: str = Field(min_length=15, max_length=18, description="死亡参保人的社会保障号码")
    applicant_name: str = Field(min_length=1, max_length=64, description="申领遗属姓名")
    applicant_id_number: str = Field(pattern=r"^\d{17}[\dXx]$", description="申领遗属公民身份号码")
    relationship: Literal["spouse", "child", "parent", "other"] = Field(
        description="与死亡参保人的关系：spouse 配偶，child 子女，parent 父母，other 其他供养直系亲属")
    bank_account: str = Field(pattern=r"^\d{12,30}$", description="申领遗属本人的银行账号（12–30位数字）")
    phone: str = Field(default="", max_length=20, description="申领遗属联系电话")
