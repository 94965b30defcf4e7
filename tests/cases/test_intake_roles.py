"""Per-item intake posts: an agency's internal item (手工记账) is taken in by the posts the catalog
names; every other item keeps the clerk's intake (cases.intake) or the applicant's online."""

from __future__ import annotations

import pytest

from jingban.cases import catalog, rules
from jingban.cases.service import require_intake
from jingban.core.actor import Actor
from jingban.core.errors import InvalidInput, PermissionDenied

ITEM = """
- code: X
  name: 测试事项
  insurance: all
  applicant: agency
  channels: [counter]
  deadline_wd: 5
  deadline_basis: 测试
  review_levels: 1
  act: null
  intake_roles: [{roles}]
  materials: []
"""


def test_catalog_names_known_posts_only():
    item = catalog.parse(ITEM.format(roles="accountant"), "t.yaml")["X"]
    assert item.intake_roles == ["accountant"]
    with pytest.raises(InvalidInput) as err:
        catalog.parse(ITEM.format(roles="treasurer"), "t.yaml")
    assert err.value.code == "catalog.intake_roles"


def test_intake_posts_replace_the_clerk_and_the_portal():
    item = catalog.parse(ITEM.format(roles="accountant"), "t.yaml")["X"]
    assert rules.intake_problem(item, frozenset({"accountant"})) is None
    assert rules.intake_problem(item, frozenset({"clerk"})) == ("case.intake_role", "测试事项须由会计岗受理")
    require_intake(Actor("a", frozenset({"accountant"})), item)
    for roles, subject in (({"clerk"}, None), ({"person"}, "person:1")):
        with pytest.raises(PermissionDenied) as err:
            require_intake(Actor("u", frozenset(roles), subject=subject), item)
        assert err.value.code == "case.intake_role"


def test_other_items_keep_the_clerk_or_the_applicant():
    item = catalog.item("REG-PERSON")
    assert item.intake_roles == []
    require_intake(Actor("c", frozenset({"clerk"})), item)
    require_intake(Actor("p", frozenset({"person"}), subject="person:1"), item)
    for actor in (Actor("a", frozenset({"accountant"})),
                  Actor("p", frozenset({"clerk"}), subject="person:1")):
        with pytest.raises(PermissionDenied):
            require_intake(actor, item)
