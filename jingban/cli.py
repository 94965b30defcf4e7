"""The `jingban` command: init, user, serve, audit, calendar, records, funds, demo."""

from __future__ import annotations

import datetime as dt
import os
import subprocess  # secops
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace  # seclogin
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
from jingban import wiring
from jingban.core import (  # seclogin: admin_audit  # secops
    admin_audit,
    agency,
    anchor,
    chain,
    clock,
    policy,
)
from jingban.core import backup as backup_files  # secops
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
from jingban.transfers import batch as delivery
from jingban.transfers import demo as transfer_demo_data
from jingban.transfers import protocol as transfer_protocol

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
transfers_app = typer.Typer(help="社会保险关系转移接续（经办机构之间）", no_args_is_help=True)
app.add_typer(transfers_app, name="transfers")
benefits_app = typer.Typer(help="社会保险待遇（发放）", no_args_is_help=True)
app.add_typer(benefits_app, name="benefits")
funds_app = typer.Typer(help="社会保险基金会计（归集、补记、试算平衡、月报）", no_args_is_help=True)
app.add_typer(funds_app, name="funds")
dishonesty_app = typer.Typer(help="社会保险领域严重失信主体名单", no_args_is_help=True)
app.add_typer(dishonesty_app, name="dishonesty")


@app.callback()
def _wire() -> None:
    """经办 — 社会保险经办管理信息系统命令行"""
    wiring.install()  # every command runs the areas' acts and hooks, as the server does

console = Console()
REDATED = {"cases": "业务件", "recovery": "责令退回", "stops": "停发事由报告", "transfers": "关系转移",
           "verification": "委托核实"}
REDATED["complaints"] = "举报投诉"  # oversight-complaints
REDATED["dishonesty"] = "严重失信名单陈述申辩期限"  # oversight-dishonesty
REDATED["oversight_inspections"] = "核查责令改正期限"  # oversight-inspect
REDATED["oversight_penalties"] = "罚没款缴入基金期限"  # oversight-inspect
REDATED["service_agreements"] = "违约处理陈述申辩期限"  # agreements
ADMIN = "admin"
# Demo logins: (username, role, formal staff). Passwords are demo-<username>-2026.
DEMO_USERS = [("clerk", "clerk", False), ("reviewer_1", "reviewer_1", False),
              ("reviewer_2", "reviewer_2", False), ("reviewer_3", "reviewer_3", True),
              ("accountant", "accountant", False), ("cashier", "cashier", False),
              ("inspector", "inspector", False), ("data_admin", "data_admin", False),
              (ADMIN, "sysadmin", True), ("supervisor", "supervisor", False),
              ("surveyor", "surveyor", False), ("grassroots", "grassroots", False),
              ("complaints", "complaint_officer", False)]
DEMO_USERS.append(("agreements", "agreement_manager", False))  # agreements


def _bar() -> Progress:
    """The one progress bar of every long command (DESIGN §4: batch jobs show a Rich progress bar)."""
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


@contextmanager
def _progress(description: str) -> Iterator[Callable[[int, int | None], None]]:
    """A bar for a batch that reports ``progress(done, total)``; the total may come late."""
    with _bar() as bar:
        task = bar.add_task(description, total=None)
        yield lambda done, total=None: bar.update(task, completed=done, total=total)


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
        key_file, created = transfer_protocol.ensure_key()
        console.print(f"转移报文签名密钥：{key_file}{'（新生成）' if created else ''}")
        with make_sessionmaker(engine, settings)() as db:
            _audit_key(db, key_file, created)  # seclogin
            admin_audit.policy_loaded(db, SYSTEM, settings.policy_dirs)  # seclogin
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
          port: Annotated[int, typer.Option(help="端口")] = 8000,
          workers: Annotated[int, typer.Option(min=1, help="uvicorn 工作进程数")] = 1,  # fuzzload
          ) -> None:
    """启动网页与接口服务。"""
    import uvicorn

    from jingban.api import create_app

    application = create_app()
    with application.state.sessionmaker() as db:  # seclogin: the policy set served, audited
        admin_audit.policy_loaded(db, SYSTEM, application.state.settings.policy_dirs)
    delivery.start_loop(application.state.sessionmaker)  # 转移报文后台投递
    if workers > 1:  # fuzzload: each worker process builds its own app from the environment
        uvicorn.run("jingban.api:create_app", factory=True, host=host, port=port, workers=workers)
        return
    uvicorn.run(application, host=host, port=port)


@audit_app.command("verify")
def audit_verify(
    first: Annotated[int, typer.Option("--from", help="从第几条事件起校验（默认第 1 条）")] = 1,
    last: Annotated[int | None, typer.Option("--to", help="校验到第几条事件（默认链头）")] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="并行校验的进程数")] = 1,
) -> None:
    """校验审计链：流式核对每条事件的哈希与链接，报告第一个断点；全链校验还核对链头与锚定文件。"""  # secops
    with _database() as (settings, engine):
        verdict = _verdict(settings, engine, first, last, jobs)
    scope = "全链" if first <= 1 and last is None else f"第 {first} 至 {last or '链头'} 条"
    if not verdict.ok:
        where = f"第 {verdict.broken_at} 条事件 — " if verdict.broken_at else ""
        console.print(f"[bold red]审计链断裂：[/]{where}{verdict.problem}"
                      f"（此前已校验 {verdict.checked} 条）")
        raise typer.Exit(1)
    anchored = f"，与锚定链头（第 {verdict.anchored} 条）一致" if verdict.anchored else ""
    console.print(f"[green]审计链完整：共校验 {verdict.checked} 条事件（{scope}）{anchored}[/]")
    if verdict.anchored and settings.audit_anchor is not None:  # the line for the daily log
        console.print(anchor.fingerprint(anchor.read(settings.audit_anchor, settings.secret_key)))


