"""bake.infer on bad input: one clear error naming the folder or file, and nothing written."""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from bake.infer import infer_folder


def _infer(folder: Path):
    return infer_folder(folder, progress=lambda line: None)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def main(argv: list[str]) -> int:
    # Imported now, for the reason `_raises` gives: `main` catches the InferError class of the
    # `bake` it was imported with.
    from bake.infer.__main__ import main as command

    return command(argv)


def _raises(folder: Path, *fragments: str) -> str:
    # The class as imported now: a bake in this process re-imports `bake` (see
    # bake.jinja_extension.helpers_on_disk), and the reader is imported lazily after it.
    from bake.infer.errors import InferError

    with pytest.raises(InferError) as caught:
        _infer(folder)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message
    return message


def test_empty_folder(tmp_path):
    _raises(tmp_path, f"{tmp_path}: no tables found -- expected one sub-folder (or one file)")


def test_only_files_of_other_kinds(tmp_path):
    _write(tmp_path / "README.md", "# notes")
    _write(tmp_path / ".hidden.csv", "a\n1\n")
    _raises(tmp_path, "no tables found")


def test_not_a_folder(tmp_path):
    _raises(tmp_path / "missing", "missing: not a folder")


def test_a_table_folder_without_data_files(tmp_path):
    _write(tmp_path / "orders" / "notes.txt", "x")
    _raises(tmp_path, f"{tmp_path / 'orders'}: no data files")


def test_csv_without_a_header(tmp_path):
    file = _write(tmp_path / "orders.csv", "1,2,3\n4,5,6\n7,8,9\n")
    _raises(tmp_path, f"{file}: no header line", "add a first line naming the columns")


def test_csv_with_a_header_and_no_rows(tmp_path):
    _write(tmp_path / "orders" / "part-1.csv", "order_id,amount\n")
    _raises(tmp_path, f"{tmp_path / 'orders'}: no rows", "only a header")


def test_an_empty_file(tmp_path):
    _write(tmp_path / "orders" / "part-1.csv", "order_id\n1\n")
    empty = _write(tmp_path / "orders" / "part-2.csv", "")
    _raises(tmp_path, f"{empty}: empty file")


def test_mixed_formats_in_one_table(tmp_path):
    _write(tmp_path / "orders" / "a.csv", "order_id\n1\n")
    _write(tmp_path / "orders" / "b.json", '{"order_id": 2}\n')
    _raises(tmp_path, f"{tmp_path / 'orders'}: mixed formats (csv, json: a.csv, b.json)")


def test_two_csv_files_with_different_columns(tmp_path):
    _write(tmp_path / "orders" / "a.csv", "order_id,amount\n1,2.50\n")
    other = _write(tmp_path / "orders" / "b.csv", "order_id,total\n2,3.50\n")
    _raises(tmp_path, f"{other}: its columns (order_id, total) differ from a.csv's")


def test_two_parquet_files_with_different_columns(tmp_path):
    (tmp_path / "events").mkdir()
    pq.write_table(pa.table({"id": [1], "at": ["x"]}), tmp_path / "events" / "a.parquet")
    pq.write_table(pa.table({"id": [2], "at": [1.5]}), tmp_path / "events" / "b.parquet")
    _raises(tmp_path, "b.parquet: its columns (id int64, at double) differ from a.parquet's")


def test_json_that_is_not_one_object_per_line(tmp_path):
    _write(tmp_path / "stores.json", '[\n  {"store_code": "S1"},\n  {"store_code": "S2"}\n]\n')
    _raises(tmp_path, "cannot be read as JSON lines (one object per line")


def test_csv_rows_with_more_fields_than_the_header(tmp_path):
    _write(tmp_path / "orders.csv", "order_id,amount\n1,2\n3,4\n5,6,7,8\n")
    _raises(tmp_path, "orders.csv: cannot be read as csv -- its lines have different numbers")


def test_a_broken_line_beyond_the_sample(tmp_path):
    """The sample reads the head of the file; the full pass finds the line and names the file."""
    rows = "".join(f"{i},{i}.5\n" for i in range(30_000))
    file = _write(tmp_path / "orders.csv", f"order_id,amount\n{rows}1,2,3\n")
    _raises(tmp_path, f"{file}: cannot be read -- ")


def test_parquet_column_with_no_spark_type(tmp_path):
    table = pa.table({"id": [1], "took": pa.array([5], pa.duration("s"))})
    pq.write_table(table, tmp_path / "jobs.parquet")
    _raises(tmp_path, "jobs.parquet: column 'took' cannot be typed -- parquet type duration[s]")


def test_not_parquet_at_all(tmp_path):
    _write(tmp_path / "jobs.parquet", "id\n1\n")
    _raises(tmp_path, "jobs.parquet: cannot be read as parquet")


def test_two_columns_with_one_name(tmp_path):
    _write(tmp_path / "orders.csv", "id,Amount,amount\n1,2,3\n")
    _raises(tmp_path, "two columns named 'Amount' and 'amount'")


def test_a_folder_and_a_file_for_one_table(tmp_path):
    _write(tmp_path / "orders.csv", "id\n1\n")
    _write(tmp_path / "orders" / "a.csv", "id\n2\n")
    _raises(tmp_path, "'orders' and 'orders.csv' both make table 'orders'")


def test_an_unknown_table_name(tmp_path):
    _write(tmp_path / "orders.csv", "id\n1\n")
    from bake.infer.errors import InferError  # as imported now: see _raises

    with pytest.raises(InferError, match=re.escape("no table lineitem -- found: orders")):
        infer_folder(tmp_path, ["lineitem"], progress=lambda line: None)


def test_the_command_writes_nothing_on_bad_input(tmp_path, capsys):
    landing = tmp_path / "landing"
    _write(landing / "orders" / "a.csv", "order_id\n1\n")
    _write(landing / "orders" / "b.json", '{"order_id": 2}\n')
    tables_yml = _write(tmp_path / "tables.yml", "customers:\n  keys: [id]\n")
    assert main([str(landing), "--merge", str(tables_yml), "--write"]) == 2
    assert tables_yml.read_text() == "customers:\n  keys: [id]\n"
    assert sorted(tmp_path.iterdir()) == sorted([landing, tables_yml])  # no temporary file left
    assert "infer: " in capsys.readouterr().err


def test_the_command_merges_and_writes(tmp_path, capsys):
    landing = tmp_path / "landing"
    _write(landing / "orders.csv", "order_id,amount\n1,2.50\n2,3.75\n")
    tables_yml = _write(tmp_path / "tables.yml", "# ours\ncustomers:\n  keys: [id]\n")
    assert main([str(landing), "--merge", str(tables_yml), "--write"]) == 0
    text = tables_yml.read_text()
    assert text.startswith("# ours\ncustomers:\n  keys: [id]\n\norders:  # orders.csv")
    assert "added orders" in capsys.readouterr().err


def test_a_file_that_is_not_utf8(tmp_path):
    file = tmp_path / "stores.csv"
    file.write_bytes("code,city\nS1,Köln\n".encode("latin-1"))
    _raises(tmp_path, f"{file}: cannot be read as csv", "This file is not utf-8 encoded")
