"""Which engine runs the pipeline: the one question the rest of the library asks.

Pipeline files never branch on the engine themselves. The engine comes from the pipeline
configuration key `medallion.engine`: `databricks` in resources/pipeline.yml, `local` in the
spec that `medallion run-local` writes. A pipeline without the key stops at once with an error
that names it, rather than guess.

What differs between the engines lives in three modules, each with one concern:

| Concern          | Databricks (Lakeflow)                 | local (`spark-pipelines`, Spark 4.3)  |
|------------------|---------------------------------------|---------------------------------------|
| `sources`        | Auto Loader `cloudFiles` with the     | file source with the same schema;     |
| json/csv/parquet | spec's schema; unknown json fields in | json read as lines so that unknown    |
|                  | `_rescued_data`; csv headers checked  | fields are rescued the same way; csv  |
|                  | (enforceSchema=false)                 | headers checked the same way          |
| delta source     | `readStream.table(<schema>.<t>)`      | parquet files in `<landing>/<t>/`     |
|                  | with `skipChangeCommits`              |                                       |
| kafka source     | topic `<t>`, SASL/SSL from the        | JSON files in `<landing>/<t>/`        |
|                  | configuration, secrets from a scope   | (no Kafka connector offline)          |
| `expectations`   | `dp.expect_all*`: metrics in the      | warn: pass through; drop: filter;     |
|                  | event log                             | fail: `raise_error` stops the update  |
| `flows`: CDC     | `dp.create_auto_cdc_flow` into a      | materialized view recomputed from     |
| (SCD1/SCD2)      | streaming table (incremental)         | the whole feed by `cdc.scd1/scd2`     |
| full snapshots   | `dp.create_auto_cdc_from_snapshot_    | materialized view recomputed from     |
|                  | flow`, one snapshot version at a time | every snapshot by `cdc.from_snapshots`|
| gold, clustering | gold schema, key constraints,         | one local database, no clustering     |
|                  | `cluster_by` (liquid clustering)      | (plain parquet directories)           |

Both engines keep the same dataset names and columns, so gold code and tests do not care.
`expect_all*` and `create_auto_cdc_from_snapshot_flow` are looked up on `dp` when called
(`databricks_function`): open-source `pyspark.pipelines` does not have them.

`medallion.graph: databricks` (local engine only) builds the Databricks shape of the graph (AUTO
CDC flows into streaming tables, change views) with local sources and local expectations, so that
`spark-pipelines dry-run` analyzes it: every column named in `keys`, `sequence_by` and the column
lists is checked by Spark's own analyzer. It cannot run: open-source AUTO CDC needs a table format
with row-level operations (Delta), which cannot be installed offline.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from pyspark import pipelines as dp
from pyspark.sql import SparkSession

ENGINE_CONF = "medallion.engine"
ENGINES = ("databricks", "local")
GRAPH_CONF = "medallion.graph"
# Set by Databricks on its runtimes (the Databricks SDK and Connect use it the same way). It is not
# documented for serverless pipelines, so it only catches a local configuration on Databricks.
RUNTIME_ENV = "DATABRICKS_RUNTIME_VERSION"


class EngineConfigError(RuntimeError):
    """The pipeline configuration does not say (or contradicts) which engine runs it."""


def engine(spark: SparkSession) -> str:
    """`databricks` or `local`, from `medallion.engine`; raises when it is missing or wrong."""
    value = spark.conf.get(ENGINE_CONF, None)
    runtime = os.environ.get(RUNTIME_ENV)
    if value is None:
        raise EngineConfigError(
            f"pipeline configuration {ENGINE_CONF!r} is not set. Set it to 'databricks' in the "
            "pipeline's configuration (resources/pipeline.yml does; a pipeline created outside "
            "the bundle needs it too) or to 'local' (`medallion run-local` does)."
        )
    if value not in ENGINES:
        raise EngineConfigError(f"{ENGINE_CONF} is {value!r}; use one of {', '.join(ENGINES)}")
    if value == "local" and runtime:
        raise EngineConfigError(
            f"{ENGINE_CONF} is 'local' but this is a Databricks runtime ({RUNTIME_ENV}={runtime}): "
            "set it to 'databricks' in the pipeline's configuration"
        )
    return value


def is_databricks(spark: SparkSession) -> bool:
    """True when the pipeline configuration says `medallion.engine: databricks`."""
    return engine(spark) == "databricks"


def uses_auto_cdc(spark: SparkSession) -> bool:
    """True when CDC tables are AUTO CDC flows: on Databricks, and in the local dry-run graph."""
    return is_databricks(spark) or spark.conf.get(GRAPH_CONF, "local") == "databricks"


def active_spark() -> SparkSession:
    return SparkSession.active()


def required_conf(spark: SparkSession, key: str) -> str:
    value = spark.conf.get(key, None)
    if not value:
        raise EngineConfigError(f"pipeline configuration {key!r} is not set")
    return value


def databricks_function(name: str) -> Callable:
    function = getattr(dp, name, None)
    if function is None:
        raise EngineConfigError(
            f"pyspark.pipelines has no {name}: medallion.engine is 'databricks' but this is not "
            "a Databricks runtime"
        )
    return function
