"""Received files: a name safe to store, and a JSON array of objects read so that each object
keeps its exact text and line (the evidence of what was received). Pure functions."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from jingban.core.audit import canonical, sm3
from jingban.core.errors import InvalidInput


@dataclass(frozen=True)
class Item:
    """One record of a feed file: where it was, its text as received, what it says."""

    line: int
    raw: str
    data: dict[str, Any] | None
    problem: str = ""

    @property
    def key(self) -> str:
        """Idempotency key: the source's event id, else SM3 of the canonical record."""
        event_id = (self.data or {}).get("event_id")
        if isinstance(event_id, str | int) and 0 < len(str(event_id).strip()) <= 64:
            return str(event_id).strip()
        return sm3(canonical(self.data) if self.data is not None else self.raw)


def file_error(message: str) -> InvalidInput:
    return InvalidInput("file.invalid", message, "file")


def safe_filename(name: str) -> str:
    printable = "".join(ch for ch in (name or "") if ch.isprintable())
    return PurePath(printable.replace("\\", "/")).name[:200] or "未命名文件"


def clean(data: dict[str, Any]) -> dict[str, Any]:
    """Empty cells mean "not given"."""
    return {k: v for k, v in data.items()
            if v is not None and not (isinstance(v, str) and not v.strip())}


_WS = " \t\r\n"


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WS:
        pos += 1
    return pos


def json_items(text: str, error: Callable[[str], InvalidInput] = file_error) -> list[Item]:
    """A JSON array of objects, read element by element so each keeps its exact text;
    ``error`` makes the refusal of a file that cannot be read (in the caller's terms)."""
    decoder, items = json.JSONDecoder(), []
    pos = _skip(text, 0)
    if not text.startswith("[", pos):
        raise error("JSON 文件应为对象数组（以 [ 开头）")
    pos = _skip(text, pos + 1)
    try:
        while not text.startswith("]", pos):
            value, end = decoder.raw_decode(text, pos)
            items.append(_json_item(text.count("\n", 0, pos) + 1, text[pos:end], value))
            pos = _skip(text, end)
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
            elif not text.startswith("]", pos):
                raise json.JSONDecodeError("应为逗号或 ]", text, pos)
    except json.JSONDecodeError as exc:
        raise error(f"JSON 格式错误（第{exc.lineno}行第{exc.colno}列）") from None
    if _skip(text, pos + 1) != len(text):
        raise error("JSON 数组结束后还有多余内容")
    return items


def _json_item(line: int, raw: str, value: Any) -> Item:
    if not isinstance(value, dict):
        return Item(line, raw, None, "记录应为 JSON 对象")
    if _unstorable(value):
        return Item(line, raw, None, "记录含有非法字符（\\u0000 或不成对的 \\uD800–\\uDFFF）")
    return Item(line, raw, clean(value))


def _unstorable(value: Any) -> bool:
    """NUL and lone surrogates (legal JSON escapes) cannot be stored as text."""
    if isinstance(value, str):
        return any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in value)
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    return isinstance(value, list) and any(_unstorable(v) for v in value)
