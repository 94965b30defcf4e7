"""The inter-agency protocol's plumbing: the agency directory, this agency's signing key,
and signed envelopes (Ed25519 signature over the header, the payload fixed by its SM3 digest).

Settings:
- ``JINGBAN_AGENCY_DIRECTORY``: YAML file listing the agencies (region, name, base_url and
  public_key — base64 of the raw 32-byte Ed25519 key — or public_key_file, a path relative to
  the directory file);
- ``JINGBAN_SIGNING_KEY``: this agency's private key (PEM); default ``<var>/transfer-signing.key``,
  created by ``jingban init`` (or the first time it is needed) when missing, with the public key
  beside it as ``.pub``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
import uuid
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from jingban.core import clock
from jingban.core.config import var_dir
from jingban.core.errors import AuthError, InvalidInput, JingbanError, PermissionDenied

VERSION = 1
HEADER = ("v", "message_id", "kind", "from", "to", "ref", "sent_at", "digest")


class ProtocolError(JingbanError):
    """The message itself is refused (not the business act it carries)."""

    status = 401


class Untimely(ProtocolError):
    """Authentic but signed outside the freshness window: the sender re-signs and sends again."""

    status = 409


class TooLarge(JingbanError):
    status = 413


def canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      default=str).encode("utf-8")


def sm3(data: bytes) -> str:
    """国密 SM3 digest through cryptography's hashes.SM3 (GB/T 32905-2016)."""
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


# --- directory ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Agency:
    region: str
    name: str
    base_url: str
    public_key: Ed25519PublicKey


def directory_path() -> Path | None:
    value = os.environ.get("JINGBAN_AGENCY_DIRECTORY")
    return Path(value).resolve() if value else None


def _read_directory(path: str, skip_missing: bool) -> dict[str, Agency]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    agencies = {}
    for entry in data.get("agencies") or []:
        region = str(entry["region"])
        try:
            key = _public_key(entry, Path(path).parent)
        except FileNotFoundError:
            if not skip_missing:
                raise
            continue  # a peer whose key file is not there yet (demo start-up) is not known yet
        agencies[region] = Agency(region, str(entry.get("name") or region),
                                  str(entry["base_url"]).rstrip("/"), key)
    return agencies


@lru_cache(maxsize=4)
def _load_directory(path: str, _mtime: float) -> dict[str, Agency]:
    return _read_directory(path, skip_missing=False)


def _public_key(entry: dict, here: Path) -> Ed25519PublicKey:
    if key := entry.get("public_key"):
        return Ed25519PublicKey.from_public_bytes(base64.b64decode(key))
    key_file = here / str(entry["public_key_file"])
    return serialization.load_pem_public_key(key_file.read_bytes())  # type: ignore[return-value]


def directory() -> dict[str, Agency]:
    """Every known agency by region code (read again when the file changes)."""
    path = directory_path()
    if path is None or not path.exists():
        return {}
    try:
        return _load_directory(str(path), path.stat().st_mtime)
    except FileNotFoundError:  # not cached: read again until every key file is there
        return _read_directory(str(path), skip_missing=True)


def agency(region: str) -> Agency:
    found = directory().get(region)
    if found is None:
        raise PermissionDenied("transfers.unknown_agency",
                               f"经办机构目录中没有地区 {region} 的经办机构，无法往来转移业务", "region")
    return found


def peer(region: str, mine: str) -> Agency:
    """The other agency of a transfer, never this one."""
    if region == mine:
        raise InvalidInput("transfers.same_region", "转出地与转入地不能是同一统筹地区", "peer_region")
    try:
        return agency(region)
    except PermissionDenied as exc:
        raise InvalidInput(exc.code, exc.message, "peer_region") from None


# --- this agency's key --------------------------------------------------------------------------

def key_path() -> Path:
    value = os.environ.get("JINGBAN_SIGNING_KEY")
    return Path(value).resolve() if value else var_dir() / "transfer-signing.key"


def ensure_key(path: Path | None = None) -> tuple[Path, bool]:
    """Create the signing key (and its .pub) when missing; (path, created)."""
    path = path or key_path()
    if path.exists():
        return path, False
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    path.with_suffix(".pub").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    return path, True


@lru_cache(maxsize=4)
def _read_key(path: str) -> Ed25519PrivateKey:
    return serialization.load_pem_private_key(Path(path).read_bytes(), None)  # type: ignore


def signing_key(path: str | None = None) -> Ed25519PrivateKey:
    """This agency's key: the session's (``db.info["signing_key"]``, when given) or the
    configured one."""
    found, _ = ensure_key(Path(path) if path else None)
    return _read_key(str(found))


