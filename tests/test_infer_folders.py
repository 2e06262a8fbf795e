"""bake.infer on small folders written in each test: what the sample cannot see, and keys."""

from __future__ import annotations

from pathlib import Path

from bake.infer import infer_folder


def _infer(folder: Path):
    return infer_folder(folder, progress=lambda line: None)


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_values_beyond_the_sample_widen_the_type_or_add_a_null_marker(tmp_path):
    """The sample reads the first 20,000 rows; the full pass checks every value as Spark's cast
    would and widens a type (or learns a null marker) when a later value contradicts it."""
    rows = [f"{i},{i},{i},{i}" for i in range(25_000)]
    rows[24_000] = "1_000,NA,2.5,0x10"  # DuckDB casts 1_000 and 0x10 to integers; Spark does not
    _write(tmp_path / "t.csv", "a,b,c,d\n" + "\n".join(rows) + "\n")
    inferred = _infer(tmp_path)
    table = inferred.tables["t"]
    assert table["columns"] == {"a": "string", "b": "int", "c": "decimal(18,1)", "d": "string"}
    assert table["null_values"] == ["NA"]
    assert (
        "1 value beyond the sample not integer (e.g. '1_000')"
        in inferred.evidence["t"]["columns.a"]
    )


def test_the_tightest_unique_pair_is_the_key(tmp_path):
    """Both (order_id, line_no) and (order_id, product_id) are unique: the key is the pair with
    the fewest combinations of values, the order and its line number."""
    rows = []
    for order in range(1, 301):
        for line, product in enumerate((order * 7 + 1, order * 7 + 2, order * 7 + 3), 1):
            rows.append(f"{order},{line},{product % 1000},{line * 2}")
    _write(tmp_path / "order_lines.csv", "order_id,line_no,product_id,quantity\n" + "\n".join(rows))
    table = _infer(tmp_path).tables["order_lines"]
    assert table["keys"] == ["order_id", "line_no"]


def test_quotes_beyond_the_sniffed_lines_are_read_as_csv(tmp_path):
    """The sniffer saw no quotes in the first lines; a quoted comma later is still one field."""
    rows = "".join(f"{i},plain\n" for i in range(30_000)) + '30000,"with, comma and ""quotes"""\n'
    _write(tmp_path / "notes.csv", "note_id,text\n" + rows)
    assert _infer(tmp_path).tables["notes"]["columns"] == {"note_id": "bigint", "text": "string"}


def test_a_daily_table_is_keyed_by_code_and_day(tmp_path):
    rows = [
        f"S{store},2024-01-{day:02d},{store * day}" for store in range(1, 6) for day in (1, 2, 3)
    ]
    _write(tmp_path / "stock.csv", "store_code,day,units\n" + "\n".join(rows))
    assert _infer(tmp_path).tables["stock"]["keys"] == ["store_code", "day"]


def test_change_operations_are_found_by_name_or_by_values(tmp_path):
    header = "item_id,updated_at,status,grade,op\n"
    rows = [
        f"{i},2024-01-{i:02d} 10:00:00,{'IUD'[i % 3]},D,{'I' if i < 20 else 'U'}"
        for i in range(1, 29)
    ]
    _write(tmp_path / "items.csv", header + "\n".join(rows))
    table = _infer(tmp_path).tables["items"]
    # `status` has I, U and D: an operation column by its values (the first one found wins);
    # `grade` (only D) is not one
    assert table["delete_when"] == "`status` = 'D'"
    assert table["except_columns"] == ["status"]


def test_an_operation_column_without_deletes_yet(tmp_path):
    rows = [f"{i},2024-01-{i:02d} 10:00:00,{'I' if i < 20 else 'U'}" for i in range(1, 29)]
    _write(tmp_path / "items.csv", "item_id,updated_at,op\n" + "\n".join(rows))
    inferred = _infer(tmp_path)
    assert inferred.tables["items"]["delete_when"] == "`op` = 'D'"  # the I/U/D convention
    assert inferred.evidence["items"]["delete_when"] == "op has values I, U: D deletes the key"
