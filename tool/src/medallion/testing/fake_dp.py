"""A strict stand-in for `pyspark.pipelines` as Databricks has it, for the Databricks branch.

Every call is bound to the real signature before it is recorded, so a misspelled keyword, a
missing argument or a call Databricks would reject fails the test instead of passing silently:

- functions that open-source `pyspark.pipelines` has too (`table`, `materialized_view`,
  `temporary_view`, `create_streaming_table`, `create_auto_cdc_flow`, `append_flow`) are bound to
  the installed module's own signature (`inspect.signature`);
- `create_auto_cdc_flow` is also bound to the signature Databricks documents, which has more
  parameters than open source but the same names for the ones both have;
- Databricks-only functions (`expect_all*`, `create_auto_cdc_from_snapshot_flow`) are bound to
  signatures transcribed from the Databricks documentation (links below).

The documented rules checked on top of the signatures: expectations are a dict of name -> SQL
string and decorate the query function (they go below the dataset decorator, which returns
None); AUTO CDC takes only one of `column_list`/`except_column_list` and one of the two
`track_history_*` lists; `apply_as_truncates` is SCD type 1 only; the SCD type is 1 or 2.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from pyspark import pipelines as oss_dp
from pyspark.sql import Column


# https://docs.databricks.com/aws/en/ldp/developer/ldp-python-ref-expectations
# "expect_all decorators require descriptions and constraints to be passed as a dict".
def _expect_all(expectations, /): ...


# https://docs.databricks.com/aws/en/ldp/developer/ldp-python-ref-apply-changes
def _databricks_create_auto_cdc_flow(
    target,
    source,
    keys,
    sequence_by,
    system_sequence_by=None,
    ignore_null_updates=False,
    ignore_null_updates_column_list=None,
    ignore_null_updates_except_column_list=None,
    columns_to_update=None,
    apply_as_deletes=None,
    apply_as_truncates=None,
    column_list=None,
    except_column_list=None,
    stored_as_scd_type="1",
    track_history_column_list=None,
    track_history_except_column_list=None,
    name=None,
    once=False,
): ...


# https://docs.databricks.com/aws/en/ldp/developer/ldp-python-ref-apply-changes-from-snapshot
def _databricks_create_auto_cdc_from_snapshot_flow(
    target,
    source,
    keys,
    stored_as_scd_type="1",
    track_history_column_list=None,
    track_history_except_column_list=None,
    once=False,
): ...


class DatabricksRejects(TypeError):
    """A call that Databricks (or pyspark.pipelines) would reject."""


def _bind(function: Callable, name: str, args: tuple, kwargs: dict) -> dict[str, Any]:
    try:
        bound = inspect.signature(function).bind(*args, **kwargs)
    except TypeError as error:
        raise DatabricksRejects(f"{name}{args!r} {kwargs!r}: {error}") from None
    bound.apply_defaults()
    return dict(bound.arguments)


def _columns(name: str, value: Any) -> None:
    if value is None:
        return
    if not isinstance(value, list) or not all(isinstance(v, (str, Column)) for v in value):
        raise DatabricksRejects(f"{name} must be a list of column names, not {value!r}")


class StrictFakeDp:
    """Records what the pipeline asks of `dp`; `calls` holds (function, bound arguments)."""

    def __init__(self, databricks: bool = True):
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.datasets: dict[str, Callable] = {}
        self.snapshot_sources: dict[str, Callable] = {}
        if databricks:
            for name in ("expect_all", "expect_all_or_drop", "expect_all_or_fail"):
                setattr(self, name, self._expectation(name))
            self.create_auto_cdc_from_snapshot_flow = self._snapshot_flow

    def kinds(self) -> list[str]:
        return [kind for kind, _ in self.calls]

    def call(self, kind: str) -> dict[str, Any]:
        """The bound arguments of the only call of `kind`."""
        found = [arguments for name, arguments in self.calls if name == kind]
        assert len(found) == 1, f"{kind} was called {len(found)} times: {self.kinds()}"
        return found[0]

    # Databricks-only --------------------------------------------------------------------------

    def _expectation(self, name: str) -> Callable:
        def expectation(*args, **kwargs):
            (rules,) = _bind(_expect_all, name, args, kwargs).values()
            if not isinstance(rules, dict) or not rules:
                raise DatabricksRejects(f"{name} takes a non-empty dict, not {rules!r}")
            for rule, constraint in rules.items():
                if not isinstance(rule, str) or not isinstance(constraint, str):
                    raise DatabricksRejects(f"{name}: {rule!r}: {constraint!r} must be strings")

            def decorate(function):
                if not callable(function):
                    raise DatabricksRejects(
                        f"{name} must decorate the query function (below the dataset decorator)"
                    )
                self.calls.append((name, dict(rules)))
                return function

            return decorate

        return expectation

    def _snapshot_flow(self, *args, **kwargs) -> None:
        bound = _bind(
            _databricks_create_auto_cdc_from_snapshot_flow,
            "create_auto_cdc_from_snapshot_flow",
            args,
            kwargs,
        )
        if not (isinstance(bound["source"], str) or callable(bound["source"])):
            raise DatabricksRejects("source must be a table name or a snapshot function")
        _columns("keys", bound["keys"])
        self._scd_rules(bound)
        if callable(bound["source"]):
            self.snapshot_sources[bound["target"]] = bound["source"]
        self.calls.append(("create_auto_cdc_from_snapshot_flow", bound))

    # In open source too ---------------------------------------------------------------------

    def _dataset(self, kind: str, args: tuple, kwargs: dict) -> Callable:
        bound = _bind(getattr(oss_dp, kind), kind, args, kwargs)
        if bound.pop("query_function", None) is not None:
            raise DatabricksRejects(f"{kind}: these tests expect the keyword form")

        def decorate(function):
            self.calls.append((kind, {k: v for k, v in bound.items() if v is not None}))
            self.datasets[bound["name"] or function.__name__] = function
            # The real decorators register the dataset and return None.

        return decorate

    def table(self, *args, **kwargs):
        return self._dataset("table", args, kwargs)

    def materialized_view(self, *args, **kwargs):
        return self._dataset("materialized_view", args, kwargs)

    def temporary_view(self, *args, **kwargs):
        return self._dataset("temporary_view", args, kwargs)

    def create_streaming_table(self, *args, **kwargs):
        bound = _bind(oss_dp.create_streaming_table, "create_streaming_table", args, kwargs)
        self.calls.append(("create_streaming_table", {k: v for k, v in bound.items() if v}))

    def create_auto_cdc_flow(self, *args, **kwargs):
        _bind(oss_dp.create_auto_cdc_flow, "create_auto_cdc_flow (open source)", args, kwargs)
        bound = _bind(
            _databricks_create_auto_cdc_flow, "create_auto_cdc_flow (Databricks)", args, kwargs
        )
        _columns("keys", bound["keys"])
        if not isinstance(bound["sequence_by"], (str, Column)):
            raise DatabricksRejects("sequence_by must be a column name or a Column")
        if bound["column_list"] is not None and bound["except_column_list"] is not None:
            raise DatabricksRejects("give column_list or except_column_list, not both")
        _columns("column_list", bound["column_list"])
        _columns("except_column_list", bound["except_column_list"])
        self._scd_rules(bound)
        if bound["apply_as_truncates"] is not None and str(bound["stored_as_scd_type"]) != "1":
            raise DatabricksRejects("apply_as_truncates is only supported for SCD type 1")
        self.calls.append(("create_auto_cdc_flow", bound))

    @staticmethod
    def _scd_rules(bound: dict[str, Any]) -> None:
        if str(bound["stored_as_scd_type"]) not in ("1", "2"):
            raise DatabricksRejects(f"stored_as_scd_type {bound['stored_as_scd_type']!r}: 1 or 2")
        history = (bound["track_history_column_list"], bound["track_history_except_column_list"])
        if all(value is not None for value in history):
            raise DatabricksRejects("give one of the track_history_* lists, not both")
        for name in ("track_history_column_list", "track_history_except_column_list"):
            _columns(name, bound[name])
