"""The table spec: turn the answers (names only, or a `tables` mapping) into one normalized form.

Every template sees the normalized spec, so conventions live here and nowhere else.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bake import generated_names, spark_types, strict_yaml
from bake.answers import identifier_problem, text_problem

ROLES = ("dimension", "fact")
ACTIONS = ("warn", "drop", "fail")
ENTRY_KEYS = (
    "role", "keys", "scd_type", "sequence_by", "snapshot_by", "delete_when", "except_columns",
    "columns", "null_values", "expectations", "references", "date_column", "date_range", "measures",
    "attributes", "comment",
)  # fmt: skip
MAX_NULL_VALUE = 32  # a null marker is a short token (NA, N/A, \N, null), not a sentence
FACT_ONLY = ("date_column", "date_range", "measures", "attributes")
COLUMN_KEYS = ("type", "source", "comment")
DATE_TYPES = ("date", "timestamp", "timestamp_ntz")
DIMENSION_ONLY = ("scd_type", "snapshot_by")
# Rule names the pipeline gives its implicit rules (see quality.py in the generated project).
IMPLICIT_RULE = "malformed_record"
IMPLICIT_RULE_PREFIXES = ("castable_", "not_null_", "in_date_range_")
# The calendar a fact's dates must fall in unless `date_range` says otherwise: it bounds dim_date.
DEFAULT_DATE_RANGE = ["1900-01-01", "2099-12-31"]
VERSION_TYPES = ("tinyint", "smallint", "int", "bigint", "date", "timestamp", "timestamp_ntz")
# Names the generated pipeline uses for its own columns and datasets.
RESERVED_TABLES = ("date",)  # `dim_date` is generated from the facts' date columns
# Generated Python names datasets after their tables (`def silver_<t>_quarantine() -> DataFrame:`)
# and must fit ruff's 100-column lines: a longer name could not be formatted clean.
MAX_TABLE_NAME = 60


class SpecError(ValueError):
    """The table spec is invalid; `errors` holds one line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def singular(name: str) -> str:
    """English-ish singular of a table name: customers -> customer, categories -> category."""
    if name.endswith("ies") and len(name) > 3:
        return name[:-3] + "y"
    if name.endswith("sses"):
        return name[:-2]
    if name.endswith("s") and not name.endswith("ss") and len(name) > 1:
        return name[:-1]
    return name


def split_names(table_names: str) -> list[str]:
    return [part.strip() for part in table_names.split(",") if part.strip()]


def _dimension(name: str, scd_type: int) -> dict[str, Any]:
    key = f"{singular(name)}_id"
    return {
        "name": name,
        "singular": singular(name),
        "role": "dimension",
        "keys": [key],
        "scd_type": scd_type,
        "sequence_by": "updated_at",
        "snapshot_by": None,
        "delete_when": "operation = 'DELETE'",
        # The operation describes the change event, not the member: silver leaves it out.
        "except_columns": ["operation"],
        "columns": {
            key: "bigint",
            "name": "string",
            "category": "string",
            "updated_at": "timestamp",
            "operation": "string",
        },
        # NULL keys and sequence values are quarantined by implicit rules (not_null_<column>).
        "expectations": [{"name": "has_name", "expr": "name IS NOT NULL", "action": "warn"}],
        "sources": {},
        "null_values": [],
        "column_comments": {},
        "references": {},
        "date_column": None,
        "date_range": None,
        "measures": [],
        "attributes": [],
        "comment": f"{singular(name).capitalize()} records, one row per {key}.",
    }


