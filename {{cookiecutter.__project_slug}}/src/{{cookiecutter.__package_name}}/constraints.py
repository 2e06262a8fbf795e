"""The declared schema of every gold table: columns, types, comments and key constraints.

`@dp.materialized_view(schema=...)` takes a DDL string. On Databricks it also carries the
informational PRIMARY KEY (each dimension's surrogate key, each fact's keys, `dim_date.date_sk`)
and FOREIGN KEY (each `<dimension>_sk` to its dimension) constraints that BI tools draw
relationships from and the optimizer uses: never enforced, so `integrity.py` checks them as data.
Open-source Spark parses only `name TYPE [NOT NULL] [COMMENT '...']` there (constraints are a
parse error), so the local engine gets the columns without constraints: it then checks that every
declared column comes out of the query with exactly the declared type, and a schema drifting away
from the code fails locally first.

The constraints are never `RELY`. With `RELY` the optimizer may drop a join or a DISTINCT the
constraint makes redundant, and relying on a constraint that does not hold gives wrong results.
The integrity checks read gold after it is refreshed, so by the time a broken one stops the
update, the tables that break the promise are already published: nothing stops the optimizer
from relying on them in between. By construction the keys hold (surrogate keys are hashes of
unique natural keys, fact keys are de-duplicated in silver, every lookup that finds nothing points
at the unknown member -1, which each dimension has), but the promise is checked, not guaranteed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from {{ cookiecutter.__package_name }} import star
from {{ cookiecutter.__package_name }}.cdc import END_AT, START_AT
from {{ cookiecutter.__package_name }}.spec import TableSpec, quote

DIM_DATE_COLUMNS = (
    ("date_sk", "int", "Calendar day as yyyyMMdd; -1 is the unknown date."),
    ("date", "date", "The calendar day."),
    ("year", "int", "Year."),
    ("quarter", "int", "Quarter of the year, 1 to 4."),
    ("month", "int", "Month, 1 to 12."),
    ("month_name", "string", "Month name, e.g. January."),
    ("day_of_month", "int", "Day of the month."),
    ("day_of_week", "int", "ISO day of the week: Monday = 1 ... Sunday = 7."),
    ("day_name", "string", "Day name, e.g. Monday."),
    ("is_weekend", "boolean", "Saturday or Sunday."),
)


def _literal(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    comment: str = ""
    not_null: bool = False

    def ddl(self) -> str:
        text = f"{quote(self.name)} {self.type.upper()}"
        if self.not_null:
            text += " NOT NULL"
        return f"{text} COMMENT {_literal(self.comment)}" if self.comment else text


@dataclass(frozen=True)
class GoldSchema:
    table: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[str, str, str], ...] = field(default=())  # column, table, column

    def ddl(self, constraints: bool, qualifier: str = "") -> str:
        """The DDL string; `constraints` adds the keys (Databricks only), `qualifier`
        (`catalog.schema`) names where the referenced dimensions are."""
        parts = [column.ddl() for column in self.columns]
        if constraints:
            keys = ", ".join(quote(name) for name in self.primary_key)
            parts.append(f"CONSTRAINT {quote(f'{self.table}_pk')} PRIMARY KEY ({keys})")
            for column, table, target in self.foreign_keys:
                parent = ".".join(quote(part) for part in [*qualifier.split("."), table] if part)
                parts.append(
                    f"CONSTRAINT {quote(f'{self.table}_{column}_fk')} FOREIGN KEY "
                    f"({quote(column)}) REFERENCES {parent} ({quote(target)})"
                )
        return ", ".join(parts)


def _spec_column(spec: TableSpec, name: str, not_null: bool = False) -> Column:
    return Column(name, spec.columns[name], spec.column_comments.get(name, ""), not_null)


def _references(spec: TableSpec, specs: dict[str, TableSpec]) -> list[tuple[Column, tuple]]:
    found = []
    for column, dimension in spec.references.items():
        target = specs[dimension]
        sk = star.reference_sk_column(spec, column)
        comment = f"Surrogate key of dim_{dimension} for {column}; -1 is the unknown member."
        foreign_key = (sk, f"dim_{dimension}", target.surrogate_key)
        found.append((Column(sk, "bigint", comment, not_null=True), foreign_key))
    return found


def dimension_schema(spec: TableSpec, specs: dict[str, TableSpec]) -> GoldSchema:
    """`dim_<t>` as `star.dimension` builds it."""
    sk = Column(
        spec.surrogate_key,
        "bigint",
        f"Surrogate key of {spec.name}: a stable hash; -1 is the unknown member.",
        not_null=True,
    )
    columns = [sk, *(_spec_column(spec, name) for name in star.dimension_columns(spec))]
    references = _references(spec, specs)
    columns += [column for column, _ in references]
    history = star.history_type(spec)
    if spec.scd_type == 2:
        columns += [
            Column(START_AT, history, "When this version started (sequence or snapshot)."),
            Column(END_AT, history, "When the next version or a delete ended it; NULL: current."),
        ]
    columns.append(
        Column(
            star.IS_INFERRED,
            "boolean",
            "Referenced before it arrived: the key is known, the attributes are not yet.",
            not_null=True,
        )
    )
    if spec.scd_type == 2:
        columns.append(Column(star.IS_CURRENT, "boolean", "This is the member's current version."))
    return GoldSchema(
        f"dim_{spec.name}",
        tuple(columns),
        (spec.surrogate_key,),
        tuple(foreign_key for _, foreign_key in references),
    )


def fact_schema(spec: TableSpec, specs: dict[str, TableSpec]) -> GoldSchema:
    """`fact_<t>` as `star.fact` builds it."""
    references = _references(spec, specs)
    by_name = {column.name: column for column, _ in references}
    foreign_keys = [foreign_key for _, foreign_key in references]
    for name in spec.keys:
        by_name[name] = _spec_column(spec, name, not_null=True)
    if not spec.keys:
        comment = "Row identity: a hash of the landed file's name, the row and its occurrence."
        by_name[spec.surrogate_key] = Column(spec.surrogate_key, "bigint", comment, not_null=True)
    for name in [*spec.attributes, *spec.measures]:
        by_name[name] = _spec_column(spec, name)
    for column in spec.date_columns:
        main = column == spec.date_column
        sk = star.DATE_SK if main else star.role_playing_sk_column(column)
        role = "" if main else " (a role-playing date)"
        comment = f"Key into dim_date of {column}{role}; -1 when it is missing."
        by_name[sk] = Column(sk, "int", comment, not_null=True)
        by_name.setdefault(column, _spec_column(spec, column))
        foreign_keys.append((sk, "dim_date", star.DATE_SK))
    columns = tuple(by_name[name] for name in star.fact_columns(spec))
    primary_key = tuple(star.fact_identity(spec))
    return GoldSchema(f"fact_{spec.name}", columns, primary_key, tuple(foreign_keys))


def dim_date_schema() -> GoldSchema:
    columns = tuple(
        Column(name, type_, comment, not_null=name == "date_sk")
        for name, type_, comment in DIM_DATE_COLUMNS
    )
    return GoldSchema("dim_date", columns, ("date_sk",))
