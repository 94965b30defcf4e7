"""The restore drill with sealed personal data (secaudit): the data key file is kept out of
backups, so a restore onto a machine whose data key is missing, regenerated (the same id
``k1``, another key) or simply another one must say so and exit 1, not report success over
phones nobody can read; with the right key the same restore passes."""

import pytest

from jingban.core import crypto
from tests.test_backup_restore import _machines, _work, databases  # noqa: F401  (the fixture)

RIGHT = "t1:" + "5a" * 32  # the test process's key (tests/conftest.py)
PHONE = "13912345678"
INSERT = ("INSERT INTO person (ssn, id_type, id_number, name, sex, birth_date, nationality, "
          "household_region, address, phone, status, registered_on) VALUES "
          "('330106199001010011', 'citizen_id', '330106199001010011', '张三', 'M', '1990-01-01',"
          " 'CHN', '330106', '', '{}', 'active', '2020-01-01')")


def _flat(output: str) -> str:
    return "".join(output.split())  # the console wraps long lines


@pytest.mark.parametrize("databases", ["sqlite"], indirect=True)
def test_restore_without_the_data_key_is_refused(databases, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setenv(crypto.ENV_KEY, RIGHT)
    old, new = _machines(databases, tmp_path, monkeypatch)
    _work(old, tmp_path)
    old.sql(INSERT.format(crypto.seal(PHONE, "phone")))
    old.run("backup", "--out", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    assert PHONE not in (folder / "database.sqlite").read_bytes().decode("latin-1")

    monkeypatch.setenv(crypto.ENV_KEY, "t1:" + "6b" * 32)  # same id, another key
    refused = new.run("restore", str(folder), ok=False)
    assert refused.exit_code == 1 and "数据密钥t1打不开" in _flat(refused.output)
    assert "已恢复并核对" not in refused.output

    monkeypatch.setenv(crypto.ENV_KEY, "z9:" + "6b" * 32)  # a ring without the key id
    refused = new.run("restore", str(folder), "--force", ok=False)
    assert refused.exit_code == 1 and "数据密钥t1不在密钥环中" in _flat(refused.output)

    monkeypatch.setenv(crypto.ENV_KEY, RIGHT)
    restored = new.run("restore", str(folder), "--force")
    assert "已恢复并核对" in restored.output