def _verdict(settings: Settings, engine: Engine, first: int, last: int | None,
             jobs: int) -> chain.Verdict:  # secops
    where = (settings.audit_anchor, settings.secret_key) if settings.audit_anchor else None
    if jobs > 1 and engine.dialect.name == "postgresql":
        return chain.verify_parallel(settings.database_url, jobs, first, last, where)
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn:  # one snapshot for the walk
        return chain.verify(conn, first, last, where)


@audit_app.command("anchor")
def audit_anchor() -> None:
    """锚定审计链头：校验全链后把链头签名写入锚定文件（恢复备份后或首次启用时使用）。"""  # secops
    with _database() as (settings, engine):
        if settings.audit_anchor is None:
            _fail("已关闭链头锚定（JINGBAN_AUDIT_ANCHOR=off）", 2)
        with engine.connect() as conn:
            walked = chain.verify(conn)
            seq, head_hash = chain.head(conn)
        if not walked.ok:
            _fail(f"审计链断裂，未锚定：{walked.problem}")
        try:
            current = anchor.read(settings.audit_anchor, settings.secret_key)
        except anchor.AnchorError:
            current = None
        if current is not None and current.seq > seq:
            _fail(f"锚定文件记载的链头（第 {current.seq} 条）超出现有审计链（{seq} 条）：链尾可能被截断，"
                  "未覆盖；如确系从备份恢复，请用 jingban restore", 1)
        anchor.write(settings.audit_anchor, settings.secret_key, seq, head_hash, force=True)
        written = anchor.read(settings.audit_anchor, settings.secret_key)
    console.print(f"[green]已锚定：{anchor.fingerprint(written)}[/]")
    console.print(f"锚定文件：{settings.audit_anchor}")


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
    _admin_audit(lambda db: admin_audit.calendar_loaded(  # seclogin
        db, SYSTEM, schedule.year, text, replaced, schedule.reference))
    _redate()


def _redate() -> None:
    """Open due dates counted over a then-unpublished year, counted again (SPEC §13)."""
    engine = make_engine(Settings.from_env().database_url)
    initialised = inspect(engine).has_table("audit_event")
    engine.dispose()
    if not initialised:
        return
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        moved = agency.redate_provisional(db, SYSTEM)
    console.print("已按新日历重算未办结事项的暂定期限：" + "，".join(
        f"{REDATED[area]} {n} 件" for area, n in moved.items()))


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
    """生成每位参保人的年度个人权益记录单并通知本人（每人每年一份；中断后重新执行即续跑）。"""
    from jingban.records.proofs import yearly_statements

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _progress(f"{year} 年度个人权益记录单（按人员分段）") as progress:
                count = yearly_statements(
                    db, RECORDS_ACTOR, year,
                    progress=progress)
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


# --- transfers -----------------------------------------------------------------------------------

@transfers_app.command("deliver")
def transfers_deliver(
        until_idle: Annotated[bool, typer.Option("--until-idle/--once",
                                                 help="反复投递直到没有到期报文")] = True) -> None:
    """投递待发送的转移报文（未确认的按退避间隔重试）。"""
    with _database() as (settings, engine):
        sessions = make_sessionmaker(engine, settings)
        with _bar() as bar:
            task = bar.add_task("投递转移报文", total=delivery.due_count(sessions))
            step = lambda: bar.advance(task)  # noqa: E731
            counts = (delivery.deliver_until_idle(sessions, progress=step) if until_idle
                      else delivery.deliver(sessions, progress=step))
    names = {"acked": "已确认", "refused": "对方不予办理", "rejected": "对方拒收",
             "pending": "未送达（稍后重试）"}
    summary = "，".join(f"{names.get(k, k)} {v}" for k, v in sorted(counts.items())) or "没有到期报文"
    console.print(f"投递完成：{summary}")


@transfers_app.command("key")
def transfers_key() -> None:
    """显示本机构转移报文验签公钥（填入对方经办机构目录），没有密钥时生成。"""
    path, created = transfer_protocol.ensure_key()
    _admin_audit(lambda db: _audit_key(db, path, created))  # seclogin
    key = transfer_protocol.signing_key(str(path))
    console.print(f"私钥文件：{path}{'（新生成）' if created else ''}")
    console.print(f"公钥（base64，填入经办机构目录的 public_key）：{transfer_protocol.public_key_b64(key)}")


# --- benefits ------------------------------------------------------------------------------------

# The monthly payroll is the fund accountant's act (会计); the operator's cron runs it as such.
PAYROLL_ACTOR = Actor("system", frozenset({"accountant"}), True, "cli")


@benefits_app.command("payroll")
def benefits_payroll(
    period: Annotated[int, typer.Option("--period", help="发放月份 YYYYMM")],
    out: Annotated[Path | None, typer.Option("--out", help="银行代发文件的保存目录")] = None,
) -> None:
    """运行（或续跑）某月待遇发放：每项在发待遇每月只发一次，扣减追回款，生成银行代发文件。"""
    from jingban.benefits.payroll import batch as payroll

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _progress(f"{period} 待遇发放（按人员分段）") as progress:
                run = payroll.run_payroll(
                    db, PAYROLL_ACTOR, period,
                    progress=progress)
        except JingbanError as exc:
            _fail(exc.message, 2)
        console.print(f"{period} 发放：{run.payments} 笔，应发 {format_yuan(run.gross)} 元，"
                      f"抵扣追回 {format_yuan(run.deductions)} 元，实发 {format_yuan(run.net)} 元")
        console.print(f"银行代发文件 {run.bank_file}  SHA-256 {run.bank_file_sha256}")
        for entry in payroll.waiting_vouchers(db, run):
            console.print(f"待出纳确认：凭证 {entry.id}（{entry.fund}）{format_yuan(entry.amount)} 元")
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            target = out / run.bank_file
            try:
                parts = payroll.bank_file(db, PAYROLL_ACTOR, period)
            except JingbanError as exc:
                _fail(exc.message, 2)
            with target.open("wb") as handle:
                for part in parts:
                    handle.write(part)
            console.print(f"已写入 {target}")


