"""The gold star of a spec's example, built by hand with plain batch PySpark: the baseline.

    python bench/bare_star.py --spec examples/tpch.yml --landing <landing> --out <folder>

What an engineer would write without the template: read each landed CSV file, cast to the spec's
types, drop duplicate keys, join, write parquet. No data-quality rules, quarantine, streaming
state, catalog, change tracking or unknown members. It writes the same gold tables the pipeline
does, named the same way:

- `dim_<t>`: `<t>_sk` (xxhash64 of the key), every column, and `<dimension>_sk` per reference to
  another dimension (the snowflake: nation -> region, customer -> nation);
- `fact_<t>`: the keys, `<dimension>_sk` per reference (-1 when the key has no match), `date_sk`
  (yyyyMMdd) and the date column, `<column>_sk` per date attribute, the attributes, the measures;
- `dim_date`: one row per day from the first to the last fact date.

Only the spec fields the TPC-H example uses are read (role, keys, columns, references,
date_column, attributes, measures). Each table is written and read back before the tables that
join it, as a batch job would, so no lineage is computed twice.
"""

from __future__ import annotations

import argparse
import os
from functools import reduce
from pathlib import Path

import yaml
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

UNKNOWN_SK = -1
DATE_TYPES = ("date", "timestamp")


def load_tables(spec_file: Path) -> dict[str, dict]:
    """The `tables` of a cookiecutter config file, with every column type as a plain string."""
    tables = yaml.safe_load(spec_file.read_text())["default_context"]["tables"]
    for table in tables.values():
        table["columns"] = {
            name: value["type"] if isinstance(value, dict) else value
            for name, value in table["columns"].items()
        }
    return tables


def spark_session() -> SparkSession:
    """A classic local session set up like the pipeline's engine (see tools/run_local.py)."""
    builder = (
        SparkSession.builder.master("local[2]")
        .appName("bare-star")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
    )
    if os.environ.get("SPARK_DRIVER_MEMORY"):  # the benchmark gives both runs the same heap
        builder = builder.config("spark.driver.memory", os.environ["SPARK_DRIVER_MEMORY"])
    if os.environ.get("BENCH_JAVA_OPTIONS"):  # and the same JIT flags as the pipeline's engine
        builder = builder.config("spark.driver.extraJavaOptions", os.environ["BENCH_JAVA_OPTIONS"])
    return builder.getOrCreate()


def read_typed(spark: SparkSession, landing: Path, name: str, table: dict) -> DataFrame:
    """The landed CSV files of one table, typed as the spec says, one row per key."""
    as_text = StructType([StructField(column, StringType()) for column in table["columns"]])
    raw = spark.read.csv(str(landing / name), header=True, schema=as_text)
    typed = raw.select(*(F.col(c).cast(t).alias(c) for c, t in table["columns"].items()))
    return typed.dropDuplicates(table["keys"])


def sk_column(table: dict, column: str) -> str:
    """The pipeline's name for a reference's surrogate key: `<dimension>_sk`, or `<column>_sk`
    when the table references that dimension through several columns."""
    target = table["references"][column]
    shared = list(table["references"].values()).count(target) > 1
    return f"{column}_sk" if shared else f"{target}_sk"


def look_up_references(df: DataFrame, table: dict, tables: dict, dims: dict) -> DataFrame:
    """`df` plus a surrogate key column per reference: a left join on the dimension's key."""
    for column, target in table.get("references", {}).items():
        joined_key, name = f"__{target}_key", sk_column(table, column)
        members = dims[target].select(
            F.col(tables[target]["keys"][0]).alias(joined_key), F.col(f"{target}_sk").alias(name)
        )
        df = df.join(members, df[column] == members[joined_key], "left").drop(joined_key)
        df = df.withColumn(name, F.coalesce(F.col(name), F.lit(UNKNOWN_SK).cast("bigint")))
    return df


