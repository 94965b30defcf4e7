"""The monitors through /api/v1/oversight/monitors, the inspector's page with its Excel export
and forms, and `jingban oversight monitor` on the command line."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import create_engine, func, select
from typer.testing import CliRunner

from jingban.cli import app as cli_app
from jingban.core.actor import Actor
from jingban.core.config import Settings
from jingban.core.db import make_sessionmaker
from jingban.oversight.monitors import batch, rules
from jingban.oversight.monitors.models import MonitorHit, MonitorRun
from tests.conftest import error_of
from tests.oversight.monitors.planting import ON, plant
from tests.web.helpers import post, sign_in

API = "/api/v1/oversight/monitors"
INSPECTOR = Actor("inspector-test", frozenset({"inspector"}), True, "api")


@pytest.fixture
def region(sessions):
    with sessions() as db:
        return plant(db)


def test_run_list_filter_and_explain_through_the_api(client, login, region, sessions):
    inspector, supervisor, clerk = login("inspector"), login("supervisor"), login("clerk")
    assert client.post(f"{API}/runs", json={"on": ON.isoformat()}, headers=clerk).status_code == 403
    assert client.post(f"{API}/runs", json={"on": ON.isoformat()}, headers=supervisor).status_code == 403
    ran = client.post(f"{API}/runs", json={"on": ON.isoformat()}, headers=inspector)
    assert ran.status_code == 200, ran.text
    assert [r["monitor"] for r in ran.json()] == list(rules.ORDER)
    assert sum(r["hits"] for r in ran.json()) == len(region.planted)
    again = client.post(f"{API}/runs", json={"on": ON.isoformat()}, headers=inspector).json()
    assert all(r["repeat"] and r["hits"] == h["hits"] for r, h in zip(again, ran.json(), strict=True))
    unknown = client.post(f"{API}/runs", json={"only": "nonsense"}, headers=inspector)
    assert error_of(unknown)["code"] == "monitors.unknown"

    page = client.get(API + "/hits", params={"monitor": "death_payment"}, headers=supervisor)
    assert page.status_code == 200
    deaths = page.json()
    assert deaths["total"] == 3 and {r["monitor_name"] for r in deaths["rows"]} == {"死亡后仍发放待遇"}
    assert all("死亡日期" in r["description"] and r["status"] == "open" for r in deaths["rows"])
    weird = client.get(API + "/hits", params={"status": "weird"}, headers=inspector)
    assert error_of(weird)["field"] == "status"
    assert client.get(API + "/hits", headers=clerk).status_code == 403

    hit_id = deaths["rows"][0]["id"]
    short = client.post(f"{API}/hits/{hit_id}/explain", json={"reason": "短"}, headers=inspector)
    assert error_of(short)["field"] == "reason"
    by_supervisor = client.post(f"{API}/hits/{hit_id}/explain", json={"reason": "监督人员不能关闭疑点"},
                                headers=supervisor)
    assert by_supervisor.status_code == 403
    done = client.post(f"{API}/hits/{hit_id}/explain", json={"reason": "银行退回后已冲回基金"},
                       headers=inspector)
    assert done.status_code == 200 and done.json()["status"] == "explained"
    twice = client.post(f"{API}/hits/{hit_id}/inspect", json={"reason": "再转核查"}, headers=inspector)
    assert error_of(twice)["code"] == "monitors.hit_closed"
    assert error_of(client.get(f"{API}/hits/999999", headers=inspector))["code"] == "monitors.hit_not_found"
    other = client.get(API + "/hits", params={"monitor": "base_change"}, headers=inspector).json()
    marked = client.post(f"{API}/hits/{other['rows'][0]['id']}/inspect",
                         json={"reason": "疑似虚报缴费基数"}, headers=inspector)
    assert marked.json()["status"] == "inspection" and marked.json()["inspection_case_id"] is not None
    assert client.get(API + "/hits", params={"status": "open"}, headers=inspector).json()["total"] == \
        len(region.planted) - 2

    sheet = client.get(API + "/hits.xlsx", params={"monitor": "death_payment"}, headers=inspector)
    assert sheet.status_code == 200
    rows = list(load_workbook(io.BytesIO(sheet.content)).active.values)
    assert rows[0][:3] == ("编号", "监测项目", "发现日期") and len(rows) == 4
    assert {r[8] for r in rows[1:]} == {"待核查", "已说明（关闭）"}
    assert sorted(float(r[7]) for r in rows[1:]) == [3000.0, 3000.0, 6000.0]  # yuan
    listed = client.get(API, headers=supervisor).json()
    assert [m["code"] for m in listed] == list(rules.ORDER) and all(m["basis"] for m in listed)
    assert len(client.get(API + "/runs", headers=supervisor).json()) == len(rules.ORDER)


def test_the_inspectors_page_lists_exports_and_closes_hits(client, make_user, region, sessions):
    make_user("insp", "inspector")
    token = sign_in(client, "insp")
    with sessions() as db:  # yesterday's run (the window of months is the planted one's)
        batch.run_monitors(db, INSPECTOR, on=ON)
    ran = post(client, "/oversight/monitors/run", token, {})  # today: the same facts again
    assert ran.status_code == 200 and "监测完成：新发现疑点 0 条" in ran.text
    assert "异常监测" in ran.text  # the nav entry
    page = client.get("/oversight/monitors")
    assert page.status_code == 200 and "甲死亡后发放" in page.text and "丁单位人数倍增" in page.text
    ids = [int(i) for i in re.findall(r'id="hit-(\d+)"', page.text)]
    assert len(ids) == len(region.planted)
    refused = post(client, f"/oversight/monitors/hits/{ids[0]}/explain", token, {"reason": "短"})
    assert refused.status_code == 422 and "说明理由" in refused.text
    closed = post(client, f"/oversight/monitors/hits/{ids[0]}/explain", token,
                  {"reason": "已核实为补发的在途款项"})
    assert closed.status_code == 200 and f"疑点 {ids[0]} 已说明并关闭" in closed.text
    assert f'id="hit-{ids[0]}"' not in closed.text  # the page shows the open ones
    marked = post(client, f"/oversight/monitors/hits/{ids[1]}/inspect", token, {"reason": "需现场核查"})
    assert "已转入核查" in marked.text
    handled = client.get("/oversight/monitors?status=explained")
    assert "已核实为补发的在途款项" in handled.text
    bad_date = client.get("/oversight/monitors?raised_from=yesterday")
    assert bad_date.status_code == 422 and "日期格式" in bad_date.text
    sheet = client.get("/oversight/monitors/hits.xlsx?status=open")
    assert sheet.status_code == 200
    assert len(list(load_workbook(io.BytesIO(sheet.content)).active.values)) == len(region.planted) - 1
    again = post(client, "/oversight/monitors/run", token, {})
    assert "今日各项已监测过" in again.text
    with sessions() as db:
        assert db.execute(select(func.count()).select_from(MonitorHit)).scalar() == len(region.planted)


def test_a_clerk_sees_no_monitor_page(client, make_user):
    make_user("pc", "clerk")
    sign_in(client, "pc")
    assert client.get("/oversight/monitors").status_code == 403


def test_the_command_line_runs_every_monitor_once_a_day(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("JINGBAN_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("JINGBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'cli.db'}")
    monkeypatch.setenv("JINGBAN_SECRET_KEY", "cli-test-secret")
    monkeypatch.setenv("JINGBAN_PASSWORD_PROFILE", "fast")
    runner = CliRunner()
    assert runner.invoke(cli_app, ["init", "--admin-password", "admin-pass-2026"]).exit_code == 0
    settings = Settings.from_env()
    engine = create_engine(settings.database_url)
    with make_sessionmaker(engine, settings)() as db:
        planted = plant(db).planted
    done = runner.invoke(cli_app, ["oversight", "monitor", "--on", ON.isoformat()])
    assert done.exit_code == 0, done.output
    assert "死亡后仍发放待遇：新发现疑点 3 条" in done.output
    only = runner.invoke(cli_app, ["oversight", "monitor", "--on", ON.isoformat(), "--only",
                                   "base_change"])
    assert only.exit_code == 0 and "当日已完成，未重复运行" in only.output
    bad = runner.invoke(cli_app, ["oversight", "monitor", "--on", "2026-13-01"])
    assert bad.exit_code == 2 and "格式" in bad.output
    unknown = runner.invoke(cli_app, ["oversight", "monitor", "--only", "nonsense"])
    assert unknown.exit_code == 2 and "未知的监测项目" in unknown.output
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(MonitorHit)).scalar() == len(planted)
        assert conn.execute(select(func.count()).select_from(MonitorRun)).scalar() == len(rules.ORDER)
    engine.dispose()
