"""Personal data at rest (R§35, R§49; GB/T 22239-2019 8.1.4.8 保密性): phone numbers and bank
accounts are sealed with SM4-GCM, and phones carry a keyed SM3 blind index so that search
still works.

The keys live outside the database: ``JINGBAN_DATA_KEY`` (``kid:hex[,kid:hex…]``) or the key
file ``JINGBAN_DATA_KEY_FILE`` (default ``var/data.keys``, one ``kid hex`` per line, made once
with mode 0600). The first key is the current one; the others are kept to open older values
until ``jingban keys rotate`` has re-sealed them. Each master key (32 random bytes) gives two
sub-keys by HMAC-SM3: the SM4 key and the blind-index key.

A sealed value is ``sm4g1:<kid>:<base64url(nonce ‖ ciphertext ‖ tag)>``: the key id travels
with each value. The additional data is the field kind ("phone", "bank_account"), so a
ciphertext cannot be moved to a field of another kind. SM4-GCM is OpenSSL's (through
``cryptography``'s ``Cipher(algorithms.SM4(key), modes.GCM(nonce))``); the test checks it
against the RFC 8998 vector. A value without the prefix is a plaintext left from before the
migration: it is read as it is and sealed by the next ``jingban keys rotate``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from sqlalchemy import String, Text
from sqlalchemy.types import TypeDecorator

from jingban.core.config import var_dir
from jingban.core.errors import JingbanError

PREFIX = "sm4g1"
ENV_KEY = "JINGBAN_DATA_KEY"
ENV_FILE = "JINGBAN_DATA_KEY_FILE"
KID = re.compile(r"^[a-z0-9]{1,16}$")
NONCE = 12
TAG = 16


class DataKeyError(JingbanError):
    """数据密钥缺失或不匹配."""

    status = 500


@dataclass(frozen=True)
class DataKey:
    kid: str
    sm4: bytes
    index: bytes


def _sub(master: bytes, label: bytes, size: int) -> bytes:
    mac = hmac.HMAC(master, hashes.SM3())
    mac.update(label)
    return mac.finalize()[:size]


def _key(kid: str, hexkey: str) -> DataKey:
    if not KID.match(kid):
        raise DataKeyError("keys.bad_id", f"数据密钥编号 {kid} 不合法（1–16位小写字母或数字）", "kid")
    try:
        master = bytes.fromhex(hexkey)
    except ValueError:
        raise DataKeyError("keys.bad_key", f"数据密钥 {kid} 不是十六进制", "key") from None
    if len(master) < 16:
        raise DataKeyError("keys.bad_key", f"数据密钥 {kid} 过短（至少16字节）", "key")
    return DataKey(kid, _sub(master, b"jingban.sm4-gcm", 16), _sub(master, b"jingban.blind", 32))


def key_file() -> Path:
    return Path(os.environ.get(ENV_FILE) or var_dir() / "data.keys")


def _parse(entries: list[str]) -> tuple[DataKey, ...]:
    keys = []
    for entry in entries:
        kid, _, hexkey = entry.strip().replace(":", " ", 1).partition(" ")
        keys.append(_key(kid, hexkey.strip()))
    if not keys:
        raise DataKeyError("keys.missing", "未配置数据密钥", "key")
    return tuple(keys)


def _file_entries(path: Path) -> list[str]:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"k1 {secrets.token_hex(32)}\n")
        path.chmod(0o600)
    return [line for line in path.read_text().splitlines() if line.strip()
            and not line.startswith("#")]


@lru_cache(maxsize=8)
def _ring(env: str, path: str) -> tuple[DataKey, ...]:
    return _parse(env.split(",") if env else _file_entries(Path(path)))


def ring() -> tuple[DataKey, ...]:
    """The key ring, current key first."""
    env = os.environ.get(ENV_KEY, "")  # load15: the file's path (a resolve) only when used
    return _ring(env, "" if env else _key_path(os.environ.get(ENV_FILE, ""),
                                              os.environ.get("JINGBAN_VAR_DIR", ""), os.getcwd()))


@lru_cache(maxsize=64)
def _key_path(_file: str, _var: str, _cwd: str) -> str:  # load15: each value opened resolved it
    return str(key_file())


def current() -> DataKey:
    return ring()[0]


def next_kid() -> str:
    """The id the next key of the key file gets (k1, k2, …)."""
    if os.environ.get(ENV_KEY):
        raise DataKeyError("keys.env", f"密钥由环境变量 {ENV_KEY} 提供，请在环境变量中增加新密钥", "key")
    used = {e.split()[0] for e in _file_entries(key_file())}
    return next(f"k{n}" for n in range(len(used) + 1, 10**6) if f"k{n}" not in used)


def add_key(kid: str | None = None) -> DataKey:
    """A new current key at the top of the key file (``jingban keys new``)."""
    kid = kid or next_kid()
    path = key_file()
    entries = _file_entries(path)
    if any(e.split()[0] == kid for e in entries):
        raise DataKeyError("keys.exists", f"数据密钥 {kid} 已存在", "kid")
    path.write_text("\n".join([f"{kid} {secrets.token_hex(32)}", *entries]) + "\n")
    _ring.cache_clear()
    return current()


def _by_kid(kid: str) -> DataKey:
    for key in ring():
        if key.kid == kid:
            return key
    raise DataKeyError("keys.unknown", f"找不到数据密钥 {kid}，无法解密", "kid")


def seal(value: str, kind: str, key: DataKey | None = None, *, fixed: bool = False) -> str:
    """``fixed``: the nonce derived from the value (for audit snapshots, so that an unchanged
    value compares equal; it reveals equality only)."""
    key = key or current()
    nonce = _sub(key.index, f"{kind}:{value}".encode(), NONCE) if fixed else os.urandom(NONCE)
    enc = Cipher(algorithms.SM4(key.sm4), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(kind.encode())
    body = enc.update(value.encode()) + enc.finalize()
    token = base64.urlsafe_b64encode(nonce + body + enc.tag).decode().rstrip("=")
    return f"{PREFIX}:{key.kid}:{token}"


def is_sealed(stored: str | None) -> bool:
    return bool(stored) and stored.startswith(PREFIX + ":")


def kid_of(stored: str) -> str | None:
    return stored.split(":", 2)[1] if is_sealed(stored) else None


def open_(stored: str, kind: str) -> str:
    """The plaintext of a sealed value (a legacy plaintext as it is)."""
    if not is_sealed(stored):
        return stored
    _, kid, token = stored.split(":", 2)
    raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    nonce, body, tag = raw[:NONCE], raw[NONCE:-TAG], raw[-TAG:]
    dec = Cipher(algorithms.SM4(_by_kid(kid).sm4), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(kind.encode())
    try:
        return (dec.update(body) + dec.finalize()).decode()
    except InvalidTag:
        raise DataKeyError("keys.tampered", "加密数据校验失败（密文被改动或密钥不符）", kind) from None


def phone_digits(phone: str | None) -> str:
    return re.sub(r"\D", "", phone or "")


def blind_index(phone: str | None, key: DataKey | None = None) -> str | None:
    """The keyed SM3 (HMAC-SM3) index of a phone's digits, prefixed by its key id."""
    digits = phone_digits(phone)
    if not digits:
        return None
    key = key or current()
    mac = hmac.HMAC(key.index, hashes.SM3())
    mac.update(digits.encode())
    return f"{key.kid}:{mac.finalize().hex()}"


