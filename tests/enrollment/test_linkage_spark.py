"""``JINGBAN_LINKAGE_BACKEND=spark``: the same Splink settings on Apache Spark (local mode)
give the same clusters as DuckDB on a few thousand records."""

from __future__ import annotations

import shutil

import pytest

from jingban.enrollment import linkage, synthetic
from tests.enrollment.test_linkage import rows_of, scores

pytestmark = pytest.mark.skipif(shutil.which("java") is None,
                                reason="no Java runtime: the Spark backend needs one (.ci/run installs it)")


def test_spark_backend_gives_the_duckdb_clusters(monkeypatch):
    pytest.importorskip("pyspark")
    rows, truth = rows_of(synthetic.population(1500, seed=21))
    assert len(rows) > 2500
    monkeypatch.setenv("JINGBAN_LINKAGE_BACKEND", "duckdb")
    duck = linkage.cluster(rows, 0.99, 0.6, train=False)
    monkeypatch.setenv("JINGBAN_LINKAGE_BACKEND", "spark")
    assert linkage.backend() == "spark"
    spark = linkage.cluster(rows, 0.99, 0.6, train=False)
    assert sorted(spark.groups) == sorted(duck.groups)
    assert spark.model_links == duck.model_links > 0
    assert sorted((p.left, p.right) for p in spark.review) == sorted((p.left, p.right) for p in duck.review)
    precision, recall = scores(spark.groups, truth)
    assert precision == 1.0 and recall >= 0.98


def test_an_unknown_backend_is_refused(monkeypatch):
    monkeypatch.setenv("JINGBAN_LINKAGE_BACKEND", "hadoop")
    with pytest.raises(linkage.InvalidInput) as err:
        linkage.backend()
    assert err.value.code == "linkage.backend"
