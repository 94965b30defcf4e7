"""rev14 review of issue 14, part 1: normalisation (E§7, E§9) — 15-digit IDs to 18 with the
GB 11643 check digit, full-width digits and letters, spaces and middle dots, traditional
name variants, phone formats. Expected values worked out by hand (check digits with
python-stdnum, the reference implementation)."""

from __future__ import annotations

import datetime as dt

import pytest
from stdnum.cn import ric

from jingban.core.errors import InvalidInput
from jingban.enrollment import rules

TODAY = dt.date(2026, 12, 7)  # the rules are pure: the date is a parameter, not the clock


@pytest.mark.parametrize(("old", "new"), [
    # 330106 680309 111 → 330106 19680309 111 + check digit 9 (weights 7 9 10 5 8 4 2 1 6 3 7 9
    # 10 5 8 4 2 over the 17 digits, sum mod 11 → 1 0 X 9 8 7 6 5 4 3 2)
    ("330106680309111", "330106196803091119"),
    ("330106850701007", "33010619850701007X"),  # a check digit X
])
def test_fifteen_digits_become_eighteen_with_the_check_digit(old, new):
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(new[:17], weights, strict=True))
    assert "10X98765432"[total % 11] == new[17] == ric.calc_check_digit(new[:17] + "0")
    found = rules.normalise_id(old, TODAY)
    assert (found.number, found.problem) == (new, "")
    assert found.birth_date == dt.date(int(new[6:10]), int(new[10:12]), int(new[12:14]))
    assert found.sex == ("M" if int(new[16]) % 2 else "F")


@pytest.mark.parametrize("given", [
    "３３０１０６１９８５０７０１００７Ｘ",  # full-width digits and X
    "33010619850701007x",  # lower-case x
    " 330106 19850701 007X ",  # spaces
    "330106-19850701-007X",  # dashes
    "３３０１０６８５０７０１００７",  # full-width 15-digit
])
def test_full_width_spaces_dashes_and_lower_x(given):
    assert rules.normalise_id(given, TODAY).number == "33010619850701007X"


def test_a_swapped_digit_keeps_the_number_with_its_problem():
    good = "330106196803091119"
    swapped = good[:16] + good[17] + good[16]  # the last two digits swapped: …91 instead of …19
    assert swapped != good
    found = rules.normalise_id(swapped, TODAY)
    assert found.number == swapped and found.problem == "id.check_digit"
    assert rules.normalise_id("3301061968030911", TODAY).problem == "id.format"  # 16 digits
    assert rules.normalise_id("", TODAY).problem == "id.missing"


@pytest.mark.parametrize(("given", "expected"), [
    ("張偉", "张伟"), ("歐陽娜娜", "欧阳娜娜"), ("陳靜", "陈静"), ("劉德華", "刘德华"),
    ("王　强", "王强"),  # ideographic space
    (" 刘 洋 ", "刘洋"),
    ("买买提 · 艾力", "买买提·艾力"), ("買買提•艾力", "买买提·艾力"), ("买买提．艾力", "买买提·艾力"),
    ("阿依古丽・吐尔逊", "阿依古丽·吐尔逊"), ("·阿里·", "阿里"),
    ("ＬＩ　ＭＩＮＧ", "LIMING"),  # full-width letters
])
def test_name_variants(given, expected):
    assert rules.normalise_name(given) == expected


def test_dotted_and_undotted_names_share_a_key():
    dotted, plain = rules.normalise_name("买买提 · 艾力"), rules.normalise_name("买买提艾力")
    assert rules.name_key(dotted) == rules.name_key(plain) == "买买提艾力"


@pytest.mark.parametrize(("given", "expected"), [
    ("+86 139-0000-0000", "13900000000"), ("0086 13900000000", "13900000000"),
    ("+8613900000000", "13900000000"), ("86-139-0000-0000", "13900000000"),
    ("139 0000 0000", "13900000000"), ("１３９００００００００", "13900000000"),
    ("(0571)8888-1234", "057188881234"), ("0571-88881234", "057188881234"),
])
def test_phone_formats(given, expected):
    assert rules.normalise_phone(given) == expected


@pytest.mark.parametrize("given", ["+86-571-88881234", "+86 (0)571 8888 1234", "0086 571 88881234"])
def test_an_international_landline_is_the_same_number(given):
    assert rules.normalise_phone(given) == "057188881234"  # as (0571)8888-1234 gives


def test_a_row_with_every_kind_of_noise():
    row = rules.normalise_row({"citizen_id": "３３０１０６６８０３０９１１１", "name": "張 偉",
                               "sex": "", "birth_date": "", "household_region": "３３０１０６",
                               "phone": "+86 139-0000-0000"}, TODAY)
    assert row["citizen_id"] == "330106196803091119" and row["name"] == "张伟"
    assert row["birth_date"] == dt.date(1968, 3, 9) and row["sex"] == "M"  # from the ID
    assert row["household_region"] == "330106" and row["phone"] == "13900000000"


@pytest.mark.parametrize(("field", "value", "code"), [
    ("birth_date", "1990-13-45", "registry.date"), ("sex", "X", "registry.sex"),
    ("household_region", "999999", None), ("residence_region", "33010600", "region.format"),
    ("employment_status", "上班", "registry.code"),
])
def test_a_bad_value_names_its_field_in_chinese(field, value, code):
    with pytest.raises(InvalidInput) as bad:
        rules.normalise_row({"name": "张三", "birth_date": "1990-01-01", field: value}, TODAY)
    assert bad.value.field == field
    assert code is None or bad.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in bad.value.message)
