"""cdc: a corpus of change-feed cases, run against the local AUTO CDC equivalent (snapshots:
test_cdc_snapshots.py).

Every expected table below is written by hand from the AUTO CDC documentation, not computed:
- create_auto_cdc_flow (https://docs.databricks.com/aws/en/ldp/cdc and
  .../ldp/developer/ldp-python-ref-apply-changes): the highest `sequence_by` wins whatever the
  arrival order; SCD2 slots a late event into history at its sequence; `__START_AT`/`__END_AT`
  hold sequence values and a delete closes the current version at the delete's sequence; a change
  in `track_history_except_column_list` columns alone updates the current version in place; a
  deleted key is kept as a tombstone, so an event older than the delete does not bring it back;
  NULL keys or sequence values fail the update (silver quarantines those rows first, see
  test_quality.py), and one event per key and sequence value is required (a tie is undefined:
  here a delete wins, then the greater row, which the "tie" cases pin down).

Each case is one key's story. Events are listed in arrival order. Columns: `id`, `name`, `seq`
(the sequence), `op` (`D` marks a delete; an event column, left out of the target).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from chispa import assert_basic_rows_equality, assert_df_equality
from chispa.schema_comparer import assert_schema_equality
from medallion.testing.arrow_rows import frame
from pyspark.sql import Row

from {{ cookiecutter.__package_name }} import cdc

EVENTS = "id bigint, name string, seq int, op string"
SCD1 = "id bigint, name string, seq int"
SCD2 = "id bigint, name string, seq int, __START_AT int, __END_AT int"


@dataclass(frozen=True)
class Case:
    why: str
    events: list[tuple]
    scd1: list[tuple]  # (id, name, seq)
    scd2: list[tuple]  # (id, name, seq, __START_AT, __END_AT)


U, D = "U", "D"
CASES = {
    "in_order": Case(
        "updates in sequence order: SCD1 keeps the last, SCD2 every version",
        [(1, "a", 1, U), (1, "b", 2, U)],
        [(1, "b", 2)],
        [(1, "a", 1, 1, 2), (1, "b", 2, 2, None)],
    ),
    "out_of_order": Case(
        "arrival order does not matter: the highest seq wins, the late one slots into history",
        [(2, "c", 3, U), (2, "a", 1, U), (2, "b", 2, U)],
        [(2, "c", 3)],
        [(2, "a", 1, 1, 2), (2, "b", 2, 2, 3), (2, "c", 3, 3, None)],
    ),
    "late_older_event": Case(
        "an event older than the current one does not overwrite it (SCD1)",
        [(3, "new", 5, U), (3, "old", 4, U)],
        [(3, "new", 5)],
        [(3, "old", 4, 4, 5), (3, "new", 5, 5, None)],
    ),
    "exact_duplicate": Case(
        "the same event delivered twice counts once",
        [(4, "a", 1, U), (4, "a", 1, U)],
        [(4, "a", 1)],
        [(4, "a", 1, 1, None)],
    ),
    "tie_update_and_delete": Case(
        "an update and a delete with the same seq: the delete wins (documented as undefined)",
        [(5, "a", 1, U), (5, "b", 2, U), (5, "b", 2, D)],
        [],
        [(5, "a", 1, 1, 2)],
    ),
    "tie_two_updates": Case(
        "two different updates with the same seq: the greater row wins, in any arrival order",
        [(6, "y", 2, U), (6, "x", 1, U), (6, "z", 2, U)],
        [(6, "z", 2)],
        [(6, "x", 1, 1, 2), (6, "z", 2, 2, None)],
    ),
    "delete_then_reinsert": Case(
        "a delete ends the key; a later insert brings it back as a new version",
        [(7, "a", 1, U), (7, "a", 2, D), (7, "again", 3, U)],
        [(7, "again", 3)],
        [(7, "a", 1, 1, 2), (7, "again", 3, 3, None)],
    ),
    "late_event_before_a_delete": Case(
        "an event older than the delete arrives after it: the key stays deleted (tombstone)",
        [(8, "a", 1, U), (8, "a", 3, D), (8, "b", 2, U)],
        [],
        [(8, "a", 1, 1, 2), (8, "b", 2, 2, 3)],
    ),
    "only_the_sequence_changes": Case(
        "a change in seq alone (track_history_except) opens no version; the row takes the new seq",
        [(9, "a", 1, U), (9, "a", 2, U)],
        [(9, "a", 2)],
        [(9, "a", 2, 1, None)],
    ),
    "delete_of_an_unknown_key": Case(
        "a delete for a key never seen changes nothing; a later insert stands",
        [(10, "x", 1, D), (10, "a", 2, U)],
        [(10, "a", 2)],
        [(10, "a", 2, 2, None)],
    ),
    "older_delete_arrives_late": Case(
        "a delete older than the current event is ignored",
        [(11, "a", 2, U), (11, "a", 1, D)],
        [(11, "a", 2)],
        [(11, "a", 2, 2, None)],
    ),
    "second_delete": Case(
        "a second delete in a row changes nothing",
        [(12, "a", 1, U), (12, "a", 2, D), (12, "a", 3, D)],
        [],
        [(12, "a", 1, 1, 2)],
    ),
    "null_sequence": Case(
        "no sequence value: never applied (AUTO CDC fails on it; silver quarantines it first)",
        [(13, "a", 1, U), (13, "ghost", None, U)],
        [(13, "a", 1)],
        [(13, "a", 1, 1, None)],
    ),
    "back_to_an_earlier_value": Case(
        "a -> b -> a is three versions: history is about changes, not distinct values",
        [(14, "a", 1, U), (14, "b", 2, U), (14, "a", 3, U)],
        [(14, "a", 3)],
        [(14, "a", 1, 1, 2), (14, "b", 2, 2, 3), (14, "a", 3, 3, None)],
    ),
}


def _feed(spark, events):
    return frame(spark, events, EVENTS)


def _apply(function, events):
    return function(events, ["id"], "seq", "op = 'D'", ["op"], track_history_except=["seq"])


def _in_order(rows: list[Row]) -> list[Row]:
    """Rows sorted by value, NULLs first, for an order-free comparison."""
    return sorted(rows, key=lambda row: [(v is not None, v if v is not None else 0) for v in row])


@pytest.fixture(scope="module")
def corpus(spark) -> dict[str, list[Row]]:
    """SCD1 and SCD2 of every case's events, in arrival order, computed once: each case has keys
    of its own (the whole-corpus test below shows keys do not influence each other)."""
    feed = _feed(spark, [event for case in CASES.values() for event in case.events])
    return {"scd1": _apply(cdc.scd1, feed).collect(), "scd2": _apply(cdc.scd2, feed).collect()}


def _assert_case(corpus: dict[str, list[Row]], name: str, kind: str, schema: str) -> None:
    case = CASES[name]
    ids = {event[0] for event in case.events}
    actual = [row for row in corpus[kind] if row.id in ids]
    columns = [field.split()[0] for field in schema.split(", ")]
    expected = [Row(**dict(zip(columns, values, strict=True))) for values in getattr(case, kind)]
    assert_basic_rows_equality(_in_order(actual), _in_order(expected))


@pytest.mark.parametrize("name", CASES)
def test_scd1_case(corpus, name):
    _assert_case(corpus, name, "scd1", SCD1)


@pytest.mark.parametrize("name", CASES)
def test_scd2_case(corpus, name):
    _assert_case(corpus, name, "scd2", SCD2)


def test_scd1_and_scd2_columns_are_the_documented_ones(spark):
    feed = _feed(spark, CASES["in_order"].events)
    for function, schema in ((cdc.scd1, SCD1), (cdc.scd2, SCD2)):
        expected = frame(spark, [], schema).schema
        assert_schema_equality(_apply(function, feed).schema, expected, ignore_nullable=True)


def test_the_whole_corpus_at_once_in_reverse_arrival_order(spark):
    """Keys do not influence each other, and arrival order does not matter."""
    events = [event for case in CASES.values() for event in reversed(case.events)]
    feed = _feed(spark, events)
    assert_df_equality(
        _apply(cdc.scd2, feed),
        frame(spark, [row for case in CASES.values() for row in case.scd2], SCD2),
        ignore_row_order=True,
        ignore_nullable=True,
    )
    assert_df_equality(
        _apply(cdc.scd1, feed),
        frame(spark, [row for case in CASES.values() for row in case.scd1], SCD1),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_without_track_history_except_every_sequence_change_is_a_version(spark):
    """What `flows.create_cdc_table` avoids by passing sequence_by in
    track_history_except_column_list, on both engines."""
    events = _feed(spark, CASES["only_the_sequence_changes"].events)
    actual = cdc.scd2(events, ["id"], "seq", "op = 'D'", ["op"])
    expected = frame(spark, [(9, "a", 1, 1, 2), (9, "a", 2, 2, None)], SCD2)
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


# --- full snapshots ----------------------------------------------------------------------------
