"""Request and response models of portal account activation."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from jingban.core.auth import MIN_PASSWORD


class CodeRequest(BaseModel):
    """Ask for a one-time code: the SSN and the mobile number registered with the agency."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    ssn: str = Field(min_length=1, max_length=32, description="社会保障号码")
    phone: str = Field(min_length=1, max_length=32, description="在经办机构登记的手机号码")


class TicketOut(BaseModel):
    ticket: str = Field(description="激活凭据：确认开通时原样提交（10分钟内有效，不含验证码）")
    expires_in: int = Field(description="有效秒数")
    message: str


class ConfirmRequest(BaseModel):
    """Confirm with the ticket, the code received by SMS and the new portal password."""

    model_config = ConfigDict(extra="forbid")
    ticket: str = Field(min_length=1, max_length=2000, description="获取验证码时返回的激活凭据")
    code: str = Field(min_length=1, max_length=16, description="短信验证码")
    password: str = Field(min_length=MIN_PASSWORD, max_length=128, description="门户账户新密码")


class ActivatedOut(BaseModel):
    username: str = Field(description="门户账户用户名（社会保障号码）")
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    message: str
