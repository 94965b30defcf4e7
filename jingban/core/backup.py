"""Backup and restore (数据备份恢复, GB/T 22239-2019 8.1.4.11; R§53 records never lost).

A backup is one folder ``jingban-backup-<UTC time>/`` holding

* the database: ``database.dump`` (pg_dump custom format) on PostgreSQL, ``database.sqlite``
  (the SQLite online backup API, a consistent copy of a live file) on SQLite;
* ``policy/<n>/`` the policy folders in use, ``calendar/`` the loaded working calendars and
  ``keys/`` the key files (the secret key, the transfer signing key, any other key in var/);
* ``manifest.json``: the row count of every table and the audit chain head (seq and hash), both
  taken in the very snapshot the dump is made of (PostgreSQL: an exported snapshot handed to
  pg_dump), whether the chain verified then, and the SHA-256 of every file above.

Restoring checks every file against the manifest first, loads the database into an empty one
(``force`` replaces a non-empty one), puts keys and calendars back, and then verifies: every
table's row count as in the manifest, the audit chain whole and ending at the manifest's head.
The caller then anchors that head (core.anchor), the deliberate act that sets the anchor back.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import hashlib
import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, create_engine, inspect, text
from sqlalchemy.engine import Engine, make_url

from jingban.core import chain
from jingban.core.errors import Conflict, InvalidInput

MANIFEST = "manifest.json"
FORMAT = 1


@dataclass
class Sources:
    """What besides the database goes into a backup, and where it is restored to."""

    policy_dirs: tuple[Path, ...]
    calendar_dir: Path
    key_files: dict[str, Path]  # name in keys/ -> where the key lives
    key_dir: Path  # where a key the backup has and this installation does not know goes


@dataclass
class Outcome:
    manifest: dict
    folder: Path
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if parsed.database in (None, "", ":memory:"):
        raise InvalidInput("backup.memory", "内存数据库无法备份", "database_url")
    return Path(parsed.database)


# --- the snapshot: counts and head ----------------------------------------------------------

def _tables(conn: Connection) -> list[str]:
    return sorted(inspect(conn).get_table_names())


def census(conn: Connection) -> dict:
    """Row counts of every table, the chain head and whether the chain verifies, all read on
    ``conn`` (one snapshot)."""
    counts = {name: int(conn.execute(text(f'SELECT count(*) FROM "{name}"')).scalar())
              for name in _tables(conn)}
    verdict = chain.verify(conn) if "audit_event" in counts else chain.Verdict(True, 0)
    seq, head_hash = chain.head(conn) if "audit_event" in counts else (0, chain.GENESIS)
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar() \
        if "alembic_version" in counts else None
    return {"tables": counts, "audit_head": {"seq": seq, "hash": head_hash},
            "audit_verified": verdict.ok, "audit_problem": verdict.problem,
            "revision": revision}


# --- backup -------------------------------------------------------------------------------

def create(engine: Engine, url: str, target: Path, sources: Sources) -> Outcome:
    """Write a backup folder under ``target``; its manifest."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    folder = target / f"jingban-backup-{stamp}"
    if folder.exists():
        raise Conflict("backup.exists", f"备份目录 {folder} 已存在，请稍后重试", "out")
    folder.mkdir(parents=True)
    database = _dump(engine, url, folder)
    manifest = {"format": FORMAT, "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "backend": engine.dialect.name, **database}
    manifest["restore_keys"] = _copy_sources(folder, sources)
    manifest["files"] = {str(p.relative_to(folder)): sha256_of(p)
                         for p in sorted(folder.rglob("*")) if p.is_file()}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                   encoding="utf-8")
    problems = [] if manifest["audit_verified"] else [f"备份时审计链校验未通过：{manifest['audit_problem']}"]
    return Outcome(manifest, folder, problems)


def _dump(engine: Engine, url: str, folder: Path) -> dict:
    source = _sqlite_file(url)
    if source is not None:
        out = folder / "database.sqlite"
        with sqlite3.connect(source) as live, sqlite3.connect(out) as copy:
            live.backup(copy)
        return {"database": out.name, **_census_of_sqlite(out)}
    out = folder / "database.dump"
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
        facts = census(conn)
        subprocess.run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                        f"--file={out}", f"--dbname={libpq_url(url)}"],
                       check=True, capture_output=True, text=True)
    return {"database": out.name, **facts}


def _census_of_sqlite(path: Path) -> dict:
    """Counted in the copy itself: what the live file holds may have moved on meanwhile."""
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.connect() as conn:
            return census(conn)
    finally:
        engine.dispose()


