"""A stand-in for the `databricks` CLI that accepts only what the real one accepts.

Test data for test_make_targets.py, which installs it first on PATH as `databricks`.
COMMANDS is the part of the real command surface this project uses, transcribed from the
databricks/cli sources named beside each entry (SOURCE_URL is the commit read). Calls outside it,
unknown flags, a missing flag value, a bad int or output type, too many arguments and the
mutually exclusive `bundle run` pipeline flags fail like the real CLI: `Error: <message>` on
stderr and exit code 1. It also applies the bundle checks the project relies on, with the real
messages: the target must exist, the profile's host must match the target's host, `mode:
production` needs a root_path, a /Workspace/Shared root path is a warning (which fails
`--strict`), and `bundle destroy` stops on a resource with `lifecycle.prevent_destroy`. Every
accepted call is appended to $FAKE_DATABRICKS_LOG as one JSON line: {"argv": [...], "auth":
"..."}. $FAKE_DATABRICKS_VERSION sets the reported version.
"""

from __future__ import annotations

import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SOURCE_URL = "https://github.com/databricks/cli/blob/7bbe2852131bc5c4a6c7bad5f147bc7772eedf9f/"
LATEST_RELEASE = "1.13.0"  # newest tag of databricks/cli and databricks/setup-cli (August 2026)


@dataclass(frozen=True)
class Flag:
    name: str
    kind: str  # bool, count, string, strings (comma-separated, repeatable), int, output
    short: str = ""


@dataclass(frozen=True)
class Command:
    source: str  # path in databricks/cli
    flags: tuple[Flag, ...]
    max_args: int | None  # positional arguments before `--`; None: any
    group_flags: tuple[Flag, ...] = field(default=())
    exact_args: bool = False  # root.ExactArgs(max_args) instead of MaximumNArgs
    needs_bundle: bool = True  # bundle and pipelines commands read databricks.yml


# Persistent flags of the root command.
GLOBAL_FLAGS = (
    Flag("profile", "string", "p"),  # cmd/root/auth.go: StringP("profile", "p", ...)
    Flag("target", "string", "t"),  # cmd/root/bundle.go: StringP("target", "t", ...)
    Flag("environment", "string", "e"),  # cmd/root/bundle.go (deprecated alias of --target)
    Flag("output", "output", "o"),  # cmd/root/io.go: VarP(&f.output, "output", "o", ...)
    Flag("debug", "bool"),  # cmd/root/logger.go
    Flag("log-file", "string"),  # cmd/root/logger.go (hidden)
    Flag("log-level", "string"),  # cmd/root/logger.go (hidden)
    Flag("log-format", "string"),  # cmd/root/logger.go (hidden)
)
# `--var` is a persistent flag of the `bundle` group (cmd/bundle/variables.go) and of the
# `pipelines` group (cmd/workspace/pipelines/overrides.go).
VAR_FLAG = (Flag("var", "strings"),)
PIPELINE_RUN_FLAGS = (  # bundle/run/pipeline_options.go, PipelineOptions.Define
    Flag("refresh-all", "bool"),
    Flag("refresh", "strings"),
    Flag("full-refresh-all", "bool"),
    Flag("full-refresh", "strings"),
    Flag("validate-only", "bool"),
)
JOB_RUN_FLAGS = (  # bundle/run/job_options.go, DefineJobOptions and DefineTaskOptions
    Flag("params", "strings"),
    Flag("only", "strings"),
    Flag("dbt-commands", "strings"),
    Flag("jar-params", "strings"),
    Flag("notebook-params", "strings"),
    Flag("pipeline-params", "strings"),
    Flag("python-named-params", "strings"),
    Flag("python-params", "strings"),
    Flag("spark-submit-params", "strings"),
    Flag("sql-params", "strings"),
)
WAIT_FLAGS = (Flag("no-wait", "bool"), Flag("restart", "bool"))
TIME_FLAGS = (Flag("start-time", "string"), Flag("end-time", "string"))

