"""TPC-H from gold: the BI test of the star schema, and the bring-your-own-data round trip.

Generate TPC-H data at a small scale with `tpchgen-cli` and bake with no spec written by hand:
`__source_sample=<landing>` infers the star from the files (bake.infer). Run the pipeline locally
on the same files: every landed row reaches silver and none is quarantined. Then answer TPC-H
queries twice with DuckDB: over gold, reaching every dimension only through `<dimension>_sk`
joins (and `dim_date` through `date_sk` and the role-playing `l_commitdate_sk`/
`l_receiptdate_sk`), and over the raw files with the standard query text. The answers must be
equal. The queries need what the inference must find: attributes kept in the facts (flags,
modes, dates), role-playing dates, the snowflaked nation and region, and the composite-key fact
`partsupp`. (tests/test_infer_tpch.py compares the inferred spec with `examples/tpch.yml`.)
"""

from __future__ import annotations

import shutil
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
import yaml
from conftest import TEMPLATE_DIR, bake_project, run_checked, warehouse_views

SCALE_FACTOR = "0.01"
DUCKDB_TYPES = {"bigint": "BIGINT", "int": "INTEGER", "string": "VARCHAR", "date": "DATE"}

# The standard TPC-H text (substitution parameters of the validation run), over the raw files.
RAW = {
    "q01": """
        SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice),
               sum(l_extendedprice * (1 - l_discount)),
               sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)),
               avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*)
        FROM lineitem WHERE l_shipdate <= DATE '1998-09-02'
        GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus""",
    "q03": """
        SELECT l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o_orderdate,
               o_shippriority
        FROM customer, orders, lineitem
        WHERE c_mktsegment = 'BUILDING' AND c_custkey = o_custkey AND l_orderkey = o_orderkey
          AND o_orderdate < DATE '1995-03-15' AND l_shipdate > DATE '1995-03-15'
        GROUP BY l_orderkey, o_orderdate, o_shippriority
        ORDER BY revenue DESC, o_orderdate, l_orderkey LIMIT 10""",
    "q05": """
        SELECT n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
        FROM customer, orders, lineitem, supplier, nation, region
        WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey AND l_suppkey = s_suppkey
          AND c_nationkey = s_nationkey AND s_nationkey = n_nationkey
          AND n_regionkey = r_regionkey AND r_name = 'ASIA'
          AND o_orderdate >= DATE '1994-01-01' AND o_orderdate < DATE '1995-01-01'
        GROUP BY n_name ORDER BY revenue DESC""",
    "q06": """
        SELECT sum(l_extendedprice * l_discount) FROM lineitem
        WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01'
          AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24""",
    "q10": """
        SELECT c_custkey, c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue, c_acctbal,
               n_name, c_address, c_phone, c_comment
        FROM customer, orders, lineitem, nation
        WHERE c_custkey = o_custkey AND l_orderkey = o_orderkey
          AND o_orderdate >= DATE '1993-10-01' AND o_orderdate < DATE '1994-01-01'
          AND l_returnflag = 'R' AND c_nationkey = n_nationkey
        GROUP BY c_custkey, c_name, c_acctbal, c_phone, n_name, c_address, c_comment
        ORDER BY revenue DESC, c_custkey LIMIT 20""",
    "q11": """
        SELECT ps_partkey, sum(ps_supplycost * ps_availqty) AS value
        FROM partsupp, supplier, nation
        WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY'
        GROUP BY ps_partkey
        HAVING sum(ps_supplycost * ps_availqty) > (
            SELECT sum(ps_supplycost * ps_availqty) * 0.0001 FROM partsupp, supplier, nation
            WHERE ps_suppkey = s_suppkey AND s_nationkey = n_nationkey AND n_name = 'GERMANY')
        ORDER BY value DESC, ps_partkey""",
    "q12": """
        SELECT l_shipmode,
               sum(CASE WHEN o_orderpriority IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END),
               sum(CASE WHEN o_orderpriority NOT IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END)
        FROM orders, lineitem
        WHERE o_orderkey = l_orderkey AND l_shipmode IN ('MAIL', 'SHIP')
          AND l_commitdate < l_receiptdate AND l_shipdate < l_commitdate
          AND l_receiptdate >= DATE '1994-01-01' AND l_receiptdate < DATE '1995-01-01'
        GROUP BY l_shipmode ORDER BY l_shipmode""",
    "q14": """
        SELECT 100.00 * sum(CASE WHEN p_type LIKE 'PROMO%'
                                 THEN l_extendedprice * (1 - l_discount) ELSE 0 END)
               / sum(l_extendedprice * (1 - l_discount))
        FROM lineitem, part
        WHERE l_partkey = p_partkey
          AND l_shipdate >= DATE '1995-09-01' AND l_shipdate < DATE '1995-10-01'""",
    "q19": """
        SELECT sum(l_extendedprice * (1 - l_discount)) FROM lineitem, part
        WHERE p_partkey = l_partkey AND l_shipmode IN ('AIR', 'AIR REG')
          AND l_shipinstruct = 'DELIVER IN PERSON'
          AND ((p_brand = 'Brand#12' AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
                AND l_quantity BETWEEN 1 AND 11 AND p_size BETWEEN 1 AND 5)
            OR (p_brand = 'Brand#23' AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG',
                'MED PACK') AND l_quantity BETWEEN 10 AND 20 AND p_size BETWEEN 1 AND 10)
            OR (p_brand = 'Brand#34' AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
                AND l_quantity BETWEEN 20 AND 30 AND p_size BETWEEN 1 AND 15))""",
}