def build_dimension(name: str, table: dict, typed: DataFrame, tables: dict, dims: dict):
    """`dim_<name>`: surrogate key first, then the columns, then the referenced dimensions' keys."""
    sk = F.xxhash64(*table["keys"]).alias(f"{name}_sk")
    references = [sk_column(table, column) for column in table.get("references", {})]
    linked = look_up_references(typed, table, tables, dims)
    return linked.select(sk, *table["columns"], *references)


def date_attributes(table: dict) -> list[str]:
    return [c for c in table.get("attributes", []) if table["columns"][c] in DATE_TYPES]


def date_key(column: str) -> Column:
    return F.coalesce(F.date_format(column, "yyyyMMdd").cast("int"), F.lit(UNKNOWN_SK))


def build_fact(table: dict, typed: DataFrame, tables: dict, dims: dict) -> DataFrame:
    """`fact_<t>`, its columns in the pipeline's order (see star.fact_columns there)."""
    linked = look_up_references(typed, table, tables, dims)
    references = [sk_column(table, column) for column in table.get("references", {})]
    date_column = table.get("date_column")
    dates = [date_key(date_column).alias("date_sk"), date_column] if date_column else []
    role_playing = [date_key(c).alias(f"{c}_sk") for c in date_attributes(table)]
    rest = [*table.get("attributes", []), *table.get("measures", [])]
    return linked.select(*table["keys"], *references, *dates, *role_playing, *rest)


def build_dim_date(spark: SparkSession, dates: list[DataFrame]) -> DataFrame:
    """One row per day from the first to the last date in `dates` (one `date` column each)."""
    all_dates = reduce(DataFrame.unionByName, dates)
    bounds = all_dates.agg(F.min("date").alias("first"), F.max("date").alias("last"))
    days = bounds.select(F.explode(F.sequence("first", "last")).alias("date"))
    day_of_week = (F.dayofweek("date") + 5) % 7 + 1  # ISO: Monday = 1 (Spark starts on Sunday)
    return days.select(
        date_key("date").alias("date_sk"),
        "date",
        F.year("date").alias("year"),
        F.quarter("date").alias("quarter"),
        F.month("date").alias("month"),
        F.date_format("date", "MMMM").alias("month_name"),
        F.dayofmonth("date").alias("day_of_month"),
        day_of_week.alias("day_of_week"),
        F.date_format("date", "EEEE").alias("day_name"),
        (day_of_week >= 6).alias("is_weekend"),
    )


def build_star(spark: SparkSession, tables: dict, landing: Path, out: Path) -> None:
    def write(name: str, df: DataFrame) -> DataFrame:
        df.write.mode("overwrite").parquet(str(out / name))
        return spark.read.parquet(str(out / name))  # later joins read the result, not the plan

    def dimension(name: str) -> DataFrame:
        # A snowflake: the dimensions this one references are written first.
        if name not in dims:
            for target in tables[name].get("references", {}).values():
                dimension(target)
            typed = read_typed(spark, landing, name, tables[name])
            built = build_dimension(name, tables[name], typed, tables, dims)
            dims[name] = write(f"dim_{name}", built)
        return dims[name]

    dims: dict[str, DataFrame] = {}
    facts = {name: t for name, t in tables.items() if t.get("role") == "fact"}
    for name in tables:
        if name not in facts:
            dimension(name)
    fact_dates = []
    for name, table in facts.items():
        typed = read_typed(spark, landing, name, table)
        fact = write(f"fact_{name}", build_fact(table, typed, tables, dims))
        columns = [c for c in [table.get("date_column"), *date_attributes(table)] if c]
        fact_dates += [fact.select(F.col(c).alias("date")) for c in columns]
    if fact_dates:
        write("dim_date", build_dim_date(spark, fact_dates))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, required=True, help="cookiecutter config file")
    parser.add_argument("--landing", type=Path, required=True, help="<landing>/<table>/*.csv")
    parser.add_argument("--out", type=Path, required=True, help="gold tables go to <out>/<table>")
    args = parser.parse_args(argv)
    spark = spark_session()
    try:
        build_star(spark, load_tables(args.spec), args.landing, args.out)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