COMMANDS: dict[tuple[str, ...], Command] = {
    ("bundle", "validate"): Command(
        "cmd/bundle/validate.go",
        (Flag("strict", "bool"), Flag("include-locations", "bool")),
        max_args=0,  # root.NoArgs
        group_flags=VAR_FLAG,
    ),
    ("bundle", "deploy"): Command(
        "cmd/bundle/deploy.go",
        (
            Flag("force", "bool"),
            Flag("force-lock", "bool"),
            Flag("fail-on-active-runs", "bool"),
            Flag("compute-id", "string"),
            Flag("cluster-id", "string", "c"),
            Flag("auto-approve", "bool"),
            Flag("verbose", "bool"),
            Flag("quiet", "count", "q"),
            Flag("plan", "string"),
            Flag("select", "strings"),
        ),
        max_args=0,
        group_flags=VAR_FLAG,
    ),
    ("bundle", "plan"): Command(
        "cmd/bundle/plan.go",
        (
            Flag("force", "bool"),
            Flag("quiet", "count", "q"),
            Flag("compute-id", "string"),
            Flag("cluster-id", "string", "c"),
            Flag("select", "strings"),
        ),
        max_args=0,  # root.NoArgs
        group_flags=VAR_FLAG,
    ),
    ("bundle", "destroy"): Command(
        "cmd/bundle/destroy.go",
        (Flag("auto-approve", "bool"), Flag("force-lock", "bool"), Flag("quiet", "count", "q")),
        max_args=0,
        group_flags=VAR_FLAG,
    ),
    ("bundle", "run"): Command(
        "cmd/bundle/run.go (+ bundle/run/options.go)",
        (*WAIT_FLAGS, *PIPELINE_RUN_FLAGS, *JOB_RUN_FLAGS),
        max_args=None,  # KEY, then the job's own arguments after `--`
        group_flags=VAR_FLAG,
    ),
    ("bundle", "summary"): Command(
        "cmd/bundle/summary.go",
        (Flag("force-pull", "bool"), Flag("include-locations", "bool")),
        max_args=0,
        group_flags=VAR_FLAG,
    ),
    ("fs", "cp"): Command(
        "cmd/fs/cp.go",
        (Flag("overwrite", "bool"), Flag("recursive", "bool", "r"), Flag("concurrency", "int")),
        max_args=2,
        exact_args=True,  # root.ExactArgs(2)
        needs_bundle=False,
    ),
    ("pipelines", "logs"): Command(
        "cmd/pipelines/logs.go",
        (
            Flag("update-id", "string"),
            Flag("level", "strings"),
            Flag("event-type", "strings"),
            Flag("number", "int", "n"),
            *TIME_FLAGS,
        ),
        max_args=1,  # root.MaximumNArgs(1)
        group_flags=VAR_FLAG,
    ),
    ("pipelines", "history"): Command(
        "cmd/pipelines/history.go", TIME_FLAGS, max_args=1, group_flags=VAR_FLAG
    ),
    ("pipelines", "run"): Command(  # no --validate-only here: that is `pipelines dry-run`
        "cmd/pipelines/run.go",
        (
            Flag("refresh", "strings"),
            Flag("full-refresh-all", "bool"),
            Flag("full-refresh", "strings"),
            *WAIT_FLAGS,
        ),
        max_args=1,
        group_flags=VAR_FLAG,
    ),
    ("pipelines", "dry-run"): Command(
        "cmd/pipelines/dry_run.go", WAIT_FLAGS, max_args=1, group_flags=VAR_FLAG
    ),
}
# Go's time.RFC3339Nano, which `pipelines logs/history --start-time/--end-time` parse.
RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
MAX_EVENTS = 250  # cmd/pipelines/utils.go, fetchAllPipelineEvents
USER = "someone@example.com"


class CliError(Exception):
    """Printed as `Error: <message>` with exit code 1, as cmd/root/root.go Execute does."""


def find_command(argv: list[str]) -> tuple[tuple[str, ...], Command, list[str]]:
    words = tuple(argv[:2])
    if words not in COMMANDS:
        groups = {path[0] for path in COMMANDS}
        if not argv or argv[0] not in groups:
            raise CliError(f'unknown command {argv[0] if argv else ""!r} for "databricks"')
        sub = argv[1] if len(argv) > 1 else ""
        raise CliError(
            f'unknown command "{sub}" for "databricks {argv[0]}" (or not transcribed in '
            "fake_databricks.py COMMANDS: add it with its databricks/cli source)"
        )
    return words, COMMANDS[words], argv[2:]


def _flag_label(flag: Flag) -> str:
    return f"-{flag.short}, --{flag.name}" if flag.short else f"--{flag.name}"


