"""Write deterministic sample landing files for every table in `{{ cookiecutter.__package_name }}.tables`.

    python -m tools.generate_sample_data [--out sample_data] [--format json] [--seed 7]

Each table gets `<out>/<table>/part-0001.<ext>` and `part-0002.<ext>` in the format the local engine
reads (json lines for json and kafka, csv with a header, parquet for parquet and delta). The data is
realistic enough to exercise every rule of the pipeline, on purpose:

- rows that a `drop` rule removes (NULL key, a value that does not cast, an out-of-range or NULL value),
  which land in `silver_<table>_quarantine`;
- rows that break a `warn` rule (kept, counted);
- exact duplicates; for dimensions, several updates per key, an out-of-order event (a later file with an
  older sequence value) and a delete; for facts, a corrected row in the later file and a row whose
  dimension key does not exist (it gets the unknown member, `<dim>_sk = -1`).

No row breaks a `fail` rule: one such row stops the whole update, which is what `fail` is for.
`<out>/_manifest.json` lists every deliberate row (file, 1-based row number, kind, the rules it breaks,
why), so tests can compute the expected gold tables from the files without Spark.

Rules are read from the table spec. The generator understands simple rules (`col IS [NOT] NULL`,
comparisons with a literal, `BETWEEN`, `IN`, joined with `AND`); it lists other rules under
`unchecked_rules` in the manifest, because it cannot tell whether its rows satisfy them.
The output depends only on the spec and the seed: run it again and you get the same files.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import io
import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

PACKAGE = "{{ cookiecutter.__package_name }}"
ROOT = Path(__file__).resolve().parents[1]
EXTENSIONS = {"json": "json", "kafka": "json", "csv": "csv", "parquet": "parquet", "delta": "parquet"}
# A value the pipeline's try_cast turns into NULL, per kind of column (json and csv only: parquet
# files are typed, so they cannot carry one).
UNCASTABLE = {"number": "n/a", "temporal": "not-a-date", "boolean": "maybe"}

DIMENSION_START = datetime(2024, 1, 1, 8, 0)  # first version of every dimension row
UPDATE_START = datetime(2024, 2, 1, 9, 30)  # later versions
FACT_START = date(2024, 1, 15)  # facts happen after every dimension row exists
FACT_DAYS = 75

FIRST_NAMES = ["Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonas"]
LAST_NAMES = ["Silva", "Meyer", "Okafor", "Novak", "Garcia", "Larsen", "Rossi", "Tanaka", "Dubois"]
PRODUCT_WORDS = ["Trail", "Urban", "Classic", "Eco", "Pro", "Mini", "Smart", "Nordic"]
PRODUCT_NOUNS = ["Backpack", "Bottle", "Lamp", "Kettle", "Jacket", "Speaker", "Notebook", "Chair"]
CATEGORIES = ["outdoor", "home", "electronics", "apparel", "office"]
COUNTRIES = ["DE", "FR", "NL", "PT", "US", "JP"]
CITIES = ["Berlin", "Lyon", "Utrecht", "Porto", "Austin", "Osaka"]


# --- column types ---------------------------------------------------------------------------------


def kind_of(spark_type: str) -> str:
    """Map a Spark SQL type string to the kind of Python value this generator makes for it."""
    t = spark_type.strip().lower()
    if t in ("bigint", "long", "int", "integer", "smallint", "short", "tinyint", "byte"):
        return "integer"
    if t.startswith("decimal") or t.startswith("numeric") or t in ("double", "float", "real"):
        return "decimal"
    if t == "date":
        return "date"
    if t.startswith("timestamp"):
        return "timestamp"
    if t in ("boolean", "bool"):
        return "boolean"
    if t == "string" or t.startswith("varchar") or t.startswith("char"):
        return "string"
    return "other"  # arrays, maps, structs: always NULL in sample data


def scale_of(spark_type: str) -> int:
    match = re.search(r"\(\s*\d+\s*,\s*(\d+)\s*\)", spark_type)
    if match:
        return int(match.group(1))
    return 2 if kind_of(spark_type) == "decimal" else 0