@benefits_app.command("returns")
def benefits_returns(
    period: Annotated[int, typer.Option("--period", help="发放月份 YYYYMM")],
    file: Annotated[Path, typer.Option("--file", exists=True, dir_okay=False,
                                       help="银行退回文件（CSV，UTF-8 或 GBK：业务参考号,金额,退回原因）")],
) -> None:
    """登记某月待遇发放的银行退回：退回款重新计入基金，下次发放时重新发放；同一文件只登记一次。"""
    from jingban.benefits.payroll import returns

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            result = returns.import_returns(db, PAYROLL_ACTOR, period, file.read_bytes())
        except JingbanError as exc:
            _fail(exc.message, 2)
        console.print(f"{period} 银行退回：登记 {result.recorded} 笔 {format_yuan(result.amount)} 元，"
                      f"此前已登记 {result.repeated} 笔，有问题 {len(result.problems)} 行")
        for problem in result.problems:
            console.print(f"第 {problem['line']} 行 [{problem['code']}] {problem['field']}："
                          f"{problem['message']}")


# Eligibility verification and the recovery sweep are run as the inspection post (稽核) and the
# accounting post (会计) their services require.
VERIFY_ACTOR = Actor("system", frozenset({"inspector"}), True, "cli")


@benefits_app.command("verify")
def benefits_verify() -> None:
    """待遇领取资格信息比对：全部在发人员与共享的死亡、服刑、出境信息比对（每日一次，可重复执行）。"""
    from jingban.benefits.verification import service as verification

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        steps = len(verification.MATCH_KINDS) + 1
        try:
            with _bar() as bar:
                task = bar.add_task("资格信息比对（按比对信息类别）", total=steps)
                names = {**verification.HIT_KINDS, "unconfirmed": "认证周期"}
                run = verification.run_matching(db, VERIFY_ACTOR, lambda kind: bar.update(
                    task, advance=1, description=f"已比对：{names.get(kind, kind)}"))
        except JingbanError as exc:
            _fail(exc.message, 2)
        if run.repeat:
            console.print(f"[yellow]{run.run_on} 已比对过，未重复比对；以下为当日结果[/]")
        console.print(f"{run.run_on} 比对：在发 {run.recipients} 人，新发现疑点 {run.hits} 条，"
                      f"超过认证周期未确认 {run.unconfirmed} 人")


@benefits_app.command("recovery-sweep")
def benefits_recovery_sweep() -> None:
    """追回款履约检查：已还清的结清；责令退回逾期的催告；逾期超过宽限期的认定违约、通知并记入失信记录。"""
    from jingban.benefits.recovery import service as recovery

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with console.status("正在检查还款协议履约情况 …"):
                found = recovery.sweep(db, RECORDS_ACTOR)
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"结清 {len(found['settled'])} 笔，催告 {len(found['reminded'])} 笔，"
                  f"认定违约 {len(found['defaulted'])} 笔")


# --- oversight: the anomaly monitors (issue 12 item 3) ---------------------------------------------

oversight_app = typer.Typer(help="监督（异常监测）", no_args_is_help=True)
app.add_typer(oversight_app, name="oversight")
# The monitors are the inspection post's (稽核); the operator's cron runs them as such.
MONITOR_ACTOR = Actor("system", frozenset({"inspector"}), True, "cli")


@oversight_app.command("monitor")
def oversight_monitor(
    on: Annotated[str | None, typer.Option("--on", help="监测日期 YYYY-MM-DD（默认今天）")] = None,
    only: Annotated[str | None, typer.Option("--only", help="只运行一个监测项目（代码）")] = None,
) -> None:
    """异常监测：死亡后发放、重复领取、重复参保、基数或人数突变、领取养老金期间仍缴费（每项每日一次；中断后再次运行即续跑）。"""
    from jingban.oversight.monitors import batch as monitors
    from jingban.oversight.monitors import rules as monitor_rules

    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError:
        _fail(f"监测日期格式应为 YYYY-MM-DD：{on}", 2)
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _bar() as bar:
                tasks: dict[str, int] = {}

                def step(code: str, done: int, total: int) -> None:
                    if code not in tasks:
                        tasks[code] = bar.add_task(monitor_rules.MONITORS[code][0], total=total)
                    bar.update(tasks[code], completed=done, total=total)

                runs = monitors.run_monitors(db, MONITOR_ACTOR, day, only, step)
        except JingbanError as exc:
            _fail(exc.message, 2)
    for run in runs:
        name = monitor_rules.MONITORS[run.monitor][0]
        note = "（当日已完成，未重复运行）" if run.repeat else ""
        console.print(f"{run.run_on} {name}：新发现疑点 {run.hits} 条{note}")


# --- funds: the monthly report (issue 10 item 7) ----------------------------------------------------

# The funds commands are the fund accountant's (会计); the operator's cron runs them as such.
FUNDS_ACTOR = Actor("system", frozenset({"accountant"}), True, "cli")