def _set(values: dict, flag: Flag, raw: str | None) -> None:
    """Store one occurrence of a flag, with pflag's messages for values it cannot parse."""
    label = _flag_label(flag)
    if flag.kind == "bool":
        value = (raw or "true").lower()
        if value not in ("1", "t", "true", "0", "f", "false"):
            raise CliError(
                f'invalid argument "{raw}" for "{label}" flag: strconv.ParseBool: parsing '
                f'"{raw}": invalid syntax'
            )
        values[flag.name] = value in ("1", "t", "true")
    elif flag.kind == "count":
        values[flag.name] = values.get(flag.name, 0) + 1
    elif flag.kind == "int":
        if not re.fullmatch(r"[+-]?\d+", raw or ""):
            raise CliError(
                f'invalid argument "{raw}" for "{label}" flag: strconv.ParseInt: parsing '
                f'"{raw}": invalid syntax'
            )
        values[flag.name] = int(raw)
    elif flag.kind == "output":
        if (raw or "").lower() not in ("json", "text"):  # libs/flags/output.go
            raise CliError(
                f'invalid argument "{raw}" for "{label}" flag: accepted arguments are json and text'
            )
        values[flag.name] = raw.lower()
    elif flag.kind == "strings":
        values.setdefault(flag.name, []).extend(part for part in raw.split(",") if part)
    else:
        values[flag.name] = raw


def parse(argv: list[str]) -> tuple[tuple[str, ...], dict, list[str], list[str]]:
    """(command words, flag values, positional args, args after `--`), pflag-style."""
    words, command, rest = find_command(argv)
    flags = (*GLOBAL_FLAGS, *command.group_flags, *command.flags)
    by_name = {flag.name: flag for flag in flags}
    by_short = {flag.short: flag for flag in flags if flag.short}
    values: dict = {}
    positional: list[str] = []
    after_dash: list[str] = []
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        if token == "--":
            after_dash = rest[i:]
            break
        if token.startswith("--"):
            name, has_value, raw = token[2:].partition("=")
            flag = by_name.get(name)
            if flag is None:
                raise CliError(f"unknown flag: --{name}")
        elif token.startswith("-") and len(token) > 1:
            short, raw = token[1], token[2:].removeprefix("=")
            has_value = bool(raw)
            flag = by_short.get(short)
            if flag is None:
                raise CliError(f"unknown shorthand flag: '{short}' in {token}")
            if flag.kind == "count" and raw and set(raw) == {short}:  # -qq
                for _ in range(len(raw) + 1):
                    _set(values, flag, None)
                continue
        else:
            positional.append(token)
            continue
        if flag.kind in ("bool", "count"):
            _set(values, flag, raw if has_value else None)
            continue
        if not has_value:
            if i >= len(rest):
                where = f"'{flag.short}' in -{flag.short}" if token[1] != "-" else f"--{flag.name}"
                raise CliError(f"flag needs an argument: {where}")
            raw = rest[i]
            i += 1
        _set(values, flag, raw)
    if command.exact_args and len(positional) != command.max_args:  # cmd/root/args.go
        raise CliError(f"accepts {command.max_args} arg(s), received {len(positional)}")
    if command.max_args is not None and len(positional) > command.max_args:
        if command.max_args == 0:
            raise CliError(f'unknown command "{positional[0]}" for "databricks {" ".join(words)}"')
        raise CliError(f"accepts at most {command.max_args} arg(s), received {len(positional)}")
    return words, values, positional, after_dash


def load_bundle(root: Path) -> dict:
    """databricks.yml with its included resource files merged under `resources`."""
    config = yaml.safe_load((root / "databricks.yml").read_text())
    for pattern in config.get("include") or []:
        for path in sorted(root.glob(pattern)):
            for kind, items in (yaml.safe_load(path.read_text()).get("resources") or {}).items():
                config.setdefault("resources", {}).setdefault(kind, {}).update(items)
    return config


def profile_hosts(path: Path) -> dict[str, str]:
    import configparser

    parser = configparser.ConfigParser(default_section="__no_default__", interpolation=None)
    parser.read(path)
    return {name: parser[name].get("host", "").rstrip("/") for name in parser.sections()}