# The same questions over gold: natural keys only inside their own dimension, every hop an _sk.
GOLD = {
    "q01": """
        SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice),
               sum(l_extendedprice * (1 - l_discount)),
               sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)),
               avg(l_quantity), avg(l_extendedprice), avg(l_discount), count(*)
        FROM fact_lineitem f JOIN dim_date ship ON f.date_sk = ship.date_sk
        WHERE ship.date <= DATE '1998-09-02'
        GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus""",
    "q03": """
        SELECT f.l_orderkey, sum(l_extendedprice * (1 - l_discount)) AS revenue, o.o_orderdate,
               o.o_shippriority
        FROM fact_lineitem f
        JOIN dim_orders o ON f.orders_sk = o.orders_sk
        JOIN dim_customer c ON o.customer_sk = c.customer_sk
        JOIN dim_date ship ON f.date_sk = ship.date_sk
        WHERE c.c_mktsegment = 'BUILDING' AND o.o_orderdate < DATE '1995-03-15'
          AND ship.date > DATE '1995-03-15'
        GROUP BY f.l_orderkey, o.o_orderdate, o.o_shippriority
        ORDER BY revenue DESC, o.o_orderdate, f.l_orderkey LIMIT 10""",
    "q05": """
        SELECT n.n_name, sum(l_extendedprice * (1 - l_discount)) AS revenue
        FROM fact_lineitem f
        JOIN dim_orders o ON f.orders_sk = o.orders_sk
        JOIN dim_customer c ON o.customer_sk = c.customer_sk
        JOIN dim_supplier s ON f.supplier_sk = s.supplier_sk
        JOIN dim_nation n ON s.nation_sk = n.nation_sk
        JOIN dim_region r ON n.region_sk = r.region_sk
        WHERE c.nation_sk = s.nation_sk AND r.r_name = 'ASIA'
          AND o.o_orderdate >= DATE '1994-01-01' AND o.o_orderdate < DATE '1995-01-01'
        GROUP BY n.n_name ORDER BY revenue DESC""",
    "q06": """
        SELECT sum(l_extendedprice * l_discount)
        FROM fact_lineitem f JOIN dim_date ship ON f.date_sk = ship.date_sk
        WHERE ship.year = 1994 AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24""",
    "q10": """
        SELECT c.c_custkey, c.c_name, sum(l_extendedprice * (1 - l_discount)) AS revenue,
               c.c_acctbal, n.n_name, c.c_address, c.c_phone, c.c_comment
        FROM fact_lineitem f
        JOIN dim_orders o ON f.orders_sk = o.orders_sk
        JOIN dim_customer c ON o.customer_sk = c.customer_sk
        JOIN dim_nation n ON c.nation_sk = n.nation_sk
        WHERE o.o_orderdate >= DATE '1993-10-01' AND o.o_orderdate < DATE '1994-01-01'
          AND f.l_returnflag = 'R'
        GROUP BY c.c_custkey, c.c_name, c.c_acctbal, c.c_phone, n.n_name, c.c_address,
                 c.c_comment
        ORDER BY revenue DESC, c.c_custkey LIMIT 20""",
    "q11": """
        WITH german AS (
            SELECT p.p_partkey, ps_supplycost * ps_availqty AS value
            FROM fact_partsupp ps
            JOIN dim_part p ON ps.part_sk = p.part_sk
            JOIN dim_supplier s ON ps.supplier_sk = s.supplier_sk
            JOIN dim_nation n ON s.nation_sk = n.nation_sk
            WHERE n.n_name = 'GERMANY')
        SELECT p_partkey, sum(value) AS value FROM german GROUP BY p_partkey
        HAVING sum(value) > (SELECT sum(value) * 0.0001 FROM german)
        ORDER BY value DESC, p_partkey""",
    "q12": """
        SELECT l_shipmode,
               sum(CASE WHEN o.o_orderpriority IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END),
               sum(CASE WHEN o.o_orderpriority NOT IN ('1-URGENT', '2-HIGH') THEN 1 ELSE 0 END)
        FROM fact_lineitem f
        JOIN dim_orders o ON f.orders_sk = o.orders_sk
        JOIN dim_date ship ON f.date_sk = ship.date_sk
        JOIN dim_date committed ON f.l_commitdate_sk = committed.date_sk
        JOIN dim_date received ON f.l_receiptdate_sk = received.date_sk
        WHERE l_shipmode IN ('MAIL', 'SHIP') AND committed.date < received.date
          AND ship.date < committed.date AND received.year = 1994
        GROUP BY l_shipmode ORDER BY l_shipmode""",
    "q14": """
        SELECT 100.00 * sum(CASE WHEN p.p_type LIKE 'PROMO%'
                                 THEN l_extendedprice * (1 - l_discount) ELSE 0 END)
               / sum(l_extendedprice * (1 - l_discount))
        FROM fact_lineitem f
        JOIN dim_part p ON f.part_sk = p.part_sk
        JOIN dim_date ship ON f.date_sk = ship.date_sk
        WHERE ship.year = 1995 AND ship.month = 9""",
    "q19": """
        SELECT sum(l_extendedprice * (1 - l_discount))
        FROM fact_lineitem f JOIN dim_part p ON f.part_sk = p.part_sk
        WHERE l_shipmode IN ('AIR', 'AIR REG') AND l_shipinstruct = 'DELIVER IN PERSON'
          AND ((p_brand = 'Brand#12' AND p_container IN ('SM CASE', 'SM BOX', 'SM PACK', 'SM PKG')
                AND l_quantity BETWEEN 1 AND 11 AND p_size BETWEEN 1 AND 5)
            OR (p_brand = 'Brand#23' AND p_container IN ('MED BAG', 'MED BOX', 'MED PKG',
                'MED PACK') AND l_quantity BETWEEN 10 AND 20 AND p_size BETWEEN 1 AND 10)
            OR (p_brand = 'Brand#34' AND p_container IN ('LG CASE', 'LG BOX', 'LG PACK', 'LG PKG')
                AND l_quantity BETWEEN 20 AND 30 AND p_size BETWEEN 1 AND 15))""",
}


def sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def duckdb_type(spark_type: str) -> str:
    return DUCKDB_TYPES.get(spark_type, spark_type.upper())  # decimal(15,2) is DuckDB's too


@pytest.fixture(scope="module")
def tpch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Land TPC-H data, bake from it (the spec inferred) and run the pipeline once on it."""
    work = tmp_path_factory.mktemp("tpch")
    landing, state = work / "landing", work / "state"
    tpchgen = shutil.which("tpchgen-cli") or str(Path(sys.executable).parent / "tpchgen-cli")
    # --parts 1 writes <landing>/<table>/<table>.1.csv: the layout the pipeline reads.
    command = [tpchgen, "csv", "-s", SCALE_FACTOR, "--parts", "1", "--output-dir", str(landing)]
    run_checked(command, cwd=work)
    answers = {"project_name": "TPCH Lakehouse", "schema": "tpch", "source_format": "csv"}
    project = bake_project(work / "out", {**answers, "__source_sample": str(landing)})
    command = [sys.executable, "-m", "medallion", "run-local", "--landing", str(landing)]
    run_checked([*command, "--state-dir", str(state)], cwd=project, timeout=1200)
    inferred = yaml.safe_load((project / "tables.yml").read_text())
    return {
        "landing": landing,
        "warehouse": state / "warehouse",
        "tables": inferred,
        "project": project,
    }


@pytest.fixture(scope="module")
def TABLES(tpch) -> dict[str, Any]:  # noqa: N802  (the spec, as a constant would name it)
    """The inferred spec, as the baked project's tables.yml holds it."""
    return tpch["tables"]


