"""Normalisation (15-digit IDs, full-width digits, name variants, phones) and the flag rules."""

from __future__ import annotations

import datetime as dt

import pytest

from jingban.core import ids
from jingban.core.errors import InvalidInput
from jingban.enrollment import rules

TODAY = dt.date(2026, 11, 24)
CID = ids.make_citizen_id("330106", dt.date(1968, 3, 9), 123)


def test_fifteen_digit_id_becomes_eighteen_with_its_check_digit():
    old = CID[:6] + CID[8:17]
    assert len(old) == 15
    result = rules.normalise_id(old, TODAY)
    assert result.number == CID and result.problem == ""
    assert result.birth_date == dt.date(1968, 3, 9) and result.sex == "M"


def test_full_width_digits_spaces_and_lower_x():
    body = ids.make_citizen_id("330106", dt.date(1990, 1, 1), 5)
    wide = "".join(chr(0xFF10 + int(c)) if c.isdigit() else c for c in body)
    spaced = wide[:6] + "　" + wide[6:14] + " " + wide[14:]
    assert rules.normalise_id(spaced, TODAY).number == body
    with_x = next(ids.make_citizen_id("330106", dt.date(1990, 1, 1), n) for n in range(1, 999)
                  if ids.make_citizen_id("330106", dt.date(1990, 1, 1), n).endswith("X"))
    assert rules.normalise_id(with_x.lower(), TODAY).number == with_x


def test_a_wrong_check_digit_is_kept_with_its_problem():
    wrong = CID[:-1] + ("0" if CID[-1] != "0" else "1")
    result = rules.normalise_id(wrong, TODAY)
    assert result.number == wrong and result.problem == "id.check_digit"
    assert rules.normalise_id("12345", TODAY) == rules.IdResult("", "id.format")
    assert rules.normalise_id("", TODAY).problem == "id.missing"


@pytest.mark.parametrize(("given", "expected"), [
    ("張偉", "张伟"), ("陳 麗華", "陈丽华"), ("　刘洋　", "刘洋"), ("买买提•艾力", "买买提·艾力"),
    ("买买提 · 艾力", "买买提·艾力"), ("阿依古丽．吐尔逊", "阿依古丽·吐尔逊"), ("ＡＢＣ", "ABC"),
])
def test_names_are_normalised(given, expected):
    assert rules.normalise_name(given) == expected


def test_name_key_ignores_the_middle_dot():
    assert rules.name_key(rules.normalise_name("买买提·艾力")) == rules.name_key("买买提艾力")


@pytest.mark.parametrize(("given", "expected"), [
    ("+86 138-0013-8000", "13800138000"), ("008613800138000", "13800138000"),
    ("１３８００１３８０００", "13800138000"), ("0571-8888 6666", "057188886666"), ("", ""),
])
def test_phone_formats(given, expected):
    assert rules.normalise_phone(given) == expected


def test_a_row_is_normalised_and_bad_values_name_their_field():
    row = rules.normalise_row({"name": "張三", "citizen_id": CID[:6] + CID[8:17], "sex": "男",
                               "household_region": "330106", "employment_status": "单位就业",
                               "insurances": "企业职工基本养老保险、injury"}, TODAY)
    assert row["citizen_id"] == CID and row["name"] == "张三"
    assert row["employment_status"] == "employed"
    assert row["insurances"] == "injury;pension_enterprise"
    with pytest.raises(InvalidInput) as bad:
        rules.normalise_row({"name": "张三", "citizen_id": CID, "household_region": "999999"}, TODAY)
    assert bad.value.field == "household_region"
    with pytest.raises(InvalidInput) as bad:
        rules.normalise_row({"name": "张三", "birth_date": "1990-13-01"}, TODAY)
    assert bad.value.field == "birth_date"
    with pytest.raises(InvalidInput) as bad:
        rules.normalise_row({"name": "", "citizen_id": CID}, TODAY)
    assert bad.value.field == "name"


def _facts(here=(), elsewhere=(), persons=1, **values):
    base = {"citizen_id": CID, "name": "张三", "birth_date": dt.date(1968, 3, 9),
            "phone": "13800138000", "residence": "西湖区文三路1号", "employment_status": "",
            "not_enrolled_reason": ""}
    return rules.Facts({**base, **values}, tuple(here), tuple(elsewhere), persons)


def kinds(facts):
    return {f.kind: f for f in rules.flags(facts, TODAY)}


def test_complete_and_enrolled_carries_no_flag():
    assert kinds(_facts(here=["pension_enterprise", "medical_employee"])) == {}


def test_duplicate_here_and_across_regions():
    assert "2条参保登记" in kinds(_facts(here=["pension_resident"], persons=2))["duplicate"].reason
    found = kinds(_facts(here=["pension_enterprise"], elsewhere=["pension_enterprise"]))
    assert "企业职工基本养老保险" in found["duplicate"].reason
    # a different scheme elsewhere is not a duplicate
    assert "duplicate" not in kinds(_facts(here=["pension_enterprise"], elsewhere=["medical_employee"]))


def test_not_enrolled_until_a_reason_is_known():
    flag = kinds(_facts())["not_enrolled"]
    assert flag.fields == ("not_enrolled_reason", "employment_status")
    assert "not_enrolled" not in kinds(_facts(not_enrolled_reason="unwilling"))


def test_employed_without_injury_or_unemployment_is_not_fully_enrolled():
    flag = kinds(_facts(here=["pension_enterprise", "medical_employee"],
                        employment_status="employed"))["partial"]
    assert "工伤保险" in flag.reason and "失业保险" in flag.reason
    full = ["pension_enterprise", "medical_employee", "injury", "unemployment"]
    assert "partial" not in kinds(_facts(here=full, employment_status="employed"))


def test_inaccurate_data_names_the_fields_to_collect():
    flag = kinds(_facts(here=["pension_resident"], citizen_id="", phone=""))["inaccurate"]
    assert flag.fields == ("citizen_id", "phone")
    assert "缺少公民身份号码" in flag.reason and "缺少联系电话" in flag.reason
    conflicting = rules.Facts(_facts().values, ("pension_resident",), (), 1, (), ("birth_date",))
    assert "各来源的出生日期不一致" in kinds(conflicting)["inaccurate"].reason


def test_choose_prefers_collection_then_agency_then_police_and_a_valid_id():
    rows = [{"source": "police", "citizen_id": CID, "id_problem": "", "name": "张三", "phone": "1",
             "birth_date": None, "order": 1},
            {"source": "agency", "citizen_id": CID[:-1] + "0", "id_problem": "id.check_digit",
             "name": "张叁", "phone": "", "birth_date": None, "order": 2},
            {"source": "collection", "citizen_id": "", "id_problem": "", "name": "", "phone": "2",
             "birth_date": None, "order": 3}]
    values, origin = rules.choose(rows)
    assert values["citizen_id"] == CID and origin["citizen_id"] == "police"
    assert values["name"] == "张叁" and origin["name"] == "agency"
    assert values["phone"] == "2" and origin["phone"] == "collection"
