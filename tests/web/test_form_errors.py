"""A validator's own Chinese message reaches the page (web.pages.form_error): a field check is
shown with the field's title, a model check as it is; English and generic messages keep the
house wording; and one form (the public complaint form) shows it."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, field_validator, model_validator

from jingban.core.errors import InvalidInput
from jingban.web.pages import parse
from tests.oversight.complaints.test_complaint_pages import public_form


class Form(BaseModel):
    code: str = ""
    other: str = ""

    @field_validator("code")
    @classmethod
    def _code(cls, value: str) -> str:
        if value == "bad":
            raise ValueError("代码须为六位数字")
        if value == "english":
            raise ValueError("must be six digits")
        return value

    @model_validator(mode="after")
    def _pair(self):
        if self.other == "clash":
            raise ValueError("代码与名称不一致")
        return self


@pytest.mark.parametrize(("values", "message", "field"), [
    ({"code": "bad"}, "单位代码：代码须为六位数字", "code"),
    ({"code": "english"}, "单位代码：字段格式不正确", "code"),
    ({"other": "clash"}, "代码与名称不一致", None),
])
def test_validator_messages_kept_in_chinese(values, message, field):
    with pytest.raises(InvalidInput) as refused:
        parse(Form, values, {"code": "单位代码"})
    assert refused.value.message == message and refused.value.field == field
    assert refused.value.code == "validation.value_error"


def test_the_public_complaint_form_shows_the_validators_message(client):
    anonymous_with_name = public_form(client, anonymous="1", wants_notice="", request_id="pub-e1")
    assert anonymous_with_name.status_code == 422
    assert "匿名举报不填写举报人信息，也无法告知受理情况" in anonymous_with_name.text
    assert "字段格式不正确" not in anonymous_with_name.text
