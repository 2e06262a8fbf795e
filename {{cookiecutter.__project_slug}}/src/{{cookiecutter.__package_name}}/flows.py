"""How silver's CDC and snapshot tables and gold's tables are defined on each engine.

Databricks: AUTO CDC flows into streaming tables, gold in its own schema with informational key
constraints and liquid clustering. Local: materialized views recomputed from the whole feed by
`cdc`, every table in the run's one database (see `engine` for the table).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import cdc, engine, expectations, frames, quality, sources
from {{ cookiecutter.__package_name }}.constraints import GoldSchema
from {{ cookiecutter.__package_name }}.ingest import AUDIT_COLUMNS, with_audit_columns
from {{ cookiecutter.__package_name }}.spec import TableSpec

GOLD_SCHEMA_CONF = "medallion.gold_schema"  # catalog.schema of gold, for foreign key references


def create_cdc_table(
    spark: SparkSession,
    *,
    target: str,
    source: str,
    prepare: Callable[[DataFrame], DataFrame] | None = None,
    spec: TableSpec,
    comment: str,
) -> None:
    """Define `target` as the SCD1/SCD2 table (`spec.scd_type`) of the change feed in `source`.

    `prepare` turns the source rows into checked rows, i.e. the output of `quality.check`
    (the default: `quality.check(df, spec)`); the spec's expectations are applied to them, so
    rows failing a drop rule never reach the target (`silver_<t>_quarantine` keeps them). A fact
    with `sequence_by` is an SCD1 table: the latest event per key wins.

    Databricks: a temporary view `<target>_changes` with `dp.expect_all*`, a streaming table and
    `dp.create_auto_cdc_flow` (incremental). Local: a materialized view computing
    `cdc.scd1`/`cdc.scd2` over the whole source on every run.
    """
    if not spec.sequence_by:
        raise ValueError(f"table {spec.name!r}: CDC needs sequence_by")
    prepare = prepare or (lambda df: quality.check(df, spec))
    scd_type = spec.scd_type or 1
    except_columns = cdc_except_columns(spec)
    history_except = track_history_except(spec) if scd_type == 2 else None

    if engine.uses_auto_cdc(spark):
        changes = f"{target}_changes"

        @dp.temporary_view(name=changes, comment=f"Checked change events for {target}.")
        @expectations.expect_all(quality.expectations(spec, "warn"))
        @expectations.expect_all_or_drop(quality.expectations(spec, "drop"))
        @expectations.expect_all_or_fail(quality.expectations(spec, "fail"))
        def change_events() -> DataFrame:
            return prepare(spark.readStream.table(source))

        dp.create_streaming_table(target, comment=comment, **table_options(spec.keys))
        dp.create_auto_cdc_flow(
            target=target,
            source=changes,
            keys=list(spec.keys),
            sequence_by=spec.sequence_by,
            apply_as_deletes=F.expr(spec.delete_when) if spec.delete_when else None,
            except_column_list=except_columns,
            stored_as_scd_type=scd_type,
            track_history_except_column_list=history_except,
        )
        return

    scd = cdc.scd2 if scd_type == 2 else cdc.scd1

    @dp.materialized_view(name=target, comment=comment)
    def current_state() -> DataFrame:
        kept = _accepted_for_cdc(prepare(spark.read.table(source)), spec)
        return scd(
            kept,
            spec.keys,
            spec.sequence_by,
            spec.delete_when,
            except_columns,
            track_history_except=history_except or (),
        )


def create_snapshot_table(
    spark: SparkSession, *, target: str, source: str, spec: TableSpec, comment: str
) -> None:
    """Define `target` as the SCD1/SCD2 table of a dimension that lands as full snapshots.

    Each landed snapshot holds the whole table and carries its version in `spec.snapshot_by`;
    versions are applied in ascending order, and a key missing from a newer snapshot is deleted
    (SCD1) or its version closed (SCD2). `__START_AT`/`__END_AT` are snapshot versions (see
    `cdc.snapshot_version`). A row failing a drop rule goes to the quarantine, and its key keeps
    its last accepted row in that snapshot (`cdc.keep_quarantined_members`): one bad value must
    not delete a member. A quarantined row whose key is unknown stops the update.

    Databricks: `dp.create_auto_cdc_from_snapshot_flow` with a function that returns the next
    snapshot after the last one processed, read from the landing files (Auto Loader is for
    streams). Local: a materialized view computing `cdc.from_snapshots` over bronze, i.e. every
    snapshot landed so far. Both apply every snapshot in order, so several snapshots landing
    between two updates, or a full refresh, give the same table.
    """
    if not spec.snapshot_by:
        raise ValueError(f"table {spec.name!r}: a snapshot table needs snapshot_by")
    scd_type = spec.scd_type or 1
    history_except = track_history_except(spec) if scd_type == 2 else None

    def accepted_rows(checked: DataFrame) -> DataFrame:
        version = cdc.snapshot_version(spec.snapshot_by, spec.columns[spec.snapshot_by])
        versioned = frames.with_columns(checked, {cdc.VERSION: version})
        accepted = _accepted_for_cdc(versioned, spec).select(
            *spec.kept_columns, quality.WARNED_RULES, cdc.VERSION
        )
        rejected = versioned.where(F.size(quality.FAILED_RULES) > 0)
        return cdc.keep_quarantined_members(accepted, rejected, spec.keys, spec.name)

    if engine.is_databricks(spark):

        def next_snapshot_and_version(latest_version: int | None):
            snapshots = accepted_rows(
                quality.check(with_audit_columns(sources.read_landing_batch(spark, spec)), spec)
            )
            if latest_version is not None:
                snapshots = snapshots.where(F.col(cdc.VERSION) > F.lit(latest_version))
            version = snapshots.agg(F.min(cdc.VERSION)).first()[0]
            if version is None:
                return None
            rows = snapshots.where(F.col(cdc.VERSION) == F.lit(version))
            return rows.select(*spec.kept_columns, quality.WARNED_RULES), version

        dp.create_streaming_table(target, comment=comment, **table_options(spec.keys))
        engine.databricks_function("create_auto_cdc_from_snapshot_flow")(
            target=target,
            source=next_snapshot_and_version,
            keys=list(spec.keys),
            stored_as_scd_type=scd_type,
            track_history_except_column_list=history_except,
        )
        return

    @dp.materialized_view(name=target, comment=comment)
    def current_state() -> DataFrame:
        snapshots = accepted_rows(quality.check(spark.read.table(source), spec))
        return cdc.from_snapshots(
            snapshots, spec.keys, scd_type, track_history_except=history_except or ()
        )


def cdc_except_columns(spec: TableSpec) -> list[str]:
    """Columns left out of a CDC target: quality helpers, audit columns, the spec's
    `except_columns` (`_warned_rules` stays, so silver shows which rows broke a warn rule)."""
    return [*quality.HELPER_COLUMNS, *AUDIT_COLUMNS, *spec.except_columns]


def track_history_except(spec: TableSpec) -> list[str]:
    """SCD2 columns whose change alone opens no new version: the ordering column (every event
    moves it) and `_warned_rules` (it follows from the other columns)."""
    ordering = spec.sequence_by or spec.snapshot_by
    return [name for name in (ordering, quality.WARNED_RULES) if name]


def _accepted_for_cdc(checked: DataFrame, spec: TableSpec) -> DataFrame:
    """Checked rows that pass every drop rule, after the fail rules had their say (local)."""
    kept = expectations.local_drop(checked, quality.expectations(spec, "drop"))
    return quality.fail_fast(kept, spec)


def table_options(cluster_by: Sequence[str]) -> dict:
    """Keyword arguments for `@dp.table`/`@dp.materialized_view`: liquid clustering on Databricks.

    Locally tables are plain parquet directories, so there is nothing to cluster.
    """
    if cluster_by and engine.is_databricks(engine.active_spark()):
        return {"cluster_by": list(cluster_by)}
    return {}


def gold_options(schema: GoldSchema, cluster_by: Sequence[str]) -> dict:
    """Keyword arguments for a gold `@dp.materialized_view`: its declared schema, and on
    Databricks its informational key constraints (never `RELY`, see `constraints`) and liquid
    clustering.

    Clustering goes on what people filter and join by (a fact's date key, a dimension's natural
    key), not on hash surrogate keys. Foreign keys name their dimension as
    `<medallion.gold_schema>.dim_<t>` (resources/pipeline.yml sets it for each target).
    """
    spark = engine.active_spark()
    if not engine.is_databricks(spark):
        return {"schema": schema.ddl(constraints=False)}
    qualifier = engine.required_conf(spark, GOLD_SCHEMA_CONF)
    return {
        "schema": schema.ddl(constraints=True, qualifier=qualifier),
        "cluster_by": list(cluster_by),
    }


def gold_table(name: str) -> str:
    """The name a gold dataset is published and read under.

    On Databricks gold goes to its own schema, `<medallion.gold_schema>.<name>` (the one analysts
    may read, see resources/schema.yml); bronze and silver stay in the pipeline's schema. Locally
    every table is in the one catalog database of the run, so the plain name.
    """
    spark = engine.active_spark()
    if not engine.is_databricks(spark):
        return name
    return f"{engine.required_conf(spark, GOLD_SCHEMA_CONF)}.{name}"


def gold_reader(spark: SparkSession) -> Callable[[str], DataFrame]:
    """`spark.read.table` for gold datasets named as `gold_table` publishes them."""
    return lambda name: spark.read.table(gold_table(name))
