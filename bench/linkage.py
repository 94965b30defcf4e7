"""Time the registry's record linkage (全民参保登记, issue 14) against the truth.

    python bench/linkage.py [--size 100000 --size 1000000] [--backend spark]

A synthetic population (``jingban.enrollment.synthetic``) of ``size`` persons seen through 3
sources — the police register (97 % of people), tax (the employed) and civil affairs (30 %) —
each row with its own noise: name typos, traditional characters, full-width digits and
spaces, old 15-digit IDs, swapped ID digits, missing IDs and phones, moves, birth-date typos.
Timed separately: normalisation (``rules.normalise_row``: half-width, simplified, 15→18 IDs
validated by the house ID library, phones), and linkage (``linkage.cluster``: exact valid-ID
links in one DuckDB pass, then Splink 5 trained on the rows — u by random sampling, EM on
samples of two blocking rules — scoring only the residue pairs (one side without a valid ID),
and clustering that never joins two valid IDs). Splink runs on DuckDB, or on Spark in local
mode (backend "spark"). Against it, in the same run: a bare DuckDB exact join of the same
rows on the ID as received. Precision and recall are pairwise against the truth
(pairs in one cluster that are one person); a pair left for review counts as not linked.
Results go into bench/RESULTS.md.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.generate import machine, update_section  # noqa: E402
from jingban.core.errors import InvalidInput  # noqa: E402
from jingban.enrollment import linkage, rules, synthetic  # noqa: E402

TODAY = dt.date(2026, 11, 24)
TITLE = "## Registry linkage (bench/linkage.py)"
INTRO = __doc__.split("\n\n", 2)[2].strip()
HEADER = ["machine", "date", "persons", "rows", "broken rows", "normalise s", "link s",
          "precision", "recall", "review pairs", "exact join s", "join precision", "join recall",
          "link / join", "backend"]
TRAILER = """The machine is shared with other engineers' runs (load 4–10 on 2 cores during these
runs), so the seconds are upper bounds. Linking is now: exact valid IDs in one DuckDB pass,
then Splink only on the residue pairs (one side without a valid ID, or two valid IDs one
transposition apart), u on 300,000 sampled pairs, EM on at most 1,000,000 blocked pairs per
rule, and clustering strongest link first that never puts two valid IDs in one person. The
Spark row is the same settings on Spark 4.3 in local mode (2 cores, Java 17): correct but
slow at this size, as every Splink step is a Spark job; it is meant for a cluster."""
console = Console()


def build(size: int) -> tuple[list[dict], list[tuple[int, str]], dict[int, int], int, float]:
    """(model rows, (id, raw ID) for the join, row → person, broken rows, normalising seconds);
    generating the population is not timed."""
    rows, raw_ids, truth, broken = [], [], {}, 0
    received = list(synthetic.sources(synthetic.population(size)))
    started = time.perf_counter()
    for i, (source, key, raw) in enumerate(received):
        raw_ids.append((i, raw["citizen_id"]))
        try:
            values = rules.normalise_row(raw, TODAY)
        except InvalidInput:
            broken += 1
            continue
        truth[i] = key
        rows.append({"unique_id": i, "citizen_id": values["citizen_id"] or None,
                     "id_valid": not values["id_problem"], "name": rules.name_key(values["name"]),
                     "birth_date": values["birth_date"].strftime("%Y%m%d"),
                     "area": values["household_region"], "sex": values["sex"] or None,
                     "phone": values["phone"] or None, "source": source})
    return rows, raw_ids, truth, broken, time.perf_counter() - started


def scores(groups: list[list[int]], truth: dict[int, int]) -> tuple[float, float]:
    tp = predicted = 0
    for group in groups:
        members = [truth[i] for i in group if i in truth]
        predicted += len(members) * (len(members) - 1) // 2
        tp += sum(c * (c - 1) // 2 for c in Counter(members).values())
    true = sum(c * (c - 1) // 2 for c in Counter(truth.values()).values())
    return (tp / predicted if predicted else 1.0), (tp / true if true else 1.0)


def exact_join(raw_ids: list[tuple[int, str]], truth: dict[int, int]) -> tuple[float, list[list[int]]]:
    """The bare DuckDB self-join on the ID as received; clusters by union-find on its pairs."""
    import duckdb
    import pyarrow as pa

    table = pa.table({"id": [i for i, _ in raw_ids if i in truth],
                      "cid": [c or None for i, c in raw_ids if i in truth]})
    started = time.perf_counter()
    con = duckdb.connect()
    con.register("rows", table)
    pairs = con.execute("SELECT l.id, r.id FROM rows l JOIN rows r ON l.cid = r.cid AND l.id < r.id"
                        ).fetchall()
    seconds = time.perf_counter() - started
    found = linkage.UnionFind(truth)
    for a, b in pairs:
        found.union(a, b)
    return seconds, found.groups()


def one(size: int, u_pairs: int) -> list[str]:
    name = linkage.backend()
    console.print(f"[bold]{size:,} persons[/bold] ({name}): generating and normalising …")
    rows, raw_ids, truth, broken, normalise = build(size)
    console.print(f"  {len(rows):,} rows ({broken} broken) in {normalise:.1f} s; linking …")
    started = time.perf_counter()
    result = linkage.cluster(rows, 0.99, 0.6, train=True, max_pairs=float(u_pairs))
    link = time.perf_counter() - started
    precision, recall = scores(result.groups, truth)
    join_seconds, join_groups = exact_join(raw_ids, truth)
    join_p, join_r = scores(join_groups, truth)
    console.print(f"  link {link:.1f} s, precision {precision:.4f}, recall {recall:.4f}, "
                  f"review {len(result.review):,}; exact join {join_seconds:.2f} s "
                  f"(precision {join_p:.4f}, recall {join_r:.4f})")
    label = f"{size:,}" if name == "duckdb" else f"{size:,} ({name})"
    return [machine(), TODAY.isoformat(), label, f"{len(rows):,}", str(broken),
            f"{normalise:.1f}", f"{link:.1f}", f"{precision:.4f}", f"{recall:.4f}",
            f"{len(result.review):,}", f"{join_seconds:.2f}", f"{join_p:.4f}", f"{join_r:.4f}",
            f"{link / join_seconds:.0f}×", name]


def main(size: Annotated[list[int], typer.Option(help="persons")] = [100_000],  # noqa: B006
         u_pairs: Annotated[int, typer.Option(help="pairs sampled to estimate u")] = 300_000,
         backend: Annotated[str, typer.Option(help="duckdb or spark")] = "duckdb",
         write: Annotated[bool, typer.Option(help="update bench/RESULTS.md")] = True) -> None:
    os.environ["JINGBAN_LINKAGE_BACKEND"] = backend
    fresh = [one(n, u_pairs) for n in size]
    if write:
        update_section(TITLE, INTRO, HEADER, fresh, TRAILER)


if __name__ == "__main__":
    typer.run(main)
