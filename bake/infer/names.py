"""Names: clean identifiers for landed names, and what a column's name says about its role.

Landed files carry names like `Customer ID`, `e-mail`, `2019 Sales` or `_op`; the spec needs
identifiers that start with a letter (columns may not start with `_`: audit columns do). The
original name is kept as the column's `source` so bronze still finds it.
"""

from __future__ import annotations

import re
import unicodedata

MAX_COLUMN_NAME = 255  # Unity Catalog's limit
MAX_TABLE_NAME = 230  # bake.spec.MAX_TABLE_NAME: `silver_<t>_quarantine` must fit in 255
RESERVED_TABLES = ("date",)  # bake.spec.RESERVED_TABLES: dim_date is generated
TABLE_SUFFIX = "_data"  # added to a table name the spec reserves (`date`, `*_quarantine`)

_CAMEL_LOWER_UPPER = re.compile(r"([a-z0-9])([A-Z])")
_CAMEL_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_NOT_IDENTIFIER = re.compile(r"[^a-z0-9]+")
# Letters NFKD does not decompose into an ASCII letter and an accent.
_LETTERS = str.maketrans(
    {"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe", "Œ": "OE", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "TH"}
)  # fmt: skip

# `*_id`, `*key`, `*_code`, `code`, `id`: the names a business key usually has.
_KEY_LIKE = re.compile(r"(^|_)(id|code)$|key$")
# Ordinals that complete a composite key: `l_linenumber`, `line_no`, `seq`.
_ORDINAL_LIKE = re.compile(r"(number|_no|_num|_nr|seq|sequence|line|position|pos)$")
# Integers that count or order things but are not quantities: never measures.
_CALENDAR_PART = re.compile(r"(^|_)(year|month|day|quarter|week|hour|minute|weekday|yr)$")
# A change time: `updated_at`, `modified`, `last_modified`, `changed_at`, `update_ts`.
_CHANGE_TIME = re.compile(
    r"(^|_)(updated|modified|changed|last_update|last_updated|last_modified|update|change|mod)"
    r"(_at|_on|_ts|_time|_timestamp|_date|_datetime)?$"
)
# An operation marker of a change feed: `op`, `operation`, `action`, `change_type`, `cdc_op`.
_OPERATION = re.compile(r"(^|_)(op|operation|action|change_type|cdc_op|dml|event_type|opcode)$")


def clean(name: str, what: str = "column", position: int = 0) -> str:
    """`Customer ID` -> `customer_id`, `CustomerID` -> `customer_id`, `e-mail` -> `e_mail`,
    `_op` -> `op`, `2019 Sales` -> `col_2019_sales` (`table_...` for a table), `#` -> `col_3`,
    `Größe` -> `grosse`."""
    spelled = name.translate(_LETTERS)
    ascii_name = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    split = _CAMEL_ACRONYM.sub(r"\1_\2", _CAMEL_LOWER_UPPER.sub(r"\1_\2", ascii_name))
    cleaned = _NOT_IDENTIFIER.sub("_", split.lower()).strip("_")
    prefix = "table" if what == "table" else "col"
    if not cleaned:
        cleaned = f"{prefix}_{position}"
    elif cleaned[0].isdigit():
        cleaned = f"{prefix}_{cleaned}"
    return cleaned[: MAX_TABLE_NAME if what == "table" else MAX_COLUMN_NAME]


def clean_table_name(name: str) -> str:
    """A table's name from its folder or file name, avoiding the names the spec reserves."""
    cleaned = clean(name, "table")
    if cleaned in RESERVED_TABLES or cleaned.endswith("_quarantine"):
        cleaned = cleaned[: MAX_TABLE_NAME - len(TABLE_SUFFIX)] + TABLE_SUFFIX
    return cleaned


def unique(names: list[str]) -> list[str]:
    """Make names unique ignoring case (the spec's rule): `a`, `a` -> `a`, `a_2`."""
    taken: set[str] = set()
    result = []
    for name in names:
        candidate, number = name, 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = name[: MAX_COLUMN_NAME - len(suffix)] + suffix
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def is_key_like(name: str) -> bool:
    return bool(_KEY_LIKE.search(name))


def is_ordinal_like(name: str) -> bool:
    return bool(_ORDINAL_LIKE.search(name))


def is_calendar_part(name: str) -> bool:
    return bool(_CALENDAR_PART.search(name))


def is_change_time(name: str) -> bool:
    return bool(_CHANGE_TIME.search(name))


def is_operation(name: str) -> bool:
    return bool(_OPERATION.search(name))


def common_prefix(columns: list[str]) -> str:
    """The `x_` every column of a table starts with (TPC-H's `l_`, `ps_`), or ''."""
    if len(columns) < 2:
        return ""
    first = columns[0].split("_", 1)[0] + "_"
    if len(first) > 4 or not all(c.startswith(first) and len(c) > len(first) for c in columns):
        return ""
    return first


def singular(name: str) -> str:
    """bake.spec.singular, repeated here so that this package imports without bake.answers."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 1:
        return name[:-1]
    return name


def reference_affinity(column: str, column_prefix: str, table: str, key: str, key_prefix: str):
    """Why `column` may point at `table`'s key `key`, or None when its name does not say so.

    The name must say it: values alone are not enough, since small integer codes (1..7) fit in
    any small dimension's key. `l_orderkey` -> orders(`o_orderkey`): the same name once each
    table's prefix is stripped; `ship_to_customer_id` -> customers(`customer_id`): it ends with
    the key's name; `bill_to_customer` -> customers(`id`): it names the table.
    """
    bare_column = column[len(column_prefix) :]
    bare_key = key[len(key_prefix) :]
    if bare_column == bare_key:
        return "same name as the key"
    if bare_column.endswith("_" + bare_key) and not is_generic_key(bare_key):
        return f"ends with the key's name {bare_key}"
    for word in (table, singular(table)):
        if f"_{word}_" in f"_{bare_column}_":  # whole words only: `store` in `ship_store_id`
            return f"names the table {table}"
    return None


def is_generic_key(name: str) -> bool:
    """`id`, `key`, `code`: a key name that says nothing about the table on its own."""
    return name in ("id", "key", "code", "no", "nr", "number")
