"""Every .sql file under sql/ parses with sqlglot's Databricks dialect.

sqlglot does not model a few Unity Catalog statements (GRANT ... ON CATALOG/VOLUME, CREATE
CATALOG/VOLUME) and falls back to an opaque `Command`; those must match a strict pattern instead.
"""

from __future__ import annotations

import re

import pytest
import sqlglot
from sqlglot import exp

from medallion.admin_grants import bundle_variables, fill, split_statements

from . import baked

ROOT = baked.PROJECT
SQL_FILES = sorted((ROOT / "sql").rglob("*.sql"))

IDENT = r"(?:`(?:[^`]|``)+`|[A-Za-z_][A-Za-z0-9_]*)"
NAME = rf"{IDENT}(?:\.{IDENT})?(?:\.{IDENT})?"
PRIVILEGE = (
    r"(?:USE CATALOG|USE SCHEMA|CREATE SCHEMA|CREATE TABLE|CREATE VOLUME|CREATE MATERIALIZED VIEW"
    r"|CREATE FUNCTION|SELECT|MODIFY|READ VOLUME|WRITE VOLUME|EXECUTE|BROWSE)"
)
SECURABLE = r"(?:CATALOG|SCHEMA|TABLE|VOLUME|VIEW|MATERIALIZED VIEW)"
COMMAND_FORMS = [
    re.compile(rf"CREATE (?:CATALOG|SCHEMA|VOLUME) IF NOT EXISTS {NAME}(?: COMMENT '[^']*')?"),
    re.compile(rf"GRANT {PRIVILEGE}(?:, {PRIVILEGE})* ON {SECURABLE} {NAME} TO {IDENT}"),
]


def test_there_is_sql_to_check():
    names = {path.relative_to(ROOT).as_posix() for path in SQL_FILES}
    assert "sql/admin_grants.sql" in names
    assert any(name.startswith("sql/monitoring/") for name in names)


@pytest.mark.parametrize("path", SQL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_sql_file_parses_with_the_databricks_dialect(path):
    # `${var.*}`: the prod target's bundle variables, as `make admin-grants` fills them in.
    text = fill(path.read_text(encoding="utf-8"), bundle_variables("prod"))

    parsed = [s for s in sqlglot.parse(text, read="databricks") if s is not None]

    assert parsed, f"{path.name} has no statement"
    assert len(parsed) == len(split_statements(text)), "admin_grants splits like sqlglot"
    for statement in parsed:
        if isinstance(statement, exp.Command):
            sql = " ".join(statement.sql(dialect="databricks", comments=False).split())
            assert any(form.fullmatch(sql) for form in COMMAND_FORMS), f"unrecognised: {sql}"


def test_a_broken_statement_is_caught():
    with pytest.raises(sqlglot.errors.ParseError):
        sqlglot.parse("GRANT SELECT ON SCHEMA `a`.`b` TO;", read="databricks")
    broken = "GRANT USE CATALOG ON CATALOG `main` TO `x`, `y`"
    assert not any(form.fullmatch(broken) for form in COMMAND_FORMS)