def blind_indexes(phone: str | None) -> list[str]:
    """The index under every key of the ring: search still finds rows a rotation has not
    reached yet."""
    return [i for key in ring() if (i := blind_index(phone, key))]


class Sealed(TypeDecorator):
    """A text column stored sealed (SM4-GCM); Python code sees the plaintext."""

    impl = String
    cache_ok = True

    def __init__(self, kind: str, length: int = 200):
        super().__init__(length)
        self.kind = kind

    def process_bind_param(self, value, dialect):
        if not value:
            return value
        return seal(value, self.kind)

    def process_result_value(self, value, dialect):
        return open_(value, self.kind) if value else value


def phone_index_default(context) -> str | None:
    """Column default of ``person.phone_index`` for Core inserts (the demo's bulk load)."""
    return blind_index(context.get_current_parameters().get("phone"))


def search_indexes(query: str) -> list[str]:
    """The blind indexes to look a phone up by, when the query looks like one (7+ digits)."""
    if not re.fullmatch(r"[+\d\s-]{7,20}", query or "") or len(phone_digits(query)) < 7:
        return []
    return blind_indexes(query)


def column_kind(column) -> str | None:
    """The kind of a sealed column ("json" for a document with sealed fields), None for any
    other."""
    return column.type.kind if isinstance(column.type, Sealed | SealedFields) else None


def snapshot_value(column, value):
    """What the audit chain keeps of a column: a sealed column stays sealed (fixed nonce)."""
    kind = column_kind(column)
    if kind == "json":
        return seal_json(value, fixed=True)
    return seal(value, kind, fixed=True) if kind and value else value


def reveal(value):
    """A value from an audit snapshot in clear (a sealed one opened; others as they are)."""
    if isinstance(value, str) and is_sealed(value):
        for kind in ("phone", "bank_account"):
            try:
                return open_(value, kind)
            except DataKeyError:
                continue
        return "（已加密）"
    return value


# --- JSON documents with personal fields (a case's request payload) --------------------------

JSON_KINDS = {"phone": "phone", "bank_account": "bank_account"}


def _json_kind(key: str) -> str | None:
    """``phone``, ``reporter_phone``, ``bank_account``, ``payee_bank_account``… → their kind."""
    return next((kind for name, kind in JSON_KINDS.items()
                 if key == name or key.endswith("_" + name)), None)


def _walk(data, leaf):
    if isinstance(data, dict):
        return {k: leaf(v, kind) if (kind := _json_kind(str(k))) and isinstance(v, str) and v
                else _walk(v, leaf) for k, v in data.items()}
    if isinstance(data, list):
        return [_walk(v, leaf) for v in data]
    return data


def seal_json(text: str | None, *, fixed: bool = False) -> str | None:
    """The JSON text with each phone and bank account sealed (the rest as it is)."""
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return text
    if not isinstance(data, dict | list):
        return text
    sealed = _walk(data, lambda v, kind: v if is_sealed(v) and not fixed
                   else seal(open_(v, kind), kind, fixed=fixed))
    return json.dumps(sealed, ensure_ascii=False, default=str)


def open_json(text: str | None) -> str | None:
    try:
        data = json.loads(text) if text and PREFIX in text else None
    except ValueError:
        return text
    if data is None:
        return text
    return json.dumps(_walk(data, open_), ensure_ascii=False, default=str)


def json_stale(text: str | None) -> bool:
    """Whether a document holds a phone or account in clear or under an older key."""
    found: list[bool] = []
    try:
        data = json.loads(text) if text else None
    except ValueError:
        return False
    _walk(data, lambda v, kind: found.append(kid_of(v) != current().kid) or v)
    return any(found)


class SealedFields(TypeDecorator):
    """A JSON text column whose phone and bank-account fields are stored sealed."""

    impl = Text
    cache_ok = True
    kind = "json"

    def process_bind_param(self, value, dialect):
        return seal_json(value)

    def process_result_value(self, value, dialect):
        return open_json(value)