def _copy_sources(folder: Path, sources: Sources) -> dict[str, str]:
    for index, policy_dir in enumerate(sources.policy_dirs):
        if policy_dir.is_dir():
            shutil.copytree(policy_dir, folder / "policy" / str(index))
    if sources.calendar_dir.is_dir():
        shutil.copytree(sources.calendar_dir, folder / "calendar")
    restore_to = {}
    for name, path in sources.key_files.items():
        if path.is_file():
            (folder / "keys").mkdir(exist_ok=True)
            shutil.copy2(path, folder / "keys" / name)
            restore_to[name] = str(path)
    return restore_to


# --- restore ------------------------------------------------------------------------------

def read_manifest(folder: Path) -> dict:
    """The manifest, every file it lists present with its SHA-256 (InvalidInput otherwise)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise InvalidInput("backup.no_manifest", f"{folder} 不是经办系统备份（缺少 {MANIFEST}）", "folder")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise InvalidInput("backup.format", "备份格式版本不符", "folder")
    for name, expected in manifest["files"].items():
        file = folder / name
        if not file.is_file():
            raise InvalidInput("backup.missing_file", f"备份文件 {name} 缺失", "folder")
        if sha256_of(file) != expected:
            raise InvalidInput("backup.corrupt", f"备份文件 {name} 的 SHA-256 与清单不符（已损坏或被改动）",
                               "folder")
    return manifest


def restore(engine: Engine, url: str, folder: Path, sources: Sources, *,
            force: bool = False) -> Outcome:
    """Load a checked backup into the configured database, put files back, verify."""
    manifest = read_manifest(folder)
    backend = "sqlite" if _sqlite_file(url) is not None else "postgresql"
    if manifest["backend"] != backend:
        raise InvalidInput("backup.backend", f"该备份来自 {manifest['backend']}，不能恢复到 {backend}",
                           "folder")
    outcome = Outcome(manifest, folder)
    _load(engine, url, folder / manifest["database"], force)
    outcome.notes += _restore_files(folder, manifest, sources, force)
    outcome.problems += check(engine, manifest)
    return outcome


def _load(engine: Engine, url: str, dump: Path, force: bool) -> None:
    with engine.connect() as conn:
        occupied = bool(_tables(conn))
    if occupied and not force:
        raise Conflict("restore.not_empty", "目标数据库不是空库：确需覆盖请加 --force", "database_url")
    engine.dispose()  # no pooled connection may hold the file or the schema while it is replaced
    target = _sqlite_file(url)
    if target is not None:  # the backup API writes through the live file's own journal (WAL)
        target.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(dump) as copy, sqlite3.connect(target) as live:
            copy.backup(live)
        return
    result = subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner",
                             "--exit-on-error", "--single-transaction",
                             f"--dbname={libpq_url(url)}", str(dump)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise Conflict("restore.pg_restore", f"pg_restore 失败：{result.stderr.strip()[:500]}", "folder")


def _restore_files(folder: Path, manifest: dict, sources: Sources, force: bool) -> list[str]:
    notes = []
    for name in manifest.get("restore_keys", {}):
        target = sources.key_files.get(name, sources.key_dir / name)
        if target.exists() and not force and not filecmp.cmp(target, folder / "keys" / name,
                                                             shallow=False):
            notes.append(f"密钥 {target} 与备份不同，未覆盖（确需覆盖请加 --force）")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(folder / "keys" / name, target)
    if (folder / "calendar").is_dir():
        shutil.copytree(folder / "calendar", sources.calendar_dir, dirs_exist_ok=True)
    notes += _policy_differences(folder, sources)
    return notes


def _policy_differences(folder: Path, sources: Sources) -> list[str]:
    notes = []
    for index, policy_dir in enumerate(sources.policy_dirs):
        saved = folder / "policy" / str(index)
        if not saved.is_dir():
            continue
        for path in sorted(saved.rglob("*")):
            current = policy_dir / path.relative_to(saved)
            if path.is_file() and (not current.is_file()
                                   or not filecmp.cmp(path, current, shallow=False)):
                notes.append(f"政策文件 {current} 与备份时不同（备份中为 {path}）")
    return notes


def check(engine: Engine, manifest: dict) -> list[str]:
    """What in the database does not agree with the manifest (empty: all agrees)."""
    with engine.connect() as conn:
        found = census(conn)
    problems = [f"表 {name}：备份时 {count} 行，恢复后 {found['tables'].get(name, '缺表')} 行"
                for name, count in manifest["tables"].items() if found["tables"].get(name) != count]
    problems += [f"表 {name} 不在备份中" for name in found["tables"] if name not in manifest["tables"]]
    if not found["audit_verified"]:
        problems.append(f"恢复后审计链校验未通过：{found['audit_problem']}")
    if found["audit_head"] != manifest["audit_head"]:
        problems.append(f"恢复后审计链头（第 {found['audit_head']['seq']} 条）与备份清单"
                        f"（第 {manifest['audit_head']['seq']} 条）不符")
    return problems
