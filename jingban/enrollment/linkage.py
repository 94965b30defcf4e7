"""Record linkage (E§8–§10): exact citizen-ID matches first (one SQL pass), then a Splink 5
model for the residue — a pair is scored only when one side has no valid ID (missing, or
failing the checksum: swapped digits, typos), or when two valid IDs differ by one
transposition. Two different valid IDs are never merged otherwise (E§9: an ID that passes
the checksum names one person); such clusters stay apart even through a third record.

Splink runs on DuckDB, or with ``JINGBAN_LINKAGE_BACKEND=spark`` the same settings on Apache
Spark (local mode, on the machine's Java runtime). Pure computation: rows in, scored pairs
and clusters out; no database of ours.

Blocking on birth date and area, on name and area, on birth date and surname (people who
moved; it holds every pair with the same name and birth date), and on phone; comparisons of
the name (exact with term frequencies — a common name proves less —, Jaro-Winkler 0.9, 0.7),
the citizen ID (exact, one transposition, two edits), the birth date (exact, one edit off), area, sex
and phone. The model is
trained when there are enough records (``enrollment.linkage.min_train``): u by random
sampling, m by EM on a sample of the pairs blocked on birth date and area and of those
blocked on phone; on fewer records it uses the prior m/u values given below."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from jingban.core.errors import InvalidInput

BACKENDS = ("duckdb", "spark")
COLUMNS = ("unique_id", "citizen_id", "name", "birth_date", "area", "sex", "phone")
EM_PAIRS = 1e6  # blocked pairs sampled for each EM session

# A pair is worth scoring unless both IDs are valid and differ by more than a transposition
# (same digits, sorted, and Damerau-Levenshtein 1 is exactly one swap of neighbours; the cheap
# test first, as Splink repeats the condition of every earlier rule in the later ones).
RESIDUE = ("(NOT l.id_valid OR NOT r.id_valid OR (l.id_digits = r.id_digits"
           " AND damerau_levenshtein(l.citizen_id, r.citizen_id) = 1))")
BLOCKS = ("l.birth_date = r.birth_date AND l.area = r.area",
          "l.name = r.name AND l.area = r.area",
          "l.birth_date = r.birth_date AND substr(l.name, 1, 1) = substr(r.name, 1, 1)",
          "l.phone = r.phone")


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
        find = self.find
        for item in self.parent:
            out.setdefault(find(item), []).append(item)
        return [sorted(g) for g in out.values()]


def backend() -> str:
    name = os.environ.get("JINGBAN_LINKAGE_BACKEND", "duckdb").strip().lower() or "duckdb"
    if name not in BACKENDS:
        raise InvalidInput("linkage.backend", f"比对后端 {name} 未启用，可选：{'、'.join(BACKENDS)}",
                           "JINGBAN_LINKAGE_BACKEND")
    return name


def transposed(a: str, b: str) -> bool:
    """Equal but for one swap of two neighbouring characters."""
    diff = [i for i in range(len(a)) if a[i] != b[i]] if len(a) == len(b) else []
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _id_comparison():
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    swap = cll.And(cll.DamerauLevenshteinLevel("citizen_id", 1),
                   cll.Not(cll.LevenshteinLevel("citizen_id", 1))).configure(label_for_charts="一次相邻换位")
    return cl.CustomComparison([cll.NullLevel("citizen_id"), cll.ExactMatchLevel("citizen_id"), swap,
                                cll.DamerauLevenshteinLevel("citizen_id", 2), cll.ElseLevel()],
                               output_column_name="citizen_id")


def _settings():
    import splink.comparison_library as cl
    from splink import SettingsCreator

    comparisons = [
        cl.JaroWinklerAtThresholds("name", [0.9, 0.7]).configure(
            term_frequency_adjustments=True,
            m_probabilities=[0.85, 0.08, 0.04, 0.03], u_probabilities=[0.002, 0.01, 0.05, 0.938]),
        _id_comparison().configure(m_probabilities=[0.9, 0.05, 0.03, 0.02],
                                   u_probabilities=[1e-7, 1e-6, 1e-5, 0.9999889]),
        cl.DamerauLevenshteinAtThresholds("birth_date", [1]).configure(
            m_probabilities=[0.95, 0.04, 0.01], u_probabilities=[0.0001, 0.001, 0.9989]),
        cl.ExactMatch("area").configure(m_probabilities=[0.9, 0.1], u_probabilities=[0.2, 0.8]),
        cl.ExactMatch("sex").configure(m_probabilities=[0.98, 0.02], u_probabilities=[0.5, 0.5]),
        cl.ExactMatch("phone").configure(m_probabilities=[0.7, 0.3], u_probabilities=[1e-6, 0.999999]),
    ]
    return SettingsCreator(link_type="dedupe_only", comparisons=comparisons, max_iterations=12,
                           em_convergence=0.001,
                           blocking_rules_to_generate_predictions=[f"{b} AND {RESIDUE}" for b in BLOCKS],
                           probability_two_random_records_match=1e-4,
                           retain_intermediate_calculation_columns=False,
                           retain_matching_columns=False)


def _train(linker, max_pairs: float) -> None:
    from splink import block_on

    linker.training.estimate_probability_two_random_records_match(
        [block_on("citizen_id"), block_on("phone")], recall=0.9)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=14)
    for rule in (block_on("birth_date", "area"), block_on("phone")):
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, fix_probability_two_random_records_match=True, max_pairs=EM_PAIRS)


@cache
def _spark():
    """One local Spark session per process, with Splink's similarity functions."""
    import tempfile

    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    session = (SparkSession.builder.master("local[2]").appName("jingban-linkage")
               .config("spark.jars", similarity_jar_location())
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.default.parallelism", "2")
               .config("spark.driver.memory", "3g")
               .config("spark.ui.enabled", "false").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    session.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="jingban-spark-"))
    return session


