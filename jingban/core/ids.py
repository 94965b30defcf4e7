"""Identifiers: citizen ID (GB 11643), USCC (GB 32100) and agency-assigned SSNs.

Checksums, dates and area codes come from python-stdnum; this module only turns its
exceptions into our errors and adds what stdnum does not cover (future birth dates,
Hong Kong/Macao/Taiwan residence permits, assigned numbers).

Assigned SSN scheme (社会保障号码 for people without a mainland citizen ID, R§6 解读, D§7)
------------------------------------------------------------------------------------------
18 characters: ``CCC`` + ``RRRRRR`` + ``NNNNNNNN`` + ``K`` where

* ``CCC`` is the ISO 3166-1 alpha-3 code of the nationality (``HKG``, ``MAC``, ``TWN`` for
  residents of Hong Kong, Macao and Taiwan without a residence permit);
* ``RRRRRR`` is the assigning agency's pooling-region code;
* ``NNNNNNNN`` is a sequence number drawn from that region's counter (one per region,
  incremented inside the registering transaction);
* ``K`` is the ISO 7064 MOD 37-2 check character over the first 17.

It cannot collide with a citizen ID (those are digits only, with at most a final X) and two
assigned numbers cannot collide: the region prefix partitions agencies and the counter is
unique within the region (the database also holds a unique key on the SSN).
Holders of a 港澳台居民居住证 use its number (area code 810000/820000/830000) as their SSN.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc
from stdnum.iso7064 import mod_11_2, mod_37_2

from jingban.core import clock
from jingban.core.errors import InvalidInput

RESIDENCE_PERMIT_AREAS = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
ASSIGNED_SSN = re.compile(r"^[A-Z]{3}\d{14}[0-9A-Z*]$")
COUNTRY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: dt.date
    sex: str  # "M" / "F"
    area_code: str
    area_name: str


def parse_citizen_id(value: str, today: dt.date, field: str = "id_number") -> CitizenId:
    """Validate an 18-digit citizen ID or HK/MO/TW residence permit number."""
    number = ric.compact(value or "")
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise InvalidInput("id.format", "公民身份号码应为18位，前17位为数字，末位为数字或X", field)
    try:
        birth = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise InvalidInput("id.birth_date", "公民身份号码中的出生日期不存在", field) from None
    if birth > today:
        raise InvalidInput("id.birth_future", "公民身份号码中的出生日期晚于今天", field)
    area = number[:6]
    area_name = _area_name(area)
    if area_name is None:
        raise InvalidInput("id.area_code", "公民身份号码中的行政区划代码不存在", field)
    if ric.calc_check_digit(number) != number[-1]:
        raise InvalidInput("id.check_digit", "公民身份号码校验码不正确", field)
    sex = "M" if int(number[16]) % 2 else "F"
    return CitizenId(number, birth, sex, area, area_name)


def _area_name(area: str) -> str | None:
    """The place an area code names in any period, or None.

    Not ``ric.get_birth_place``: stdnum also requires the code to have existed in the birth
    year, but IDs were first issued in 1984-85 with the then-current code, so a person born
    in 1950 legitimately carries a code created in 1983 (e.g. 330106). Refusing those would
    refuse real citizens.
    """
    if area in RESIDENCE_PERMIT_AREAS:
        return RESIDENCE_PERMIT_AREAS[area] + "居民居住证"
    from stdnum import numdb

    info = {k: v for _, props in numdb.get("cn/loc").info(area) for k, v in props.items()}
    if not info:
        return None
    county = info.get("county", "").split(",")[-1].split("]")[-1]
    return info.get("province", "") + county


def area_name(area: str) -> str | None:  # enrfix
    """The place a 6-digit area code names in any period, or None (for printed forms)."""  # enrfix
    return _area_name(area)  # enrfix


def validate_uscc(value: str, field: str = "uscc") -> str:
    """A unified social credit code (统一社会信用代码), compacted and upper-cased."""
    code = uscc.compact(value or "")
    try:
        return uscc.validate(code)
    except stdnum_errors.InvalidChecksum:
        raise InvalidInput("uscc.check_digit", "统一社会信用代码校验码不正确", field) from None
    except stdnum_errors.ValidationError:
        raise InvalidInput("uscc.format", "统一社会信用代码格式不正确（18位）", field) from None


def validate_region(value: str, field: str = "region", today: dt.date | None = None) -> str:
    """A 6-digit administrative division code that names a place in use today."""
    code = (value or "").strip()
    if not re.fullmatch(r"\d{6}", code):
        raise InvalidInput("region.format", "行政区划代码应为6位数字", field)
    if code in RESIDENCE_PERMIT_AREAS:
        return code
    probe = f"{code}{today or clock.today():%Y%m%d}001"  # stdnum dates area codes; ask for today
    try:
        ric.get_birth_place(probe + mod_11_2.calc_check_digit(probe))
    except stdnum_errors.ValidationError:
        raise InvalidInput("region.unknown", "行政区划代码不存在", field) from None
    return code


def assigned_ssn(country: str, region: str, sequence: int) -> str:
    """Build an assigned SSN (see the module docstring)."""
    if not COUNTRY.match(country):
        raise InvalidInput("ssn.country", "国籍代码应为3位大写字母（ISO 3166-1）", "nationality")
    if not 0 < sequence < 10**8:
        raise InvalidInput("ssn.sequence", "本地区社会保障号码序号已用尽", "ssn")
    body = f"{country}{region}{sequence:08d}"
    return body + mod_37_2.calc_check_digit(body)


def is_valid_assigned_ssn(value: str) -> bool:
    return bool(ASSIGNED_SSN.match(value)) and mod_37_2.is_valid(value)


def make_citizen_id(area: str, birth: dt.date, sequence: int) -> str:
    """A well-formed citizen ID (for synthetic data): area + birth date + 3-digit sequence
    (odd for men) + the GB 11643 check digit computed by stdnum."""
    body = f"{area}{birth:%Y%m%d}{sequence % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def make_uscc(registration_dept: str, kind: str, region: str, org_code: str) -> str:
    """A well-formed USCC (for synthetic data): department + kind + region + 9-character
    organisation code, then the GB 32100 check character computed by stdnum."""
    body = f"{registration_dept}{kind}{region}{org_code}"
    if len(body) != 17:
        raise ValueError("USCC body must be 17 characters")
    return body + uscc.calc_check_digit(body)