def select_target(config: dict, values: dict) -> tuple[str, dict]:
    targets = config.get("targets") or {}
    name = values.get("target") or values.get("environment")
    if not name:
        name = next((key for key, body in targets.items() if (body or {}).get("default")), "")
    if name not in targets:  # bundle/config/mutator/select_target.go
        raise CliError(f"{name}: no such target. Available targets: {', '.join(targets)}")
    return name, targets[name] or {}


def resolve_auth(host: str, values: dict) -> str:
    """Which credentials the CLI would use, with the errors it gives (see the module docstring)."""
    config = Path(os.environ.get("DATABRICKS_CONFIG_FILE") or Path.home() / ".databrickscfg")
    hosts = profile_hosts(config) if config.is_file() else {}
    profile = values.get("profile")
    if profile:
        if profile not in hosts:
            raise CliError(f"resolve: {config} has no {profile} profile configured")
        if hosts[profile] != host.rstrip("/"):  # acceptance/auth/bundle_and_profile
            raise CliError(
                "cannot resolve bundle auth configuration: the host in the profile "
                f"({hosts[profile]}) doesn\u2019t match the host configured in the bundle ({host})"
            )
        return f"profile {profile}"
    kinds = []  # databricks-sdk-go config/config_attributes.go Validate
    if os.environ.get("DATABRICKS_CLIENT_ID") and os.environ.get("DATABRICKS_CLIENT_SECRET"):
        kinds.append("oauth")
    if os.environ.get("DATABRICKS_TOKEN"):
        kinds.append("pat")
    if len(kinds) > 1 and not os.environ.get("DATABRICKS_AUTH_TYPE"):
        raise CliError(f"more than one authorization method configured: {' and '.join(kinds)}")
    if kinds:
        return f"environment ({kinds[0]})"
    matching = [name for name, profile_host in hosts.items() if profile_host == host.rstrip("/")]
    if matching:  # bundle/config/workspace.go: ResolveProfileFromHost
        return f"profile {matching[0]} (matched by host)"
    raise CliError("default auth: cannot configure default credentials")


def bundle_warnings(config: dict, target: dict) -> list[str]:
    """The warnings `bundle validate` gives for this project's shapes, with the real summaries."""
    root_path = (target.get("workspace") or {}).get("root_path") or ""
    permissions = [*(config.get("permissions") or []), *(target.get("permissions") or [])]
    everyone_manages = any(
        p.get("group_name") == "users" and p.get("level") == "CAN_MANAGE" for p in permissions
    )
    if root_path.startswith("/Workspace/Shared/") and not everyone_manages:
        # bundle/permissions/validate.go, validateSharedRootPermissions
        return [f"the bundle root path {root_path} is writable by all workspace users"]
    return []


def bundle_errors(config: dict, target: dict) -> list[str]:
    """bundle/config/mutator/resourcemutator/validate_target_mode.go: production needs a root
    path in the target, unless every job has a run_as (a bundle without jobs counts as one)."""
    jobs = ((config.get("resources") or {}).get("jobs") or {}).values()
    run_as_set = bool(config.get("run_as") or target.get("run_as")) or all(
        job.get("run_as") for job in jobs
    )
    production = target.get("mode") == "production"
    if production and not (target.get("workspace") or {}).get("root_path") and not run_as_set:
        return [
            "target with 'mode: production' must set 'workspace.root_path' to make sure only "
            "one copy is deployed"
        ]
    return []


def target_resources(config: dict, target: dict) -> dict:
    """The resources with the target's `resources:` overrides merged in (as the CLI merges them)."""

    def merge(base: object, override: object) -> object:
        if isinstance(base, dict) and isinstance(override, dict):
            return {**base, **{k: merge(base.get(k), v) for k, v in override.items()}}
        return override

    return merge(config.get("resources") or {}, target.get("resources") or {})


def prevent_destroy_errors(config: dict, target: dict) -> list[str]:
    """bundle/phases/plan.go, checkForPreventDestroy: `bundle destroy` deletes every resource, so
    each one with lifecycle.prevent_destroy stops it before anything is deleted."""
    errors = []
    for kind, items in target_resources(config, target).items():
        for key, body in (items or {}).items():
            if ((body or {}).get("lifecycle") or {}).get("prevent_destroy") is True:
                resource = f"resources.{kind}.{key}"
                errors.append(
                    f"{resource} has lifecycle.prevent_destroy set, but the plan calls for this "
                    "resource to be recreated or destroyed. To avoid this error, disable "
                    f"lifecycle.prevent_destroy for {resource}"
                )
    return errors