@funds_app.command("report")
def funds_report(
    period: Annotated[int, typer.Option("--period", help="报告月份 YYYYMM")],
    out: Annotated[Path, typer.Option("--out", help="保存目录")] = Path("."),
) -> None:
    """生成某月各险种基金月报（Excel 与 PDF 各一份）并保存到目录。"""
    from jingban.funds.reports import export

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _progress(f"{period} 基金月报（按险种）") as progress:
                files = export.month_files(
                    db, FUNDS_ACTOR, period,
                    progress=progress)
        except JingbanError as exc:
            _fail(exc.message, 2)
        out.mkdir(parents=True, exist_ok=True)
        for name, content in files:
            (out / name).write_bytes(content)
        console.print(f"{period} 基金月报 {len(files) // 2} 个险种，已写入 {out}（{len(files)} 个文件）")


# --- funds -------------------------------------------------------------------------------------

@funds_app.command("sweep")
def funds_sweep(period: Annotated[int, typer.Option("--period", help="会计期间 YYYYMM")]) -> None:
    """月末收入户归集财政专户：各险种基金收入户余额转入财政专户，月末余额为零（每个基金一个事务；中断后重新执行即续跑，已归集的不再归集）。"""
    from jingban.funds.ledger import service as ledger

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _progress(f"{period} 收入户归集（按险种基金）") as progress:
                swept = ledger.sweep(db, FUNDS_ACTOR, period, progress=progress)
        except JingbanError as exc:
            _fail(exc.message, 2)
        for entry in swept:
            console.print(f"{ledger.fund_name(entry.fund)}：归集 {format_yuan(entry.amount)} 元"
                          f"（凭证 {entry.id}）")
    console.print(f"[green]{period} 归集完成：本次归集 {len(swept)} 个基金，各收入户余额为零[/]")


@funds_app.command("backfill")
def funds_backfill() -> None:
    """补记本模块上线前各业务已发生的资金收付（只补记一次，可重复执行）。"""
    from jingban.funds.ledger import service as ledger

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _progress("补记历史资金（按业务来源）") as progress:
                booked = ledger.backfill(db, FUNDS_ACTOR, progress=progress)
        except JingbanError as exc:
            _fail(exc.message, 2)
    summary = "，".join(f"{name} {n} 笔" for name, n in booked.items()) or "没有需要补记的来源"
    console.print(f"补记完成：{summary}")


@funds_app.command("trial-balance")
def funds_trial_balance(
    fund: Annotated[str, typer.Option("--fund", help="险种基金，如 pension_enterprise")],
    period: Annotated[int, typer.Option("--period", help="会计期间 YYYYMM")],
) -> None:
    """试算平衡表：截至期末各科目借方、贷方累计和余额，并检查借贷平衡。"""
    from jingban.funds.ledger import service as ledger

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            shown = ledger.trial_balance(db, FUNDS_ACTOR, fund, period)
        except JingbanError as exc:
            _fail(exc.message, 2)
    table = Table(title=f"{shown['fund_name']} {period} 试算平衡表")
    for column in ("科目", "名称", "类别", "借方（元）", "贷方（元）", "余额（元）"):
        table.add_column(column, justify="right" if "元" in column else "left")
    for r in shown["rows"]:
        table.add_row(str(r["account"]), r["name"], r["class_name"], format_yuan(r["debit"]),
                      format_yuan(r["credit"]), format_yuan(r["balance"]))
    table.add_row("合计", "", "", format_yuan(shown["debit"]), format_yuan(shown["credit"]), "")
    console.print(table)
    if not shown["balanced"]:
        _fail("借贷不平衡", 1)
    console.print("[green]借贷平衡[/]")


# --- demo ----------------------------------------------------------------------------------------

def _reset(settings: Settings) -> None:
    url = make_url(settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database:
        _fail("--reset 只能用于本地 SQLite 数据库；其他数据库请由管理员自行清理", 2)
    for suffix in ("", "-wal", "-shm"):
        Path(url.database + suffix).unlink(missing_ok=True)
    if settings.audit_anchor is not None:  # secops: a new database's chain starts unanchored
        settings.audit_anchor.unlink(missing_ok=True)
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
                            profile=settings.password_profile, demo=True)
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
                        subject=person_subject(person), profile=settings.password_profile,
                        demo=True)
        return username, f"{ROLE_NAMES['person']}（{person.name}，{person.ssn}）", password


def _build_region(engine: Engine, settings: Settings, persons: int, employers: int,
                  seed: int) -> None:
    with _progress("生成合成地区（参保人）") as progress:
        summary = demo_data.generate(engine, settings, persons=persons, employers=employers,
                                     seed=seed, progress=progress)
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


def _demo_pensions(engine: Engine, settings: Settings) -> None:
    """Two retirees (jingban.benefits.pension.demo): one left for the clerk to claim, with the portal
    login `retiree`; the other's claim approved. Also the population feed file of the first's
    death, for the last step of the walk (README, “养老金演示”)."""
    from jingban.benefits.pension import demo as pension_demo

    with make_sessionmaker(engine, settings)() as db:
        seeded = pension_demo.seed(db, settings.region, settings.password_profile)
        if seeded is None:
            console.print("演示地区中没有已达退休年龄的企业职工，未生成养老金演示数据")
            return
        feed = pension_demo.write_death_feed(seeded.ready, var_dir())
    console.print(
        f"养老金演示：{seeded.ready.name}（{seeded.ready.ssn}，门户账号 {pension_demo.PORTAL_USER}）"
        f"已达退休年龄，在“退休预审”{seeded.month} 名单中，由 clerk 申领受理，reviewer_1、reviewer_2 审核；"
        f"{seeded.paid.name}（{seeded.paid.ssn}）已核定。两人均自 {seeded.period} 起发放"
        f"（accountant 在“待遇发放”运行 {seeded.period}）。预审通知只发给12个月后达到法定退休年龄的人员："
        f"在“退休预审”查询 {seeded.notice_month} 后发送。")
    console.print(f"演示死亡信息文件：{feed}（发放后由 data_admin 在“共享数据接收”以“人口信息”上传："
                  f"停发并责令退回，本人在“我的养老金”查看）")


