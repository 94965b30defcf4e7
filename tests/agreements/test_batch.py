"""The agreements' sweep and `jingban agreements expire`: an ended agreement is expired once (a
rerun expires nothing), the institution without a later agreement becomes 协议已到期, and a day of
its term still has its agreement for claims."""

from __future__ import annotations

import pytest

from jingban.agreements.institutions import batch, service
from jingban.agreements.institutions.models import Agreement, Institution
from jingban.core import clock, policy
from jingban.core.config import Settings
from jingban.core.db import make_engine, make_sessionmaker
from jingban.core.errors import PermissionDenied
from tests.agreements.helpers import MANAGER, ONE_DAY, R1, contracted
from tests.test_cli import cli  # noqa: F401 - the CLI fixture on a throwaway SQLite file


@pytest.fixture(autouse=True)
def keep_clock():
    saved = clock.today().isoformat()
    yield
    clock.set_clock(saved)


def test_sweep_expires_once(sessions):
    with sessions() as db:
        inst = contracted(db)
        agreement = service.valid_agreement(db, inst.id, clock.today())
        ends, agreement_id = agreement.ends_on, agreement.id
        assert batch.sweep(db, MANAGER) == 0
        clock.set_clock((ends + ONE_DAY).isoformat())
        with pytest.raises(PermissionDenied):
            batch.sweep(db, R1)
        assert batch.sweep(db, MANAGER) == 1
        assert batch.sweep(db, MANAGER) == 0
        db.expire_all()
        assert db.get(Agreement, agreement_id).status == "expired"
        assert db.get(Institution, inst.id).status == "expired"
        assert service.valid_agreement(db, inst.id, ends).id == agreement_id
        assert service.valid_agreement(db, inst.id, ends + ONE_DAY) is None


def test_expire_command(cli):  # noqa: F811
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    settings = Settings.from_env()
    policy.use(settings.policy_dirs)
    engine = make_engine(settings.database_url)
    with make_sessionmaker(engine, settings)() as db:
        inst = contracted(db)
        ends = service.valid_agreement(db, inst.id, clock.today()).ends_on
        inst_id = inst.id
    assert "本次标记到期 0" in cli("agreements", "expire").output
    clock.set_clock((ends + ONE_DAY).isoformat())
    done = cli("agreements", "expire")
    assert done.exit_code == 0 and "本次标记到期 1" in done.output, done.output
    assert "本次标记到期 0" in cli("agreements", "expire").output
    with make_sessionmaker(engine, settings)() as db:
        assert db.get(Institution, inst_id).status == "expired"
    engine.dispose()