REFERENCE = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")


def normalize_prefix(prefix: str) -> str:
    """bundle/config/mutator/resourcemutator/apply_presets.go, normalizePrefix, with
    libs/textutil NormalizeString: '[dev someone] ' -> 'dev_someone_' (schema names)."""
    prefix = prefix.replace("[", "").strip(" ")
    suffix = "_" if prefix.endswith("]") else ""
    name = "".join(char if char.isalnum() else "_" for char in prefix.lower())
    return re.sub("_+", "_", name).strip("_") + suffix


def resolved_config(config: dict, target_name: str, target: dict) -> dict:
    """What `bundle summary -o json` prints for this project's shapes: the target's resources and
    variables merged in, the name prefix of `mode: development` ('[dev <short name>] ') or of
    `presets.name_prefix` applied (schemas get it normalized), then every `${var.*}`,
    `${resources.*}` and `${bundle.*}` reference resolved. A simplification of the CLI's
    mutators, for the shapes this project uses."""
    variables = {
        name: (body or {}).get("default") for name, body in (config.get("variables") or {}).items()
    }
    for name, override in (target.get("variables") or {}).items():
        variables[name] = override.get("default") if isinstance(override, dict) else override
    resources = json.loads(json.dumps(target_resources(config, target)))
    short_name = USER.split("@")[0]
    prefix = (target.get("presets") or {}).get("name_prefix", "")
    if target.get("mode") == "development":
        prefix = f"[dev {short_name}] "
    # apply_presets.go: jobs and pipelines take the prefix as it is, schemas normalized; volumes
    # none (they live in a prefixed schema).
    prefixes = {"jobs": prefix, "pipelines": prefix, "schemas": normalize_prefix(prefix)}
    for kind, kind_prefix in prefixes.items():
        for body in (resources.get(kind) or {}).values():
            if prefix and "name" in body:
                body["name"] = kind_prefix + body["name"]
    root = {
        "bundle": {**(config.get("bundle") or {}), "target": target_name},
        "variables": variables,
        "resources": resources,
    }

    def lookup(path: str):
        node = {**root, "var": variables}
        for part in path.split("."):
            if not isinstance(node, dict) or part not in node:
                return "${" + path + "}"  # an id known only after a deploy: left as it is
            node = node[part]
        return node

    def resolve(value):
        if isinstance(value, dict):
            return {key: resolve(item) for key, item in value.items()}
        if isinstance(value, list):
            return [resolve(item) for item in value]
        if isinstance(value, str):
            whole = REFERENCE.fullmatch(value)
            if whole:  # a whole-value reference keeps its type (complex variables)
                found = lookup(whole.group(1))
                return found if found == value else resolve(found)
            return REFERENCE.sub(lambda m: str(resolve(lookup(m.group(1)))), value)
        return value

    return {**resolve(root), "variables": {k: {"value": resolve(v)} for k, v in variables.items()}}


def pipeline_key(config: dict, positional: list[str], command: str) -> str:
    pipelines = (config.get("resources") or {}).get("pipelines") or {}
    runnable = {**pipelines, **((config.get("resources") or {}).get("jobs") or {})}
    if not positional:
        if command == "bundle run":  # cmd/bundle/run.go resolveRunArgument (no prompt here)
            raise CliError("expected a KEY of the resource to run")
        if len(pipelines) != 1:  # cmd/pipelines/utils.go resolvePipelineArgument
            raise CliError("expected a KEY of the pipeline")
        return next(iter(pipelines))
    key = positional[0]
    if key not in runnable:  # bundle/resources/lookup.go
        raise CliError(f'resource with key "{key}" not found')
    if command != "bundle run" and key not in pipelines:
        raise CliError(f"resource {key} is not a pipeline")
    return key


def check_pipeline_run_flags(values: dict) -> None:
    """bundle/run/pipeline_options.go, PipelineOptions.Validate."""
    exclusive = [
        f"--{name}"
        for name in ("refresh-all", "full-refresh-all", "validate-only")
        if values.get(name)
    ]
    if len(exclusive) > 1:
        raise CliError(f"{', '.join(exclusive)} pipeline run flags are mutually exclusive")
    if exclusive and (values.get("refresh") or values.get("full-refresh")):
        raise CliError(
            f"cannot use --refresh or --full-refresh together with {exclusive[0]}, these flags "
            "are mutually exclusive"
        )