def _demo_funds(engine: Engine, settings: Settings) -> None:
    """The fund books' past (jingban.demo_funds) and the statement left to reconcile."""
    from jingban import demo_funds

    with make_sessionmaker(engine, settings)() as db:
        seeded = demo_funds.seed(db, var_dir())
        db.commit()
    if seeded is None:
        return
    console.print(
        f"基金演示：已记 {seeded.months} 个月的基金账（{seeded.entries} 张凭证，月末归集、结账、月报报送），"
        f"{seeded.published} 年度基金信息已公开（/public/funds/{seeded.published}）。"
        f"财政专户对账单 {seeded.statement.name} 已导入，有 1 笔差异待 accountant 在“基金对账”处理。")


def _demo_oversight(engine: Engine, settings: Settings) -> None:
    """Inspections, complaints, the dishonesty list and the monitors' finds (jingban.demo_oversight)."""
    from jingban import demo_oversight

    with make_sessionmaker(engine, settings)() as db:
        seeded = demo_oversight.seed(db)
    if seeded is None:
        return
    console.print(
        f"监督演示：核查已移交行政部门（移交单 {seeded.inspection.handover_number}）并作出处罚；"
        f"举报 {seeded.complaints.rewarded} 已查实并发放奖励；严重失信名单一人已修复移出、一人异议审核中"
        f"（/public/dishonesty）；异常监测发现疑点 {seeded.hits} 条，inspector 在“异常监测”处理。")


def _demo_retiree_login(engine: Engine, settings: Settings) -> tuple[str, str, str] | None:
    from jingban.benefits.pension import demo as pension_demo

    with make_sessionmaker(engine, settings)() as db:
        person = pension_demo.portal_person(db)
        if person is None:
            return None
        role = f"{ROLE_NAMES['person']}（待申领养老金，{person.name}，{person.ssn}）"
        return pension_demo.PORTAL_USER, role, pension_demo.PORTAL_PASSWORD


def _demo_hospital_login(engine: Engine, settings: Settings) -> tuple[str, str, str] | None:  # claims13
    """The institution's portal login of the claims demo (jingban.agreements.claims.demo)."""  # claims13
    from jingban.agreements.claims import demo as claims_demo  # claims13

    with make_sessionmaker(engine, settings)() as db:  # claims13
        found = claims_demo.portal_login(db, settings.password_profile)  # claims13
    if found is None:  # claims13
        return None  # claims13
    return found[0], f"定点机构（{found[1]}）", claims_demo.PORTAL_PASSWORD  # claims13


@app.command()
def demo(
    persons: Annotated[int, typer.Option(help="参保人数")] = 3000,
    employers: Annotated[int, typer.Option(help="单位数")] = 100,
    host: Annotated[str, typer.Option(help="监听地址")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口")] = 8000,
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="生成后启动服务")] = True,
    reset: Annotated[bool, typer.Option("--reset", help="删除本地演示数据库后重建")] = False,
    seed: Annotated[int, typer.Option(help="随机种子（同一种子生成相同数据）")] = demo_data.DEFAULT_SEED,
    region: Annotated[str | None, typer.Option(help="统筹地区代码（即 JINGBAN_REGION）")] = None,
    var: Annotated[Path | None, typer.Option("--var-dir", help="数据目录（即 JINGBAN_VAR_DIR）")] = None,
    agencies: Annotated[Path | None, typer.Option(
        "--agency-directory", help="经办机构目录文件（即 JINGBAN_AGENCY_DIRECTORY）")] = None,
    transfer_demo: Annotated[bool, typer.Option(
        "--transfer-demo", help="生成关系转移演示参保人（两个演示地区各运行一次）")] = False,
) -> None:
    """载入合成演示地区（已有数据则不重建），列出演示账号并启动服务。"""
    for name, value in (("JINGBAN_REGION", region), ("JINGBAN_VAR_DIR", var),
                        ("JINGBAN_AGENCY_DIRECTORY", agencies and agencies.resolve())):
        if value:
            os.environ[name] = str(value)
    if reset:
        _reset(Settings.from_env())
    with _database(migrate=True) as (settings, engine):
        logins = _demo_users(engine, settings)
        if demo_data.is_empty(engine) and persons > 0:
            try:
                _build_region(engine, settings, persons, employers, seed)
                _demo_pensions(engine, settings)
                _demo_funds(engine, settings)
                _demo_oversight(engine, settings)
                _demo_enrollment(engine, settings)  # enrollment
                _demo_injury(engine, settings)  # injury
                _demo_medmat(engine, settings)  # medmat
                _demo_agreements(engine, settings)  # agrfin
                _demo_unemployment(engine, settings)  # agrfin
            except JingbanError as exc:
                _fail(exc.message, 2)
        elif persons > 0:
            console.print("数据库中已有演示数据，未重新生成（如需重建请加 --reset）")
        if transfer_demo:
            console.print(transfer_demo_data.seed(engine, settings, settings.password_profile))
            console.print(f"转移报文签名密钥：{transfer_protocol.ensure_key()[0]}")
        if portal := _demo_portal(engine, settings):
            logins.append(portal)
        if retiree := _demo_retiree_login(engine, settings):
            logins.append(retiree)
        if hospital := _demo_hospital_login(engine, settings):  # claims13
            logins.append(hospital)  # claims13
        _print_logins(logins, host, port)
        if persons > 0:
            sample = _demo_collector_file(engine, settings)
            console.print(f"示例征收数据文件：{sample}（会计 accountant 登录后在“缴费数据导入”上传）")
        if serve_after:
            import uvicorn

            from jingban.api import create_app

            demo_settings = replace(settings, demo_mode=True)  # seclogin: demo passwords work
            application = create_app(demo_settings, engine)
            delivery.start_loop(application.state.sessionmaker)  # 转移报文后台投递
            uvicorn.run(application, host=host, port=port)


