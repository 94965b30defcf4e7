"""Record linkage (E§8–§10): exact citizen-ID matches first, then a Splink 5 model trained on
the records themselves for the rest, on DuckDB (``JINGBAN_LINKAGE_BACKEND``; only ``duckdb``
is wired here). Pure computation: rows in, scored pairs out; no database of ours.

Blocking on birth date and area, on name and area, on name and birth date, on birth date
and surname (people who moved), and on phone;
comparisons of the name (exact, Jaro-Winkler), the citizen ID and the birth date (edit
distance, so swapped digits still score), area, sex and phone. The model is trained when there
are enough records (``enrollment.linkage.min_train``); on fewer it uses the prior m/u values
given below, which the trained model replaces."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from jingban.core.errors import InvalidInput

BACKENDS = ("duckdb",)
COLUMNS = ("unique_id", "citizen_id", "name", "birth_date", "area", "sex", "phone")


@dataclass(frozen=True)
class Pair:
    left: int
    right: int
    probability: float


class UnionFind:
    """Clusters of record ids (path halving, union by size)."""

    def __init__(self, items: Iterable[int] = ()):
        self.parent: dict[int, int] = {i: i for i in items}
        self.size: dict[int, int] = dict.fromkeys(self.parent, 1)

    def find(self, item: int) -> int:
        parent = self.parent.setdefault(item, item)
        self.size.setdefault(item, 1)
        while parent != self.parent[parent]:
            self.parent[item] = parent = self.parent[self.parent[parent]]
        return parent

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return True

    def groups(self) -> list[list[int]]:
        out: dict[int, list[int]] = {}
        for item in self.parent:
            out.setdefault(self.find(item), []).append(item)
        return [sorted(g) for g in out.values()]


def backend() -> str:
    name = os.environ.get("JINGBAN_LINKAGE_BACKEND", "duckdb").strip().lower() or "duckdb"
    if name not in BACKENDS:
        raise InvalidInput("linkage.backend", f"比对后端 {name} 未启用，可选：{'、'.join(BACKENDS)}",
                           "JINGBAN_LINKAGE_BACKEND")
    return name


def exact_pairs(rows: Sequence[dict]) -> list[tuple[int, int]]:
    """Records that carry the same valid citizen ID (the first of each ID with every other)."""
    first: dict[str, int] = {}
    pairs = []
    for row in rows:
        cid = row.get("citizen_id")
        if not cid:
            continue
        if cid in first:
            pairs.append((first[cid], row["unique_id"]))
        else:
            first[cid] = row["unique_id"]
    return pairs


def _settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    comparisons = [
        cl.JaroWinklerAtThresholds("name", [0.9, 0.75]).configure(
            m_probabilities=[0.85, 0.08, 0.04, 0.03], u_probabilities=[0.002, 0.01, 0.05, 0.938]),
        cl.DamerauLevenshteinAtThresholds("citizen_id", [1, 2]).configure(
            m_probabilities=[0.9, 0.06, 0.02, 0.02], u_probabilities=[1e-7, 1e-6, 1e-5, 0.99999]),
        cl.DamerauLevenshteinAtThresholds("birth_date", [1]).configure(
            m_probabilities=[0.95, 0.04, 0.01], u_probabilities=[0.0001, 0.001, 0.9989]),
        cl.ExactMatch("area").configure(m_probabilities=[0.9, 0.1], u_probabilities=[0.2, 0.8]),
        cl.ExactMatch("sex").configure(m_probabilities=[0.98, 0.02], u_probabilities=[0.5, 0.5]),
        cl.ExactMatch("phone").configure(m_probabilities=[0.7, 0.3], u_probabilities=[1e-6, 0.999999]),
    ]
    blocking = [block_on("birth_date", "area"), block_on("name", "area"),
                block_on("name", "birth_date"), block_on("birth_date", "substr(name, 1, 1)"),
                block_on("phone")]
    return SettingsCreator(link_type="dedupe_only", comparisons=comparisons, max_iterations=12,
                           em_convergence=0.001,
                           blocking_rules_to_generate_predictions=blocking,
                           probability_two_random_records_match=1e-4,
                           retain_intermediate_calculation_columns=False,
                           retain_matching_columns=False)


def _train(linker, rows: int, max_pairs: float) -> None:
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("citizen_id"), block_on("name", "birth_date", "area")], recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs)
    for rule in (block_on("birth_date", "area"), block_on("name")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, fix_probability_two_random_records_match=True)


def model_pairs(rows: Sequence[dict], threshold: float, *, train: bool,
                max_pairs: float = 1e6) -> list[Pair]:
    """Every pair the model scores at or above ``threshold`` (Splink 5 on DuckDB)."""
    if len(rows) < 2:
        return []
    import pyarrow as pa
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    table = pa.Table.from_pylist([{c: row.get(c) or None for c in COLUMNS} | {
        "unique_id": row["unique_id"]} for row in rows])
    data = DuckDBAPI().register(table, dataset_display_name="registry_records")
    linker = Linker(data, _settings())
    logging.getLogger("splink").setLevel(logging.ERROR)
    if train:
        _train(linker, len(rows), max_pairs)
    found = linker.inference.predict(threshold_match_probability=threshold).as_pyarrow_table()
    lefts, rights = found.column("unique_id_l").to_pylist(), found.column("unique_id_r").to_pylist()
    probs = found.column("match_probability").to_pylist()
    return [Pair(min(a, b), max(a, b), float(p)) for a, b, p in zip(lefts, rights, probs, strict=True)]


@dataclass
class Result:
    groups: list[list[int]]
    review: list[Pair]
    exact_links: int = 0
    model_links: int = 0


def distinct_ids(a: dict, b: dict) -> bool:
    """Two valid, different citizen IDs: never merged without a person deciding."""
    return bool(a.get("citizen_id") and b.get("citizen_id") and a["citizen_id"] != b["citizen_id"]
                and a.get("id_valid") and b.get("id_valid"))


def cluster(rows: Sequence[dict], match: float, review: float, *, train: bool,
            max_pairs: float = 1e6) -> Result:
    """Exact valid-ID links, then model links at or above ``match``; pairs between ``review``
    and ``match`` (or with two different valid IDs) are returned for a person to decide."""
    found = UnionFind(r["unique_id"] for r in rows)
    result = Result([], [])
    for a, b in exact_pairs([{"unique_id": r["unique_id"],
                              "citizen_id": r["citizen_id"] if r.get("id_valid") else None}
                             for r in rows]):
        result.exact_links += found.union(a, b)
    by_id = {r["unique_id"]: r for r in rows}
    for pair in model_pairs(rows, review, train=train, max_pairs=max_pairs):
        if found.find(pair.left) == found.find(pair.right):
            continue
        if pair.probability >= match and not distinct_ids(by_id[pair.left], by_id[pair.right]):
            result.model_links += found.union(pair.left, pair.right)
        else:
            result.review.append(pair)
    result.groups = found.groups()
    return result
