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

`--layers` keeps what the pipeline keeps between the landed files and gold, written by hand:
`bronze_<t>` (the landed text, the file it came from and when it was read) and `silver_<t>`
(typed, one row per key), each written as parquet and read back; gold is then built from silver.
Still no quality rules, quarantine, streaming state or catalog: the pipeline against this build
is what the engine and the guarantees cost for the same layers.
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
    """A classic local session set up like the pipeline's engine (see medallion.run_local)."""
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


def read_landed(spark: SparkSession, landing: Path, name: str, table: dict) -> DataFrame:
    """The landed CSV files of one table, every column as text."""
    as_text = StructType([StructField(column, StringType()) for column in table["columns"]])
    return spark.read.csv(str(landing / name), header=True, schema=as_text)


def typed_by_key(text: DataFrame, table: dict) -> DataFrame:
    """Text columns cast to the spec's types, one row per key."""
    typed = text.select(*(F.col(c).cast(t).alias(c) for c, t in table["columns"].items()))
    return typed.dropDuplicates(table["keys"])


def read_typed(spark: SparkSession, landing: Path, name: str, table: dict) -> DataFrame:
    """The landed CSV files of one table, typed as the spec says, one row per key."""
    return typed_by_key(read_landed(spark, landing, name, table), table)


def read_through_layers(
    spark: SparkSession, landing: Path, name: str, table: dict, out: Path
) -> DataFrame:
    """`read_typed` by way of a bronze and a silver table written to `out`."""
    bronze = read_landed(spark, landing, name, table).select(
        "*",
        F.col("_metadata.file_path").alias("_source_file"),
        F.current_timestamp().alias("_ingested_at"),
    )
    bronze.write.mode("overwrite").parquet(str(out / f"bronze_{name}"))
    silver = typed_by_key(spark.read.parquet(str(out / f"bronze_{name}")), table)
    silver.write.mode("overwrite").parquet(str(out / f"silver_{name}"))
    return spark.read.parquet(str(out / f"silver_{name}"))


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


def build_star(
    spark: SparkSession, tables: dict, landing: Path, out: Path, layers: bool = False
) -> None:
    def read(name: str) -> DataFrame:
        if layers:
            return read_through_layers(spark, landing, name, tables[name], out)
        return read_typed(spark, landing, name, tables[name])

    def write(name: str, df: DataFrame) -> DataFrame:
        df.write.mode("overwrite").parquet(str(out / name))
        return spark.read.parquet(str(out / name))  # later joins read the result, not the plan

    def dimension(name: str) -> DataFrame:
        # A snowflake: the dimensions this one references are written first.
        if name not in dims:
            for target in tables[name].get("references", {}).values():
                dimension(target)
            built = build_dimension(name, tables[name], read(name), tables, dims)
            dims[name] = write(f"dim_{name}", built)
        return dims[name]

    dims: dict[str, DataFrame] = {}
    facts = {name: t for name, t in tables.items() if t.get("role") == "fact"}
    for name in tables:
        if name not in facts:
            dimension(name)
    fact_dates = []
    for name, table in facts.items():
        fact = write(f"fact_{name}", build_fact(table, read(name), tables, dims))
        columns = [c for c in [table.get("date_column"), *date_attributes(table)] if c]
        fact_dates += [fact.select(F.col(c).alias("date")) for c in columns]
    if fact_dates:
        write("dim_date", build_dim_date(spark, fact_dates))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--spec", type=Path, required=True, help="cookiecutter config file")
    parser.add_argument("--landing", type=Path, required=True, help="<landing>/<table>/*.csv")
    parser.add_argument("--out", type=Path, required=True, help="gold tables go to <out>/<table>")
    parser.add_argument(
        "--layers", action="store_true", help="write bronze and silver tables on the way"
    )
    args = parser.parse_args(argv)
    spark = spark_session()
    try:
        build_star(spark, load_tables(args.spec), args.landing, args.out, args.layers)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