# --- oversight-dishonesty: the serious-dishonesty list's sweep (R§45) ---------------------------------

@dishonesty_app.command("sweep")
def dishonesty_sweep() -> None:
    """名单期满移出：有效期届满的严重失信主体名单条目移出名单、停止公示并告知（可重复执行，中断后续跑）。"""
    from jingban.oversight.dishonesty import batch as dishonesty_batch

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _bar() as bar:
                task = bar.add_task("严重失信主体名单期满移出", total=None)
                removed = dishonesty_batch.sweep(db, VERIFY_ACTOR, progress=lambda done, total:
                                                 bar.update(task, completed=done, total=total))
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"[green]本次移出 {removed} 个期满条目[/]")


# --- secdata: the data keys (SM4-GCM sealed phones and bank accounts) ------------------------

keys_app = typer.Typer(help="个人信息加密密钥（SM4-GCM）", no_args_is_help=True)  # secdata
app.add_typer(keys_app, name="keys")  # secdata


def _sealed():
    from jingban.core import keys
    from jingban.models import metadata

    return keys, keys.sealed_columns(metadata)


@keys_app.command("status")
def keys_status() -> None:
    """当前密钥，以及尚未用当前密钥加密的数据条数。"""
    from jingban.core import crypto

    keys, columns = _sealed()
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        left = keys.pending(db, columns)
    console.print(f"当前密钥：{crypto.current().kid}（共 {len(crypto.ring())} 个密钥）")
    for name, count in left.items():
        console.print(f"  {name}: 待重新加密 {count} 条")


@keys_app.command("new")
def keys_new() -> None:
    """生成新的当前密钥（写入密钥文件最前，旧密钥保留用于解密），随后运行 jingban keys rotate。"""
    from jingban.core import crypto, keys  # secaudit: the new key is recorded in the audit chain

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:  # secaudit
        try:
            key = keys.new_key(db, SYSTEM)  # secaudit
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"[green]新密钥 {key.kid} 已写入 {crypto.key_file()}[/]，请运行 jingban keys rotate")


@keys_app.command("rotate")
def keys_rotate(batch: Annotated[int, typer.Option(min=1, max=100_000, help="每批条数")] = 500
                ) -> None:
    """用当前密钥重新加密全部手机号码与银行账号（分批提交；中断后重跑即续跑，重复运行无副作用）。"""
    keys, columns = _sealed()
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _progress("重新加密个人信息") as progress:
                counts = keys.rotate(db, SYSTEM, columns, size=batch, progress=progress)
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"[green]重新加密 {sum(counts.values())} 条[/]")
# --- seclogin: administrators' acts in the audit chain (issue 15 item 2) ----------------------------

def _audit_key(db: Session, path: Path, created: bool) -> None:
    """A transfer signing key just made: its place and public half, audited."""
    if created:
        public = transfer_protocol.public_key_b64(transfer_protocol.signing_key(str(path)))
        admin_audit.key_created(db, SYSTEM, "transfer-signing", path, public)


def _admin_audit(act: Callable[[Session], None]) -> None:
    """Record an administrator's act when the database is initialised (else nothing to chain)."""
    engine = make_engine(Settings.from_env().database_url)
    initialised = inspect(engine).has_table("audit_event")
    engine.dispose()
    if initialised:
        with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
            act(db)


@user_app.command("unlock")
def user_unlock(name: Annotated[str, typer.Argument(help="用户名")],
                reason: Annotated[str, typer.Option("--reason", help="解锁原因")] = "") -> None:
    """解除因连续登录失败被锁定的账号（记入审计日志）。"""
    from jingban.core import logins

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            logins.unlock(db, SYSTEM, name, reason)
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"[green]已解除账号 {name} 的锁定[/]")
# --- secops: backup and restore (issue 15 item 6) ------------------------------------------------

KEY_SUFFIXES = (".key", ".pem", ".pub")  # secops


def _backup_sources(settings: Settings) -> backup_files.Sources:  # secops
    """The policy and calendar folders and every key file: var/*.key|.pem|.pub and the
    transfer signing key (JINGBAN_SIGNING_KEY may put it elsewhere)."""
    var = var_dir()
    keys = {p.name: p for p in sorted(var.glob("*")) if p.suffix in KEY_SUFFIXES and p.is_file()}
    keys["secret.key"] = var / "secret.key"
    signing = transfer_protocol.key_path()
    keys[signing.name] = signing
    keys[signing.with_suffix(".pub").name] = signing.with_suffix(".pub")
    return backup_files.Sources(settings.policy_dirs, settings.calendar_dirs[0], keys, var)


