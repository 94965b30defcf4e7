"""`jingban audit verify` and `jingban audit anchor` on the command line: the anchor written
by every command that writes, a cut-off tail found, a range verified, the fingerprint shown."""

from __future__ import annotations

import json

from tests.test_cli import _sql, cli  # noqa: F401 - the CLI fixture

STDIN = "clerk-pass-123\n"


def _four_events(cli):  # noqa: F811
    assert cli("init", "--admin-password", "admin-pass-2026").exit_code == 0
    for name in ("wang", "zhao", "qian"):
        assert cli("user", "add", name, "--role", "clerk", "--password-stdin",
                   stdin=STDIN).exit_code == 0


def test_verify_holds_the_chain_to_the_anchor(cli, tmp_path):  # noqa: F811
    _four_events(cli)
    anchor_file = tmp_path / "var" / "audit-anchor.json"
    assert json.loads(anchor_file.read_text())["seq"] == 4
    ok = cli("audit", "verify")
    assert ok.exit_code == 0 and "与锚定链头（第 4 条）一致" in ok.output and "指纹" in ok.output
    assert "共校验 2 条事件（第 2 至 3 条）" in cli("audit", "verify", "--from", "2", "--to", "3").output
    _sql("DELETE FROM audit_event WHERE id = 4")
    _sql("UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_event WHERE id = 3)")
    cut = cli("audit", "verify")
    assert cut.exit_code == 1 and "链尾被截断" in cut.output and "第 4 条" in cut.output
    assert cli("audit", "verify", "--to", "3").exit_code == 0  # the range before the cut holds
    refused = cli("audit", "anchor")
    assert refused.exit_code == 1 and "未覆盖" in refused.output
    assert json.loads(anchor_file.read_text())["seq"] == 4


def test_anchor_by_hand_and_a_forged_anchor(cli, tmp_path):  # noqa: F811
    _four_events(cli)
    anchor_file = tmp_path / "var" / "audit-anchor.json"
    anchor_file.unlink()
    missing = cli("audit", "verify")
    assert missing.exit_code == 1 and "锚定文件" in missing.output and "缺失" in missing.output
    made = cli("audit", "anchor")
    assert made.exit_code == 0 and "已锚定" in made.output
    body = json.loads(anchor_file.read_text())
    anchor_file.write_text(json.dumps({**body, "seq": 3}))
    forged = cli("audit", "verify")
    assert forged.exit_code == 1 and "签名不符" in forged.output
