"""The one module that knows which engine runs the pipeline."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from pyspark import pipelines as dp
from pyspark.sql import DataFrame, SparkSession

from {{ cookiecutter.__package_name }}.spec import TableSpec

ENGINE_CONF = "medallion.engine"


def is_databricks(spark: SparkSession) -> bool:
    raise NotImplementedError


def read_landing(spark: SparkSession, spec: TableSpec) -> DataFrame:
    raise NotImplementedError


def expect_all(rules: Mapping[str, str]) -> Callable:
    raise NotImplementedError


def expect_all_or_drop(rules: Mapping[str, str]) -> Callable:
    raise NotImplementedError


def expect_all_or_fail(rules: Mapping[str, str]) -> Callable:
    raise NotImplementedError


def create_cdc_table(
    spark: SparkSession,
    *,
    target: str,
    source: str,
    prepare: Callable[[DataFrame], DataFrame] | None,
    spec: TableSpec,
    comment: str,
) -> None:
    raise NotImplementedError


def table_options(cluster_by: Sequence[str]) -> dict:
    raise NotImplementedError


__all__ = ["dp"]