@app.command("backup")
def backup_command(out: Annotated[Path | None, typer.Option(
        "--out", help="备份存放目录（默认 var/backups）")] = None) -> None:  # secops
    """备份：数据库（PostgreSQL 用 pg_dump 自定义格式，SQLite 用在线备份接口）、政策、日历和密钥文件，
    附行数与审计链头清单。"""
    with _database() as (settings, engine):
        try:
            outcome = backup_files.create(engine, settings.database_url,
                                          (out or var_dir() / "backups").resolve(),
                                          _backup_sources(settings))
        except (JingbanError, subprocess.CalledProcessError) as exc:
            _fail(f"备份失败：{getattr(exc, 'message', None) or getattr(exc, 'stderr', exc)}")
    manifest = outcome.manifest
    rows = sum(manifest["tables"].values())
    console.print(f"[green]已备份到 {outcome.folder}[/]：{len(manifest['tables'])} 张表 {rows} 行，"
                  f"审计链头第 {manifest['audit_head']['seq']} 条 {manifest['audit_head']['hash'][:16]}…")
    for problem in outcome.problems:
        console.print(f"[bold red]注意：[/]{problem}")
    if outcome.problems:
        raise typer.Exit(1)


def _unreadable(engine) -> list[str]:  # secaudit
    """Sealed values the data keys in place cannot open (the key file is not in the backup)."""
    from sqlalchemy.orm import Session as OrmSession

    from jingban.core import keys
    from jingban.models import metadata

    with OrmSession(engine) as db:
        return keys.unreadable(db, keys.sealed_columns(metadata))


@app.command("restore")
def restore_command(
    folder: Annotated[Path, typer.Argument(help="jingban backup 生成的备份目录")],
    force: Annotated[bool, typer.Option("--force", help="覆盖非空的目标数据库和不同的密钥文件")] = False,
) -> None:  # secops
    """恢复：核对备份文件校验和，载入数据库，放回密钥与日历，再核对各表行数与审计链，并重新锚定链头。"""
    generated = var_dir() / "secret.key"
    had_key = generated.exists()
    settings = Settings.from_env()
    if not had_key:  # made just now by reading the settings: the backup's key is the one
        generated.unlink(missing_ok=True)
    engine = make_engine(settings.database_url)
    try:
        outcome = backup_files.restore(engine, settings.database_url, folder.resolve(),
                                       _backup_sources(settings), force=force)
        outcome.problems += _unreadable(engine)  # secaudit: the data keys must open the data
    except JingbanError as exc:
        _fail(f"未恢复：{exc.message}", 2)
    finally:
        engine.dispose()
    for note in outcome.notes:
        console.print(f"[yellow]{note}[/]")
    if outcome.problems:
        for problem in outcome.problems:
            console.print(f"[bold red]恢复核对不符：[/]{problem}")
        raise typer.Exit(1)
    head = outcome.manifest["audit_head"]
    fresh = Settings.from_env()  # the secret key may have just been put back
    if fresh.audit_anchor is not None:
        anchor.write(fresh.audit_anchor, fresh.secret_key, head["seq"], head["hash"], force=True)
    console.print(f"[green]已恢复并核对：{len(outcome.manifest['tables'])} 张表行数与备份清单一致，"
                  f"审计链完整，链头第 {head['seq']} 条（已重新锚定）[/]")
# --- agreements: the service agreements' sweep (R§33) -------------------------------------------------

agreements_app = typer.Typer(help="社会保险服务协议", no_args_is_help=True)  # agreements
app.add_typer(agreements_app, name="agreements")  # agreements
AGREEMENTS_ACTOR = Actor("system", frozenset({"agreement_manager"}), True, "cli")  # agreements


@agreements_app.command("expire")
def agreements_expire() -> None:
    """服务协议期满：期限届满的服务协议标记为已到期（可重复执行，中断后续跑）。"""
    from jingban.agreements.institutions import batch as agreements_batch

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _bar() as bar:
                task = bar.add_task("服务协议期满", total=None)
                done = agreements_batch.sweep(db, AGREEMENTS_ACTOR, progress=lambda d, total:
                                              bar.update(task, completed=d, total=total))
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"[green]本次标记到期 {done} 份服务协议[/]")


# --- claims (issue 13 item 4): the monthly claim review ---------------------------------------------

claims_app = typer.Typer(help="定点医药机构医疗费用审核与结算", no_args_is_help=True)  # claims
app.add_typer(claims_app, name="claims")  # claims


@claims_app.command("review")  # claims
def claims_review(period: int = typer.Option(..., "--period", help="结算月份 YYYYMM")) -> None:
    """月度审核：按郑人社〔2016〕27号 第六部分的规则筛查该月全部费用明细（集合运算；重跑只增加新疑点）。"""
    import json

    from jingban.agreements.claims import rules as claim_rules
    from jingban.agreements.claims import service as claim_service

    actor = Actor("system", frozenset({"reviewer_1"}), True, "cli")
    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _bar() as bar:
                task = bar.add_task(f"{period} 月度审核", total=len(claim_rules.RULES))
                run = claim_service.run_review(db, actor, period,
                                               progress=lambda rule: bar.advance(task))
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"[green]{period}：结算单 {run.claims} 张、明细 {run.lines} 条，"
                  f"新发现疑点 {sum(json.loads(run.hits).values())} 条[/]")


# --- enrollment: the universal enrollment registry (全民参保登记, issue 14) ---------------------

enrollment_app = typer.Typer(help="全民参保登记（信息比对、动态更新）", no_args_is_help=True)  # enrollment
app.add_typer(enrollment_app, name="enrollment")  # enrollment
ENROLLMENT_ACTOR = Actor("system", frozenset({"data_admin"}), True, "cli")  # enrollment


