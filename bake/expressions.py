"""Check a rule or `delete_when` expression with a real SQL parser before it reaches generated code.

The pipeline splices each expression into larger SQL (`coalesce((<expr>), false)`, the
expectations Databricks records), so an expression must be exactly one self-contained boolean
expression: sqlglot's Databricks dialect must read it as a single expression with no comment (a
`--` would swallow the closing parenthesis) and no statement separator, whose root is a predicate
(comparison, IS, IN, BETWEEN, LIKE, AND/OR/NOT of those, a boolean column, a function, CASE), and
whose columns are declared. Column types and functions are Spark's to judge: `make check-graph`
(the dry run) analyzes every rule.
"""

from __future__ import annotations

from typing import Any

import sqlglot  # bake.answers.formatter_problem checks it is installed before any spec is read
from sqlglot import exp
from sqlglot.errors import SqlglotError

DIALECT = "databricks"
# Spark (not the template) treats these roots as booleans: comparisons and other predicates.
_PREDICATES = (exp.Predicate, exp.Boolean, exp.Func, exp.Case, exp.Anonymous)
_CONNECTIVES = (exp.And, exp.Or, exp.Xor)


def problem(expr: Any, columns: dict[str, str]) -> str | None:
    """Why `expr` is not one boolean expression over `columns` (name -> type), or None."""
    if not isinstance(expr, str) or not expr.strip():
        return "give a non-empty SQL boolean expression"
    if any(ord(char) < 32 for char in expr):
        return "must be a single line"
    for marker in ("${", "\\"):
        if marker in expr:
            return f"must not contain {marker!r}"
    try:
        tokens = sqlglot.tokenize(expr, read=DIALECT)
        if any(token.comments for token in tokens):
            return "must not contain an SQL comment (-- or /* */)"
        if any(token.token_type == sqlglot.TokenType.SEMICOLON for token in tokens):
            return "must not contain ';' (one expression, not a statement)"
        parsed = [tree for tree in sqlglot.parse(expr, read=DIALECT) if tree is not None]
    except SqlglotError as exc:
        return f"is not valid Spark SQL ({_first_line(exc)})"
    if len(parsed) != 1:
        return "must be exactly one expression"
    (tree,) = parsed
    if tree.find(exp.Query, exp.Subquery):
        return "must not contain a query (rules are checked row by row)"
    if not _is_boolean(tree, columns):
        return "is not a boolean expression (e.g. amount >= 0, name IS NOT NULL)"
    unknown = _undeclared(tree, columns)
    if unknown:
        return f"{unknown!r} is not a declared column (declared: {', '.join(columns)})"
    return None


def _is_boolean(node: exp.Expression, columns: dict[str, str]) -> bool:
    if isinstance(node, exp.Paren):
        return _is_boolean(node.this, columns)
    if isinstance(node, _CONNECTIVES):
        return _is_boolean(node.left, columns) and _is_boolean(node.right, columns)
    if isinstance(node, exp.Not):
        return _is_boolean(node.this, columns)
    if isinstance(node, exp.Column):
        types = {name.lower(): type_ for name, type_ in columns.items()}
        return not node.table and types.get(node.name.lower()) == "boolean"
    return isinstance(node, _PREDICATES) and not isinstance(node, exp.Literal)


def _undeclared(tree: exp.Expression, columns: dict[str, str]) -> str | None:
    """The first column the expression names that the table does not declare (lambda variables
    of higher-order functions such as `exists(tags, t -> t = 'x')` are not columns)."""
    declared = {name.lower() for name in columns}
    bound = {
        identifier.name.lower()
        for lambda_ in tree.find_all(exp.Lambda)
        for identifier in lambda_.expressions
    }
    for column in tree.find_all(exp.Column):
        if column.table:
            return column.sql(dialect=DIALECT)
        if column.name.lower() not in declared | bound:
            return column.name
    return None


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
