"""The recovery drill (issue 15 item 6): `jingban backup`, then the machine is lost, then
`jingban restore` onto a new database and a new var/ — on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from jingban.cli import app
from jingban.core import anchor
from tests.conftest import PG_ADMIN_URL

PASSWORD_IN = "clerk-pass-123\n"


class Machine:
    """One installation: a var/ folder and a database, driven through the CLI."""

    def __init__(self, monkeypatch, var: Path, url: str):
        self.monkeypatch, self.var, self.url = monkeypatch, var, url
        self.runner = CliRunner()

    def run(self, *args: str, stdin: str | None = None, ok: bool = True):
        self.monkeypatch.setenv("JINGBAN_VAR_DIR", str(self.var))
        self.monkeypatch.setenv("JINGBAN_DATABASE_URL", self.url)
        result = self.runner.invoke(app, list(args), input=stdin)
        if ok:
            assert result.exit_code == 0, result.output
        return result

    def sql(self, statement: str) -> list:
        engine = create_engine(self.url)
        with engine.begin() as conn:
            result = conn.execute(text(statement))
            rows = result.all() if result.returns_rows else []
        engine.dispose()
        return rows


@pytest.fixture
def databases(request):
    """Two empty databases of the backend under test: the lost machine's and the new one's."""
    made: list[str] = []
    if request.param == "sqlite":
        yield "sqlite"
        return
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any failure means "no server"
        admin.dispose()
        if os.environ.get("JINGBAN_REQUIRE_PG") == "1":
            pytest.fail(f"JINGBAN_REQUIRE_PG=1 but PostgreSQL is unreachable: {exc}")
        pytest.skip("PostgreSQL not reachable; the PostgreSQL drill is skipped")
    for _ in range(2):
        name = f"jingban_drill_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        made.append(make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False))
    yield made
    with admin.connect() as conn:
        for url in made:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def _machines(databases, tmp_path, monkeypatch) -> tuple[Machine, Machine]:
    monkeypatch.setenv("JINGBAN_PASSWORD_PROFILE", "fast")
    for name in ("JINGBAN_SECRET_KEY", "JINGBAN_ADMIN_PASSWORD", "JINGBAN_CALENDAR_DIR",
                 "JINGBAN_POLICY_DIR", "JINGBAN_SIGNING_KEY", "JINGBAN_AUDIT_ANCHOR"):
        monkeypatch.delenv(name, raising=False)
    urls = ([f"sqlite:///{tmp_path / side / 'var' / 'jingban.db'}" for side in ("old", "new")]
            if databases == "sqlite" else databases)
    return (Machine(monkeypatch, tmp_path / "old" / "var", urls[0]),
            Machine(monkeypatch, tmp_path / "new" / "var", urls[1]))


def _users(machine: Machine) -> list[str]:
    return [r[0] for r in machine.sql("SELECT username FROM user_account ORDER BY username")]


CALENDAR = """year: 2027
reference: 国务院办公厅关于2027年部分节假日安排的通知（测试用）
holidays: [2027-01-01]
workdays: []
"""


def _work(machine: Machine, tmp_path: Path) -> None:
    machine.run("init", "--admin-password", "admin-pass-2026")
    for name in ("wang", "zhao"):
        machine.run("user", "add", name, "--role", "clerk", "--password-stdin", stdin=PASSWORD_IN)
    (tmp_path / "2027.yaml").write_text(CALENDAR, encoding="utf-8")
    machine.run("calendar", "load", str(tmp_path / "2027.yaml"))


@pytest.mark.parametrize("databases", ["sqlite", "postgresql"], indirect=True)
def test_recovery_drill(databases, tmp_path, monkeypatch):
    old, new = _machines(databases, tmp_path, monkeypatch)
    _work(old, tmp_path)
    made = old.run("backup", "--out", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["tables"]["user_account"] == 3 and "已备份到" in made.output
    head = old.sql("SELECT seq FROM audit_head")[0][0]  # init, users and calendar all audited
    assert manifest["audit_head"]["seq"] == head and manifest["audit_verified"]
    assert {"secret.key", "transfer-signing.key"} <= set(manifest["restore_keys"])
    assert (folder / "calendar" / "2027.yaml").is_file() and (folder / "policy" / "0").is_dir()
    old.run("user", "add", "later", "--role", "clerk", "--password-stdin", stdin=PASSWORD_IN)

    # the machine is lost; a new one with an empty database and an empty var/ restores
    restored = new.run("restore", str(folder))
    assert "已恢复并核对" in restored.output
    assert _users(new) == ["admin", "wang", "zhao"]
    assert (new.var / "secret.key").read_text() == (old.var / "secret.key").read_text()
    assert (new.var / "calendar" / "2027.yaml").is_file()
    assert f"与锚定链头（第 {head} 条）一致" in new.run("audit", "verify").output
    new.run("user", "add", "after", "--role", "clerk", "--password-stdin", stdin=PASSWORD_IN)
    assert f"共校验 {head + 1} 条事件" in new.run("audit", "verify").output

    # the old machine restored in place: its anchor (one event on) is set back to the backup's head
    refused = old.run("restore", str(folder), ok=False)
    assert refused.exit_code == 2 and "不是空库" in refused.output
    old.run("restore", str(folder), "--force")
    assert _users(old) == ["admin", "wang", "zhao"]
    assert anchor.read(old.var / "audit-anchor.json", (old.var / "secret.key").read_text()).seq == head
    old.run("audit", "verify")


@pytest.mark.parametrize("databases", ["sqlite"], indirect=True)
def test_damaged_backup_is_refused_and_writes_nothing(databases, tmp_path, monkeypatch):
    old, new = _machines(databases, tmp_path, monkeypatch)
    _work(old, tmp_path)
    old.run("backup", "--out", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    damaged = tmp_path / "damaged"
    shutil.copytree(folder, damaged)
    database = damaged / json.loads((damaged / "manifest.json").read_text())["database"]
    body = bytearray(database.read_bytes())
    body[100] ^= 0xFF
    database.write_bytes(bytes(body))
    refused = new.run("restore", str(damaged), ok=False)
    assert refused.exit_code == 2 and "SHA-256" in refused.output
    assert not (new.var / "jingban.db").exists() and not (new.var / "secret.key").exists()
    (damaged / "manifest.json").unlink()
    assert "缺少 manifest.json" in new.run("restore", str(damaged), ok=False).output


@pytest.mark.parametrize("databases", ["sqlite"], indirect=True)
def test_restore_finds_a_manifest_the_data_does_not_match(databases, tmp_path, monkeypatch):
    """A manifest edited to claim another row count (its checksums recomputed) fails the check."""
    old, new = _machines(databases, tmp_path, monkeypatch)
    _work(old, tmp_path)
    old.run("backup", "--out", str(tmp_path / "backups"))
    folder = next((tmp_path / "backups").iterdir())
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["tables"]["user_account"] = 4
    (folder / "manifest.json").write_text(json.dumps(manifest))
    result = new.run("restore", str(folder), ok=False)
    assert result.exit_code == 1 and "user_account：备份时 4 行，恢复后 3 行" in result.output
