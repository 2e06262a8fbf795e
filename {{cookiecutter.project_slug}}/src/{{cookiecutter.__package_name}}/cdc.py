"""Batch equivalents of Databricks AUTO CDC (`dp.create_auto_cdc_flow`) for the local engine."""

from __future__ import annotations

from collections.abc import Sequence

from pyspark.sql import DataFrame

START_AT = "__START_AT"
END_AT = "__END_AT"


def scd1(
    df: DataFrame,
    keys: Sequence[str],
    sequence_by: str,
    delete_when: str | None = None,
    except_columns: Sequence[str] = (),
) -> DataFrame:
    """The current row per key after applying every change event in `sequence_by` order."""
    raise NotImplementedError


def scd2(
    df: DataFrame,
    keys: Sequence[str],
    sequence_by: str,
    delete_when: str | None = None,
    except_columns: Sequence[str] = (),
) -> DataFrame:
    """Every version per key with `__START_AT` and `__END_AT` (NULL while current)."""
    raise NotImplementedError
