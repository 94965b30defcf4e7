"""SM4-GCM sealing, the SM3 blind index, the key ring, and the masks (secdata, issue 15 item 1)."""

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from jingban.core import crypto, privacy
from jingban.core.actor import Actor
from jingban.core.errors import PermissionDenied
from jingban.registration.schemas import PersonOut

KEY_A = "a1:" + "11" * 32
KEY_B = "b2:" + "22" * 32


@pytest.fixture
def ring(monkeypatch):
    def use(value: str) -> None:
        monkeypatch.setenv(crypto.ENV_KEY, value)
    return use


def test_sm4_gcm_matches_the_rfc_8998_vector():
    """The SM4-GCM `cryptography` gives is the standard one (RFC 8998 appendix A.1)."""
    key = bytes.fromhex("0123456789ABCDEFFEDCBA9876543210")
    nonce = bytes.fromhex("00001234567800000000ABCD")
    enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(bytes.fromhex("FEEDFACEDEADBEEFFEEDFACEDEADBEEFABADDAD2"))
    plain = bytes.fromhex("".join(c * 16 for c in "ABCDEFEA"))
    body = enc.update(plain) + enc.finalize()
    assert body.hex().upper() == (
        "17F399F08C67D5EE19D0DC9969C4BB7D5FD46FD3756489069157B282BB200735"
        "D82710CA5C22F0CCFA7CBF93D496AC15A56834CBCF98C397B4024A2691233B8D")
    assert enc.tag.hex().upper() == "83DE3541E4C2B58177E065A9BF7B62EC"


def test_seal_carries_the_key_id_and_opens_under_any_key_of_the_ring(ring):
    ring(KEY_A)
    sealed = crypto.seal("13812345678", "phone")
    assert sealed.startswith("sm4g1:a1:") and "13812345678" not in sealed
    assert crypto.seal("13812345678", "phone") != sealed  # a fresh nonce each time
    ring(f"{KEY_B},{KEY_A}")
    assert crypto.current().kid == "b2" and crypto.open_(sealed, "phone") == "13812345678"
    ring(KEY_B)
    with pytest.raises(crypto.DataKeyError) as missing:
        crypto.open_(sealed, "phone")
    assert missing.value.code == "keys.unknown"


def test_tampering_or_moving_a_value_to_another_field_is_detected(ring):
    ring(KEY_A)
    sealed = crypto.seal("6217000010001234567", "bank_account")
    with pytest.raises(crypto.DataKeyError) as moved:
        crypto.open_(sealed, "phone")
    assert moved.value.code == "keys.tampered"
    flipped = sealed[:-2] + ("A" if sealed[-2] != "A" else "B") + sealed[-1]
    with pytest.raises(crypto.DataKeyError):
        crypto.open_(flipped, "bank_account")
    assert crypto.open_("13800000000", "phone") == "13800000000"  # a legacy plaintext


def test_blind_index_is_keyed_and_ignores_formatting(ring):
    ring(KEY_A)
    index = crypto.blind_index("138-1234-5678")
    assert index == crypto.blind_index("13812345678") and index.startswith("a1:")
    ring(KEY_B)
    assert crypto.blind_index("13812345678") != index
    ring(f"{KEY_B},{KEY_A}")
    assert index in crypto.search_indexes("13812345678")
    assert crypto.search_indexes("张三") == [] and crypto.search_indexes("1381") == []


def test_key_file_is_made_once_and_new_keys_go_on_top(monkeypatch, tmp_path):
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.setenv(crypto.ENV_FILE, str(tmp_path / "data.keys"))
    first = crypto.current()
    assert (tmp_path / "data.keys").stat().st_mode & 0o077 == 0
    assert crypto.current() == first
    added = crypto.add_key()
    assert [k.kid for k in crypto.ring()] == [added.kid, first.kid] and added.kid != first.kid


def test_masks():
    assert privacy.mask_id("330106199001011234") == "3301**********1234"
    assert privacy.mask_phone("13812345678") == "138****5678"
    assert privacy.mask_bank("6217000010001234567") == "6217***********4567"
    assert privacy.mask_address("浙江省杭州市西湖区文三路1号") == "浙江省杭州市****"
    assert privacy.mask("", "phone") == "" and privacy.mask(None, "id") is None


def _person(**values) -> PersonOut:
    base = {"ssn": "330106199001011234", "id_type": "citizen_id", "id_number": "330106199001011234",
            "name": "李四", "sex": "M", "birth_date": "1990-01-01", "nationality": "CHN",
            "household_region": "330106", "address": "浙江省杭州市西湖区文三路1号",
            "phone": "13812345678", "status": "active", "death_date": None,
            "registered_on": "2020-01-01", "retirement_category": None, "enrollments": [],
            "cards": []}
    return PersonOut(**{**base, **values})


@pytest.mark.parametrize(("role", "phone", "address"), [
    ("clerk", "138****5678", "浙江省杭州市****"),
    ("inspector", "138****5678", "浙江省杭州市****"),
    ("supervisor", "138****5678", "浙江省杭州市****"),
    ("surveyor", "13812345678", "浙江省杭州市西湖区文三路1号"),
])
def test_redact_per_role(role, phone, address):
    actor = Actor(role, frozenset({role}), False, "api")
    shown = privacy.redact(_person(), actor, keep=("ssn",))
    assert (shown.phone, shown.address) == (phone, address)
    assert shown.id_number == "3301**********1234" and shown.ssn == "330106199001011234"


def test_reveal_and_export_need_their_permissions(db):
    supervisor = Actor("sup", frozenset({"supervisor"}), False, "api")
    with pytest.raises(PermissionDenied):
        privacy.reveal(db, supervisor, "person:1", {"phone": "1"}, "核对身份信息")
    with pytest.raises(PermissionDenied):
        privacy.log_export(db, Actor("c", frozenset({"clerk"}), False, "api"), "x", 1)
