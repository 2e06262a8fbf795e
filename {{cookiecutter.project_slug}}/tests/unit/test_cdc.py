"""cdc: the local SCD1/SCD2 equivalents of AUTO CDC, on one hand-written change feed."""

from __future__ import annotations

import datetime as dt

from chispa import assert_df_equality

from {{ cookiecutter.__package_name }} import cdc

EVENTS_SCHEMA = (
    "customer_id bigint, name string, updated_at timestamp, operation string, _source_file string"
)
DELETE_WHEN = "operation = 'DELETE'"
EXCEPT = ("operation", "_source_file")


def t(day: int, hour: int = 0) -> dt.datetime:
    return dt.datetime(2024, 1, day, hour)


# One feed, listed in arrival order (not sequence order), one story per key.
EVENTS = [
    # 1: updates out of order: the t(2) update arrives after the t(3) one.
    (1, "Ann", t(1), "INSERT", "a.json"),
    (1, "Anne", t(3), "UPDATE", "b.json"),
    (1, "Ann B", t(2), "UPDATE", "c.json"),
    # 2: an exact duplicate (the same file delivered twice).
    (2, "Bob", t(1), "INSERT", "a.json"),
    (2, "Bob", t(1), "INSERT", "a.json"),
    # 3: a delete.
    (3, "Cy", t(1), "INSERT", "a.json"),
    (3, None, t(2), "DELETE", "b.json"),
    # 4: a delete, then the key comes back.
    (4, "Di", t(1), "INSERT", "a.json"),
    (4, None, t(2), "DELETE", "b.json"),
    (4, "Dee", t(3), "INSERT", "c.json"),
    # 5: an update that changes nothing but its timestamp.
    (5, "Eve", t(1), "INSERT", "a.json"),
    (5, "Eve", t(2), "UPDATE", "b.json"),
    # 6: an event without a sequence value is ignored.
    (6, "Fay", t(1), "INSERT", "a.json"),
    (6, "Ghost", None, "UPDATE", "b.json"),
    # 7: a second delete changes nothing.
    (7, "Gus", t(1), "INSERT", "a.json"),
    (7, None, t(2), "DELETE", "b.json"),
    (7, None, t(3), "DELETE", "c.json"),
    # 8: an update and a delete with the same sequence value: the delete wins.
    (8, "Hal", t(1), "INSERT", "a.json"),
    (8, "Hal 2", t(2), "UPDATE", "b.json"),
    (8, None, t(2), "DELETE", "b.json"),
    # 9: a delete that arrives before its insert and is older: the insert stands.
    (9, None, t(1), "DELETE", "a.json"),
    (9, "Ivy", t(2), "INSERT", "b.json"),
]


def test_scd1_keeps_the_latest_state_of_each_key(spark):
    events = spark.createDataFrame(EVENTS, EVENTS_SCHEMA)
    actual = cdc.scd1(events, ["customer_id"], "updated_at", DELETE_WHEN, EXCEPT)
    expected = spark.createDataFrame(
        [
            (1, "Anne", t(3)),
            (2, "Bob", t(1)),
            (4, "Dee", t(3)),
            (5, "Eve", t(2)),
            (6, "Fay", t(1)),
            (9, "Ivy", t(2)),
        ],
        "customer_id bigint, name string, updated_at timestamp",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_scd2_keeps_every_version_with_its_validity(spark):
    events = spark.createDataFrame(EVENTS, EVENTS_SCHEMA)
    actual = cdc.scd2(events, ["customer_id"], "updated_at", DELETE_WHEN, EXCEPT)
    expected = spark.createDataFrame(
        [
            (1, "Ann", t(1), t(1), t(2)),
            (1, "Ann B", t(2), t(2), t(3)),
            (1, "Anne", t(3), t(3), None),
            (2, "Bob", t(1), t(1), None),
            (3, "Cy", t(1), t(1), t(2)),
            (4, "Di", t(1), t(1), t(2)),
            (4, "Dee", t(3), t(3), None),
            # the no-op update moves updated_at but opens no version
            (5, "Eve", t(2), t(1), None),
            (6, "Fay", t(1), t(1), None),
            (7, "Gus", t(1), t(1), t(2)),
            (8, "Hal", t(1), t(1), t(2)),
            (9, "Ivy", t(2), t(2), None),
        ],
        "customer_id bigint, name string, updated_at timestamp, "
        "__START_AT timestamp, __END_AT timestamp",
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_scd2_does_not_depend_on_arrival_order(spark):
    events = spark.createDataFrame(EVENTS, EVENTS_SCHEMA)
    reversed_events = spark.createDataFrame(list(reversed(EVENTS)), EVENTS_SCHEMA)
    assert_df_equality(
        cdc.scd2(reversed_events, ["customer_id"], "updated_at", DELETE_WHEN, EXCEPT),
        cdc.scd2(events, ["customer_id"], "updated_at", DELETE_WHEN, EXCEPT),
        ignore_row_order=True,
    )


def test_scd_without_deletes_and_with_a_numeric_sequence(spark):
    events = spark.createDataFrame(
        [(1, "a", 1), (1, "b", 2), (1, "a", 3)], "id bigint, value string, version int"
    )
    assert_df_equality(
        cdc.scd2(events, ["id"], "version"),
        spark.createDataFrame(
            [(1, "a", 1, 1, 2), (1, "b", 2, 2, 3), (1, "a", 3, 3, None)],
            "id bigint, value string, version int, __START_AT int, __END_AT int",
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )
    assert_df_equality(
        cdc.scd1(events, ["id"], "version"),
        spark.createDataFrame([(1, "a", 3)], "id bigint, value string, version int"),
        ignore_nullable=True,
    )


def test_change_columns_are_the_columns_delete_when_reads():
    columns = ["customer_id", "name", "operation", "op"]
    assert cdc.change_columns(columns, "operation = 'DELETE'") == ["operation"]
    assert cdc.change_columns(columns, None) == []
