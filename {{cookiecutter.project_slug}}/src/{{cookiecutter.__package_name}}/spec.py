"""The table spec as plain dataclasses (no Spark import, so bake-time tools can use it too).

`tables.py` holds one `TableSpec` per table of this project; every transformation takes the spec of
the table it works on instead of hard-coding column names.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACTIONS = ("warn", "drop", "fail")


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

    def __post_init__(self) -> None:
        if self.action not in ACTIONS:
            raise ValueError(
                f"rule {self.name!r}: action must be one of {ACTIONS}, not {self.action!r}"
            )


@dataclass(frozen=True)
class TableSpec:
    """One source table: its role in the star schema, keys, typed columns and quality rules.

    `columns` maps column name to a Spark SQL type string, in source order. For facts,
    `references` maps a fact column to the dimension table whose (single) key it holds.
    """

    name: str
    role: str  # "dimension" | "fact"
    keys: tuple[str, ...]
    columns: dict[str, str]
    rules: tuple[Rule, ...] = ()
    scd_type: int | None = None
    sequence_by: str | None = None
    delete_when: str | None = None
    references: dict[str, str] = field(default_factory=dict)
    date_column: str | None = None
    measures: tuple[str, ...] = ()
    comment: str = ""

    def __post_init__(self) -> None:
        if self.role not in ("dimension", "fact"):
            raise ValueError(
                f"table {self.name!r}: role must be dimension or fact, not {self.role!r}"
            )
        missing = [key for key in self.keys if key not in self.columns]
        if missing:
            raise ValueError(f"table {self.name!r}: keys {missing} are not in columns")

    def rules_with(self, action: str) -> tuple[Rule, ...]:
        """The rules with the given action, in spec order."""
        return tuple(rule for rule in self.rules if rule.action == action)

    @property
    def surrogate_key(self) -> str:
        """Name of the surrogate key column of this table's gold dimension: `<table>_sk`."""
        return f"{self.name}_sk"

    @property
    def is_dimension(self) -> bool:
        return self.role == "dimension"
