"""Suggested expectations from the profile: all `warn`, so that nothing is dropped on day one.

- `has_<c>`: `<c> IS NOT NULL` where a column was never NULL (keys and the change time are
  checked by the pipeline's implicit rules already);
- `<c>_range`: `<c> BETWEEN lo AND hi` for numbers, the bounds seen rounded outward to two
  significant digits (104,949.50 -> 110000);
- `<c>_values`: `<c> IN (...)` for text with a handful of distinct values.
Identifiers are quoted with backticks, as every rule must (README, "Table spec").
"""

from __future__ import annotations

import math
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from bake.infer.columns import number
from bake.infer.model import ColumnFacts, TableFacts
from bake.infer.names import is_key_like
from bake.infer.profile import LOW_CARDINALITY

IMPLICIT_PREFIXES = ("castable_", "not_null_", "in_date_range_", "malformed_record")
_UNSAFE_IN_RULES = ("\\", ";", "${", "{{", "{%", "{#", '"""', "`")


def round_outward(value, up: bool) -> Decimal:
    """`value` rounded away from the data to two significant digits."""
    exact = Decimal(str(value))
    if exact == 0 or not exact.is_finite():
        return Decimal(0)
    step = Decimal(1).scaleb(math.floor(math.log10(abs(exact))) - 1)
    rounded = (exact / step).to_integral_value(ROUND_CEILING if up else ROUND_FLOOR) * step
    return rounded.normalize() + 0  # + 0: no negative zero, no exponent for integers


def _literal(value: Decimal) -> str:
    return format(value, "f")


def _rule_name(name: str, taken: set[str]) -> str:
    if name.startswith(IMPLICIT_PREFIXES):
        name = f"rule_{name}"  # those prefixes are the pipeline's own rules
    name, base, number_ = name[:255], name[:250], 1
    while name in taken:
        number_ += 1
        name = f"{base}_{number_}"
    taken.add(name)
    return name


def _quoted(column: str) -> str:
    return f"`{column}`"


def _text_values(column: ColumnFacts) -> list[str] | None:
    values = column.values
    if not values or len(values) > LOW_CARDINALITY:
        return None
    texts = [str(value) for value in values]
    if any(not text.isprintable() or any(m in text for m in _UNSAFE_IN_RULES) for text in texts):
        return None  # a rule must be one line without these (bake.spec.expression_problem)
    return texts


def suggest(table: TableFacts, implicit: set[str]) -> tuple[dict[str, dict], dict[str, str]]:
    """(rule name -> {expr, action: warn}, rule name -> evidence)."""
    rules: dict[str, dict] = {}
    evidence: dict[str, str] = {}
    taken: set[str] = set()
    rows = f"{table.rows:,}"
    for column in table.columns:
        if column.name in implicit or column.kind == "other":
            continue
        quoted = _quoted(column.name)
        nullable = column.present < table.rows
        or_null = f"{quoted} IS NULL OR " if nullable else ""
        if not nullable and table.rows:
            name = _rule_name(f"has_{column.name}", taken)
            rules[name] = {"expr": f"{quoted} IS NOT NULL", "action": "warn"}
            evidence[name] = f"never null in {rows} rows"
        if (
            column.numeric
            and column.minimum is not None
            and not is_key_like(column.name)
            and column.name not in table.references
        ):
            low = round_outward(column.minimum, up=False)
            high = round_outward(column.maximum, up=True)
            name = _rule_name(f"{column.name}_range", taken)
            expr = f"{or_null}{quoted} BETWEEN {_literal(low)} AND {_literal(high)}"
            rules[name] = {"expr": expr, "action": "warn"}
            evidence[name] = (
                f"{number(column.minimum)} .. {number(column.maximum)} seen, rounded outward"
            )
        values = _text_values(column) if column.kind == "string" else None
        if values and table.rows >= 2 * len(values):
            listed = ", ".join("'" + value.replace("'", "''") + "'" for value in values)
            name = _rule_name(f"{column.name}_values", taken)
            rules[name] = {"expr": f"{or_null}{quoted} IN ({listed})", "action": "warn"}
            evidence[name] = f"{len(values)} distinct values in {rows} rows"
    return rules, evidence
