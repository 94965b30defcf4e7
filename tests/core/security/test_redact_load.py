"""The API's masking on every read (load15/secfix): ``privacy.redact`` masks nested personal
fields and hands back, uncopied, every part with nothing to mask (the profile of the person read
showed the copying and the field-kind lookups as a tenth of its CPU)."""

from __future__ import annotations

from pydantic import BaseModel

from jingban.core import privacy
from jingban.core.actor import Actor


class Contact(BaseModel):
    name: str
    payee_phone: str | None = None


class Card(BaseModel):
    number: str
    status: str


class Record(BaseModel):
    ssn: str
    id_number: str
    cards: list[Card]
    contacts: list[Contact]
    extra: dict


def _record() -> Record:
    return Record(ssn="330106199001011234", id_number="330106199001011234",
                  cards=[Card(number="C1", status="active")],
                  contacts=[Contact(name="甲", payee_phone="13812345678"), Contact(name="乙")],
                  extra={"note": "x", "bank_account": "6217000010007770001"})


def test_nested_personal_fields_masked_the_rest_not_copied():
    record = _record()
    clerk = Actor("c", frozenset({"clerk"}), False, "api")
    shown = privacy.redact(record, clerk, keep=("ssn",))
    assert shown is not record and shown.ssn == record.ssn
    assert shown.id_number == "3301**********1234"
    assert shown.contacts[0].payee_phone == "138****5678" and shown.contacts[1] is record.contacts[1]
    assert shown.extra["bank_account"] != record.extra["bank_account"]
    assert shown.cards is record.cards  # nothing personal in it: handed back as it is
    assert record.contacts[0].payee_phone == "13812345678"  # the original untouched


def test_a_role_that_sees_in_full_gets_the_same_object():
    record = _record()
    surveyor = Actor("s", frozenset({"surveyor"}), False, "api")
    assert privacy.sees_full(surveyor.roles, "phone") and not privacy.sees_full(surveyor.roles, "id")
    contacts = privacy.redact(record.contacts, surveyor)
    assert contacts is record.contacts and contacts[0].payee_phone == "13812345678"
    shown = privacy.redact(record, surveyor, keep=("ssn",))
    assert shown is not record and shown.id_number == "3301**********1234"
    assert shown.contacts is record.contacts


def test_field_kinds_by_name_and_suffix():
    assert privacy.kind_of("payee_bank_account") == "bank_account"
    assert privacy.kind_of("applicant_phone") == "phone"
    assert privacy.kind_of("status") is None and privacy.kind_of("ssn") == "id"
    assert privacy.kind_of("status") is None  # asked again: the remembered answer
