"""cdc: full snapshots, run against the local equivalent of AUTO CDC from snapshots.

Every expected table is written by hand from create_auto_cdc_from_snapshot_flow's documentation
(https://docs.databricks.com/aws/en/ldp/developer/ldp-python-ref-apply-changes-from-snapshot):
snapshots apply in ascending version order; a row is inserted when its key is new, updated when a
value changed, and deleted (SCD1) or closed (SCD2) when its key is missing from the newer snapshot;
`__START_AT`/`__END_AT` are snapshot versions. A quarantined row keeps its member as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from chispa import assert_df_equality
from medallion.testing.arrow_rows import frame

from {{ cookiecutter.__package_name }} import cdc

SNAPSHOTS = "id bigint, name string, __SNAPSHOT_VERSION bigint"
SNAPSHOT_SCD1 = "id bigint, name string"
SNAPSHOT_SCD2 = "id bigint, name string, __START_AT bigint, __END_AT bigint"


@dataclass(frozen=True)
class SnapshotCase:
    why: str
    snapshots: dict[int, list[tuple]]  # version -> (id, name) rows, in landing order
    scd1: list[tuple]
    scd2: list[tuple]


SNAPSHOT_CASES = {
    "member_dropped": SnapshotCase(
        "a key missing from the newer snapshot is deleted (SCD1) or closed at its version",
        {1: [(1, "a"), (2, "b")], 2: [(1, "a")]},
        [(1, "a")],
        [(1, "a", 1, None), (2, "b", 1, 2)],
    ),
    "member_back": SnapshotCase(
        "a key missing from one snapshot and back in the next gets a new version",
        {1: [(1, "a")], 2: [(2, "x")], 3: [(1, "a"), (2, "x")]},
        [(1, "a"), (2, "x")],
        [(1, "a", 1, 2), (1, "a", 3, None), (2, "x", 2, None)],
    ),
    "value_changed": SnapshotCase(
        "a changed value is an update; an unchanged one opens no version",
        {10: [(1, "a"), (2, "b")], 20: [(1, "a2"), (2, "b")], 30: [(1, "a2"), (2, "b")]},
        [(1, "a2"), (2, "b")],
        [(1, "a", 10, 20), (1, "a2", 20, None), (2, "b", 10, None)],
    ),
    "versions_land_out_of_order": SnapshotCase(
        "snapshots apply in version order, not in the order the files landed",
        {3: [(1, "c")], 1: [(1, "a"), (2, "b")], 2: [(1, "b")]},
        [(1, "c")],
        [(1, "a", 1, 2), (1, "b", 2, 3), (1, "c", 3, None), (2, "b", 1, 2)],
    ),
    "everything_gone": SnapshotCase(
        "the newest snapshot keeps one key: every other key closes there",
        {1: [(1, "a"), (2, "b"), (3, "c")], 2: [(3, "c")]},
        [(3, "c")],
        [(1, "a", 1, 2), (2, "b", 1, 2), (3, "c", 1, None)],
    ),
}


def _snapshots(spark, case):
    rows = [(k, name, version) for version, rows in case.snapshots.items() for k, name in rows]
    return frame(spark, rows, SNAPSHOTS)


@pytest.mark.parametrize("name", SNAPSHOT_CASES)
def test_snapshot_case(spark, name):
    case = SNAPSHOT_CASES[name]
    snapshots = _snapshots(spark, case)
    assert_df_equality(
        cdc.from_snapshots(snapshots, ["id"], 1),
        frame(spark, case.scd1, SNAPSHOT_SCD1),
        ignore_row_order=True,
        ignore_nullable=True,
    )
    assert_df_equality(
        cdc.from_snapshots(snapshots, ["id"], 2),
        frame(spark, case.scd2, SNAPSHOT_SCD2),
        ignore_row_order=True,
        ignore_nullable=True,
    )


def test_snapshot_versions_are_bigints_in_date_and_time_order(spark):
    df = frame(
        spark, [("2024-01-31", "2024-01-31 23:59:59.000001", 7)], "d string, ts string, n int"
    )
    row = df.select(
        cdc.snapshot_version("d", "date").alias("d"),
        cdc.snapshot_version("ts", "timestamp").alias("ts"),
        cdc.snapshot_version("n", "int").alias("n"),
    ).first()
    assert row.d == 20240131
    assert row.ts == 1706745599000001
    assert row.n == 7


# --- snapshots: a quarantined row does not delete its member -------------------------------------

REJECTED = "id bigint, __SNAPSHOT_VERSION bigint, _failed_rules array<string>, _source_file string"


def test_a_quarantined_row_keeps_its_member_with_the_last_accepted_row(spark):
    """AUTO CDC from snapshots deletes or closes a key that a snapshot lacks: a key whose row was
    quarantined must be in the snapshot, with its last accepted row."""
    accepted = frame(
        spark,
        [
            (1, "a", 1),  # 1: accepted at 1, quarantined at 2 and 3 -> its row of 1 at 2 and 3
            (2, "b", 1),
            (2, "b2", 2),  # 2: accepted at 1 and 2, quarantined at 3 -> its row of 2 at 3
            (3, "c", 2),  # 3: quarantined at 1 (before any accepted row) -> nothing at 1
            (4, "d", 2),  # 4: accepted and quarantined in the same snapshot -> the accepted row
        ],
        SNAPSHOTS,
    )
    rejected = frame(
        spark,
        [
            (1, 2, ["castable_amount"], "b.json"),
            (1, 3, ["positive_amount"], "c.json"),
            (2, 3, ["castable_amount"], "c.json"),
            (3, 1, ["positive_amount"], "a.json"),
            (4, 2, ["positive_amount"], "b.json"),
            (5, 2, ["positive_amount"], "b.json"),  # never accepted: stays absent
        ],
        REJECTED,
    )
    kept = cdc.keep_quarantined_members(accepted, rejected, ["id"], "products")
    expected = [
        (1, "a", 1), (1, "a", 2), (1, "a", 3), (2, "b", 1), (2, "b2", 2), (2, "b2", 3),
        (3, "c", 2), (4, "d", 2),
    ]  # fmt: skip
    assert_df_equality(
        kept, frame(spark, expected, SNAPSHOTS), ignore_row_order=True, ignore_nullable=True
    )
    # So the SCD2 history has no gap and no new version where the rows were quarantined.
    assert_df_equality(
        cdc.from_snapshots(kept, ["id"], 2),
        frame(
            spark,
            # 3 and 4 are not in snapshot 3 at all: they close there, as any missing member.
            [
                (1, "a", 1, None),
                (2, "b", 1, 2),
                (2, "b2", 2, None),
                (3, "c", 2, 3),
                (4, "d", 2, 3),
            ],  # fmt: skip
            SNAPSHOT_SCD2,
        ),
        ignore_row_order=True,
        ignore_nullable=True,
    )


@pytest.mark.parametrize("key, version", [(None, 2), (1, None)], ids=["no-key", "no-version"])
def test_a_quarantined_snapshot_row_of_no_known_member_stops_naming_the_file(spark, key, version):
    accepted = frame(spark, [(1, "a", 1)], SNAPSHOTS)
    rejected = frame(spark, [(key, version, ["malformed_record"], "landing/b.json")], REJECTED)
    kept = cdc.keep_quarantined_members(accepted, rejected, ["id"], "products")
    with pytest.raises(Exception, match=r"snapshot row of products failed malformed_record.*"
                       r"landing/b\.json"):  # fmt: skip
        kept.collect()