@pytest.fixture(scope="module")
def raw(tpch, TABLES) -> duckdb.DuckDBPyConnection:  # noqa: N803
    """The landed files, typed as the spec types them, queried independently of the pipeline."""
    connection = duckdb.connect()
    for table, entry in TABLES.items():
        columns = ", ".join(
            f"'{name}': '{duckdb_type(value['type'] if isinstance(value, dict) else value)}'"
            for name, value in entry["columns"].items()
        )
        path = next((tpch["landing"] / table).glob("*.csv"))
        connection.execute(
            f"CREATE TABLE {table} AS SELECT * FROM "
            f"read_csv({sql_text(str(path))}, header = true, columns = {{{columns}}})"
        )
    return connection


@pytest.fixture(scope="module")
def gold(tpch) -> duckdb.DuckDBPyConnection:
    return warehouse_views(tpch["warehouse"], ("dim_", "fact_", "gold_"))


def normalized(rows: list[tuple]) -> list[tuple]:
    """Exact values; averages and ratios (floating point) to 6 significant digits."""
    return [tuple(float(f"{v:.6g}") if isinstance(v, float) else v for v in row) for row in rows]


@pytest.mark.parametrize("query", sorted(RAW))
def test_tpch_query_answered_from_gold_equals_the_raw_answer(raw, gold, query) -> None:
    expected = raw.execute(RAW[query]).fetchall()
    actual = gold.execute(GOLD[query]).fetchall()
    assert expected, f"{query} finds nothing in the raw data: the comparison would be empty"
    assert normalized(actual) == normalized(expected)


# Questions asked of the generated metric view `lineitem_metrics` (dimensions, measures, a filter
# over dimension names), and the same questions written by hand over the raw files.
METRIC_VIEW_QUESTIONS = {
    "q01 sums and count": (
        ["l_returnflag", "l_linestatus"],
        ["total_l_quantity", "total_l_extendedprice", "lineitem_rows"],
        "date <= DATE '1998-09-02'",
        """SELECT l_returnflag, l_linestatus, sum(l_quantity), sum(l_extendedprice), count(*)
           FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY ALL""",
    ),
    "revenue by part brand": (
        ["part_p_brand"],
        ["total_l_extendedprice"],
        None,
        """SELECT p_brand, sum(l_extendedprice) FROM lineitem JOIN part ON l_partkey = p_partkey
           GROUP BY ALL""",
    ),
    "quantity by supplier": (
        ["supplier_s_name"],
        ["total_l_quantity"],
        None,
        """SELECT s_name, sum(l_quantity) FROM lineitem JOIN supplier ON l_suppkey = s_suppkey
           GROUP BY ALL""",
    ),
    "lines per ship year and quarter": (
        ["date_year", "date_quarter"],
        ["lineitem_rows"],
        None,
        "SELECT year(l_shipdate), quarter(l_shipdate), count(*) FROM lineitem GROUP BY ALL",
    ),
}


@pytest.mark.parametrize("question", sorted(METRIC_VIEW_QUESTIONS))
def test_the_metric_view_compiled_over_gold_answers_like_the_raw_files(
    tpch, raw, gold, question
) -> None:
    """sql/metric_views.sql's `lineitem_metrics`, compiled to plain SQL (medallion.metric_views)
    and run on gold, gives the hand-written answer over the raw files."""
    from medallion import metric_views

    dimensions, measures, where, by_hand = METRIC_VIEW_QUESTIONS[question]
    views = metric_views.read(tpch["project"] / "sql" / "metric_views.sql")
    sql = metric_views.compile_query(views["lineitem_metrics"], dimensions, measures, where)
    actual = gold.execute(sql.replace("`", '"')).fetchall()  # DuckDB quotes with "
    expected = raw.execute(by_hand).fetchall()
    assert expected
    assert sorted(normalized(actual)) == sorted(normalized(expected))


def test_gold_holds_every_integrity_check_on_tpch(gold) -> None:
    checks = gold.execute(
        "SELECT check_id, failures, sample FROM gold_integrity_checks ORDER BY check_id"
    ).fetchall()
    assert len(checks) >= 20
    assert [check for check in checks if check[1]] == []


def test_every_landed_row_reaches_silver_and_none_is_quarantined(tpch, raw, TABLES) -> None:  # noqa: N803
    """The round trip on a clean dataset: the inferred types, keys and rules take every row."""
    for table in TABLES:
        landed = raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for layer, expected in (("silver", landed), ("silver_quarantine", 0)):
            name = f"silver_{table}" if layer == "silver" else f"silver_{table}_quarantine"
            files = sql_text(str(tpch["warehouse"] / name / "*.parquet"))
            count = duckdb.execute(f"SELECT count(*) FROM read_parquet({files})").fetchone()[0]
            assert count == expected, name