def check_times(values: dict, command: str) -> None:
    for name in ("start-time", "end-time"):
        value = values.get(name)
        if value is not None and not RFC3339.fullmatch(value):
            if command == "history":  # cmd/pipelines/utils.go parseTimeToUnixMillis
                raise CliError(
                    "invalid time format. Expected format: 2025-01-15T10:30:00Z "
                    f"(YYYY-MM-DDTHH:MM:SSZ), got: {value}"
                )
            label = name.split("-")[0]
            raise CliError(f'invalid {label} time format: parsing time "{value}"')


EVENTS = [  # newest first, as `pipelines logs` asks the API for `timestamp desc`
    {"id": "e3", "timestamp": "2026-01-02T10:00:05.000Z", "level": "ERROR",
     "event_type": "flow_progress", "origin": {"flow_name": "silver_orders", "update_id": "u-2"},
     "message": "Flow 'silver_orders' has FAILED."},
    {"id": "e2", "timestamp": "2026-01-02T10:00:00.000Z", "level": "INFO",
     "event_type": "update_progress", "origin": {"update_id": "u-2"},
     "message": "Update u-2 is RUNNING."},
]  # fmt: skip


# The workspace's SQL warehouses by name ($FAKE_DATABRICKS_WAREHOUSES, JSON, replaces them).
WAREHOUSES = {"Serverless Starter Warehouse": "4b9b953939869799"}


def resolve_lookups(config: dict, target: dict) -> dict:
    """Variables with a `lookup` and no value for the target get the looked-up id, as every
    bundle command does first (bundle/config/mutator/resolve_lookup_variables.go); a name the
    workspace lacks fails there, with the CLI's message (the SDK's GetByName error wrapped)."""
    warehouses = json.loads(os.environ.get("FAKE_DATABRICKS_WAREHOUSES") or "null") or WAREHOUSES
    overrides = target.get("variables") or {}
    variables = json.loads(json.dumps(config.get("variables") or {}))
    for name, body in variables.items():
        lookup = (body or {}).get("lookup")
        if not lookup or name in overrides or "default" in body:
            continue
        [(kind, wanted)] = lookup.items()
        if kind != "warehouse":
            raise CliError(f"the fake resolves warehouse lookups only, not {kind}")
        if wanted not in warehouses:
            raise CliError(
                f"failed to resolve warehouse: {wanted}, err: EndpointInfo named '{wanted}' "
                "does not exist"
            )
        body["default"] = warehouses[wanted]
    return {**config, "variables": variables}


def respond(words, values, positional, config, target_name, target) -> None:
    if words[0] == "bundle":
        config = resolve_lookups(config, target)
    host = (target.get("workspace") or {}).get("host") or ""
    name = (config.get("bundle") or {}).get("name", "")
    if words == ("bundle", "validate"):
        warnings = bundle_warnings(config, target)
        for warning in warnings:
            sys.stderr.write(f"Warning: {warning}\n\n")
        print(f"Name: {name}\nTarget: {target_name}\nWorkspace:\n  User: {USER}\n")
        if warnings:
            print(f"Found {len(warnings)} warning")
            if values.get("strict"):  # cmd/bundle/validate.go
                raise CliError("1 warning was found. Warnings are not allowed in strict mode")
        else:
            print("Validation OK!")
    elif words == ("bundle", "deploy"):
        print("Deploying resources...\nDeployment complete!")
    elif words == ("bundle", "destroy"):
        protected = prevent_destroy_errors(config, target)  # before the approval, as the CLI
        if protected:  # errors.Join: one line per resource
            raise CliError("\n".join(protected))
        if not values.get("auto-approve"):  # no terminal here, as in cmd/bundle/destroy.go
            raise CliError("this command will destroy all resources deployed by this bundle, "
                           "including workspace files in the deployment directory.\n"
                           "To proceed, use --auto-approve.")  # fmt: skip
        print("Destroy complete!")
    elif words in (("bundle", "run"), ("pipelines", "run"), ("pipelines", "dry-run")):
        key = pipeline_key(config, positional, " ".join(words))
        check_pipeline_run_flags(values)
        print(f"Update URL: {host}/#joblist/pipelines/pipe-{key}/updates/u-3\n\nUpdate ID: u-3")
    elif words == ("bundle", "plan"):
        print("Plan: 0 to add, 0 to change, 0 to delete, 6 unchanged")
    elif words == ("bundle", "summary"):
        if values.get("output") == "json":
            print(json.dumps(resolved_config(config, target_name, target), indent=2))
        else:
            print(f"Name: {name}\nTarget: {target_name}\nWorkspace:\n  Host: {host}")
    elif words == ("pipelines", "logs"):
        key = pipeline_key(config, positional, "logs")
        if values.get("number", 0) > MAX_EVENTS:
            raise CliError(
                f"failed to fetch events for pipeline pipe-{key} with update ID u-2: number of "
                f"results must be {MAX_EVENTS} or less"
            )
        check_times(values, "logs")
        levels = values.get("level") or []
        events = [e for e in EVENTS if not levels or e["level"] in levels]
        print(json.dumps(events[: values.get("number") or None], indent=2))  # JSON even as text
    elif words == ("pipelines", "history"):
        key = pipeline_key(config, positional, "history")
        check_times(values, "history")
        print(f"Updates Summary for pipeline {key}:\nUpdate ID: u-2\n   State: FAILED\n"
              "   Cause: USER_ACTION\n   Full Refresh: false\n   Validate Only: false")  # fmt: skip


