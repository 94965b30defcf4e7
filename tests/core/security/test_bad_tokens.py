"""Every API endpoint of the OpenAPI, called with a missing, malformed, expired, revoked, tampered
or foreign-signed token: 401 with the house error and WWW-Authenticate, and nothing written. The
endpoints that need no token are named here, so a new public one cannot slip in unnoticed."""

import base64
import json
import re
import time

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select

from jingban.core.models import AuditEvent
from tests.conftest import PASSWORD, error_of

PUBLIC = {  # no bearer token: sign-in, activation, the signed transfer protocol, public pages
    ("post", "/api/v1/auth/token"), ("get", "/api/v1/verify/{code}"),
    ("post", "/api/v1/transfers/inbox"), ("get", "/api/v1/transfers/agency"),
    ("post", "/api/v1/activation/code"), ("post", "/api/v1/activation/confirm"),
    ("get", "/api/v1/public/funds"), ("get", "/api/v1/public/funds/{year}"),
}
# A token is optional here (the public may report anonymously), but a bad one is still refused.
OPTIONAL = {("post", "/api/v1/oversight/complaints/public"): {
    "anonymous": True, "accused_kind": "other", "accused_name": "某中介", "facts": "虚假申报"}}
SALT = "jingban.api-token"


def operations(app) -> list[tuple[str, str, dict]]:
    return [(method, path, op) for path, ops in app.openapi()["paths"].items()
            for method, op in ops.items()]


def _sample(param: dict) -> str:
    schema = param.get("schema", {})
    kinds = {s.get("type") for s in schema.get("anyOf", [schema])}
    return "1" if kinds & {"integer", "number"} else "x"


def url_of(path: str, op: dict) -> str:
    values = {p["name"]: _sample(p) for p in op.get("parameters", []) if p["in"] == "path"}
    return re.sub(r"\{([^}]+)\}", lambda m: values.get(m.group(1), "1"), path)


def _serializer(secret: str, signer=TimestampSigner) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=SALT, signer=signer)


class _LongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        return int(time.time()) - 10 * 3600  # the test settings' tokens live one hour


def _tampered(token: str, uid: int) -> str:
    """The same signature over a payload naming someone else."""
    payload, rest = token.split(".", 1)
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    data["uid"] = uid + 1
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=") + "." + rest


@pytest.fixture
def bad_tokens(client, make_user, settings, sessions) -> dict[str, str | None]:
    make_user("walker", "clerk", "reviewer_1")
    reply = client.post("/api/v1/auth/token", data={"username": "walker", "password": PASSWORD})
    live = reply.json()["access_token"]
    payload = _serializer(settings.secret_key).loads(live)
    revoked = client.post("/api/v1/auth/token",
                          data={"username": "walker", "password": PASSWORD}).json()["access_token"]
    assert client.post("/api/v1/auth/logout",
                       headers={"Authorization": f"Bearer {revoked}"}).status_code == 204
    return {
        "missing": None,
        "malformed": "not-a-token",
        "expired": _serializer(settings.secret_key, _LongAgo).dumps(payload),
        "revoked": revoked,
        "tampered": _tampered(live, payload["uid"]),
        "foreign": _serializer("another-agency-key").dumps(payload),
        "no_session": _serializer(settings.secret_key).dumps({**payload, "sid": "forged"}),
    }


def test_public_endpoints_are_only_the_named_ones(app):
    public = {(m, p) for m, p, op in operations(app) if not op.get("security")}
    assert public == PUBLIC


def test_every_endpoint_refuses_a_bad_token(client, app, bad_tokens, sessions):
    with sessions() as db:
        events = db.execute(select(func.count()).select_from(AuditEvent)).scalar()
    secured = [(m, p, op) for m, p, op in operations(app) if (m, p) not in PUBLIC]
    assert len(secured) > 150
    wrong = []
    for method, path, op in secured:
        url = url_of(path, op)
        body = OPTIONAL.get((method, path), {}) if method in ("post", "put", "patch") else None
        for kind, token in bad_tokens.items():
            if kind == "missing" and (method, path) in OPTIONAL:
                continue
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            reply = client.request(method.upper(), url, headers=headers, json=body)
            if reply.status_code != 401 or reply.headers.get("www-authenticate") != "Bearer":
                wrong.append((method, path, kind, reply.status_code, reply.text[:120]))
                continue
            assert error_of(reply)["code"].startswith("auth.")
    assert not wrong, sorted({(m, p, s) for m, p, _, s, _ in wrong})
    with sessions() as db:
        assert db.execute(select(func.count()).select_from(AuditEvent)).scalar() == events
