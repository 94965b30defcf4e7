"""The injury and unemployment records share one payments table (staff/_award_tables.html) and
show the payee's account the house way: in full only to a role that sees bank accounts in full
(privacy.sees_full: the cashier), masked to the rest (jingban.core.privacy.mask_bank)."""

from __future__ import annotations

import pytest

from jingban.core import auth, clock, privacy
from tests.benefits.injury.helpers import BANK as INJURY_BANK
from tests.benefits.injury.helpers import injured, recognised, take
from tests.benefits.stop_helpers import TODAY, payroll, through_review
from tests.benefits.unemployment.helpers import BANK as UNEMPLOYMENT_BANK
from tests.benefits.unemployment.helpers import claim, months, unemployed
from tests.web.helpers import sign_in

NUMBER = "杭人社工认〔2026〕301号"
HEAD = '<table class="grid payments"><thead><tr><th>月份</th><th>类别</th>'


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: TODAY)


def _recipients(sessions) -> tuple[str, str]:
    """An injured worker on a grade-3 allowance and an unemployed person, each paid 202610."""
    worker, unit = injured(sessions, base=600000, name="工伤账户甲")
    recognised(sessions, worker, unit, NUMBER, grade=3)
    take(sessions, "BEN-INJURY-DISABILITY", worker, {"decision_number": NUMBER, "bank_account": INJURY_BANK})
    jobless = unemployed(sessions, periods=months(202310, 202609), name="失业账户乙")
    assert through_review(sessions, "BEN-UNEMPLOYMENT", {"ssn": jobless, **claim()})["status"] == "completed"
    payroll(sessions, 202610)
    return worker, jobless


def test_the_account_masked_for_the_clerk_in_full_for_a_role_that_sees_it_and_one_payments_table(
        client, make_user, sessions, monkeypatch):
    worker, jobless = _recipients(sessions)
    make_user("clerk-t", "clerk")
    make_user("inspector-t", "inspector")
    assert not privacy.sees_full({"clerk"}, "bank_account") and privacy.sees_full({"cashier"}, "bank_account")
    sign_in(client, "clerk-t")
    injury, unemployment = (client.get(f"/persons/{worker}/injury").text,
                            client.get(f"/persons/{jobless}/unemployment").text)
    # 6217000010008880001 → 6217 + 11 × * + 0001 (the first four and the last four)
    assert "6217***********0001" in injury and INJURY_BANK not in injury
    assert "6217***********0001" in unemployment and UNEMPLOYMENT_BANK not in unemployment
    assert "6217****0001" not in unemployment  # the hand-made mask is gone
    # the one macro: 实发 only on the injury record, 应发 and 实发 on the unemployment one
    assert HEAD + '<th class="num">实发（元）</th>' in injury
    assert HEAD + '<th class="num">应发（元）</th><th class="num">实发（元）</th>' in unemployment
    assert "4,800.00" in injury and "2,241.00" in unemployment
    # The cashier, who sees accounts in full, holds no right to read a person's record (and may
    # not also be a clerk or an inspector, R§37): grant the full account to the inspector here.
    monkeypatch.setitem(auth.PERMISSIONS, "pii.full_bank_account", frozenset({"cashier", "inspector"}))
    sign_in(client, "inspector-t")
    assert INJURY_BANK in client.get(f"/persons/{worker}/injury").text
    assert UNEMPLOYMENT_BANK in client.get(f"/persons/{jobless}/unemployment").text
