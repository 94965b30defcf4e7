"""The `jingban` command: init, user, serve, audit, calendar, records, demo."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from jingban import demo as demo_data
from jingban.core import audit, clock, policy
from jingban.core.actor import SYSTEM, Actor
from jingban.core.auth import create_user
from jingban.core.config import Settings, var_dir
from jingban.core.db import make_engine, make_sessionmaker
from jingban.core.errors import JingbanError
from jingban.core.migrate import upgrade
from jingban.core.models import User
from jingban.core.money import format_yuan
from jingban.core.rules import ROLE_NAMES
from jingban.core.workdays import Calendar, parse_schedule
from jingban.records import rules as records_rules
from jingban.records import service as records
from jingban.registration.models import Employer, Person
from jingban.registration.service import employer_subject, person_subject

app = typer.Typer(help="经办 — 社会保险经办管理信息系统命令行", no_args_is_help=True,
                  add_completion=False)
user_app = typer.Typer(help="用户管理", no_args_is_help=True)
audit_app = typer.Typer(help="审计链", no_args_is_help=True)
calendar_app = typer.Typer(help="工作日历", no_args_is_help=True)
records_app = typer.Typer(help="缴费与权益记录", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
app.add_typer(calendar_app, name="calendar")
app.add_typer(records_app, name="records")

console = Console()
ADMIN = "admin"
# Demo logins: (username, role, formal staff). Passwords are demo-<username>-2026.
DEMO_USERS = [("clerk", "clerk", False), ("reviewer_1", "reviewer_1", False),
              ("reviewer_2", "reviewer_2", False), ("reviewer_3", "reviewer_3", True),
              ("accountant", "accountant", False), ("cashier", "cashier", False),
              ("inspector", "inspector", False), ("data_admin", "data_admin", False),
              (ADMIN, "sysadmin", True), ("supervisor", "supervisor", False),
              ("surveyor", "surveyor", False), ("grassroots", "grassroots", False)]


def _fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[bold red]错误：[/]{message}")
    raise typer.Exit(code)


@contextmanager
def _database(migrate: bool = False) -> Iterator[tuple[Settings, Engine]]:
    """Settings, an engine (the SQLite file's folder created) and the policy in use.

    Without ``migrate`` the schema must already exist (`jingban init` or `jingban demo`)."""
    settings = Settings.from_env()
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    policy.use(settings.policy_dirs)
    engine = make_engine(settings.database_url)
    try:
        if migrate:
            upgrade(engine)
        elif not inspect(engine).has_table("audit_event"):
            _fail("数据库尚未初始化，请先运行 jingban init", 2)
        yield settings, engine
    finally:
        engine.dispose()


def _user_exists(db: Session, username: str) -> bool:
    return db.execute(select(User.id).where(User.username == username)).first() is not None


# --- init and users ------------------------------------------------------------------------------

@app.command()
def init(admin_password: Annotated[str | None, typer.Option(
        "--admin-password", help="管理员 admin 的初始密码（或环境变量 JINGBAN_ADMIN_PASSWORD）")] = None,
         ) -> None:
    """迁移数据库到最新结构，并创建系统管理员 admin（可重复执行）。"""
    password = admin_password or os.environ.get("JINGBAN_ADMIN_PASSWORD")
    if not password:
        _fail("未提供管理员密码：请使用 --admin-password 或设置环境变量 JINGBAN_ADMIN_PASSWORD", 2)
    with _database(migrate=True) as (settings, engine):
        console.print(f"数据库已迁移到最新结构：{make_url(settings.database_url)!r}")
        with make_sessionmaker(engine, settings)() as db:
            if _user_exists(db, ADMIN):
                console.print("管理员 admin 已存在，未作改动")
                return
            try:
                create_user(db, SYSTEM, ADMIN, password, {"sysadmin"}, display_name="系统管理员",
                            formal_staff=True, profile=settings.password_profile)
            except JingbanError as exc:
                _fail(exc.message, 2)
    console.print("[green]已创建系统管理员 admin[/]")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="用户名")],
    role: Annotated[list[str], typer.Option("--role", help="角色，可重复：--role clerk --role ...")],
    formal_staff: Annotated[bool, typer.Option("--formal-staff", help="正式在编人员")] = False,
    display_name: Annotated[str, typer.Option("--display-name", help="显示名")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin",
                                                 help="从标准输入读取密码")] = False,
    person: Annotated[str | None, typer.Option(
        "--person", help="门户用户关联的参保人（社会保障号码），角色须为 person")] = None,
    employer: Annotated[str | None, typer.Option(
        "--employer", help="门户用户关联的参保单位（统一社会信用代码），角色须为 employer")] = None,
) -> None:
    """新增用户：经办机构人员（角色须符合不相容岗位分离要求），或关联参保人、参保单位的门户用户。"""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        subject = _portal_subject(db, set(role), person, employer)
        try:
            create_user(db, SYSTEM, name, password, set(role), display_name=display_name,
                        formal_staff=formal_staff, profile=settings.password_profile,
                        subject=subject)
        except JingbanError as exc:
            _fail(exc.message, 2)
    roles = "、".join(ROLE_NAMES.get(r, r) for r in sorted(set(role)))
    console.print(f"[green]已创建用户 {name}（{roles}）[/]")


def _portal_subject(db: Session, roles: set[str], person: str | None,
                    employer: str | None) -> str | None:
    """person:<id> or employer:<id> for a portal user, looked up by SSN or USCC."""
    if person and employer:
        _fail("--person 与 --employer 只能指定一个", 2)
    if not person and not employer:
        return None
    model, column, role, code = ((Person, Person.ssn, "person", person) if person
                                 else (Employer, Employer.uscc, "employer", employer))
    if roles != {role}:
        _fail(f"关联{ROLE_NAMES[role]}的门户用户只能有 {role}（{ROLE_NAMES[role]}）一个角色", 2)
    key = code.strip().upper()
    found = db.execute(select(model).where(column == key)).scalar()
    if found is None:
        _fail(f"未找到{'社会保障号码' if person else '统一社会信用代码'}为 {key} 的{ROLE_NAMES[role]}", 2)
    return person_subject(found) if person else employer_subject(found)


# --- serve and audit -----------------------------------------------------------------------------

@app.command()
def serve(host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="端口")] = 8000) -> None:
    """启动网页与接口服务。"""
    import uvicorn

    from jingban.api import create_app

    uvicorn.run(create_app(), host=host, port=port)


@audit_app.command("verify")
def audit_verify() -> None:
    """校验审计链：逐条核对哈希链接，报告第一个断点。"""
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        verdict = audit.verify(db)
    if not verdict.ok:
        console.print(f"[bold red]审计链断裂：[/]第 {verdict.broken_at} 条事件 — {verdict.problem}"
                      f"（此前已校验 {verdict.checked} 条）")
        raise typer.Exit(1)
    console.print(f"[green]审计链完整：共校验 {verdict.checked} 条事件[/]")


# --- calendar ------------------------------------------------------------------------------------

@calendar_app.command("load")
def calendar_load(file: Annotated[Path, typer.Argument(help="日历数据文件（YAML）")]) -> None:
    """校验并载入一年的工作日历（国务院办公厅公布的放假安排）。"""
    if not file.is_file():
        _fail(f"找不到文件 {file}", 2)
    text = file.read_text(encoding="utf-8")
    try:
        schedule = parse_schedule(text, str(file))
    except JingbanError as exc:
        _fail(exc.message, 2)
    target_dir = Settings.from_env().calendar_dirs[0]
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{schedule.year}.yaml"
    replaced = target.exists()
    target.write_text(text, encoding="utf-8")
    console.print(f"[green]已{'替换' if replaced else '载入'} {schedule.year} 年工作日历[/]："
                  f"假日 {len(schedule.holidays)} 天，调休工作日 {len(schedule.workdays)} 天；"
                  f"依据：{schedule.reference}。文件：{target}。重启服务后生效。")


@calendar_app.command("show")
def calendar_show(year: Annotated[int, typer.Argument(help="年份")]) -> None:
    """列出一年中周一至周五的假日和周末调休工作日。"""
    calendar = Calendar(Settings.from_env().calendar_dirs)
    day, rows, known = dt.date(year, 1, 1), [], True
    while day.year == year:
        workday, day_known = calendar.is_workday(day)
        known = known and day_known
        if workday != (day.weekday() < 5):
            rows.append((day, "调休工作日" if workday else "假日"))
        day += dt.timedelta(days=1)
    if not known:
        console.print(f"[yellow]{year} 年的放假安排未知：按周一至周五计算工作日，期限为暂定"
                      f"（请用 jingban calendar load 载入）[/]")
        return
    table = Table(title=f"{year} 年放假调休安排")
    table.add_column("日期")
    table.add_column("星期")
    table.add_column("类型")
    for day, kind in rows:
        table.add_row(day.isoformat(), "一二三四五六日"[day.weekday()], kind)
    console.print(table)


# --- records -------------------------------------------------------------------------------------

# Batch jobs run by the operator act as the accounting post (会计) the records service requires.
RECORDS_ACTOR = Actor("system", frozenset({"accountant"}), True, "cli")


@records_app.command("import")
def records_import(file: Annotated[Path, typer.Argument(help="征收机构报送的缴费数据文件（CSV/JSON）")],
                   ) -> None:
    """导入税务征收机构的缴费数据：有效行入账，其余逐行报告原因；同一文件不重复入账。"""
    if not file.is_file():
        _fail(f"找不到文件 {file}", 2)
    content = file.read_bytes()
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with console.status(f"正在导入 {file.name} …"):
                item = records.import_contributions(db, RECORDS_ACTOR, filename=file.name,
                                                    content=content)
        except JingbanError as exc:
            _fail(f"文件未导入：{exc.message}", 2)
        problems = records.problems_of(db, item)
        if item.repeat:
            console.print(f"[yellow]该文件此前已导入（批次 {item.id}），未重复入账；以下为原批次结果[/]")
        console.print(f"批次 {item.id}（{item.filename}，{item.encoding}）：共 {item.total} 行，"
                      f"[green]入账 {item.posted}[/]（其中欠费 {item.arrears}），"
                      f"[red]拒绝 {item.rejected}[/]，重复 {item.duplicate}")
        if problems:
            console.print("[bold]未入账的行：[/]")
        for r in problems:
            field = f"，字段 {r.error_field}" if r.error_field else ""
            console.print(f"  第 {r.line} 行（{r.record_id or '无编号'}）"
                          f"{records_rules.STATUS.get(r.status, r.status)}："
                          f"{r.error_message} [{r.error_code}{field}]", markup=False)


@records_app.command("interest")
def records_interest(year: Annotated[int, typer.Argument(help="计息年度")]) -> None:
    """个人账户年度计息（按公布的记账利率；每年度只计息一次，可重复执行）。"""
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with console.status(f"正在为 {year} 年度个人账户计息 …"):
                runs = records.credit_interest(db, RECORDS_ACTOR, year)
        except JingbanError as exc:
            _fail(exc.message, 2)
        table = Table(title=f"{year} 年度个人账户计息")
        for column in ("险种", "记账利率", "计息人数", "利息合计（元）", "说明"):
            table.add_column(column)
        for run, repeat in runs:
            table.add_row(records_rules.SCHEMES.get(run.scheme, run.scheme), run.rate,
                          str(run.persons), format_yuan(run.interest),
                          "此前已计息，未重复计息" if repeat else "本次已计息")
        console.print(table)


@records_app.command("statements")
def records_statements(year: Annotated[int, typer.Argument(help="年度")]) -> None:
    """生成每位参保人的年度个人权益记录单并通知本人。"""
    from jingban.records.proofs import yearly_statements

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with console.status(f"正在生成 {year} 年度个人权益记录单 …"):
                count = yearly_statements(db, RECORDS_ACTOR, year)
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"[green]已生成 {year} 年度个人权益记录单 {count} 份并通知本人[/]")


@records_app.command("sample-file")
def records_sample_file(
    period: Annotated[int, typer.Argument(help="费款所属期 YYYYMM")],
    output: Annotated[Path, typer.Option("--output", "-o", help="输出文件")] = Path("collector.csv"),
) -> None:
    """按本地参保登记生成一份征收机构缴费数据示例文件（演示和测试用）。"""
    if not (190001 <= period <= 299912 and 1 <= period % 100 <= 12):
        _fail("费款所属期格式应为 YYYYMM", 2)
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            content = demo_data.collector_file(db, settings.region, period)
        except JingbanError as exc:
            _fail(exc.message, 2)
    output.write_bytes(content)
    rows = content.count(b"\n") - 1
    console.print(f"已写入 {output}（{rows} 条缴费记录）")


# --- demo ----------------------------------------------------------------------------------------

def _reset(settings: Settings) -> None:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        _fail("--reset 只能用于本地 SQLite 数据库；其他数据库请由管理员自行清理", 2)
    for suffix in ("", "-wal", "-shm"):
        Path(url.database + suffix).unlink(missing_ok=True)
    console.print(f"已删除演示数据库 {url.database}")


def _demo_users(engine: Engine, settings: Settings) -> list[tuple[str, str, str]]:
    """Create the missing demo users; rows of (username, role name, password or note)."""
    rows = []
    with make_sessionmaker(engine, settings)() as db:
        for username, role, formal in DEMO_USERS:
            password = f"demo-{username}-2026"
            if _user_exists(db, username):
                password = "（账号已存在，未重设密码）"
            else:
                create_user(db, SYSTEM, username, password, {role}, formal_staff=formal,
                            display_name=f"演示{ROLE_NAMES[role]}",
                            profile=settings.password_profile)
            rows.append((username, ROLE_NAMES[role], password))
    return rows


def _demo_portal(engine: Engine, settings: Settings) -> tuple[str, str, str] | None:
    """The portal login `person`, linked to the first generated person (我的业务)."""
    username, password = "person", "demo-person-2026"
    with make_sessionmaker(engine, settings)() as db:
        person = demo_data.first_person(db)
        if person is None:
            return None
        if _user_exists(db, username):
            password = "（账号已存在，未重设密码）"
        else:
            create_user(db, SYSTEM, username, password, {"person"}, display_name=person.name,
                        subject=person_subject(person), profile=settings.password_profile)
        return username, f"{ROLE_NAMES['person']}（{person.name}，{person.ssn}）", password


def _build_region(engine: Engine, settings: Settings, persons: int, employers: int,
                  seed: int) -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("生成合成地区（参保人）", total=persons)
        summary = demo_data.generate(
            engine, settings, persons=persons, employers=employers, seed=seed,
            progress=lambda done, _total: bar.update(task, completed=done))
    console.print(f"已生成：单位 {summary.employers} 家，参保人 {summary.persons} 人"
                  f"（在职 {summary.employed}，城乡居民 {summary.residents}），"
                  f"参保记录 {summary.enrollments} 条，卡 {summary.cards} 张，"
                  f"用时 {summary.seconds:.1f} 秒")


def _print_logins(rows: list[tuple[str, str, str]], host: str, port: int) -> None:
    table = Table(title="演示账号")
    for column in ("用户名", "角色", "密码"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    address = f"http://{host}:{port}/"
    console.print(f"访问地址：[bold]{address}[/]    接口文档：[bold]{address}docs[/]")


def _demo_collector_file(engine: Engine, settings: Settings) -> Path:
    """Last month's collector file for the demo region, ready to import."""
    today = clock.today()
    last = (today.replace(day=1) - dt.timedelta(days=1))
    path = var_dir() / f"demo-collector-{last:%Y%m}.csv"
    with make_sessionmaker(engine, settings)() as db:
        path.write_bytes(demo_data.collector_file(db, settings.region, last.year * 100 + last.month))
    return path


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="参保人数")] = 3000,
    employers: Annotated[int, typer.Option(help="单位数")] = 100,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="生成后启动服务")] = True,
    reset: Annotated[bool, typer.Option("--reset", help="删除本地演示数据库后重建")] = False,
    seed: Annotated[int, typer.Option(help="随机种子（同一种子生成相同数据）")] = demo_data.DEFAULT_SEED,
) -> None:
    """载入合成演示地区（已有数据则不重建），列出演示账号并启动服务。"""
    if reset:
        _reset(Settings.from_env())
    with _database(migrate=True) as (settings, engine):
        logins = _demo_users(engine, settings)
        if demo_data.is_empty(engine):
            try:
                _build_region(engine, settings, persons, employers, seed)
            except JingbanError as exc:
                _fail(exc.message, 2)
        else:
            console.print("数据库中已有演示数据，未重新生成（如需重建请加 --reset）")
        if portal := _demo_portal(engine, settings):
            logins.append(portal)
        sample = _demo_collector_file(engine, settings)
        _print_logins(logins, host, port)
        console.print(f"示例征收数据文件：{sample}（会计 accountant 登录后在“缴费数据导入”上传）")
        if serve_after:
            import uvicorn

            from jingban.api import create_app

            uvicorn.run(create_app(settings, engine), host=host, port=port)
