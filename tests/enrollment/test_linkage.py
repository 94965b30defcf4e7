"""The trained Splink model on a synthetic population with known truth: typos, swapped
digits, missing phones, 15-digit IDs, traditional characters, full-width digits, moves."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from jingban.core.errors import InvalidInput
from jingban.enrollment import linkage, rules, synthetic

TODAY = dt.date(2026, 11, 24)


def rows_of(people, **shares):
    rows, truth = [], {}
    for i, (source, key, raw) in enumerate(synthetic.sources(people, shares=shares or None)):
        try:
            values = rules.normalise_row(raw, TODAY)
        except InvalidInput:  # a broken row (e.g. a birth date typo that names no day)
            continue
        truth[i] = key
        rows.append({"unique_id": i, "citizen_id": values["citizen_id"] or None,
                     "id_valid": not values["id_problem"], "name": rules.name_key(values["name"]),
                     "birth_date": values["birth_date"].strftime("%Y%m%d"),
                     "area": values["household_region"], "sex": values["sex"] or None,
                     "phone": values["phone"] or None, "source": source})
    return rows, truth


def scores(groups, truth):
    tp = predicted = 0
    for group in groups:
        predicted += len(group) * (len(group) - 1) // 2
        tp += sum(c * (c - 1) // 2 for c in Counter(truth[i] for i in group).values())
    true = sum(c * (c - 1) // 2 for c in Counter(truth.values()).values())
    return tp / predicted, tp / true


def test_trained_model_finds_the_planted_duplicates_without_false_merges():
    people = synthetic.population(700, seed=7)
    rows, truth = rows_of(people)
    assert len(rows) > 1000  # enough to train (enrollment.linkage.min_train)
    result = linkage.cluster(rows, 0.99, 0.6, train=True, max_pairs=2e5)
    precision, recall = scores(result.groups, truth)
    assert precision == 1.0
    assert recall >= 0.99
    assert result.exact_links > 0 and result.model_links > 0


def test_unionfind():
    found = linkage.UnionFind([1, 2, 3, 4])
    assert found.union(1, 2) and found.union(3, 2) and not found.union(1, 3)
    assert sorted(found.groups()) == [[1, 2, 3], [4]]


def test_persons_refuse_two_valid_ids_even_through_a_chain():
    """A~B and B~C where A and C hold different valid IDs: the second join is refused, a
    person's decision may still join them, and one transposition is not a different ID."""
    rows = [person(1, "330106199001011234", True), person(2, None, False),
            person(3, "330106199001015678", True), person(4, "330106199001011324", True)]
    persons = linkage.Persons(linkage.exact_groups(rows), rows)
    assert persons.join(1, 2) and persons.same(1, 2)
    assert not persons.join(2, 3) and not persons.same(1, 3)
    assert persons.join(2, 4)  # 1234 ~ 1324: one swap of neighbours
    assert not persons.join(3, 4)
    assert persons.join(3, 2, decided=True) and persons.same(1, 3)


def test_transposed_ids():
    assert linkage.transposed("330106199001011234", "330106199001012134")
    assert not linkage.transposed("330106199001011234", "330106199001011235")
    assert not linkage.transposed("330106199001011234", "330106199001011234")
    assert not linkage.transposed("12", "123")


def person(uid, cid, valid, name="王伟", phone=None):
    return {"unique_id": uid, "citizen_id": cid, "id_valid": valid, "name": name,
            "birth_date": "19900101", "area": "330106", "sex": "M", "phone": phone}


def test_two_valid_ids_are_never_joined_through_a_third_record():
    """A record without an ID that matches two people with different valid IDs joins the
    stronger one; the other link goes to review instead of merging the two people."""
    rows = [person(1, "330106199001011234", True), person(2, "330106199001015678", True),
            person(3, None, False)]
    others = [person(10 + i, None, False, name=f"张{chr(0x4E00 + i)}") | {"birth_date": f"1980{i + 1:02d}01"}
              for i in range(12)]  # so that 王伟 is not every name (term frequencies)
    result = linkage.cluster(rows + others, 0.2, 0.01, train=False)
    assert all(p.probability >= 0.2 for p in result.review)
    assert sorted(g for g in result.groups if g[0] < 10) == [[1, 3], [2]]
    assert result.model_links == 1
    assert [(p.left, p.right) for p in result.review] == [(2, 3)]


def test_pairs_of_different_valid_ids_are_not_scored_but_a_transposition_is():
    rows = [person(1, "330106199001011234", True), person(2, "330106199001015678", True),
            person(3, "330106199001011324", True)]
    pairs = {(p.left, p.right) for p in linkage.model_pairs(rows, 0.0, train=False)}
    assert pairs == {(1, 3)}
    assert sorted(linkage.exact_groups(rows + [person(4, "330106199001011234", True)]).groups()) == [
        [1, 4], [2], [3]]
