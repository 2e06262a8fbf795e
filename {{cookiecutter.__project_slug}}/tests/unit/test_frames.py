"""frames: `with_columns` works as `withColumns`, and the library avoids the eager steps."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame
from pyspark.sql import Window
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import frames

LIBRARY = Path(frames.__file__).parent
# Connect plans these by analyzing their input against the catalog (see `frames`).
EAGER_ON_CONNECT = {
    "withColumn",
    "withColumns",
    "withColumnRenamed",
    "withColumnsRenamed",
    "withMetadata",
    "drop",
    "toDF",
    "to",
    "dropDuplicates",
    "dropDuplicatesWithinWatermark",
    "fillna",
    "dropna",
    "na",
}
# Reads landing files, never a pipeline dataset: nothing for eager analysis to get wrong.
ALLOWED = {("ingest.py", "with_spec_names", "withColumnsRenamed")}


def test_with_columns_replaces_in_place_and_appends_in_order(spark):
    df = frame(spark, [(1, "a", 30), (1, None, 10), (2, "c", 20)], "k int, v string, seq int")
    in_order = Window.partitionBy("k").orderBy("seq")
    result = frames.with_columns(
        df,
        {
            "v": F.upper("v"),
            "position": F.row_number().over(in_order),
            "seq": F.col("seq") + 1,
        },
    )
    expected = frame(
        spark,
        [(1, None, 11, 1), (1, "A", 31, 2), (2, "C", 21, 1)],
        "k int, v string, seq int, position int",
    )
    assert_df_equality(result, expected, ignore_row_order=True, ignore_nullable=True)


def test_library_code_uses_no_step_that_connect_plans_eagerly():
    found = []
    for path in sorted(LIBRARY.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                eager = isinstance(node, ast.Attribute) and node.attr in EAGER_ON_CONNECT
                if eager and (path.name, function.name, node.attr) not in ALLOWED:
                    found.append(f"{path.name}:{node.lineno} {function.name}: .{node.attr}")
    assert not found, "use frames.with_columns or select instead:\n" + "\n".join(found)


def test_balanced_keeps_the_order_and_nests_log2_deep():
    assert frames.balanced(lambda a, b: f"({a}{b})", "abcde") == "(((ab)(cd))e)"
    assert frames.balanced(lambda a, b: a + b, [], empty=0) == 0
    deep = frames.balanced(lambda a, b: [a, b], range(64))
    depth = 0
    while isinstance(deep, list):
        deep, depth = deep[0], depth + 1
    assert depth == 6  # a chain would be 63


def test_true_or_raise_stops_on_the_first_failed_pair_in_order(spark):
    df = frame(spark, [(5,)], "x int")
    failures = [
        (F.col("x") < 0, F.lit("negative")),
        (F.col("x") > 3, F.lit("too big")),
        (F.col("x") > 4, F.lit("way too big")),
    ]
    with pytest.raises(Exception, match="too big"):
        df.where(frames.true_or_raise(failures)).collect()
    assert df.where(frames.true_or_raise(failures[:1])).count() == 1
    assert df.where(frames.true_or_raise([])).count() == 1
