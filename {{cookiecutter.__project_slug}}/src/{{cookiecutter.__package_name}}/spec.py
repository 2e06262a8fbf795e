"""The table spec as plain dataclasses (no Spark import, so bake-time tools can use it too).

`tables.py` holds one `TableSpec` per table of this project; every transformation takes the spec of
the table it works on instead of hard-coding column names. `tables.py` is rendered from `tables.yml`
after the template's spec model has validated it (`make apply-spec`), and `make check-spec` proves it
equal to a fresh render, so these classes hold the spec and do not validate it a second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def quote(name: str) -> str:
    """A column or table name as a SQL identifier, whatever characters it holds."""
    return "`" + name.replace("`", "``") + "`"



@dataclass(frozen=True)
class Rule:
    """A data quality rule: a SQL boolean over the typed columns of one row.

    `action` says what happens to a row whose expression is false or NULL:
    `warn` keeps it and records the rule, `drop` moves it to the quarantine table,
    `fail` stops the update.
    """

    name: str
    expr: str
    action: str = "drop"


@dataclass(frozen=True)
class TableSpec:
    """One source table: its role in the star schema, keys, typed columns and quality rules.

    `columns` maps column name to a Spark SQL type string, in source order.

    How changes arrive: with `sequence_by`, each row is a change event of its key, applied in
    that column's order (`delete_when` marks deletes); with `snapshot_by` (dimensions), each
    landed snapshot is the full table, versioned by that column, and a key missing from a newer
    snapshot is deleted; with neither, the row of the file whose path sorts last in natural order
    (`part-9` before `part-10`) wins.
    `except_columns` describe the event rather than the row (an operation marker): silver and
    gold leave them out.

    `references` maps a column to the dimension whose (single) key it holds: a fact's references
    make its star, a dimension's a snowflake (customer -> nation -> region). `sources` maps a column
    to its name in the landed files when that differs (`created_at` <- `Created At`);
    `column_comments` documents columns in gold. `null_values` are the markers the landed files
    write for a missing value (`NA`, `\\N`): silver reads them as NULL in every column.
    A fact with no natural key (an event log) has `keys=()`: silver keeps every landed row and
    gold gives each one a row identity, `<table>_sk`.

    For facts, `attributes` are columns kept in gold as they are (degenerate dimensions), and
    `date_range` (first, last ISO dates) bounds `date_column` and every date attribute.
    """

    name: str
    role: str  # "dimension" | "fact"
    keys: tuple[str, ...]
    columns: dict[str, str]
    rules: tuple[Rule, ...] = ()
    scd_type: int | None = None
    sequence_by: str | None = None
    snapshot_by: str | None = None
    delete_when: str | None = None
    except_columns: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)
    date_column: str | None = None
    date_range: tuple[str, str] | None = None
    measures: tuple[str, ...] = ()
    attributes: tuple[str, ...] = ()
    sources: dict[str, str] = field(default_factory=dict)
    null_values: tuple[str, ...] = ()
    column_comments: dict[str, str] = field(default_factory=dict)
    comment: str = ""

    def rules_with(self, action: str) -> tuple[Rule, ...]:
        """The rules with the given action, in spec order."""
        return tuple(rule for rule in self.rules if rule.action == action)

    @property
    def surrogate_key(self) -> str:
        """`<table>_sk`: the surrogate key of this table's gold dimension, or the row identity of
        a fact with no natural key."""
        return f"{self.name}_sk"

    @property
    def is_dimension(self) -> bool:
        return self.role == "dimension"

    @property
    def kept_columns(self) -> list[str]:
        """The spec columns silver and gold carry, in spec order: all but `except_columns` and
        `snapshot_by` (a snapshot's version becomes `__START_AT`/`__END_AT` instead)."""
        left_out = {*self.except_columns, self.snapshot_by}
        return [name for name in self.columns if name not in left_out]

    @property
    def rows_are_orderable(self) -> bool:
        """Whether Spark can order whole rows of this table: not when a column holds a map (maps
        have no order in Spark SQL)."""
        return not any("map<" in type_.lower().replace(" ", "") for type_ in self.columns.values())

    @property
    def date_columns(self) -> list[str]:
        """The fact's date column and its date or timestamp attributes: each gets a key into
        `dim_date` (`date_sk` for the date column, `<column>_sk` for the others, role-playing)."""
        dates = [self.date_column] if self.date_column else []
        for name in self.attributes:
            if self.columns[name].lower() in ("date", "timestamp", "timestamp_ntz"):
                dates.append(name)
        return dates

    def source_name(self, column: str) -> str:
        """The column's name in the landed files."""
        return self.sources.get(column, column)

    @property
    def not_null_columns(self) -> list[str]:
        """Columns a row cannot do without: the keys and the column that orders its changes."""
        ordering = [name for name in (self.sequence_by, self.snapshot_by) if name]
        return list(dict.fromkeys([*self.keys, *ordering]))