def _fact(name: str, dimensions: list[str]) -> dict[str, Any]:
    key = f"{singular(name)}_id"
    date_column = f"{singular(name)}_date"
    references = {f"{singular(dim)}_id": dim for dim in dimensions}
    columns = {key: "bigint"}
    columns.update({column: "bigint" for column in references})
    columns.update({date_column: "date", "quantity": "int", "amount": "decimal(12,2)"})
    columns["updated_at"] = "timestamp"
    return {
        "name": name,
        "singular": singular(name),
        "role": "fact",
        "keys": [key],
        "scd_type": None,
        # A correction carries a later updated_at: the latest event per key wins, whatever the
        # order the files arrive in.
        "sequence_by": "updated_at",
        "snapshot_by": None,
        "delete_when": None,
        "except_columns": [],
        "columns": columns,
        "expectations": [
            {"name": "positive_quantity", "expr": "quantity > 0", "action": "drop"},
            {"name": "non_negative_amount", "expr": "amount >= 0", "action": "drop"},
        ],
        "sources": {},
        "null_values": [],
        "column_comments": {},
        "references": references,
        "date_column": date_column,
        "date_range": list(DEFAULT_DATE_RANGE),
        "measures": ["quantity", "amount"],
        "attributes": [],
        "comment": f"{singular(name).capitalize()} events, one row per {key}.",
    }


