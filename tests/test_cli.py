"""The `jingban` command line, on a throwaway SQLite file."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, func, select, text
from typer.testing import CliRunner

from jingban.api import create_app
from jingban.cli import app
from jingban.core.config import Settings
from jingban.core.models import User
from jingban.core.workdays import Calendar

GOOD_2027 = """\
year: 2027
reference: 国务院办公厅关于2027年部分节假日安排的通知（测试用）
holidays: [2027-01-01, 2027-02-08, 2027-02-09, 2027-02-10, 2027-02-11, 2027-02-12]
workdays: [2027-02-06, 2027-02-20]
"""
BAD_2027 = GOOD_2027.replace("2027-02-20]", "2027-02-19]")  # a Friday cannot be 调休


@pytest.fixture
def cli(tmp_path, monkeypatch):
    """Run `jingban …` against var/ and a SQLite file inside tmp_path."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JINGBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("JINGBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'cli.db'}")
    monkeypatch.setenv("JINGBAN_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("JINGBAN_PASSWORD_PROFILE", "fast")
    for name in ("JINGBAN_ADMIN_PASSWORD", "JINGBAN_CALENDAR_DIR", "JINGBAN_POLICY_DIR"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def run(*args: str, stdin: str | None = None):
        return runner.invoke(app, list(args), input=stdin)

    return run
# The demo's own persons (claims, unemployment) are named 演示…; the generated ones are not.  # agrfin
GENERATED = "name NOT LIKE '演示%'"  # agrfin


def _sql(statement: str) -> list:
    """Run one statement on the CLI's database, as an operator with a SQL shell would."""
    engine = create_engine(Settings.from_env().database_url)
    with engine.begin() as conn:
        result = conn.execute(text(statement))
        rows = result.all() if result.returns_rows else []
    engine.dispose()
    return rows


def _users() -> list[str]:
    return [row[0] for row in _sql("SELECT username FROM user_account ORDER BY username")]


def test_init_creates_admin_and_is_idempotent(cli):
    first = cli("init", "--admin-password", "admin-pass-2026")
    assert first.exit_code == 0, first.output
    assert "已创建系统管理员 admin" in first.output
    again = cli("init", "--admin-password", "another-pass-99")
    assert again.exit_code == 0, again.output
    assert "已存在" in again.output
    assert _users() == ["admin"]
    roles = _sql("SELECT role FROM user_role")
    assert [r[0] for r in roles] == ["sysadmin"]


def test_init_reads_password_from_environment(cli, monkeypatch):
    monkeypatch.setenv("JINGBAN_ADMIN_PASSWORD", "from-env-pass-1")
    assert cli("init").exit_code == 0
    assert _users() == ["admin"]


def test_init_without_password_refuses(cli, tmp_path):
    result = cli("init")
    assert result.exit_code != 0
    assert "JINGBAN_ADMIN_PASSWORD" in result.output
    assert not (tmp_path / "var" / "cli.db").exists()


@pytest.mark.parametrize("roles", [("accountant", "cashier"), ("clerk", "inspector")])
def test_user_add_refuses_incompatible_duties(cli, roles):
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    args = [a for r in roles for a in ("--role", r)]
    result = cli("user", "add", "zhang", *args, "--password-stdin", stdin="zhang-pass-123\n")
    assert result.exit_code == 2, result.output
    assert "不得" in result.output
    assert _users() == ["admin"]
    # init's events: the admin, the signing key and the policy set (seclogin)
    assert _sql("SELECT count(*) FROM audit_event")[0][0] == 3


def test_user_add_before_init_says_so(cli):
    result = cli("user", "add", "li", "--role", "clerk", "--password-stdin", stdin="li-pass-123\n")
    assert result.exit_code == 2
    assert "jingban init" in result.output


def test_user_add_then_token(cli):
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    result = cli("user", "add", "li", "--role", "reviewer_3", "--formal-staff",
                 "--display-name", "李审核", "--password-stdin", stdin="li-pass-123\n")
    assert result.exit_code == 0, result.output
    settings = Settings.from_env()
    with TestClient(create_app(settings)) as client:
        reply = client.post("/api/v1/auth/token", data={"username": "li", "password": "li-pass-123"})
    assert reply.status_code == 200, reply.text
    assert reply.json()["access_token"]
    engine = create_engine(settings.database_url)
    with engine.connect() as conn:
        user = conn.execute(select(User.display_name, User.formal_staff)
                            .where(User.username == "li")).one()
    engine.dispose()
    assert tuple(user) == ("李审核", True)


def test_user_add_links_a_portal_user(cli):
    assert cli("demo", "--no-serve", "--persons", "5", "--employers", "2").exit_code == 0
    person_id, ssn = _sql("SELECT id, ssn FROM person ORDER BY id DESC LIMIT 1")[0]
    employer_id, code = _sql("SELECT id, uscc FROM employer ORDER BY id LIMIT 1")[0]
    staff = cli("user", "add", "wang", "--role", "clerk", "--person", ssn, "--password-stdin",
                stdin="wang-pass-123\n")
    assert staff.exit_code == 2 and "只能有 person" in staff.output
    unknown = cli("user", "add", "wang", "--role", "person", "--person", "330106199001010000",
                  "--password-stdin", stdin="wang-pass-123\n")
    assert unknown.exit_code == 2 and "未找到" in unknown.output
    for name, option, key in (("wang", "--person", ssn), ("corp", "--employer", code)):
        role = option.removeprefix("--")
        added = cli("user", "add", name, "--role", role, option, key.lower(), "--password-stdin",
                    stdin="portal-pass-123\n")
        assert added.exit_code == 0, added.output
    subjects = dict(_sql("SELECT username, subject FROM user_account WHERE username IN ('wang', 'corp')"))
    assert subjects == {"wang": f"person:{person_id}", "corp": f"employer:{employer_id}"}


def _three_events(cli) -> None:
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    for name in ("wang", "zhao"):
        added = cli("user", "add", name, "--role", "clerk", "--password-stdin",
                    stdin="clerk-pass-123\n")
        assert added.exit_code == 0, added.output


def test_audit_verify_passes_then_catches_an_edit(cli):
    _three_events(cli)
    ok = cli("audit", "verify")
    assert ok.exit_code == 0, ok.output
    assert "审计链完整：共校验 5 条事件" in ok.output  # with init's key and policy (seclogin)
    _sql("UPDATE audit_event SET reason='x' WHERE id=2")
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert "第 2 条" in broken.output and "改动" in broken.output


def test_audit_verify_catches_a_deletion(cli):
    _three_events(cli)
    _sql("DELETE FROM audit_event WHERE id=2")
    broken = cli("audit", "verify")
    assert broken.exit_code == 1
    assert "第 2 条" in broken.output and "缺失" in broken.output


def test_calendar_load_accepts_a_good_year(cli, tmp_path):
    source = tmp_path / "holidays-2027.yaml"
    source.write_text(GOOD_2027, encoding="utf-8")
    result = cli("calendar", "load", str(source))
    assert result.exit_code == 0, result.output
    assert "2027" in result.output
    loaded = Settings.from_env().calendar_dirs[0] / "2027.yaml"
    assert loaded.read_text(encoding="utf-8") == GOOD_2027
    calendar = Calendar(Settings.from_env().calendar_dirs)
    assert calendar.is_workday(dt.date(2027, 2, 8)) == (False, True)
    assert calendar.is_workday(dt.date(2027, 2, 6)) == (True, True)
    shown = cli("calendar", "show", "2027")
    assert shown.exit_code == 0
    assert "2027-02-06" in shown.output and "调休工作日" in shown.output


@pytest.mark.parametrize("content", [BAD_2027, "year: 2027\nholidays: [2027-01-01]\n", "::"])
def test_calendar_load_rejects_a_bad_file(cli, tmp_path, content):
    source = tmp_path / "bad.yaml"
    source.write_text(content, encoding="utf-8")
    result = cli("calendar", "load", str(source))
    assert result.exit_code == 2, result.output
    assert "错误" in result.output
    assert not list(Settings.from_env().calendar_dirs[0].glob("*.yaml"))


def test_demo_without_serving(cli, monkeypatch, tmp_path):
    monkeypatch.delenv("JINGBAN_DATABASE_URL")
    result = cli("demo", "--no-serve", "--persons", "200", "--employers", "10")
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/" in result.output and "/docs" in result.output
    assert "demo-clerk-2026" in result.output and "demo-person-2026" in result.output
    assert (tmp_path / "var" / "jingban.db").exists()
    assert _sql(f"SELECT count(*) FROM person WHERE {GENERATED}")[0][0] == 200  # agrfin
    assert len(_users()) == 17  # the 14 staff (with `agreements`), `person`, the retiree-to-be `retiree`
    assert "demo-hospital-2026" in result.output  # claims13: and the claims hospital `hospital`
    assert "demo-retiree-2026" in result.output and "养老金演示" in result.output
    assert "服务协议演示" in result.output and "失业保险演示" in result.output  # agrfin
    retiree = _sql("SELECT subject FROM user_account WHERE username = 'retiree'")[0][0]
    assert "医疗生育演示" in result.output  # medmat: a maternity allowance and a medical reimbursement
    assert _sql("SELECT count(*) FROM benefit_award WHERE decided_by != 'demo' "  # medmat
                "AND kind LIKE 'pension%'")[0][0] == 1  # the
    # other retiree's claim; the monitors' planted anomalies are decided by 'demo'
    assert _sql(f"SELECT count(*) FROM benefit_award WHERE person_id = {retiree.split(':')[1]}") == [(0,)]
    assert (tmp_path / "var" / "demo-population-death.json").exists()
    injury_kinds = "SELECT count(DISTINCT kind) FROM benefit_award WHERE kind LIKE 'injury%'"  # injury
    assert _sql(injury_kinds)[0][0] == 6  # injury
    first = _sql("SELECT id FROM person ORDER BY id LIMIT 1")[0][0]
    assert _sql("SELECT subject FROM user_account WHERE username = 'person'") == [(f"person:{first}",)]
    again = cli("demo", "--no-serve", "--persons", "50", "--employers", "5")
    assert again.exit_code == 0, again.output
    assert "未重新生成" in again.output
    assert _sql(f"SELECT count(*) FROM person WHERE {GENERATED}")[0][0] == 200  # agrfin
    assert cli("audit", "verify").exit_code == 0
    reset = cli("demo", "--no-serve", "--reset", "--persons", "50", "--employers", "5")
    assert reset.exit_code == 0, reset.output
    engine = create_engine(Settings.from_env().database_url)
    with engine.connect() as conn:
        seeded = "demo-retiree-2026" in reset.output  # 50 persons may hold no two retirees
        assert conn.execute(select(func.count()).select_from(User)).scalar() == 16 + seeded  # claims13
        assert conn.execute(text(f"SELECT count(*) FROM person WHERE {GENERATED}")).scalar() == 50  # agrfin
    engine.dispose()


# --- records ---------------------------------------------------------------------------------

@pytest.fixture
def records_world(cli):
    """An initialised CLI database holding the records tests' small insured world."""
    from jingban.core import policy
    from jingban.core.db import make_engine, make_sessionmaker
    from tests.records.helpers import make_world

    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    settings = Settings.from_env()
    policy.use(settings.policy_dirs)
    engine = make_engine(settings.database_url)
    try:
        yield make_world(make_sessionmaker(engine, settings))
    finally:
        engine.dispose()


def test_records_import_prints_summary_and_refused_rows(cli, records_world, tmp_path):
    from tests.records.helpers import collector_csv, pension_row

    w = records_world
    rows = [pension_row(w, "C1", 202401), pension_row(w, "C2", 202402),
            {**pension_row(w, "C3", 202403), "period": "2024-03"}]
    path = tmp_path / "collector.csv"
    path.write_bytes(collector_csv(rows))
    result = cli("records", "import", str(path))
    assert result.exit_code == 0, result.output
    assert "共 3 行" in result.output and "入账 2" in result.output and "拒绝 1" in result.output
    assert "未入账的行" in result.output and "records.period_format" in result.output
    assert _sql("SELECT count(*) FROM contribution")[0][0] == 2
    again = cli("records", "import", str(path))
    assert again.exit_code == 0 and "该文件此前已导入" in again.output
    assert _sql("SELECT count(*) FROM contribution")[0][0] == 2
    actors = {row[0] for row in _sql("SELECT DISTINCT actor FROM audit_event "
                                     "WHERE act = 'records.import_contributions'")}
    assert actors == {"system"}


def test_records_import_refuses_a_bad_file(cli, records_world, tmp_path):
    bad = tmp_path / "utf16.csv"
    bad.write_bytes("record_id,ssn\n".encode("utf-16"))
    result = cli("records", "import", str(bad))
    assert result.exit_code == 2 and "文件未导入" in result.output
    assert cli("records", "import", str(tmp_path / "none.csv")).exit_code == 2


def test_records_interest(cli, records_world, tmp_path):
    from tests.records.helpers import collector_csv, pension_row

    rows = [pension_row(records_world, f"I{m}", 202400 + m) for m in range(1, 13)]
    path = tmp_path / "year.csv"
    path.write_bytes(collector_csv(rows))
    assert cli("records", "import", str(path)).exit_code == 0
    first = cli("records", "interest", "2024")
    assert first.exit_code == 0, first.output
    assert "2024 年度个人账户计息" in first.output and "本次已计息" in first.output
    assert "0.0262" in first.output
    again = cli("records", "interest", "2024")
    assert again.exit_code == 0 and "此前已计息" in again.output
    refused = cli("records", "interest", "2025")
    assert refused.exit_code == 2 and "记账利率尚未公布" in refused.output


def test_records_statements(cli, records_world):
    first = cli("records", "statements", "2024")
    assert first.exit_code == 0, first.output
    assert "已生成 2024 年度个人权益记录单 3 份" in first.output
    again = cli("records", "statements", "2024")
    assert again.exit_code == 0 and "记录单 0 份" in again.output
    assert cli("records", "statements", "2999").exit_code == 2


def test_demo_collector_file_imports_cleanly(cli, monkeypatch, tmp_path):
    """The demo writes last month's collector file; it posts with nothing refused."""
    monkeypatch.delenv("JINGBAN_DATABASE_URL")
    assert cli("demo", "--no-serve", "--persons", "120", "--employers", "6").exit_code == 0
    sample = next((tmp_path / "var").glob("demo-collector-*.csv"))
    rows = sample.read_text(encoding="utf-8").count("\n") - 1
    assert rows > 50
    before = _sql("SELECT count(*) FROM contribution")[0][0]  # the monitors' planted anomalies
    result = cli("records", "import", str(sample))
    assert result.exit_code == 0, result.output
    assert _sql("SELECT count(*) FROM contribution")[0][0] - before == rows
    assert _sql("SELECT count(*) FROM contribution_reject")[0][0] == 0
    period = sample.stem.rsplit("-", 1)[1]
    other = tmp_path / "again.csv"
    assert cli("records", "sample-file", period, "-o", str(other)).exit_code == 0
    assert other.read_bytes() == sample.read_bytes()
    assert cli("records", "sample-file", "202613").exit_code == 2


def test_calendar_load_counts_open_provisional_dates_again(cli, tmp_path):
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    source = tmp_path / "holidays-2027.yaml"
    source.write_text(GOOD_2027, encoding="utf-8")
    result = cli("calendar", "load", str(source))
    assert result.exit_code == 0, result.output
    assert "已按新日历重算未办结事项的暂定期限：业务件 0 件" in result.output
