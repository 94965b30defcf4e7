"""Administrators' acts in the audit chain (issue 15 item 2): users and roles (core.auth), locks
(core.logins), and through the command line a calendar loaded, a signing key made and the
policy set in use — each a verified link of the chain."""

import pytest
from sqlalchemy import select

from jingban.core import admin_audit, audit
from jingban.core.actor import SYSTEM
from jingban.core.errors import AuthError
from jingban.core.models import AuditEvent
from tests.conftest import PASSWORD
from tests.test_cli import GOOD_2027, _sql, cli  # noqa: F401


def _acts() -> list[str]:
    return [row[0] for row in _sql("SELECT act FROM audit_event ORDER BY id")]


def test_user_admin_acts_are_chained(client, login, sessions):
    admin = login("sysadmin")
    client.post("/api/v1/users", json={"username": "new_clerk", "password": PASSWORD,
                                       "roles": ["clerk"]}, headers=admin)
    client.put("/api/v1/users/new_clerk/roles", json={"roles": ["clerk", "reviewer_1"]},
               headers=admin)
    with sessions() as db:
        rows = db.execute(select(AuditEvent.act, AuditEvent.actor)
                          .where(AuditEvent.subject == "user:new_clerk")).all()
        assert rows == [("auth.create_user", "u_sysadmin"), ("auth.set_roles", "u_sysadmin")]
        assert audit.verify(db).ok


def test_cli_init_records_key_and_policy_and_calendar_load(cli, tmp_path):  # noqa: F811
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    acts = _acts()
    assert "admin.key_created" in acts and "admin.policy_loaded" in acts
    [(after,)] = _sql("SELECT after FROM audit_event WHERE act = 'admin.key_created'")
    assert '"public_key"' in after and "PRIVATE" not in after
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    assert _acts().count("admin.policy_loaded") == 1  # the same policy set: not again
    source = tmp_path / "2027.yaml"
    source.write_text(GOOD_2027, encoding="utf-8")
    assert cli("calendar", "load", str(source)).exit_code == 0
    [(subject, after)] = _sql("SELECT subject, after FROM audit_event "
                              "WHERE act = 'admin.calendar_loaded'")
    assert subject == "calendar:2027" and '"replaced":false' in after
    verdict = cli("audit", "verify")
    assert verdict.exit_code == 0, verdict.output


def test_a_changed_policy_set_is_recorded_again(sessions, tmp_path, project_root):
    extra = tmp_path / "policy" / "national"
    extra.mkdir(parents=True)
    dirs = (project_root / "policy",)
    with sessions() as db:
        assert admin_audit.policy_loaded(db, SYSTEM, dirs) is True
        assert admin_audit.policy_loaded(db, SYSTEM, dirs) is False
        (extra / "local.yaml").write_text("x.y:\n  reference: 测试\n  values:\n    2020-01-01: 1\n")
        assert admin_audit.policy_loaded(db, SYSTEM, (tmp_path / "policy", *dirs)) is True
        assert audit.verify(db).ok


def test_cli_unlock(cli):  # noqa: F811
    from jingban.core.config import Settings
    from jingban.core.db import make_engine, make_sessionmaker
    from jingban.core.logins import sign_in

    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    settings = Settings.from_env()
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine, settings)() as db:
        for _ in range(5):
            with pytest.raises(AuthError):
                sign_in(db, "admin", "wrong-pass-1", address="10.0.0.1", region="330106")
    engine.dispose()
    assert "auth.locked" in _acts()
    done = cli("user", "unlock", "admin", "--reason", "本人到场")
    assert done.exit_code == 0, done.output
    assert _acts()[-1] == "auth.unlocked"
    again = cli("user", "unlock", "admin")
    assert again.exit_code == 2 and "未被锁定" in again.output


def test_keys_new_is_chained_without_the_key(cli, monkeypatch, tmp_path):  # noqa: F811
    from jingban.core import crypto

    monkeypatch.delenv(crypto.ENV_KEY, raising=False)
    monkeypatch.setenv(crypto.ENV_FILE, str(tmp_path / "var" / "data.keys"))
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    made = cli("keys", "new")
    assert made.exit_code == 0, made.output
    kid = crypto.current().kid
    [(actor, subject, after)] = _sql("SELECT actor, subject, after FROM audit_event "
                                     "WHERE act = 'keys.new'")
    assert (actor, subject) == ("system", f"key:{kid}")
    secret = (tmp_path / "var" / "data.keys").read_text().split()[1]
    assert f'"kid":"{kid}"' in after and secret not in after
    assert cli("audit", "verify").exit_code == 0
