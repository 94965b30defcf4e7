import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from jingban.core import ids
from jingban.core.errors import InvalidInput
from jingban.core.money import parse_yuan, round_fen, to_yuan

TODAY = dt.date(2026, 11, 24)


def test_valid_citizen_id():
    cid = ids.parse_citizen_id("11010519491231002X", TODAY)
    assert (cid.birth_date, cid.sex, cid.area_code) == (dt.date(1949, 12, 31), "F", "110105")


@pytest.mark.parametrize("number,code", [
    ("110105194912310021", "id.check_digit"),
    ("11010519491331002X", "id.birth_date"),
    ("110105209912310029", "id.birth_future"),
    ("990105194912310022", "id.area_code"),
    ("1101051949123100", "id.format"),
    ("11010519491231002Y", "id.format"),
    ("", "id.format"),
])
def test_bad_citizen_ids(number, code):
    with pytest.raises(InvalidInput) as err:
        ids.parse_citizen_id(number, TODAY)
    assert err.value.code == code
    assert err.value.field == "id_number"


def test_hk_residence_permit_number_is_accepted():
    number = ids.make_citizen_id("810000", dt.date(1990, 1, 1), 1)
    assert ids.parse_citizen_id(number, TODAY).area_name.startswith("香港")


@given(st.dates(dt.date(1930, 1, 1), dt.date(2020, 12, 31)), st.integers(0, 999))
def test_generated_citizen_ids_validate(birth, seq):
    number = ids.make_citizen_id("330106", birth, seq)
    assert ids.parse_citizen_id(number, TODAY).birth_date == birth
    # stdnum also wants the code to exist in the birth year (330106 dates from 1983)
    assert ric.is_valid(number) == (birth.year >= 1983)


def test_area_code_created_after_birth_is_accepted():
    """IDs were issued from 1984 with the then-current code: people born before keep it."""
    number = ids.make_citizen_id("330106", dt.date(1950, 1, 1), 1)
    assert ids.parse_citizen_id(number, TODAY).area_name == "浙江省西湖区"


def test_uscc():
    code = ids.make_uscc("9", "1", "330106", "MA2H3K4L5")
    assert ids.validate_uscc(code.lower()) == code
    with pytest.raises(InvalidInput) as err:
        ids.validate_uscc(code[:-1] + ("0" if code[-1] != "0" else "1"))
    assert err.value.code == "uscc.check_digit"
    with pytest.raises(InvalidInput) as err:
        ids.validate_uscc("12345")
    assert err.value.code == "uscc.format"


def test_region_codes():
    assert ids.validate_region("330106") == "330106"
    for bad, code in [("999999", "region.unknown"), ("33010", "region.format")]:
        with pytest.raises(InvalidInput) as err:
            ids.validate_region(bad)
        assert err.value.code == code


@given(st.sampled_from(["USA", "JPN", "HKG", "TWN"]), st.integers(1, 10**8 - 1))
def test_assigned_ssn_never_looks_like_a_citizen_id(country, seq):
    ssn = ids.assigned_ssn(country, "330106", seq)
    assert len(ssn) == 18 and ids.is_valid_assigned_ssn(ssn)
    assert not ric.is_valid(ssn)
    assert ssn != ids.assigned_ssn(country, "330106", seq % (10**8 - 1) + 1) or seq == 10**8 - 1


def test_assigned_ssn_refuses_bad_country_and_exhausted_counter():
    with pytest.raises(InvalidInput):
        ids.assigned_ssn("us", "330106", 1)
    with pytest.raises(InvalidInput):
        ids.assigned_ssn("USA", "330106", 10**8)


def test_money():
    assert parse_yuan("4462.5", "base") == 446250
    assert parse_yuan(Decimal("0.01"), "base") == 1
    assert to_yuan(446250) == Decimal("4462.50")
    assert round_fen(Decimal("2.5")) == 3 and round_fen(Decimal("-2.5")) == -3
    for bad, code in [("1.001", "money.precision"), ("-1", "money.invalid"), ("abc", "money.invalid"),
                      ("NaN", "money.invalid")]:
        with pytest.raises(InvalidInput) as err:
            parse_yuan(bad, "base")
        assert err.value.code == code and err.value.field == "base"
