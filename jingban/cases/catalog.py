"""The item catalog (事项目录), loaded from policy/catalog/*.yaml and validated whole."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from jingban.cases.rules import CHANNELS, Item
from jingban.core.config import PROJECT_ROOT
from jingban.core.errors import InvalidInput, NotFound
from jingban.core.rules import ROLES

CATALOG_DIR = PROJECT_ROOT / "policy" / "catalog"


def parse(text: str, source: str = "") -> dict[str, Item]:
    """Items keyed by code; a material without a legal basis refuses the whole file (R§31)."""
    try:
        items = [Item.model_validate(raw) for raw in yaml.safe_load(text) or []]
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise InvalidInput("catalog.invalid", f"事项目录 {source} 第 {where} 项不合法：{first['msg']}",
                           where) from None
    catalog: dict[str, Item] = {}
    for item in items:
        if item.code in catalog:
            raise InvalidInput("catalog.duplicate", f"事项编码 {item.code} 重复", "code")
        if set(item.channels) - CHANNELS:
            raise InvalidInput("catalog.channel", f"事项 {item.code} 的办理渠道不正确", "channels")
        if set(item.intake_roles) - ROLES:
            raise InvalidInput("catalog.intake_roles", f"事项 {item.code} 的受理岗位不正确", "intake_roles")
        catalog[item.code] = item
    return catalog


@lru_cache(maxsize=4)
def load(directory: Path = CATALOG_DIR) -> dict[str, Item]:
    catalog: dict[str, Item] = {}
    for path in sorted(directory.glob("*.yaml")):
        catalog.update(parse(path.read_text(encoding="utf-8"), path.name))
    return catalog


def item(code: str) -> Item:
    found = load().get(code)
    if found is None:
        raise NotFound("case.item_unknown", f"事项目录中没有编码为 {code} 的事项", "item")
    return found