def public_key_b64(key: Ed25519PrivateKey) -> str:
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


# --- envelopes ----------------------------------------------------------------------------------

def seal(key: Ed25519PrivateKey, kind: str, sender: str, recipient: str, ref: str,
         payload: dict, message_id: str | None = None) -> dict:
    """A signed message, sent now; a fresh message id unless one is given."""
    header = {"v": VERSION, "message_id": message_id or uuid.uuid4().hex, "kind": kind,
              "from": sender, "to": recipient, "ref": ref,
              "sent_at": clock.now().isoformat(timespec="seconds"), "digest": sm3(canonical(payload))}
    signature = base64.b64encode(key.sign(canonical(header))).decode()
    return {**header, "payload": payload, "signature": signature}


def reseal(key: Ed25519PrivateKey, envelope: dict) -> dict:
    """The same message (id, kind, ref, payload) signed again with a fresh sent_at: what each
    delivery attempt sends, so a message retried after a long outage is never stale."""
    return seal(key, envelope["kind"], envelope["from"], envelope["to"], envelope["ref"],
                envelope["payload"], message_id=envelope["message_id"])


def _shown(region: object) -> str:
    """A region code as received, for a message: never Python's rendering of a list or dict."""
    return region if isinstance(region, str) else "（格式不正确）"


def open_envelope(envelope: dict, mine: str) -> Agency:
    """Check a received message: addressed here, from a known agency, payload intact,
    signature valid. Returns the sender; refuses with a clear reason otherwise."""
    if envelope.get("to") != mine:
        raise ProtocolError("transfers.wrong_agency",
                            f"该报文发往地区 {_shown(envelope.get('to'))}，不是本经办机构（{mine}）", "to")
    sender = agency(_shown(envelope.get("from")))
    if sm3(canonical(envelope.get("payload"))) != envelope.get("digest"):
        raise ProtocolError("transfers.tampered", "报文内容与其SM3摘要不符，可能已被篡改，拒绝接收",
                            "payload")
    _verify(sender.public_key, {k: envelope.get(k) for k in HEADER}, envelope.get("signature"))
    return sender


def check_fresh(envelope: dict, now: dt.datetime, max_age: dt.timedelta,
                max_ahead: dt.timedelta) -> None:
    """Refuse a (verified) message whose signed sent_at is outside [now - max_age, now + max_ahead]."""
    sent = _sent_at(envelope.get("sent_at"))
    if sent < now - max_age:
        raise Untimely("transfers.stale",
                       f"报文签发时间 {envelope['sent_at']} 已超过 {_hours(max_age)} 小时的有效期，拒收；"
                       "请发送机构以同一报文编号重新签名后重发", "sent_at")
    if sent > now + max_ahead:
        raise Untimely("transfers.future_dated",
                       f"报文签发时间 {envelope['sent_at']} 晚于本机构当前时间超过 "
                       f"{int(max_ahead.total_seconds() // 60)} 分钟，请发送机构核对系统时钟", "sent_at")


def _sent_at(value: Any) -> dt.datetime:
    try:
        sent = dt.datetime.fromisoformat(str(value))
    except ValueError:
        sent = None
    if sent is None or sent.tzinfo is None:
        raise ProtocolError("transfers.sent_at", "报文签发时间（sent_at）缺失或格式不正确（须带时区）",
                            "sent_at")
    return sent


def _hours(span: dt.timedelta) -> str:
    return f"{span.total_seconds() / 3600:g}"


def _verify(public_key: Ed25519PublicKey, signed: dict, signature: Any) -> None:
    try:
        public_key.verify(base64.b64decode(str(signature), validate=True), canonical(signed))
    except (InvalidSignature, ValueError):
        raise ProtocolError("transfers.bad_signature", "报文签名验证失败（发送机构签名不符），拒绝接收",
                            "signature") from None


def sign_ack(key: Ed25519PrivateKey, ack: dict) -> dict:
    return {"ack": ack, "signature": base64.b64encode(key.sign(canonical(ack))).decode()}


def verify_ack(sender: Agency, answer: dict, message_id: str) -> dict:
    """The peer's signed acknowledgement of one of our messages."""
    ack = answer.get("ack")
    if not isinstance(ack, dict) or ack.get("message_id") != message_id:
        raise AuthError("transfers.bad_ack", "对方回执与所发报文不符")
    _verify(sender.public_key, ack, answer.get("signature"))
    return ack
