"""`jingban audit verify` and `jingban audit anchor` on the command line: the anchor written
by every command that writes, a cut-off tail found, a range verified, the fingerprint shown."""

from __future__ import annotations

import json

from tests.test_cli import _sql, cli  # noqa: F401 - the CLI fixture

STDIN = "clerk-pass-123\n"


def _init_and_three_users(cli) -> int:  # noqa: F811
    """Init, then three users: returns the head, the last user's event."""
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    for name in ("wang", "zhao", "qian"):
        assert cli("user", "add", name, "--role", "clerk", "--password-stdin",
                   stdin=STDIN).exit_code == 0
    return _sql("SELECT seq FROM audit_head")[0][0]


def test_verify_holds_the_chain_to_the_anchor(cli, tmp_path):  # noqa: F811
    head = _init_and_three_users(cli)
    anchor_file = tmp_path / "var" / "audit-anchor.json"
    assert json.loads(anchor_file.read_text())["seq"] == head
    ok = cli("audit", "verify")
    assert ok.exit_code == 0 and f"与锚定链头（第 {head} 条）一致" in ok.output and "指纹" in ok.output
    assert "共校验 2 条事件（第 2 至 3 条）" in cli("audit", "verify", "--from", "2", "--to", "3").output
    _sql(f"DELETE FROM audit_event WHERE id = {head}")
    _sql(f"UPDATE audit_head SET seq = {head - 1}, "
         f"hash = (SELECT hash FROM audit_event WHERE id = {head - 1})")
    cut = cli("audit", "verify")
    assert cut.exit_code == 1 and "链尾被截断" in cut.output and f"第 {head} 条" in cut.output
    assert cli("audit", "verify", "--to", str(head - 1)).exit_code == 0  # before the cut holds
    refused = cli("audit", "anchor")
    assert refused.exit_code == 1 and "未覆盖" in refused.output
    assert json.loads(anchor_file.read_text())["seq"] == head


def test_anchor_by_hand_and_a_forged_anchor(cli, tmp_path):  # noqa: F811
    head = _init_and_three_users(cli)
    anchor_file = tmp_path / "var" / "audit-anchor.json"
    anchor_file.unlink()
    missing = cli("audit", "verify")
    assert missing.exit_code == 1 and "锚定文件" in missing.output and "缺失" in missing.output
    made = cli("audit", "anchor")
    assert made.exit_code == 0 and "已锚定" in made.output
    body = json.loads(anchor_file.read_text())
    anchor_file.write_text(json.dumps({**body, "seq": head - 1}))
    forged = cli("audit", "verify")
    assert forged.exit_code == 1 and "签名不符" in forged.output