def _database(name: str):
    if name == "spark":
        from splink import SparkAPI

        return SparkAPI(spark_session=_spark())
    from splink import DuckDBAPI

    return DuckDBAPI()


def _table(rows: Sequence[dict]):
    import pyarrow as pa

    columns = {c: [row.get(c) or None for row in rows] for c in COLUMNS}
    columns["unique_id"] = [row["unique_id"] for row in rows]
    columns["id_valid"] = [bool(row.get("id_valid")) for row in rows]
    columns["id_digits"] = ["".join(sorted(c)) if c else None for c in columns["citizen_id"]]
    return pa.table(columns)


def model_pairs(rows: Sequence[dict], threshold: float, *, train: bool,
                max_pairs: float = 1e6) -> list[Pair]:
    """Every residue pair the model scores at or above ``threshold`` (on ``backend()``).
    Rows without ``id_valid`` count as having no valid ID: every blocked pair is scored."""
    if len(rows) < 2:
        return []
    from splink import Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    data = _database(backend()).register(_table(rows), dataset_display_name="registry_records")
    linker = Linker(data, _settings())
    logging.getLogger("splink").setLevel(logging.ERROR)  # the linker resets it
    if train:
        _train(linker, max_pairs)
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


def exact_groups(rows: Sequence[dict]) -> UnionFind:
    """The clusters of records sharing a valid citizen ID, found in one DuckDB pass."""
    import duckdb
    import pyarrow as pa

    table = pa.table({"unique_id": [r["unique_id"] for r in rows],
                      "citizen_id": [r.get("citizen_id") if r.get("id_valid") else None for r in rows]})
    con = duckdb.connect()
    con.register("records", table)
    roots = con.sql("SELECT unique_id, CASE WHEN citizen_id IS NULL THEN unique_id ELSE "
                    "min(unique_id) OVER (PARTITION BY citizen_id) END AS root FROM records "
                    "ORDER BY unique_id").to_arrow_table()
    found = UnionFind()
    found.parent = dict(zip(roots.column("unique_id").to_pylist(), roots.column("root").to_pylist(),
                            strict=True))
    found.size = Counter(found.parent.values())
    return found


class Persons:
    """Clusters as persons: a join that would put two different valid citizen IDs (other than
    by one transposition) into one person is refused, even through a third record (E§9)."""

    def __init__(self, found: UnionFind, rows: Sequence[dict]):
        self.found = found
        self.held: dict[int, set[str]] = {}  # the valid IDs in each cluster, by its root
        for row in rows:
            if row.get("id_valid") and row.get("citizen_id"):
                self.held.setdefault(found.find(row["unique_id"]), set()).add(row["citizen_id"])

    def same(self, a: int, b: int) -> bool:
        return self.found.find(a) == self.found.find(b)

    def join(self, a: int, b: int, *, decided: bool = False) -> bool:
        """Join the persons of ``a`` and ``b``; refused (False) when they hold different valid
        IDs, unless a person ``decided`` they are one."""
        ra, rb = self.found.find(a), self.found.find(b)
        ids_a, ids_b = self.held.get(ra, set()), self.held.get(rb, set())
        if ra == rb or (not decided and _conflict(ids_a, ids_b)):
            return False
        self.found.union(ra, rb)
        self.held.pop(ra, None), self.held.pop(rb, None)
        if ids_a or ids_b:
            self.held[self.found.find(ra)] = ids_a | ids_b
        return True


def strongest_first(pairs: Iterable[Pair]) -> list[Pair]:
    return sorted(pairs, key=lambda p: (-p.probability, p.left, p.right))


def cluster(rows: Sequence[dict], match: float, review: float, *, train: bool,
            max_pairs: float = 1e6) -> Result:
    """Exact valid-ID links, then model links at or above ``match``, strongest first; a link
    that would join two different valid IDs (other than by one transposition), or a pair
    between ``review`` and ``match``, is returned for a person to decide."""
    found = exact_groups(rows)
    result = Result([], [])
    result.exact_links = sum(1 for item, root in found.parent.items() if item != root)
    persons = Persons(found, rows)
    for pair in strongest_first(model_pairs(rows, review, train=train, max_pairs=max_pairs)):
        if persons.same(pair.left, pair.right):
            continue
        if pair.probability >= match and persons.join(pair.left, pair.right):
            result.model_links += 1
        else:
            result.review.append(pair)
    result.groups = found.groups()
    return result


def _conflict(a: set[str], b: set[str]) -> bool:
    return any(x != y and not transposed(x, y) for x in a for y in b)
