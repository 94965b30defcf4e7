"""`jingban keys new / status / rotate` against a SQLite file and a key file (secdata)."""

from __future__ import annotations

from jingban.core import crypto
from tests.test_cli import _sql, cli  # noqa: F401  (the fixture)

INSERT = ("INSERT INTO person (ssn, id_type, id_number, name, sex, birth_date, nationality, "
          "household_region, address, phone, status, registered_on) VALUES ('{0}', 'citizen_id',"
          " '{0}', '张三', 'M', '1990-01-01', 'CHN', '330106', '', '{1}', 'active', '2020-01-01')")

def test_keys_new_then_rotate_reseals_everything_once(cli, monkeypatch, tmp_path):  # noqa: F811
    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.setenv(crypto.ENV_FILE, str(tmp_path / "var" / "data.keys"))
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    first = crypto.current().kid
    for n in range(3):  # legacy plaintext, as a bulk load outside the application would leave
        _sql(INSERT.format(f"33010619900101{n:03d}X", f"1370000000{n}"))
    status = cli("keys", "status")
    assert status.exit_code == 0 and "person.phone: 待重新加密 3 条" in status.output
    new = cli("keys", "new")
    assert new.exit_code == 0, new.output
    assert crypto.current().kid != first
    rotated = cli("keys", "rotate", "--batch", "2")
    assert rotated.exit_code == 0, rotated.output
    assert "重新加密 3 条" in rotated.output
    again = cli("keys", "rotate")
    assert again.exit_code == 0 and "重新加密 0 条" in again.output
    rows = _sql("SELECT phone, phone_index FROM person")
    kid = crypto.current().kid
    assert all(p.startswith(f"sm4g1:{kid}:") and i.startswith(f"{kid}:") for p, i in rows)
    assert sorted(crypto.open_(p, "phone") for p, _ in rows) == [
        "13700000000", "13700000001", "13700000002"]
    assert cli("audit", "verify").exit_code == 0
