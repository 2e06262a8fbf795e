"""medallion.warehouse: a table folder read as Spark reads it, whatever a cut run left in it.

The folders are written here with pyarrow and a sink log in the format Spark's file sink writes
(`v1`, then one JSON entry per file; `<batch>.compact` holds every earlier entry), as read from
the `_spark_metadata/` of real local runs."""

from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq

from medallion import warehouse


def write_rows(path, values):
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table({"id": values}), path)
    return path


def write_log(table_dir, batch, files, compact=False, action="add", root=None):
    log = table_dir / "_spark_metadata"
    log.mkdir(parents=True, exist_ok=True)
    entries = [
        json.dumps(
            {
                "path": f"file://{(root or table_dir) / name}",
                "size": 1,
                "isDir": False,
                "modificationTime": 0,
                "blockReplication": 1,
                "blockSize": 1,
                "action": action,
            }
        )  # fmt: skip
        for name in files
    ]
    (log / f"{batch}{'.compact' if compact else ''}").write_text("\n".join(["v1", *entries]))


def test_a_streaming_table_counts_only_what_its_sink_log_committed(tmp_path):
    table = tmp_path / "bronze_orders"
    write_rows(table / "part-a.parquet", [1, 2])
    write_rows(table / "part-b.parquet", [3])
    write_log(table, 0, ["part-a.parquet"])
    write_log(table, 1, ["part-b.parquet"])
    write_rows(table / "part-cut.parquet", [4, 5, 6])  # a batch cut before its commit
    (table / "part-zero.parquet").write_bytes(b"")  # a file cut while it was written

    files = warehouse.table_files(table)
    assert [p.name for p in files.committed] == ["part-a.parquet", "part-b.parquet"]
    assert [p.name for p in files.uncommitted] == ["part-cut.parquet", "part-zero.parquet"]
    assert warehouse.row_count(table) == 3
    assert warehouse.read_table(table, ["id"]).column("id").to_pylist() == [1, 2, 3]

    assert warehouse.remove_uncommitted(tmp_path) == {"bronze_orders": 2}
    assert sorted(p.name for p in table.glob("*.parquet")) == ["part-a.parquet", "part-b.parquet"]
    assert pq.read_table(table).num_rows == 3  # now any reader gets the committed rows


def test_compaction_deletes_and_a_moved_state_dir(tmp_path):
    table = tmp_path / "bronze_orders"
    for name in ("a", "b", "c", "d"):
        write_rows(table / f"{name}.parquet", [1])
    elsewhere = tmp_path / "old-place" / "bronze_orders"  # the log names the old folder
    write_log(table, 0, ["z.parquet"], root=elsewhere)  # before the compact file: superseded
    write_log(table, 9, ["a.parquet", "b.parquet", "c.parquet"], compact=True, root=elsewhere)
    write_log(table, 10, ["c.parquet"], action="delete", root=elsewhere)
    write_log(table, 11, ["d.parquet"], root=elsewhere)
    (table / "_spark_metadata" / ".11.crc").write_text("checksum")  # not a log file

    files = warehouse.table_files(table)
    assert [p.name for p in files.committed] == ["a.parquet", "b.parquet", "d.parquet"]
    assert [p.name for p in files.uncommitted] == ["c.parquet"]


def test_a_view_is_read_whole_and_a_cut_file_is_not_read(tmp_path):
    view = tmp_path / "dim_customers"
    write_rows(view / "part-0.parquet", [1, 2])
    write_rows(view / "_temporary" / "0" / "part-1.parquet", [9])  # a job still writing
    assert warehouse.row_count(view) == 2 and not warehouse.table_files(view).streaming
    (view / "part-2.parquet").write_bytes(b"PAR1")  # left by a failed write: no footer
    assert warehouse.row_count(view) is None  # unknown, never a crash or a wrong number
    assert warehouse.read_table(view) is None
    assert not warehouse.complete(view / "part-2.parquet")
    assert warehouse.row_count(tmp_path / "dim_missing") is None
    assert warehouse.remove_uncommitted(tmp_path) == {}  # a view's files are not the sink's
