"""Dated policy parameters (政策参数) per region, read from YAML.

Layout: ``policy/<scope>/*.yaml`` where scope is a 6-digit region code, a province code
(``XX0000``) or ``national``. A region sees its own values first, then its province's,
then the national ones. Each parameter names its legal basis and its dated values::

    registration.deadline_wd:
      description: 个人参保登记办结时限（工作日）
      reference: 《社会保险经办条例》第六条
      values:
        2023-12-01: 10

A value of ``null`` ends a parameter. Asking for a date before the first value, or after
it ended, is refused with PolicyError: a stale value is never used silently.
"""

from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from jingban.core.errors import PolicyError

NATIONAL = "national"


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    reference: str
    starts: tuple[dt.date, ...]
    values: tuple[Any, ...]

    def at(self, on_date: dt.date) -> Any:
        i = bisect.bisect_right(self.starts, on_date) - 1
        return None if i < 0 else self.values[i]

    def latest(self, on_date: dt.date) -> Any:
        """The last value set on or before ``on_date``, skipping the years still unpublished
        (null) however many there are; None when nothing was ever set."""
        i = bisect.bisect_right(self.starts, on_date) - 1
        return next((v for v in reversed(self.values[:i + 1]) if v is not None), None)


def _load_file(path: Path, scope: str) -> dict[str, Parameter]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    params = {}
    for name, spec in data.items():
        if not spec.get("reference"):
            raise ValueError(f"{path}: parameter {name} has no legal reference")
        dated = sorted((dt.date.fromisoformat(str(k)), v) for k, v in spec["values"].items())
        params[name] = Parameter(name, spec.get("description", ""), spec["reference"],
                                 tuple(d for d, _ in dated), tuple(v for _, v in dated))
    return params


class Policy:
    def __init__(self, dirs: tuple[Path, ...]):
        self.scopes: dict[str, dict[str, Parameter]] = {}
        for directory in reversed(dirs):  # earlier directories win
            for scope_dir in sorted(p for p in Path(directory).glob("*") if p.is_dir()):
                if scope_dir.name != NATIONAL and not scope_dir.name.isdigit():
                    continue
                scope = self.scopes.setdefault(scope_dir.name, {})
                for path in sorted(scope_dir.glob("*.yaml")):
                    scope.update(_load_file(path, scope_dir.name))

    def parameter(self, name: str, region: str) -> Parameter:
        for scope in (region, region[:2] + "0000", NATIONAL):
            if name in self.scopes.get(scope, {}):
                return self.scopes[scope][name]
        raise PolicyError("policy.unknown", f"地区 {region} 未配置政策参数 {name}", name)

    def value(self, name: str, region: str, on_date: dt.date) -> Any:
        found = self.parameter(name, region).at(on_date)
        if found is None:
            raise PolicyError("policy.no_value",
                              f"政策参数 {name} 在 {on_date} 没有有效值（地区 {region}）", name)
        return found

    def latest(self, name: str, region: str, on_date: dt.date) -> Any:
        return self.parameter(name, region).latest(on_date)


_current: Policy | None = None


def use(dirs: tuple[Path, ...]) -> Policy:
    """Load the parameter set the process runs with (the app and tests call this)."""
    global _current
    _current = Policy(dirs)
    return _current


def current() -> Policy:
    if _current is None:
        from jingban.core.config import Settings

        return use(Settings.from_env().policy_dirs)
    return _current


def value(name: str, region: str, on_date: dt.date) -> Any:
    return current().value(name, region, on_date)
