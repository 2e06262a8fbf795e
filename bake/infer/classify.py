"""Spark types for columns of text, from a sample of their values.

The pipeline reads csv and json columns as strings and `try_cast`s them to the spec type (see
quality.py in a generated project), so a type is right when Spark's cast accepts every value. The
patterns below accept a subset of what Spark's cast accepts (its `stringToDate`,
`stringToTimestamp`, `UTF8String.toLong`, `Decimal.fromString` and `Cast` to double and boolean),
never more, so an inferred type never quarantines a sampled value. DuckDB's own sniffer is not
used for types: it accepts forms Spark's cast rejects (`2024/01/05` dates, `1_000` integers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

# Values that mean "no value" in real files. The unambiguous ones are null markers wherever they
# appear; the others only where the rest of the column is not text (`NA` is also North America).
UNAMBIGUOUS_MARKERS = ("\\N", "NULL", "null", "N/A", "n/a", "#N/A", "NaN", "nan")
AMBIGUOUS_MARKERS = ("", "NA", "na", "None", "none", "nil", "NIL", "-", "--", "?", ".")
MARKERS = UNAMBIGUOUS_MARKERS + AMBIGUOUS_MARKERS

_INTEGER = re.compile(r"[+-]?(\d+)")
_DECIMAL = re.compile(r"[+-]?(?=\.?\d)0*(\d*)\.(\d*)")  # at least one digit: not "."
_DOUBLE = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?(inf|infinity)|nan", re.I)
_DATE = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_ZONE = r"(Z|[+-]\d{2}(:?\d{2})?)"
# Spark reads a zone only after the seconds (`10:00:00+02:00`, not `10:00+02:00`).
_TIMESTAMP = re.compile(
    _DATE + r"(?:[ T](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.\d{1,9})?" + f"{_ZONE}?)?)?"
)
INT_RANGE = (-(2**31), 2**31 - 1)
BIGINT_RANGE = (-(2**63), 2**63 - 1)
MAX_PRECISION = 38
# Room for growth: a price of 99,999.99 today may be 100,000.00 tomorrow, and a value that
# overflows its decimal is quarantined. 18 digits still fit in 64 bits.
DECIMAL_PRECISION_STEPS = (18, 38)


@dataclass
class Guess:
    """What a column's values look like. `kind` is boolean, integer, decimal, double, date,
    timestamp, timestamp_ntz, string, or empty (no value to judge by)."""

    kind: str
    count: int = 0  # distinct values judged
    scale: int = 0  # decimal: most digits after the point
    integer_digits: int = 0  # decimal: most digits before it
    minimum: int | None = None  # integer
    maximum: int | None = None
    note: str = ""  # why text stays text, e.g. leading zeros
    examples: list[str] = field(default_factory=list)


def _valid_date(match: re.Match) -> bool:
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    try:
        date(year, month, day)
    except ValueError:
        return False
    return True


def _timestamp_kind(values: list[str]) -> str | None:
    """timestamp (some value has a UTC offset), timestamp_ntz (none has), or None."""
    has_time = has_zone = False
    for value in values:
        match = _TIMESTAMP.fullmatch(value)
        if not match or not _valid_date(match):
            return None
        hour, minute, second = match.group(4), match.group(5), match.group(6)
        if hour is not None:
            has_time = True
            if int(hour) > 23 or int(minute) > 59 or (second is not None and int(second) > 59):
                return None
        has_zone = has_zone or match.group(7) is not None
    if not has_time:
        return None  # dates only: see `date`
    return "timestamp" if has_zone else "timestamp_ntz"


def classify(values: set[str] | list[str]) -> Guess:
    """The narrowest kind every value fits (values are distinct, non-NULL, markers removed)."""
    stripped = sorted({value.strip() for value in values})
    if not stripped:
        return Guess("empty")
    count = len(stripped)
    if all(value.lower() in ("true", "false") for value in stripped):
        return Guess("boolean", count)
    integers = [_INTEGER.fullmatch(value) for value in stripped]
    if all(integers):
        padded = [m.group(0) for m in integers if len(m.group(1)) > 1 and m.group(1)[0] == "0"]
        if padded:
            return Guess("string", count, note=f"leading zeros (e.g. {padded[0]!r}) kept as text")
        numbers = [int(value) for value in stripped]
        return Guess("integer", count, minimum=min(numbers), maximum=max(numbers))
    decimals = [_DECIMAL.fullmatch(v) or _INTEGER.fullmatch(v) for v in stripped]
    if all(decimals):
        scale = max(len(m.group(2)) if m.re is _DECIMAL else 0 for m in decimals)
        digits = max(len(m.group(1).lstrip("0")) for m in decimals)
        if scale + digits <= MAX_PRECISION:
            return Guess("decimal", count, scale=scale, integer_digits=digits)
        return Guess("double", count)
    if all(_DOUBLE.fullmatch(value) for value in stripped):
        return Guess("double", count)
    dates = [re.fullmatch(_DATE, value) for value in stripped]
    if all(dates) and all(_valid_date(match) for match in dates):
        return Guess("date", count)
    kind = _timestamp_kind(stripped)
    if kind:
        return Guess(kind, count)
    return Guess("string", count)


def split_markers(values: set[str]) -> tuple[Guess, list[str]]:
    """Classify a column's distinct values; return the guess and the null markers among them.

    A marker in an otherwise typed column (`NA` among integers) is a null marker; in a text
    column only the unambiguous ones are (`\\N`, `NULL`, `N/A`...).
    """
    present = [marker for marker in MARKERS if marker in values]
    guess = classify({value for value in values if value not in MARKERS})
    if guess.kind in ("string", "empty"):
        present = [marker for marker in present if marker in UNAMBIGUOUS_MARKERS]
        if guess.kind == "empty" and not present:
            guess = classify(values)  # only ambiguous markers, e.g. every value is `NA`: text
    return guess, present


def integer_type(minimum: int, maximum: int, identifier: bool) -> str:
    """int when it fits (and is not an identifier, which grows), else bigint, else decimal."""
    if not identifier and INT_RANGE[0] <= minimum and maximum <= INT_RANGE[1]:
        return "int"
    if BIGINT_RANGE[0] <= minimum and maximum <= BIGINT_RANGE[1]:
        return "bigint"
    return f"decimal({MAX_PRECISION},0)"


def decimal_type(integer_digits: int, scale: int) -> str:
    """decimal(18,s) or decimal(38,s): the smallest step that holds the digits seen."""
    needed = max(integer_digits, 1) + scale
    precision = next((p for p in DECIMAL_PRECISION_STEPS if needed <= p), MAX_PRECISION)
    return f"decimal({precision},{min(scale, precision)})"
