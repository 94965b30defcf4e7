"""Phone normalisation with a country code (E§7 联系电话): a landline or a mobile number given
with +86 or 0086 is the same number as without (finding 1 of rev14)."""

from __future__ import annotations

import pytest

from jingban.enrollment import rules


@pytest.mark.parametrize(("given", "expected"), [
    ("+86-571-88881234", "057188881234"), ("+86 (0)571 8888 1234", "057188881234"),
    ("0086 571 88881234", "057188881234"), ("86 571 8888 1234", "057188881234"),
    ("(0571)8888-1234", "057188881234"), ("+86 10 8888 1234", "01088881234"),
    ("+86 139-0000-0011", "13900000011"), ("0086 13900000011", "13900000011"),
    ("8613900000011", "13900000011"), ("86123456", "86123456"),  # a local number, not a code
])
def test_a_country_code_is_dropped_from_landlines_and_mobiles(given, expected):
    assert rules.normalise_phone(given) == expected
