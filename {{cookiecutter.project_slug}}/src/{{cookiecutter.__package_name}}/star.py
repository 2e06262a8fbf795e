"""Gold: a star schema built from silver."""

from __future__ import annotations

from pyspark.sql import Column, DataFrame

from {{ cookiecutter.__package_name }}.spec import TableSpec

UNKNOWN_SK = -1


def surrogate_key(*cols: Column | str) -> Column:
    """A positive BIGINT hash of the natural key (plus `__START_AT` for SCD2 versions)."""
    raise NotImplementedError


def dimension(silver_df: DataFrame, spec: TableSpec) -> DataFrame:
    """`dim_<t>`: `<t>_sk` first, the silver columns, and the unknown member row (`<t>_sk = -1`)."""
    raise NotImplementedError


def dim_date(dates: DataFrame, date_col: str = "date") -> DataFrame:
    """One row per day from the first to the last date in `dates`, plus the unknown row (-1)."""
    raise NotImplementedError


def fact(
    silver_df: DataFrame, spec: TableSpec, dimensions: dict[str, tuple[TableSpec, DataFrame]]
) -> DataFrame:
    """`fact_<t>`: fact keys, `<dim>_sk` per reference (-1 when no match), `date_sk`, date, measures."""
    raise NotImplementedError