def from_names(names: list[str], roles: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """Names-only convention: the tables marked `:fact` are facts (without marks: the last one,
    when there is more than one table); the first dimension is SCD2, the others SCD1; every fact
    references every dimension."""
    roles = roles or {}
    if not roles:
        roles = {names[-1]: "fact"} if len(names) > 1 else {}
    dimensions = [name for name in names if roles.get(name, "dimension") == "dimension"]
    return [
        _fact(name, dimensions)
        if roles.get(name) == "fact"
        else _dimension(name, scd_type=2 if name == dimensions[0] and len(names) > 1 else 1)
        for name in names
    ]


def split_roles(table_names: str) -> tuple[list[str], dict[str, str], list[str]]:
    """`stations, trips:fact` -> (names, {name: role} for the marked ones, problems)."""
    names, roles, errors = [], {}, []
    for part in split_names(table_names):
        name, _, role = (piece.strip() for piece in part.partition(":"))
        names.append(name)
        if not _:
            continue
        if role not in ROLES:
            errors.append(f"table_names: {part!r} -- mark a table with :fact or :dimension")
        else:
            roles[name] = role
    return names, roles, errors


def _names_problems(names: list[str], where: str) -> list[str]:
    errors, seen = [], {}
    for name in names:
        problem = identifier_problem(name, "table name", allow_reserved=True)
        if not problem and name.lower() in RESERVED_TABLES:
            problem = f"reserved: the pipeline generates dim_{name.lower()} itself"
        if not problem and len(name) > MAX_TABLE_NAME:
            problem = (
                f"{len(name)} characters; at most {MAX_TABLE_NAME}, so that the generated Python "
                "(def silver_<t>_quarantine(), ...) fits its 100-column lines"
            )
        if not problem and name.lower().endswith("_quarantine"):
            problem = "must not end in _quarantine (silver_<t>_quarantine is generated)"
        if not problem and name.lower() in seen:
            problem = f"duplicate of {seen[name.lower()]!r} (names are case-insensitive)"
        if problem:
            errors.append(f"{where}: {name!r} -- {problem}")
        if isinstance(name, str):
            seen.setdefault(name.lower(), name)
    return errors


def _list_of_columns(value: Any) -> list | None:
    """A column list given as a list or a single name; None when it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def _entry(name: str, raw: dict[str, Any], dimensions: list[str], errors: list[str]) -> dict:
    """Normalize one `tables` entry; append problems to `errors` as `tables.<t>.<field>: ...`."""
    where = f"tables.{name}"
    unknown = [key for key in raw if key not in ENTRY_KEYS]
    for key in unknown:
        errors.append(f"{where}: unknown key {key!r} -- valid keys: {', '.join(ENTRY_KEYS)}")
    role = raw.get("role", "dimension")
    if role not in ROLES:
        errors.append(f"{where}.role: {role!r} -- use dimension or fact")
        role = "dimension"
    for key in FACT_ONLY if role == "dimension" else DIMENSION_ONLY:
        if raw.get(key) not in (None, [], {}):
            errors.append(f"{where}.{key}: only a {'fact' if role == 'dimension' else 'dimension'}"
                          f" may set {key} ({name} is a {role})")  # fmt: skip
    generic = _dimension(name, 1) if role == "dimension" else _fact(name, dimensions)
    if "columns" not in raw:
        table = generic  # names-only defaults for this role; explicit fields below override them
    else:
        table = {**generic, "keys": [], "sequence_by": None, "snapshot_by": None,
                 "delete_when": None, "except_columns": [], "columns": {}, "sources": {},
                 "column_comments": {},
                 "expectations": None, "references": {}, "date_column": None,
                 "date_range": None, "measures": [], "attributes": []}  # fmt: skip
        if not isinstance(raw["columns"], dict) or not raw["columns"]:
            errors.append(f"{where}.columns: give a mapping of column name -> Spark SQL type")
        else:
            for column, type_ in raw["columns"].items():
                problem = identifier_problem(column, "column name", allow_reserved=True)
                if not problem and column.startswith("_"):
                    problem = "names starting with _ are kept for audit columns"
                if not problem and column.lower() in (c.lower() for c in table["columns"]):
                    problem = "duplicate column (names are case-insensitive)"
                if problem:
                    errors.append(f"{where}.columns: {column!r} -- {problem}")
                    continue
                if isinstance(type_, dict):
                    type_ = _column_entry(f"{where}.columns.{column}", type_, column, table, errors)
                try:
                    table["columns"][column] = spark_types.canonical(type_)
                except ValueError as exc:
                    errors.append(
                        f"{where}.columns.{column}: {type_!r} -- not a Spark SQL type ({exc}); "
                        "e.g. bigint, string, date, timestamp, decimal(12,2), array<string>"
                    )
                    table["columns"][column] = "string"
    columns = table["columns"]

    def declared(field: str, value: Any) -> Any:
        if value is not None and value not in columns:
            errors.append(f"{where}.{field}: {value!r} -- not a declared column; declare it "
                          f"under columns (declared: {', '.join(columns) or 'none'})")  # fmt: skip
        return value

    if "keys" in raw:
        keys = _list_of_columns(raw["keys"])
        if keys is None:
            errors.append(f"{where}.keys: {raw['keys']!r} -- give a list of column names")
            keys = []
        table["keys"] = [declared("keys", key) for key in keys]
    if not table["keys"] and (role == "dimension" or "keys" not in raw):
        keyless = " (a fact with no natural key: keys: [])" if role == "fact" else ""
        errors.append(f"{where}.keys: missing -- a {role} needs its business key column(s), "
                      f"e.g. keys: [{next(iter(columns), 'id')}]{keyless}")  # fmt: skip
    table["null_values"] = _null_values(where, raw.get("null_values"), errors)
    if role == "fact" and not table["keys"] and "keys" in raw:
        for field in ("sequence_by", "delete_when"):
            if raw.get(field) is not None:
                errors.append(f"{where}.{field}: not with keys: [] -- a fact with no key keeps "
                              "every landed row: there is no key whose events to order or "
                              "delete")  # fmt: skip
    _change_fields(where, raw, table, role, declared, errors)
    if "references" in raw:
        references = raw["references"] or {}
        if not isinstance(references, dict):
            errors.append(f"{where}.references: give a mapping of column -> dimension")
            references = {}
        table["references"] = {declared("references", k): v for k, v in references.items()}
    if role == "fact":
        if "date_column" in raw:
            table["date_column"] = declared("date_column", raw["date_column"])
            date_type = columns.get(raw["date_column"])
            if date_type and date_type not in ("date", "timestamp", "timestamp_ntz"):
                errors.append(f"{where}.date_column: {raw['date_column']!r} is {date_type} "
                              "-- use a date or timestamp column")  # fmt: skip
        if "measures" in raw:
            measures = _list_of_columns(raw["measures"] or [])
            if measures is None:
                errors.append(f"{where}.measures: give a list of numeric column names")
                measures = []
            table["measures"] = [declared("measures", m) for m in measures]
            for measure in measures:
                if measure in columns and not spark_types.is_numeric(columns[measure]):
                    errors.append(f"{where}.measures: {measure!r} is {columns[measure]} "
                                  "-- measures must be numeric")  # fmt: skip
        _attributes(where, raw, table, declared, errors)
        table["date_range"] = _date_range(where, raw, table, errors)
    _except_columns(where, raw, table, declared, errors)
    if "expectations" in raw:
        table["expectations"] = _expectations(where, raw["expectations"], columns, errors)
    elif table["expectations"] is None:  # explicit columns: the implicit rules cover the keys
        table["expectations"] = []
    _comparable_columns(where, table, errors)
    if "columns" in raw and table["keys"]:
        kind = "records" if role == "dimension" else "events"
        per = ", ".join(str(k) for k in table["keys"])
        table["comment"] = f"{singular(name).capitalize()} {kind}, one row per {per}."
    elif "columns" in raw:
        table["comment"] = f"{singular(name).capitalize()} events, every landed one (no key)."
    if "comment" in raw:
        problem = _comment_problem(raw["comment"])
        if problem:
            errors.append(f"{where}.comment: {raw['comment']!r} -- {problem}")
        else:
            table["comment"] = raw["comment"]
    return table


def _null_values(where: str, raw: Any, errors: list[str]) -> list[str]:
    """The markers a table's files write for a missing value (`NA`, `N/A`, `\\N`): silver reads
    them as NULL in every column, on both engines."""
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [raw]
    if not isinstance(raw, list):
        errors.append(f"{where}.null_values: {raw!r} -- give a list of markers, e.g. [NA, 'N/A']")
        return []
    markers: list[str] = []
    for marker in raw:
        problem = None
        if not isinstance(marker, str):  # YAML reads NA as text but null/~ as None, 1 as int
            problem = "quote it: a marker is text as the file writes it, e.g. 'null' or '-1'"
        elif not marker or len(marker) > MAX_NULL_VALUE:
            problem = f"give 1-{MAX_NULL_VALUE} characters"
        else:
            problem = text_problem(marker)
        if problem:
            errors.append(f"{where}.null_values: {marker!r} -- {problem}")
        elif marker not in markers:
            markers.append(marker)
    return markers


def _column_entry(where: str, entry: dict, column: str, table: dict, errors: list[str]) -> Any:
    """`{type: <Spark type>, source: <name in the landed files>, comment: <text>}`: record the
    source name and the comment, return the type. The source name may be anything a file can hold
    (`Created At`, `e-mail`); bronze renames it, so silver and gold use the clean name."""
    for key in entry:
        if key not in COLUMN_KEYS:
            errors.append(f"{where}: unknown key {key!r} -- valid keys: {', '.join(COLUMN_KEYS)}")
    comment = entry.get("comment")
    if comment is not None:
        problem = _comment_problem(comment)
        if problem:
            errors.append(f"{where}.comment: {comment!r} -- {problem}")
        else:
            table["column_comments"][column] = comment
    source = entry.get("source")
    if source is not None:
        problem = None
        if not isinstance(source, str) or not source.strip():
            problem = "give the column's name in the landed files"
        elif text_problem(source) or "`" in source:
            problem = text_problem(source) or "must be one line without backticks"
        elif "${" in source:
            problem = "must not contain '${' (bundle interpolation)"
        if problem:
            errors.append(f"{where}.source: {source!r} -- {problem}")
        elif source != column:
            table["sources"][column] = source
    return entry.get("type")


def _comparable_columns(where: str, table: dict, errors: list[str]) -> None:
    """Keys, sequences and references are grouped, ordered and joined on: Spark refuses that for
    a map (DATATYPE_MISMATCH.INVALID_ORDERING_TYPE), and so for anything holding one."""
    used = {
        "keys": table["keys"],
        "sequence_by": [table["sequence_by"]],
        "snapshot_by": [table["snapshot_by"]],
        "references": list(table["references"]),
    }
    for field, names in used.items():
        for name in names:
            type_ = table["columns"].get(name) if isinstance(name, str) else None
            if type_ and "map<" in type_:
                errors.append(f"{where}.{field}: {name!r} is {type_} -- Spark cannot compare or "
                              "order a map: use a column of another type")  # fmt: skip


def _expression_problem(expr: Any, columns: dict[str, str]) -> str | None:
    from bake import expressions  # imports sqlglot, which the bake checks for first

    return expressions.problem(expr, columns)


def _comment_problem(comment: Any) -> str | None:
    if not isinstance(comment, str) or not comment.strip():
        return "give one line of text"
    if text_problem(comment):
        return text_problem(comment)
    if "${" in comment:
        return "must not contain '${' (bundle interpolation)"
    return None


def _attributes(where: str, raw: dict, table: dict, declared: Any, errors: list[str]) -> None:
    """A fact's degenerate dimensions: columns kept in gold as they are."""
    if "attributes" not in raw:
        return
    names = _list_of_columns(raw["attributes"] or [])
    if names is None:
        errors.append(f"{where}.attributes: give a list of column names")
        return
    elsewhere = {
        **{key: "a key" for key in table["keys"]},
        **{column: "a reference" for column in table["references"]},
        **{measure: "a measure" for measure in table["measures"]},
        **({table["date_column"]: "the date column"} if table["date_column"] else {}),
    }
    for column in names:
        declared("attributes", column)
        if column in elsewhere:
            errors.append(f"{where}.attributes: {column!r} is {elsewhere[column]} already -- gold "
                          "keeps it; list only the other columns to keep")  # fmt: skip
    table["attributes"] = names


def _change_fields(
    where: str, raw: dict, table: dict, role: str, declared: Any, errors: list[str]
) -> None:
    """scd_type and snapshot_by (dimensions), sequence_by and delete_when (both roles)."""
    columns = table["columns"]
    if role == "dimension":
        scd_type = raw.get("scd_type", 1)
        if scd_type in ("1", "2"):  # cookiecutter renders every value of a dict answer to text
            scd_type = int(scd_type)
        if scd_type not in (1, 2) or isinstance(scd_type, bool):
            errors.append(f"{where}.scd_type: {scd_type!r} -- use 1 or 2")
            scd_type = 1
        table["scd_type"] = scd_type
    if "sequence_by" in raw:
        table["sequence_by"] = declared("sequence_by", raw["sequence_by"])
    if raw.get("snapshot_by") is not None:
        table["snapshot_by"] = declared("snapshot_by", raw["snapshot_by"])
        type_ = columns.get(raw["snapshot_by"])
        if type_ and type_ not in VERSION_TYPES:
            errors.append(f"{where}.snapshot_by: {raw['snapshot_by']!r} is {type_} -- a snapshot "
                          f"version must be one of {', '.join(VERSION_TYPES)}")  # fmt: skip
        for other in ("sequence_by", "delete_when"):
            if raw.get(other) is not None:
                errors.append(f"{where}.{other}: not with snapshot_by -- a snapshot source has "
                              "no change events: a key missing from the newest snapshot is the "
                              "delete")  # fmt: skip
        table["sequence_by"] = table["delete_when"] = None
    if role == "dimension" and table["scd_type"] == 2:
        if not table["sequence_by"] and not table["snapshot_by"]:
            errors.append(f"{where}.sequence_by: missing -- SCD type 2 needs an ordering column "
                          "(sequence_by), or snapshot_by for full snapshots")  # fmt: skip
    if "delete_when" in raw and not table["snapshot_by"]:
        table["delete_when"] = raw["delete_when"]
        if raw["delete_when"] is not None:
            problem = _expression_problem(raw["delete_when"], columns)
            if problem:
                errors.append(f"{where}.delete_when: {raw['delete_when']!r} -- {problem}")
            elif not table["sequence_by"]:
                errors.append(f"{where}.delete_when: needs sequence_by -- deletes are applied in "
                              "sequence order, like every other change")  # fmt: skip


def _except_columns(where: str, raw: dict, table: dict, declared: Any, errors: list[str]) -> None:
    """Columns that describe the change event (an operation marker), left out of silver."""
    if "except_columns" not in raw:
        return
    names = _list_of_columns(raw["except_columns"] or [])
    if names is None:
        errors.append(f"{where}.except_columns: give a list of column names")
        return
    needed = {
        *table["keys"], table["sequence_by"], table["snapshot_by"], table["date_column"],
        *table["references"], *table["measures"], *table["attributes"],
    }  # fmt: skip
    for column in names:
        declared("except_columns", column)
        if column in needed:
            errors.append(f"{where}.except_columns: {column!r} -- the pipeline needs it "
                          "(a key, sequence, reference, date, measure or attribute)")  # fmt: skip
    table["except_columns"] = names


def date_columns(table: dict[str, Any]) -> list[str]:
    """A fact's date column and date attributes: each gets a key into dim_date."""
    dated = [table["date_column"]] if table["date_column"] else []
    return dated + [c for c in table["attributes"] if table["columns"].get(c) in DATE_TYPES]


def _date_range(where: str, raw: dict, table: dict, errors: list[str]) -> list[str] | None:
    """`[first, last]` ISO dates a fact's dates (date column, date attributes) must fall in; it
    bounds dim_date."""
    if not date_columns(table):
        if raw.get("date_range") is not None:
            errors.append(f"{where}.date_range: needs date_column or a date attribute (it "
                          "bounds those columns)")  # fmt: skip
        return None
    value = raw.get("date_range")
    if value is None:
        return list(DEFAULT_DATE_RANGE)
    problem = "give [first, last] as ISO dates, e.g. [2000-01-01, 2099-12-31]"
    if not isinstance(value, list) or len(value) != 2:
        errors.append(f"{where}.date_range: {value!r} -- {problem}")
        return list(DEFAULT_DATE_RANGE)
    try:  # YAML may already have made them dates; cookiecutter may have made them text
        first, last = (date.fromisoformat(str(item)) for item in value)
    except ValueError:
        errors.append(f"{where}.date_range: {value!r} -- {problem}")
        return list(DEFAULT_DATE_RANGE)
    if first > last:
        errors.append(f"{where}.date_range: {value!r} -- first must not be after last")
    return [first.isoformat(), last.isoformat()]


def _expectations(
    where: str, raw: Any, columns: dict[str, str], errors: list[str]
) -> list[dict[str, str]]:
    """`{name: "expr"}` or `{name: {expr: ..., action: warn|drop|fail}}` -> list of rules."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        errors.append(f"{where}.expectations: give a mapping of rule name -> {{expr, action}}")
        return []
    rules = []
    for rule, body in raw.items():
        here = f"{where}.expectations.{rule}"
        problem = identifier_problem(rule, "rule name", allow_reserved=True)
        if not problem and (rule == IMPLICIT_RULE or rule.startswith(IMPLICIT_RULE_PREFIXES)):
            problem = (f"reserved for the pipeline's implicit rules ({IMPLICIT_RULE}, "
                       f"{'*, '.join(IMPLICIT_RULE_PREFIXES)}*)")  # fmt: skip
        if problem:
            errors.append(f"{where}.expectations: {rule!r} -- {problem}")
            continue
        if isinstance(body, str):
            body = {"expr": body}
        if not isinstance(body, dict):
            errors.append(f"{here}: give {{expr: <SQL boolean>, action: warn|drop|fail}}")
            continue
        for key in body:
            if key not in ("expr", "action"):
                errors.append(f"{here}: unknown key {key!r} -- valid keys: expr, action")
        action = body.get("action", "drop")
        if action not in ACTIONS:
            errors.append(f"{here}.action: {action!r} -- use warn, drop or fail")
        problem = _expression_problem(body.get("expr"), columns)
        if problem:
            errors.append(f"{here}.expr: {body.get('expr')!r} -- {problem}")
        rules.append({"name": rule, "expr": body.get("expr"), "action": action})
    return rules


def _check_references(tables: list[dict[str, Any]], errors: list[str]) -> None:
    by_name = {t["name"]: t for t in tables}
    for table in tables:
        for column, target in table["references"].items():
            where = f"tables.{table['name']}.references.{column}"
            dimension = by_name.get(target)
            if dimension is None:
                errors.append(f"{where}: {target!r} -- no such table; reference one of the "
                              f"dimensions: {', '.join(_dims(tables)) or 'none'}")  # fmt: skip
            elif dimension["role"] != "dimension":
                errors.append(f"{where}: {target!r} is a fact -- references point at dimensions")
            elif len(dimension["keys"]) != 1:
                errors.append(f"{where}: {target!r} has a composite key -- a reference needs a "
                              "dimension with a single key column")  # fmt: skip
            elif target == table["name"]:
                errors.append(f"{where}: {target!r} is this table -- a dimension cannot "
                              "reference itself")  # fmt: skip
    _check_cycles(tables, errors)


def _check_cycles(tables: list[dict[str, Any]], errors: list[str]) -> None:
    """Dimensions referencing dimensions must form a tree (a snowflake), not a cycle."""
    graph = {t["name"]: t["references"] for t in tables if t["role"] == "dimension"}
    reported: set[frozenset[str]] = set()

    def visit(name: str, path: list[str]) -> None:
        for column, target in graph.get(name, {}).items():
            if target == name or target not in graph:
                continue  # reported by _check_references
            if target in path:
                cycle = path[path.index(target) :] + [target]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    errors.append(f"tables.{name}.references.{column}: {target!r} closes a cycle "
                                  f"({' -> '.join(cycle)}) -- references between dimensions "
                                  "must form a tree")  # fmt: skip
                continue
            visit(target, [*path, target])

    for name in graph:
        visit(name, [name])


def _dims(tables: list[dict[str, Any]]) -> list[str]:
    return [t["name"] for t in tables if t["role"] == "dimension"]


def _text_problems(value: Any, where: str, seen: set[int], errors: list[str]) -> None:
    """Every string of the spec, keys included: no template syntax, no invisible characters. A
    mapping or list met twice (shared, as YAML aliases make them) is walked once."""
    if isinstance(value, str):
        if text_problem(value):
            errors.append(f"{where}: {value!r} -- {text_problem(value)}")
    elif isinstance(value, (dict, list)):
        if id(value) in seen:
            return
        seen.add(id(value))
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, item in items:
            if isinstance(key, str):
                _text_problems(key, where, seen, errors)
            shown = key if isinstance(key, str) and key.isidentifier() else repr(key)
            _text_problems(item, f"{where}.{shown}", seen, errors)


def parse_tables_text(text: str) -> tuple[Any, list[str]]:
    """The `tables` answer given as YAML text (what `make apply-spec` sends: tables.yml as it
    is), read without aliases or duplicate keys."""
    try:
        tables = strict_yaml.load(text)
    except strict_yaml.YamlProblem as exc:
        return None, [f"tables (tables.yml): {exc}"]
    if not isinstance(tables, dict) or not tables:
        return None, ["tables (tables.yml): give a mapping of table name -> spec (see README)"]
    return tables, []


def _build(table_names: str, tables: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if isinstance(tables, str) and tables.strip():
        tables, errors = parse_tables_text(tables)
        if errors:
            return [], errors
    errors = []
    _text_problems(table_names, "table_names", set(), errors)
    _text_problems(tables, "tables", set(), errors)
    if errors:
        return [], errors
    if tables in (None, "", {}):
        names, roles, errors = (
            split_roles(table_names) if isinstance(table_names, str) else ([], {}, [])
        )
        if not names:
            return [], ["table_names: empty -- give comma-separated names, e.g. customers, orders"]
        errors += _names_problems(names, "table_names")
        if errors:
            return [], errors
        built = from_names(names, roles)
        singulars = [t["singular"] for t in built]
        if len(set(singulars)) != len(singulars):
            errors.append(f"table_names: {table_names!r} -- two names share the singular used "
                          "for key columns (customer/customers); rename one")  # fmt: skip
        if not errors:
            errors += generated_names.problems(built)
        return built, errors
    if not isinstance(tables, dict):
        return [], ["tables: give a mapping of table name -> spec (see README, Table spec)"]
    errors = _names_problems(list(tables), "tables")
    if errors:
        return [], errors
    # facts default to referencing every dimension, so roles must be known before entries
    dimensions = [
        name
        for name, raw in tables.items()
        if not isinstance(raw, dict) or raw.get("role", "dimension") == "dimension"
    ]
    built = []
    for name, raw in tables.items():
        if raw is None:
            raw = {}
        if not isinstance(raw, dict):
            errors.append(f"tables.{name}: {raw!r} -- give a mapping (role, keys, columns, ...)")
            continue
        built.append(_entry(name, raw, dimensions, errors))
    _check_references(built, errors)
    if not errors:
        errors += generated_names.problems(built)
    return built, errors


# Snapshots are read as whole files (sources.py): a stream of messages or a Delta table has none.
SNAPSHOT_FORMATS = ("json", "csv", "parquet")
# Sources whose values land as text: silver types them with try_cast (quality.check), which Spark
# refuses for complex types (found by tests/test_properties.py's dry run).
TEXT_FORMATS = ("json", "csv", "kafka")


def validate(table_names: str, tables: Any, source_format: str | None = None) -> list[str]:
    """Every problem with the table answers, one line each (empty when the spec is fine)."""
    built, errors = _build(table_names, tables)
    if source_format == "delta":
        for table in built:
            if not table["sequence_by"] and not table["snapshot_by"]:  # snapshots: below
                errors.append(f"tables.{table['name']}.sequence_by: missing -- a Delta source "
                              "gives rows no file name or time to order them by, so which row "
                              "of a key is kept would be arbitrary: name the column that orders "
                              "a key's rows (e.g. updated_at)")  # fmt: skip
    if source_format in TEXT_FORMATS:
        for table in built:
            for column, type_ in table["columns"].items():
                if type_.startswith(("array<", "map<", "struct<")):
                    errors.append(f"tables.{table['name']}.columns.{column}: {type_!r} -- a "
                                  f"{source_format} source lands values as text, and silver's cast "
                                  "cannot make an array, map or struct of text "
                                  "(CAST_WITHOUT_SUGGESTION): declare string, or use a parquet "
                                  "or delta source")  # fmt: skip
    if source_format and source_format not in SNAPSHOT_FORMATS:
        for table in built:
            if table["snapshot_by"]:
                errors.append(f"tables.{table['name']}.snapshot_by: not with source_format "
                              f"{source_format!r} -- full snapshots land as files: use "
                              f"{', '.join(SNAPSHOT_FORMATS)}")  # fmt: skip
    return errors


def normalize(table_names: str, tables: dict[str, Any] | None) -> dict[str, Any]:
    """The normalized spec every template renders from (format: README, "Table spec").

    When `tables` is non-empty it defines the tables and `table_names` is ignored.
    Raises SpecError when the answers are invalid.
    """
    built, errors = _build(table_names, tables)
    if errors:
        raise SpecError(errors)
    for table in built:
        table["date_columns"] = date_columns(table)
    return {
        "tables": built,
        "dimensions": _dims(built),
        "facts": [t["name"] for t in built if t["role"] == "fact"],
        "has_dim_date": any(date_columns(t) for t in built),
    }