def test_every_gold_row_count_matches_the_landed_rows(raw, gold, TABLES) -> None:  # noqa: N803
    for table, entry in TABLES.items():
        layer = "fact" if entry.get("role") == "fact" else "dim"
        landed = raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        unknown_member = 0 if layer == "fact" else 1
        assert gold.execute(f"SELECT count(*) FROM {layer}_{table}").fetchone()[0] == (
            landed + unknown_member
        ), table


def test_no_lineitem_points_at_an_unknown_member(gold) -> None:
    unknown = gold.execute(
        "SELECT count(*) FROM fact_lineitem WHERE -1 IN "
        "(orders_sk, part_sk, supplier_sk, date_sk, l_commitdate_sk, l_receiptdate_sk)"
    ).fetchone()[0]
    assert unknown == 0
    total = gold.execute("SELECT sum(l_extendedprice) FROM fact_lineitem").fetchone()[0]
    assert isinstance(total, Decimal)  # measures keep their spec type


@pytest.fixture(scope="module")
def bare_builds(tpch, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The benchmark's two baselines (bench/bare_star.py, with and without --layers) on the
    same landed files."""
    out = tmp_path_factory.mktemp("bare")
    spec = out / "inferred.yml"  # the same spec as the pipeline's, as a cookiecutter config file
    config = {"default_context": {"tables": tpch["tables"]}}
    spec.write_text(yaml.safe_dump(config, sort_keys=False))
    builds = {"bare": out / "star", "bare_layers": out / "layers"}
    for build, folder in builds.items():
        command = [sys.executable, str(TEMPLATE_DIR / "bench" / "bare_star.py")]
        command += ["--spec", str(spec)]
        command += ["--landing", str(tpch["landing"]), "--out", str(folder)]
        run_checked([*command, *(["--layers"] if build == "bare_layers" else [])], TEMPLATE_DIR)
    return builds


@pytest.mark.parametrize("build", ["bare", "bare_layers"])
@pytest.mark.parametrize("fact", ["fact_lineitem", "fact_partsupp"])
def test_the_benchmark_baselines_build_the_pipelines_facts(tpch, bare_builds, build, fact, TABLES):  # noqa: N803
    """The benchmark compares like with like: every baseline writes the pipeline's fact rows.
    Surrogate keys of dimensions are hashes each build computes its own way: they are compared
    by what they point at (no unknown member), the rest value by value."""
    connection = duckdb.connect()
    for name, folder in (("pipeline", tpch["warehouse"]), ("baseline", bare_builds[build])):
        files = sql_text(str(folder / fact / "*.parquet"))
        connection.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet({files})")
    columns = [row[0] for row in connection.execute("DESCRIBE baseline").fetchall()]
    dimension_keys = [c for c in columns if c.removesuffix("_sk") in TABLES]
    assert dimension_keys, f"{fact} has no surrogate key of a dimension"
    unknown = f"SELECT count(*) FROM baseline WHERE -1 IN ({', '.join(dimension_keys)})"
    assert connection.execute(unknown).fetchone()[0] == 0
    listed = ", ".join(c for c in columns if c not in dimension_keys)
    assert columns[0] in ("l_orderkey", "ps_partkey")
    for first, second in (("pipeline", "baseline"), ("baseline", "pipeline")):
        extra = connection.execute(
            f"SELECT count(*) FROM (SELECT {listed} FROM {first} EXCEPT ALL "
            f"SELECT {listed} FROM {second})"
        ).fetchone()[0]
        assert extra == 0, f"{fact}: {extra} rows of {first} are not in {second}"
    assert connection.execute("SELECT count(*) FROM baseline").fetchone()[0] > 0


def test_the_layered_baseline_keeps_every_landed_row_in_bronze_and_silver(raw, bare_builds, TABLES):  # noqa: N803
    layers = bare_builds["bare_layers"]
    for table in TABLES:
        landed = raw.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for layer in ("bronze", "silver"):
            files = sql_text(str(layers / f"{layer}_{table}" / "*.parquet"))
            count = duckdb.execute(f"SELECT count(*) FROM read_parquet({files})").fetchone()[0]
            assert count == landed, f"{layer}_{table}"
    bronze = sql_text(str(layers / "bronze_lineitem" / "*.parquet"))
    sources = duckdb.execute(f"SELECT DISTINCT _source_file FROM read_parquet({bronze})").fetchall()
    assert [Path(source).name for (source,) in sources] == ["lineitem.1.csv"]
