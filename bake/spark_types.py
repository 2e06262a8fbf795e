"""Parse Spark SQL type strings at bake time, without Spark.

`canonical("DECIMAL(15, 2)")` returns `"decimal(15,2)"`; anything Spark's DDL parser would reject
raises `ValueError` with a short reason. Supported: the primitive types (and their aliases),
`decimal(p,s)`, `varchar(n)`, `char(n)`, `array<T>`, `map<K,V>` and `struct<name:T,...>`. A template
test checks the canonical strings against pyspark's own parser when pyspark is installed.
"""

from __future__ import annotations

import re

# alias -> canonical name (the form Spark prints with `simpleString()`)
PRIMITIVES = {
    "boolean": "boolean",
    "tinyint": "tinyint",
    "byte": "tinyint",
    "smallint": "smallint",
    "short": "smallint",
    "int": "int",
    "integer": "int",
    "bigint": "bigint",
    "long": "bigint",
    "float": "float",
    "real": "float",
    "double": "double",
    "date": "date",
    "timestamp": "timestamp",
    "timestamp_ltz": "timestamp",
    "timestamp_ntz": "timestamp_ntz",
    "string": "string",
    "binary": "binary",
}
DECIMAL_NAMES = ("decimal", "dec", "numeric")
NUMERIC = {"tinyint", "smallint", "int", "bigint", "float", "double"}
MAX_PRECISION = 38
MAX_LENGTH = 2**31 - 1  # Spark reads a varchar/char length as a Java int

_TOKEN = re.compile(r"\s*(?:([A-Za-z_][A-Za-z0-9_]*)|(\d+)|([<>(),:]))")


def _tokenize(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if not match:
            raise ValueError(f"unexpected character {text[position:].strip()[0]!r}")
        tokens.append(match.group(match.lastindex))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, what: str = "more") -> str:
        """The next token, whatever it is; `what` describes it for the error message."""
        token = self.peek()
        if token is None:
            raise ValueError(f"ends too early (expected {what})")
        self.position += 1
        return token

    def expect(self, literal: str) -> None:
        token = self.take(repr(literal))
        if token != literal:
            raise ValueError(f"expected {literal!r}, found {token!r}")

    def number(self) -> int:
        token = self.take("a number")
        if not token.isdigit():
            raise ValueError(f"expected a number, found {token!r}")
        return int(token)

    def type(self) -> str:
        name = self.take("a type name")
        lowered = name.lower()
        if lowered in PRIMITIVES:
            return PRIMITIVES[lowered]
        if lowered in DECIMAL_NAMES:
            return self.decimal()
        if lowered in ("varchar", "char", "character"):
            self.expect("(")
            length = self.number()
            self.expect(")")
            if not 1 <= length <= MAX_LENGTH:
                raise ValueError(f"{lowered}({length}): the length must be 1 to {MAX_LENGTH}")
            return f"{'varchar' if lowered == 'varchar' else 'char'}({length})"
        if lowered == "array":
            self.expect("<")
            element = self.type()
            self.expect(">")
            return f"array<{element}>"
        if lowered == "map":
            self.expect("<")
            key = self.type()
            if "map<" in key:
                raise ValueError(f"a map key cannot be or hold a map ({key}); Spark refuses it")
            self.expect(",")
            value = self.type()
            self.expect(">")
            return f"map<{key},{value}>"
        if lowered == "struct":
            return self.struct()
        raise ValueError(f"unknown type {name!r}")

    def decimal(self) -> str:
        precision, scale = 10, 0  # Spark's defaults for a bare `decimal`
        if self.peek() == "(":
            self.expect("(")
            precision = self.number()
            if self.peek() == ",":
                self.expect(",")
                scale = self.number()
            self.expect(")")
        if not 1 <= precision <= MAX_PRECISION:
            raise ValueError(f"decimal precision {precision} is not between 1 and {MAX_PRECISION}")
        if scale > precision:
            raise ValueError(f"decimal scale {scale} is larger than its precision {precision}")
        return f"decimal({precision},{scale})"

    def struct(self) -> str:
        self.expect("<")
        fields: list[str] = []
        seen: set[str] = set()
        while self.peek() != ">":
            if fields:
                self.expect(",")
            name = self.take("a field name")
            if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
                raise ValueError(f"invalid struct field name {name!r}")
            if name.lower() in seen:
                raise ValueError(f"duplicate struct field {name!r}")
            seen.add(name.lower())
            if self.peek() == ":":
                self.expect(":")
            fields.append(f"{name}:{self.type()}")
        self.expect(">")
        if not fields:
            raise ValueError("a struct needs at least one field")
        return f"struct<{','.join(fields)}>"


def canonical(text: str) -> str:
    """The canonical Spark type string for `text`; ValueError with a reason when it is not valid."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("empty type")
    parser = _Parser(text)
    result = parser.type()
    if parser.peek() is not None:
        raise ValueError(f"unexpected {parser.peek()!r} after {result!r}")
    return result


def is_numeric(canonical_type: str) -> bool:
    """True for the types a measure can be summed over."""
    return canonical_type in NUMERIC or canonical_type.startswith("decimal(")
