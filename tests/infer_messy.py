"""A messy landing folder for the inference tests, generated from code with a fixed seed.

What real files have and a hand-made sample lacks (FACTS.md): null markers (`NA`, `\\N`), a fact
with no key (an event log), orphan and NULL references, a dimension referenced twice from one
fact (bill-to and ship-to customer), names with spaces, dashes and capitals, a column named like
a key that is not one (`batch_id`) and a `year` in three tables that must not be linked, UTC
offsets, decimals, booleans, nested JSON, and a change feed with I/U/D operations and updated_at.

    customers/   csv, 2 files   a change feed: inserts, then updates and deletes a month later
    stores.jsonl json lines     the store dimension, keyed by a text code
    sales/       csv, 2 files   the fact: two references to customers, orphan store codes
    events/      parquet, 2     an event log with no key
"""

from __future__ import annotations

import csv
import json
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

SEED = 21
CUSTOMERS = 200
STORES = 20
SALES = 1000
EVENTS = 600
ORPHAN_STORES = ("S098", "S099")  # sold in, missing from stores.jsonl
ORPHAN_CUSTOMER = 999
NA_NAMED = 7  # a customer whose name is `NA`


def _write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _amount(rng: random.Random, low: int, high: int) -> str:
    """Fixed-point text with two decimals, e.g. 1234.05."""
    whole = rng.randrange(low, high)
    return f"{whole}.{rng.randrange(100):02d}"


def _customers(folder: Path, rng: random.Random) -> None:
    header = [
        "Customer ID", "Full Name", "e-mail", "Country", "Year", "VIP", "Credit Limit",
        "updated_at", "op",
    ]  # fmt: skip
    inserts, changes = [], []
    start = datetime(2024, 1, 1, 8, 0, 0)
    for customer in range(1, CUSTOMERS + 1):
        email = "\\N" if rng.random() < 0.1 else f"c{customer:03d}@example.com"
        limit = "NA" if rng.random() < 0.05 else _amount(rng, 500, 20000)
        at = start + timedelta(hours=customer)
        inserts.append([
            customer, f"Customer {customer:03d}", email, rng.choice(["NL", "DE", "FR", "BE"]),
            rng.randrange(2015, 2024), rng.choice(["true", "false"]), limit,
            at.strftime("%Y-%m-%d %H:%M:%S"), "I",
        ])  # fmt: skip
    # `NA` is a null marker of this table (Credit Limit has it among numbers): here it is a
    # name, but the reader's null markers hold for every column, so it reads as NULL here too.
    inserts[NA_NAMED - 1][1] = "NA"
    for number, customer in enumerate(rng.sample(range(1, CUSTOMERS + 1), 45)):
        row = list(inserts[customer - 1])
        row[7] = (start + timedelta(days=40, minutes=number)).strftime("%Y-%m-%d %H:%M:%S")
        row[8] = "D" if number < 5 else "U"
        row[6] = f"{rng.randrange(500, 20000)}.00"
        changes.append(row)
    _write_csv(folder / "customers" / "customers-2024-01.csv", header, inserts)
    _write_csv(folder / "customers" / "customers-2024-02.csv", header, changes)