@enrollment_app.command("link")
def enrollment_link() -> None:
    """全量信息比对：证件号一致的先合并，其余由 Splink 模型比对（DuckDB），重建登记库与标识（可重复执行）。"""
    from jingban.enrollment import batch as enrollment_batch

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            with _bar() as bar:
                task = bar.add_task("全民参保登记信息比对", total=None)
                run = enrollment_batch.run(db, ENROLLMENT_ACTOR, settings,
                                           progress=lambda _step, n: bar.update(task, advance=1))
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"[green]比对完成：来源记录 {run.records} 条，登记 {run.entries} 人，"
                  f"待确认 {run.review_pairs} 对，标识 {run.flags} 项（{run.seconds} 秒）[/]")


@enrollment_app.command("update")
def enrollment_update() -> None:
    """动态更新：新增或变更的登记与来源记录按证件号归入登记库，不重新全量比对（可重复执行）。"""
    from jingban.enrollment import batch as enrollment_batch

    with _database() as (settings, engine), make_sessionmaker(engine, settings)() as db:
        try:
            run = enrollment_batch.update(db, ENROLLMENT_ACTOR, settings)
        except JingbanError as exc:
            _fail(exc.message, 2)
    console.print(f"动态更新：处理记录 {run.records} 条，涉及 {run.entries} 人")


def _demo_medmat(engine: Engine, settings: Settings) -> None:  # medmat
    """A maternity allowance, a chronic recognition and a manual claim (benefits.medical.demo)."""
    from jingban.benefits.medical import demo as medical_demo  # medmat

    with make_sessionmaker(engine, settings)() as db:  # medmat
        seeded = medical_demo.seed(db)  # medmat
        db.commit()  # medmat
    if seeded is not None:  # medmat
        console.print(f"医疗生育演示：{seeded.mother.name}的生育津贴、"  # medmat
                      f"{seeded.patient.name}的门诊慢特病认定和手工报销已办结"  # medmat
                      f"（{'、'.join(seeded.cases)}），本人在“我的待遇”（/my/benefits）查看。")  # medmat


def _demo_enrollment(engine: Engine, settings: Settings) -> None:  # enrollment
    """The registry from several sources with planted duplicates and gaps (jingban.enrollment.demo)."""
    from jingban.enrollment import demo as enrollment_demo

    with make_sessionmaker(engine, settings)() as db:
        seeded = enrollment_demo.seed(db, settings)
    if seeded is None:
        return
    console.print(f"全民参保登记演示：{seeded.files} 个来源文件比对为 {seeded.run.entries} 人，"
                  f"标识 {seeded.run.flags} 项；clerk 打开参保人 {seeded.prompted[0]} 时"
                  "提示补充联系电话和地址。")


def _demo_injury(engine: Engine, settings: Settings) -> None:  # injury
    """Work-injury recipients of each kind (jingban.benefits.injury.demo)."""
    from jingban.benefits.injury import demo as injury_demo

    with make_sessionmaker(engine, settings)() as db:
        seeded = injury_demo.seed(db)
    if seeded is None:
        console.print("演示地区参加工伤保险的职工不足，未生成工伤保险演示数据")
        return
    console.print(f"工伤演示：{seeded.disabled.name}（伤残3级，按月领取伤残津贴和生活护理费）、"
                  f"{seeded.ended.name}（伤残7级，终止劳动关系）、{seeded.deceased.name}因工死亡"
                  f"（{seeded.dependant.name}领取供养亲属抚恤金）；{seeded.waiting.name}已认定工伤，"
                  "由 clerk 在“工伤保险待遇”受理劳动能力鉴定申请。")
    if seeded.reappraised is not None:  # benfix
        console.print(f"工伤再次鉴定演示：{seeded.reappraised.name}由伤残4级再次鉴定为2级，"  # benfix
                      "伤残津贴已按新等级重新核定（工伤待遇页和本人“我的工伤保险”可见）。")  # benfix
def _demo_agreements(engine: Engine, settings: Settings) -> None:  # agrfin
    """Contracted institutions, last month's claims flagged, decided and settled, and a breach
    notice (jingban.agreements.demo.seed_region)."""
    from jingban.agreements import demo as agreements_demo

    with make_sessionmaker(engine, settings)() as db:
        seeded = agreements_demo.seed_region(db)
    console.print(f"服务协议演示：{seeded.institutions} 家定点机构已签订服务协议；{seeded.period} "
                  f"上传结算单 {seeded.claims} 张，审核疑点 {seeded.flagged} 条已逐条审核，"
                  f"{len(seeded.settlements)} 笔月度结算已审批并记入基金账（机构在“机构服务”查看核减理由）；"
                  "1 件违约处理告知待机构陈述申辩。")
    console.print("补报结算单演示：演示市第一人民医院首次结算后补报的结算单"  # claims13
                  "有 2 条疑点待 reviewer_1 审核，再由 accountant 在“医疗费用审核”"  # claims13
                  "提交补充结算（第2次）；机构以 hospital 登录查看。")  # claims13


def _demo_unemployment(engine: Engine, settings: Settings) -> None:  # agrfin
    """An unemployed person receiving benefit (jingban.benefits.unemployment.demo)."""
    from jingban.benefits.unemployment import demo as unemployment_demo

    with make_sessionmaker(engine, settings)() as db:
        seeded = unemployment_demo.seed(db, settings.region)
    if seeded is None or seeded.award is None:
        return
    award = seeded.award
    console.print(f"失业保险演示：{seeded.person.name}（{seeded.person.ssn}）自 {award.start_period} 起"
                  f"领取失业保险金至 {award.last_period}（accountant 在“待遇发放”运行发放）。")