def copy_files(values: dict, positional: list[str]) -> str:
    """`fs cp` (cmd/fs/cp.go): a local source to a `dbfs:` target; authenticates like any
    workspace command, from --profile or the environment (no bundle involved)."""
    if values.get("concurrency", 1) <= 0:
        raise CliError("--concurrency must be at least 1")
    source, target = positional
    if not Path(source).exists():
        raise CliError(f"stat {source}: no such file or directory")
    if Path(source).is_dir() and not values.get("recursive"):
        raise CliError(f"source path {source} is a directory. Please specify the --recursive flag")
    if not target.startswith("dbfs:/"):
        raise CliError(f"{target}: the fake copies to dbfs: paths only")
    config = Path(os.environ.get("DATABRICKS_CONFIG_FILE") or Path.home() / ".databrickscfg")
    profile = values.get("profile")
    hosts = profile_hosts(config) if config.is_file() else {}
    host = hosts.get(profile, "") if profile else os.environ.get("DATABRICKS_HOST", "")
    auth = resolve_auth(host, values)
    root = Path(source)
    for path in [p for p in sorted(root.rglob("*")) if p.is_file()] or [root]:
        relative = path.name if path == root else path.relative_to(root).as_posix()
        print(f"{path} -> {target.rstrip('/')}/{relative}")
    return f"{auth} at {host}"


def run(argv: list[str]) -> str:
    """Act like `databricks <argv>`; return how it authenticated ("" when it did not need to)."""
    if argv in (["--version"], ["version"]):  # cobra's version flag, cmd/root/root.go template
        print("Databricks CLI v" + os.environ.get("FAKE_DATABRICKS_VERSION", LATEST_RELEASE))
        return ""
    words, values, positional, _ = parse(argv)
    if not COMMANDS[words].needs_bundle:
        return copy_files(values, positional)
    config = load_bundle(Path.cwd())
    target_name, target = select_target(config, values)
    errors = bundle_errors(config, target)
    if errors:
        raise CliError(errors[0])
    # The bundle's host wins over DATABRICKS_HOST (bundle/config/workspace.go Client()).
    host = (target.get("workspace") or {}).get("host") or os.environ.get("DATABRICKS_HOST", "")
    auth = resolve_auth(host, values)
    respond(words, values, positional, config, target_name, target)
    return f"{auth} at {host}"


def main(argv: list[str]) -> int:
    auth, error = "", ""
    try:
        auth = run(argv)
    except CliError as exc:
        error = str(exc)
        sys.stderr.write(f"Error: {error}\n")
    log = os.environ.get("FAKE_DATABRICKS_LOG")
    if log:  # every call, accepted or not, so a test can show what make tried
        with open(log, "a") as handle:
            handle.write(json.dumps({"argv": argv, "auth": auth, "error": error}) + "\n")
    return 1 if error else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
