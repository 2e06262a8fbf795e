"""Validate the prompt answers before cookiecutter writes anything.

`validate(context)` returns one line per problem: the field, the bad value and what would be valid.
Answers end up in YAML (bundle files), SQL (grants) and Python source, so each rule is strict enough
that no answer can break out of the place it is written to: no newlines or control characters, no
quotes where a name is expected, no `${` (bundle interpolation) and no Jinja delimiters.
The table spec is checked by `bake.spec.validate`, which uses `identifier_problem` from here.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

MAX_IDENTIFIER = 255  # Unity Catalog's limit for catalog, schema, table and column names

# Reserved words of Spark SQL (ANSI mode) and Databricks SQL. Sources: Spark's "ANSI compliance"
# keyword table (reserved column) and Databricks' "Reserved words" page. Catalog, schema and
# pipeline names may not be one: they end up in hand-written queries and CLI commands. Tables,
# columns and rules may (sources name columns `order` or `user`): the template backtick-quotes
# them in every piece of SQL it generates.
# fmt: off
RESERVED_WORDS = frozenset(
    {
        "all", "and", "any", "anti", "as", "authorization", "both", "case", "cast", "check",
        "collate", "column", "constraint", "create", "cross", "current_date", "current_time",
        "current_timestamp", "current_user", "default", "distinct", "else", "end", "escape",
        "except", "false", "fetch", "filter", "for", "foreign", "from", "full", "grant", "group",
        "having", "in", "inner", "intersect", "into", "is", "join", "lateral", "leading", "left",
        "limit", "minus", "natural", "not", "null", "offset", "on", "only", "or", "order", "outer",
        "overlaps", "primary", "references", "right", "select", "semi", "session_user", "some",
        "table", "then", "time", "to", "trailing", "true", "union", "unique", "unknown", "user",
        "using", "when", "where", "with",
    }
)
# fmt: on
# Names Unity Catalog keeps for itself.
RESERVED_CATALOGS = frozenset({"system", "samples", "hive_metastore"})
RESERVED_SCHEMAS = frozenset({"information_schema", "builtin", "session", "sys"})

# What a broken gold integrity check does (a derived answer: set it in a config file or on the
# command line, e.g. `__integrity_checks=warn`).
INTEGRITY_ACTIONS = ("fail", "warn")

CHOICES = {
    "source_format": ("json", "csv", "parquet", "delta", "kafka"),
    "pipeline_mode": ("triggered", "continuous"),
    "compute": ("serverless", "classic"),
}

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SLUG = re.compile(r"[a-z]([a-z0-9-]*[a-z0-9])?")
_LABEL = r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOSTNAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")
_PROFILE = re.compile(r"[A-Za-z0-9._-]{1,100}")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,63}")
_WAREHOUSE = re.compile(r"[A-Za-z0-9]{1,64}")
# A service principal's application id, which is what `run_as.service_principal_name` takes.
_APPLICATION_ID = re.compile(r"[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9_.=-]+")
_CLOUD_URI = re.compile(r"(s3|s3a|abfss|gs)://[A-Za-z0-9._@-]+(/[A-Za-z0-9_.=-]+)*/?")
# ASCII only, so that the derived slug and package name are valid too
_PROJECT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9 _-]{0,49}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEMPLATE_MARKERS = ("${", "{{", "}}", "{%", "%}", "{#")
# What Jinja evaluates (cookiecutter renders every answer with it): never allowed in any answer or
# spec string. `${` (bundle interpolation) is refused where a value reaches a bundle file.
JINJA_DELIMITERS = ("{{", "{%", "{#")
# Unicode categories that change how text is shown without being visible: controls, format
# characters (bidi overrides such as U+202E, zero-width joiners), line/paragraph separators,
# surrogates. In source code they hide what it does ("Trojan Source", CVE-2021-42574).
_INVISIBLE_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
_UNNAMED = {"Cc": "a control character", "Cs": "a lone surrogate", "Cf": "a format character"}

# The ruff the post-gen hook formats generated code with; the generated project pins the same
# one (pyproject.toml `local` group, .pre-commit-config.yaml), so `make lint` agrees with the bake.
RUFF_VERSION = "0.17.6"


def text_problem(value: str) -> str | None:
    """Why `value` may not appear anywhere in a generated file, or None: Jinja delimiters (a
    template would evaluate them), invisible or control characters."""
    for marker in JINJA_DELIMITERS:
        if marker in value:
            return f"contains {marker!r} (template syntax is never evaluated, so it is refused)"
    for char in value:
        if unicodedata.category(char) in _INVISIBLE_CATEGORIES and char != " ":
            name = unicodedata.name(char, None) or _UNNAMED[unicodedata.category(char)]
            return f"contains U+{ord(char):04X} ({name}): no control or invisible characters"
    return None


def yaml_scalar_hint(value: Any) -> str:
    """Why a YAML value that should be a name is a boolean or null (`yes`, `on`, `~`)."""
    if isinstance(value, bool) or value is None:
        return (
            f"YAML read this name as {value!r} (yes/no/on/off/true/false are booleans, null and ~ "
            "are null): quote it, e.g. 'on'"
        )
    return ""


def identifier_problem(value: Any, what: str = "name", allow_reserved: bool = False) -> str | None:
    """Why `value` is not a usable Unity Catalog identifier, or None when it is fine.

    `allow_reserved`: table, column and rule names may be reserved words (`order`, `user`,
    `group`); the template quotes them in every piece of SQL it generates.
    """
    if yaml_scalar_hint(value):
        return yaml_scalar_hint(value)
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        return (
            f"not a valid {what}: use letters, digits and underscores, starting with a letter or _"
        )
    if len(value) > MAX_IDENTIFIER:
        return f"{len(value)} characters long; a {what} has at most {MAX_IDENTIFIER}"
    if not allow_reserved and value.lower() in RESERVED_WORDS:
        return f"a reserved SQL word; pick another {what} (e.g. {value.lower()}_)"
    return None


def _unsafe(value: str) -> str | None:
    """Characters that could escape a YAML scalar, a SQL literal or a template."""
    if _CONTROL.search(value) or text_problem(value):
        return "contains a newline, control or invisible character, or template syntax"
    for marker in _TEMPLATE_MARKERS:
        if marker in value:
            return f"contains {marker!r} (template or bundle interpolation syntax)"
    return None


def _project_name(value: str) -> str | None:
    if not _PROJECT_NAME.fullmatch(value) or _unsafe(value):
        return "use 1-50 ASCII letters, digits, spaces, '-' and '_', starting with a letter"
    return None


def _slug(value: str) -> str | None:
    if len(value) > 50 or not _SLUG.fullmatch(value):
        return "use lowercase letters, digits and hyphens, starting with a letter (my-project)"
    return None


def _host(value: str) -> str | None:
    valid = "use https://<workspace-hostname> with no path, query or credentials"
    if _unsafe(value) or any(char in value for char in " \"'`\\"):
        return valid
    try:
        parts = urlsplit(value)
        port = parts.port  # raises ValueError on a malformed port
    except ValueError:
        return valid
    if parts.scheme != "https" or parts.username or parts.password or port is not None:
        return valid
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return valid
    if not _HOSTNAME.fullmatch(parts.hostname or ""):
        return valid
    # urlsplit forgets an empty port, query or fragment (`host:`, `host?#`): compare the text
    if value.rstrip("/").lower() != f"https://{parts.hostname}":
        return valid
    return None


def _profile(value: str) -> str | None:
    if not _PROFILE.fullmatch(value) or value.startswith("-"):
        return (
            "use 1-100 letters, digits, '.', '-' or '_', not starting with '-' (a profile name "
            "in ~/.databrickscfg; it is passed to the CLI as --profile <name>)"
        )
    return None


def _email(value: str) -> str | None:
    if value and (len(value) > 254 or not _EMAIL.fullmatch(value)):
        return "leave it empty or give one address like name@example.com"
    return None


def _warehouse(value: str) -> str | None:
    if value and not _WAREHOUSE.fullmatch(value):
        return "leave it empty or give the warehouse id (letters and digits, e.g. 1234567890abcdef)"
    return None


def _service_principal(value: str) -> str | None:
    if value and not _APPLICATION_ID.fullmatch(value):
        return (
            "leave it empty or give the service principal's application id, a UUID like "
            "01234567-89ab-cdef-0123-456789abcdef (Settings > Identity and access > "
            "Service principals); not its display name"
        )
    return None


def _landing_path(value: str) -> str | None:
    valid = (
        "use /Volumes/<catalog>/<schema>/<volume>[/<folder>...] or a cloud URI "
        "(s3://, abfss://, gs://) without spaces or quotes"
    )
    if _unsafe(value):
        return valid
    if value.startswith("/Volumes/"):
        segments = value.rstrip("/").split("/")[2:]
        if len(segments) < 3 or any(
            not _PATH_SEGMENT.fullmatch(s) or s in (".", "..") for s in segments
        ):
            return valid
        return None
    if _CLOUD_URI.fullmatch(value) and "/../" not in value + "/":
        return None
    return valid


def _principal(value: str) -> str | None:
    valid = (
        "use a group name of 1-255 printable characters without quotes, backticks or backslashes"
    )
    if not value or len(value) > 255 or value != value.strip():
        return valid
    if _unsafe(value) or any(char in value for char in "\"'`\\"):
        return valid
    return None


def _pipeline_name(value: str) -> str | None:
    return identifier_problem(value, "pipeline name")


def _catalog(value: str) -> str | None:
    if value.lower() in RESERVED_CATALOGS:
        return "reserved by Unity Catalog; use your own catalog"
    return identifier_problem(value, "catalog name")


def _schema(value: str) -> str | None:
    if value.lower() in RESERVED_SCHEMAS:
        return "reserved by Unity Catalog; use another schema name"
    return identifier_problem(value, "schema name")


CHECKS = {
    "project_name": _project_name,
    "__project_slug": _slug,
    "__pipeline_name": _pipeline_name,
    "workspace_host": _host,
    "__prod_workspace_host": _host,
    "databricks_profile": _profile,
    "__prod_service_principal": _service_principal,
    "catalog": _catalog,
    "schema": _schema,
    "__landing_path": _landing_path,
    "__notification_email": _email,
    "engineers_group": _principal,
    "analysts_group": _principal,
    "__warehouse_id": _warehouse,
}


def own_landing_volume(landing_path: str, catalog: str, schema: str) -> str | None:
    """The volume name when `landing_path` is a volume in the pipeline's own catalog and schema.

    That volume is created by the bundle (in resources/schema.yml); cookiecutter.json derives
    the same thing as `__landing_volume` for the templates. Unity Catalog names are
    case-insensitive, so the catalog and schema segments are compared ignoring case.
    """
    parts = landing_path.rstrip("/").split("/")
    if len(parts) >= 5 and parts[1] == "Volumes":
        if (parts[2].lower(), parts[3].lower()) == (catalog.lower(), schema.lower()):
            return parts[4]
    return None


def _own_volume_problem(context: dict[str, Any]) -> str | None:
    landing, catalog, schema = (context.get(k) for k in ("__landing_path", "catalog", "schema"))
    if not all(isinstance(value, str) for value in (landing, catalog, schema)):
        return None  # reported as "expected text" already
    volume = own_landing_volume(landing, catalog, schema)
    problem = identifier_problem(volume, "volume name") if volume is not None else None
    if problem is None or _landing_path(landing):
        return None
    return (
        f"__landing_path: {landing!r} -- the volume {volume!r} is in the pipeline's own schema, so "
        f"the bundle creates it, and its name is {problem}"
    )


def validate(context: dict[str, Any]) -> list[str]:
    """Every problem with the scalar answers, one line each: `field: value -- what is valid`."""
    errors = []
    derived = _derived_from_a_bad_name(context)
    for field, value in context.items():
        # the spec (table_names, tables) is bake.spec's to check
        answered = field not in ("table_names", "tables") and (
            not field.startswith("_") or field.startswith("__")
        )
        if answered and isinstance(value, str) and field not in CHECKS and text_problem(value):
            errors.append(f"{field}: {value!r} -- {text_problem(value)}")
    for field, check in CHECKS.items():
        value = context.get(field, "")
        if field == "__prod_workspace_host" and value == context.get("workspace_host"):
            continue  # the default: the same answer, reported once under workspace_host
        if not isinstance(value, str):
            errors.append(f"{field}: {value!r} -- expected text")
            continue
        problem = check(value)
        if problem and derived.get(field) != value:
            errors.append(f"{field}: {value!r} -- {problem}")
    for field, choices in CHOICES.items():
        if context.get(field) not in choices:
            errors.append(f"{field}: {context.get(field)!r} -- choose one of {', '.join(choices)}")
    integrity = context.get("__integrity_checks", "fail")
    if integrity not in INTEGRITY_ACTIONS:
        errors.append(
            f"__integrity_checks: {integrity!r} -- choose one of {', '.join(INTEGRITY_ACTIONS)} "
            "(what a broken gold integrity check does)"
        )
    volume_problem = _own_volume_problem(context)
    if volume_problem:
        errors.append(volume_problem)
    engineers, analysts = context.get("engineers_group"), context.get("analysts_group")
    if isinstance(engineers, str) and engineers and engineers == analysts:
        errors.append(
            f"analysts_group: {analysts!r} -- must differ from engineers_group "
            "(analysts get read-only grants)"
        )
    sample_problem = _sample_writer_problem(context.get("source_format"))
    if sample_problem:
        errors.append(sample_problem)
    formatter = formatter_problem()
    if formatter:
        errors.append(formatter)
    return errors


def _derived_from_a_bad_name(context: dict[str, Any]) -> dict[str, str]:
    """The values cookiecutter.json derives from a project name that is itself refused: their
    problems are that one (reported once, under project_name)."""
    name = context.get("project_name")
    if not isinstance(name, str) or not _project_name(name):
        return {}
    slug = name.lower().strip().replace(" ", "-").replace("_", "-")
    schema = slug.replace("-", "_")
    return {
        "__project_slug": slug,
        "__pipeline_name": f"{schema}_pipeline",
        "schema": schema,
        "__landing_path": f"/Volumes/{context.get('catalog')}/{schema}/landing",
    }


def formatter_problem() -> str | None:
    """The bake runs in the Python that runs cookiecutter (or cruft), which must have the tools
    it uses: the exact ruff the project pins (the post-gen hook formats the generated code with
    it, so `make lint` agrees), and sqlglot (rules and `delete_when` are parsed with it)."""
    try:
        version = importlib.metadata.version("ruff")
    except importlib.metadata.PackageNotFoundError:
        version = None
    missing = []
    if version != RUFF_VERSION or not importlib.util.find_spec("ruff"):
        missing.append(f"ruff {RUFF_VERSION}" + (f" (it has {version})" if version else ""))
    if not importlib.util.find_spec("sqlglot"):
        missing.append("sqlglot")
    if not missing:
        return None
    return (
        f"ruff: the bake needs {' and '.join(missing)} in the Python running cookiecutter: "
        f"pip install ruff=={RUFF_VERSION} sqlglot beside cookiecutter"
    )


def _sample_writer_problem(source_format: Any) -> str | None:
    """The bake writes parquet sample data with pyarrow, in the Python that runs cookiecutter
    (or cruft): say so before anything is written, instead of failing half-way."""
    if source_format not in ("parquet", "delta") or importlib.util.find_spec("pyarrow"):
        return None
    return (
        f"source_format: {source_format!r} -- the sample data of a {source_format} source is "
        "written as parquet with pyarrow, which the Python running cookiecutter lacks: install "
        "pyarrow beside cookiecutter (pip install pyarrow), or choose json, csv or kafka"
    )
