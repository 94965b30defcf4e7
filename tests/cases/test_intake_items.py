"""Which catalog items a user may take in: one service function (the engine's intake rule)
that /cases/new lists; the clerk sees the counter items and no FUND-*, the accountant the
voucher items only; a form of an item one may not take in is refused in Chinese."""

from __future__ import annotations

from jingban.cases import catalog
from jingban.cases.service import intake_items
from jingban.core.actor import Actor
from tests.web.helpers import sign_in

FUND_ITEMS = {"FUND-MANUAL", "FUND-REVERSAL"}
FUND_ITEMS |= {"AGR-CLAIM-SETTLE"}  # claims: the accountant also prepares the monthly settlement
# the inspector takes in the list's decision case, and files inspections and penalties
INSPECTOR_ITEMS = {"OVS-DISHONESTY-LIST", "OVS-INSPECT", "OVS-INSPECT-CONCLUDE", "OVS-HANDOVER",
                   "OVS-PENALTY"}
# agreements: the agreement manager takes in the institution's lifecycle and breach cases
AGREEMENT_ITEMS = {"AGR-APPLY", "AGR-REVIEW", "AGR-SIGN", "AGR-RENEW", "AGR-EVALUATE", "AGR-BREACH"}


def codes(*roles: str) -> set[str]:
    return {x.code for x in intake_items(Actor("u", frozenset(roles)))}


def test_items_follow_the_intake_posts():
    everything = set(catalog.load()) - AGREEMENT_ITEMS  # agreements
    assert codes("agreement_manager") == AGREEMENT_ITEMS  # agreements
    clerk = codes("clerk")
    assert clerk == everything - FUND_ITEMS - INSPECTOR_ITEMS and "REG-PERSON" in clerk
    assert codes("accountant") == FUND_ITEMS
    assert codes("clerk", "accountant") == everything - INSPECTOR_ITEMS
    assert codes("inspector") == INSPECTOR_ITEMS
    assert codes("supervisor") == set() and codes("reviewer_1") == set()


def test_the_intake_page_lists_what_the_user_may_take_in(client, make_user):
    sign_in(client, make_user("items_clerk", "clerk"))
    page = client.get("/cases/new")
    assert page.status_code == 200 and "REG-PERSON-CORRECT" in page.text
    assert "FUND-" not in page.text and "基金手工记账凭证" not in page.text
    refused = client.get("/cases/new/FUND-MANUAL")
    assert refused.status_code == 403 and "基金手工记账凭证须由会计岗受理" in refused.text

    sign_in(client, make_user("items_acc", "accountant"))
    page = client.get("/cases/new")
    catalog_rows = page.text.split('id="catalog"')[1]
    assert "基金手工记账凭证" in catalog_rows and "基金记账凭证冲销" in catalog_rows
    assert 'href="/funds/manual"' in catalog_rows and 'href="/funds/entries"' in catalog_rows
    assert "REG-PERSON" not in catalog_rows
    assert client.get("/cases/new/REG-PERSON").status_code == 403

    sign_in(client, make_user("items_sup", "supervisor"))
    assert "您的岗位没有可受理的事项" in client.get("/cases/new").text