def _stores(folder: Path, rng: random.Random, as_csv: bool) -> None:
    cities = ["Utrecht", "Gent", "Lyon", "Köln"]
    records = []
    for store in range(1, STORES + 1):
        opened = date(2015, 1, 1) + timedelta(days=rng.randrange(3000))
        record = {
            "store_code": f"S{store:03d}",
            "Name": f"Store {store}",
            "City": rng.choice(cities),
            "opened": opened.isoformat(),
            "sq-m": rng.randrange(200, 2000),
            "year": opened.year,
            "manager": {"name": f"Manager {store}", "since": opened.year},
        }
        records.append(record)
    if as_csv:  # the nested manager as its JSON text, as a csv export writes it
        rows = [[json.dumps(v) if isinstance(v, dict) else v for v in r.values()] for r in records]
        _write_csv(folder / "stores" / "stores.csv", list(records[0]), rows)
        return
    with (folder / "stores.jsonl").open("w") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def _sales(folder: Path, rng: random.Random) -> None:
    header = [
        "Sale ID", "Sale Date", "store_code", "Bill-To Customer", "Ship-To Customer", "Amount",
        "Quantity", "year", "Channel", "Recorded At",
    ]  # fmt: skip
    rows = []
    for sale in range(1, SALES + 1):
        day = date(2024, 1, 1) + timedelta(days=rng.randrange(180))
        orphan = rng.random() < 0.03
        store = rng.choice(ORPHAN_STORES) if orphan else f"S{rng.randrange(1, STORES + 1):03d}"
        bill_to = rng.randrange(1, CUSTOMERS + 1)
        if rng.random() < 0.08:
            bill_to = "\\N"
        elif rng.random() < 0.01:
            bill_to = ORPHAN_CUSTOMER
        ship_to = "" if rng.random() < 0.05 else rng.randrange(1, CUSTOMERS + 1)
        offset = rng.choice(["+01:00", "+02:00", "Z"])
        hour, minute = rng.randrange(8, 20), rng.randrange(60)
        recorded = f"{day.isoformat()}T{hour:02d}:{minute:02d}:00{offset}"
        quantity = "NA" if rng.random() < 0.02 else rng.randrange(1, 20)
        amount = _amount(rng, 1, 2000)
        channel = rng.choice(["web", "store", "phone"])
        rows.append([sale, day, store, bill_to, ship_to, amount, quantity, 2024, channel, recorded])
    half = len(rows) // 2
    _write_csv(folder / "sales" / "sales-1.csv", header, rows[:half])
    _write_csv(folder / "sales" / "sales-2.csv", header, rows[half:])


def _events(folder: Path, rng: random.Random, as_csv: bool) -> None:
    (folder / "events").mkdir(parents=True, exist_ok=True)
    start = datetime(2024, 3, 1, tzinfo=UTC)
    for part in (1, 2):
        times, stores, sensors, temperatures, batches, doors = [], [], [], [], [], []
        for _ in range(EVENTS // 2):
            times.append(start + timedelta(seconds=rng.randrange(30 * 86400)))
            stores.append(f"S{rng.randrange(1, STORES + 1):03d}")
            sensors.append(rng.choice(["door", "thermo"]))
            temperatures.append(None if rng.random() < 0.1 else round(rng.uniform(-5, 30), 3))
            batches.append(rng.randrange(1, 6))
            doors.append(rng.random() < 0.5)
        table = pa.table(
            {
                "event_time": pa.array(times, pa.timestamp("us", tz="UTC")),
                "store_code": stores,
                "sensor": sensors,
                "temperature": pa.array(temperatures, pa.float64()),
                "batch_id": pa.array(batches, pa.int64()),
                "door-open": doors,
            }
        )
        if as_csv:
            names = table.column_names
            rows = [
                [
                    "" if v is None else str(v).lower() if isinstance(v, bool) else v
                    for v in (row[n] for n in names)
                ]
                for row in table.to_pylist()
            ]
            rows = [[v.isoformat() if isinstance(v, datetime) else v for v in r] for r in rows]
            _write_csv(folder / "events" / f"part-{part}.csv", names, rows)
        else:
            pq.write_table(table, folder / "events" / f"part-{part}.parquet")


def write_messy(folder: Path, seed: int = SEED, all_csv: bool = False) -> Path:
    """Write the messy landing folder under `folder` and return it. `all_csv`: every table as
    csv files in its own folder (a pipeline reads one format), the same values otherwise."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    _customers(folder, rng)
    _stores(folder, rng, all_csv)
    _sales(folder, rng)
    _events(folder, rng, all_csv)
    return folder
