"""frames: `with_columns` works as `withColumns`, and the library avoids the eager steps."""

from __future__ import annotations

import ast
from pathlib import Path

from chispa import assert_df_equality
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
    df = spark.createDataFrame(
        [(1, "a", 30), (1, None, 10), (2, "c", 20)], "k int, v string, seq int"
    )
    in_order = Window.partitionBy("k").orderBy("seq")
    result = frames.with_columns(
        df,
        {
            "v": F.upper("v"),
            "position": F.row_number().over(in_order),
            "seq": F.col("seq") + 1,
        },
    )
    expected = spark.createDataFrame(
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
