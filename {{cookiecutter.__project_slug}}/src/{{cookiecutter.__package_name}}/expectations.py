"""Expectations as decorators: `dp.expect_all*` on Databricks, their local stand-ins elsewhere.

The rules themselves (name -> SQL over the output of `quality.check`) come from
`quality.expectations`; what a failing row does is the same on both engines: warn keeps it,
drop leaves it out, fail stops the update.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from {{ cookiecutter.__package_name }} import engine, frames, quality

DatasetFunction = Callable[..., DataFrame]


def expect_all(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Warn expectations (name -> SQL): rows are kept; Databricks counts failures per rule."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if engine.is_databricks(engine.active_spark()):
            return engine.databricks_function("expect_all")(dict(rules))(function)
        return function  # locally the failures are recorded in `_warned_rules` by quality.check

    return decorate


def expect_all_or_drop(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Drop expectations: rows where any rule is false or NULL are left out of the dataset."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if engine.is_databricks(engine.active_spark()):
            return engine.databricks_function("expect_all_or_drop")(dict(rules))(function)
        return _wrap(function, lambda df: local_drop(df, rules))

    return decorate


def expect_all_or_fail(rules: Mapping[str, str]) -> Callable[[DatasetFunction], Callable]:
    """Fail expectations: the first row where a rule is false or NULL stops the update."""

    def decorate(function: DatasetFunction) -> Callable:
        if not rules:
            return function
        if engine.is_databricks(engine.active_spark()):
            return engine.databricks_function("expect_all_or_fail")(dict(rules))(function)
        return _wrap(function, lambda df: _local_fail(df, rules))

    return decorate


def local_drop(df: DataFrame, rules: Mapping[str, str]) -> DataFrame:
    return df.where(quality.passes_all(rules))


def _local_fail(df: DataFrame, rules: Mapping[str, str]) -> DataFrame:
    # A filter that is true or raises: unlike a projected column, the optimizer cannot prune it.
    row = F.to_json(F.struct("*"))
    failures = [
        (
            ~F.coalesce(F.expr(constraint), F.lit(False)),
            F.concat(F.lit(f"expectation {name} failed for row "), row),
        )
        for name, constraint in rules.items()
    ]
    return df.where(frames.true_or_raise(failures))


def _wrap(function: DatasetFunction, transform: Callable[[DataFrame], DataFrame]) -> Callable:
    # functools.wraps keeps the function's name: a dataset defined without `name=` is named
    # after it.
    @functools.wraps(function)
    def wrapper(*args, **kwargs) -> DataFrame:
        return transform(function(*args, **kwargs))

    return wrapper
