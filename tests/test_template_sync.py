"""A baked project lives on: it records its template, takes a newer one, and follows its spec.

Everything runs as a team would run it, with real git, real cruft and real cookiecutter, against a
clone of this repository (so an older commit can be checked out): a project is baked, committed,
edited by hand, then upgraded or re-specified. The oracle is a fresh bake of the target version or
spec, made independently: after the command, every file must equal the fresh bake's, except the
team's edits, which must still be there. A conflicting edit must be reported and kept.

Needs the repository's history (a full clone): the older version is commit `OLDER`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fake_unity_catalog import TOKEN as UC_TOKEN
from fake_unity_catalog import FakeUnityCatalog, serve, table

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# main before projects recorded their template or had tables.yml (issue 9's last commit).
OLDER = "a4cdabc2794e21fc51bf3f20ef6f9a03f1710131"
# main before the medallion tool package: projects carried their tools in tools/.
BEFORE_TOOL = "ee6e715e556bf06ccfafc91402cedc44729e543b"
SKIPPED = {".git", ".cruft.json"}


def run(command: list[str], cwd: Path, expect: int = 0) -> subprocess.CompletedProcess:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    if result.returncode != expect:
        pytest.fail(
            f"{' '.join(command)} exited {result.returncode} (expected {expect}) in {cwd}\n"
            f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
        )
    return result


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of this repository at its HEAD, with the whole history."""
    clone = tmp_path_factory.mktemp("template") / "dlt-medallion"
    run(["git", "clone", "--quiet", "--no-local", str(ROOT), str(clone)], ROOT)
    known = subprocess.run(["git", "cat-file", "-e", f"{OLDER}^{{commit}}"], cwd=clone)
    if known.returncode != 0:
        pytest.fail(f"commit {OLDER} is not in this clone: these tests need the full history")
    return clone


def bake(
    template: Path, out: Path, answers: dict | None = None, checkout: str | None = None
) -> Path:
    """A plain `cookiecutter` bake (or `cruft create` at `checkout`); the project's path."""
    config = out.parent / f"{out.name}-config.yml"
    settings = {
        "default_context": answers or {},
        "cookiecutters_dir": str(out.parent / "cc-cache"),
        "replay_dir": str(out.parent / "cc-replay"),
    }
    config.write_text(yaml.safe_dump(settings, sort_keys=False))
    if checkout:
        command = [str(BIN / "cruft"), "create", "--no-input", "--checkout", checkout]
    else:
        command = [sys.executable, "-m", "cookiecutter", "--no-input"]
    run([*command, "--config-file", str(config), "--output-dir", str(out), str(template)],
        out.parent)  # fmt: skip
    (project,) = out.iterdir()
    return project


def commit_all(project: Path, message: str) -> None:
    if not (project / ".git").exists():
        run(["git", "init", "--quiet", "--initial-branch=main"], project)
        run(["git", "config", "user.email", "team@example.com"], project)
        run(["git", "config", "user.name", "Team"], project)
    run(["git", "add", "--all"], project)
    run(["git", "commit", "--quiet", "--message", message], project)


def files(project: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(project)): path.read_bytes()
        for path in sorted(project.rglob("*"))
        if path.is_file() and not SKIPPED & set(path.relative_to(project).parts)
    }


def assert_same_except(project: Path, fresh: Path, edits: dict[str, str]) -> None:
    """`project` holds exactly `fresh`'s files, except that each edited file holds its edit."""
    got, want = files(project), files(fresh)
    assert sorted(got) == sorted(want), set(got) ^ set(want)
    differing = sorted(name for name in want if got[name] != want[name])
    assert differing == sorted(edits), differing
    for name, line in edits.items():
        assert line in got[name].decode(), name


def replace_line(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


# --- provenance -----------------------------------------------------------------------------------


def test_a_plain_bake_records_its_template_as_cruft_would(template: Path, tmp_path: Path) -> None:
    project = bake(template, tmp_path / "out")
    head = run(["git", "rev-parse", "HEAD"], template).stdout.strip()
    state = json.loads((project / ".cruft.json").read_text())
    assert (state["template"], state["commit"]) == (str(template), head)
    answers = state["context"]["cookiecutter"]
    assert answers["project_name"] == "Retail Lakehouse" and answers["_commit"] == head
    assert not {"_output_dir", "_repo_dir", "_checkout"} & set(answers)
    # cruft itself reads it: up to date now, out of date once the template moves on
    run([str(BIN / "cruft"), "check"], project)
    (template / "NEWS.md").write_text("a newer template\n")
    run(["git", "add", "NEWS.md"], template)
    run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qm", "news"],
        template)  # fmt: skip
    try:
        run([str(BIN / "cruft"), "check"], project, expect=1)
    finally:
        run(["git", "reset", "--quiet", "--hard", head], template)


def test_a_bake_from_a_folder_that_is_not_git_says_it_cannot_record(tmp_path: Path) -> None:
    folder = tmp_path / "unpacked"
    unwanted = shutil.ignore_patterns(".git", ".venv", ".scratch", ".*cache*")
    shutil.copytree(ROOT, folder, ignore=unwanted)
    out = tmp_path / "out"
    out.mkdir()
    result = run([sys.executable, "-m", "cookiecutter", "--no-input", "--output-dir", str(out),
                  str(folder)], tmp_path)  # fmt: skip
    (project,) = out.iterdir()
    assert not (project / ".cruft.json").exists()
    assert ".cruft.json not written: the template is not a git checkout" in result.stdout


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        (
            "https://github.com/org/dlt-medallion.git",
            "git+https://github.com/org/dlt-medallion.git",
        ),
        ("git@github.com:org/dlt-medallion.git", "git+ssh://git@github.com/org/dlt-medallion.git"),
    ],
)
def test_the_tool_pin_follows_the_commit_each_render_is_for(
    tmp_path: Path, origin: str, expected: str
) -> None:
    """cookiecutter clones a git URL (origin is the URL); cruft renders the recorded and the new
    commit (`_commit`): each render pins the tool at its own commit, so an update moves the pin."""
    from bake.provenance import tool_requirement

    clone = tmp_path / "clone"
    run(["git", "init", "--quiet", str(clone)], tmp_path)
    run(["git", "remote", "add", "origin", origin], clone)
    for commit in ("1" * 40, "2" * 40):
        context = {"_template": "gh:org/dlt-medallion", "_commit": commit}
        pin = tool_requirement(context, clone)
        assert pin == f"dlt-medallion-tool @ {expected}@{commit}#subdirectory=tool"
    # a local checkout, rendered in place (cookiecutter's `_repo_dir` is the folder it was given)
    local = {"_template": "../dlt-medallion", "_repo_dir": "../dlt-medallion"}
    assert tool_requirement(local, clone) == f"dlt-medallion-tool @ {(clone / 'tool').as_uri()}"


# --- upgrading from an older template -------------------------------------------------------------


def test_upgrade_from_an_older_commit_keeps_the_team_edit(template: Path, tmp_path: Path) -> None:
    project = bake(template, tmp_path / "old", checkout=OLDER)
    commit_all(project, "bake")
    # a file this upgrade leaves alone, and one it rewrites (the Makefile gains targets)
    kept = "src/retail_lakehouse/frames.py"
    edit = "# Team note: keep struct-based column edits (see tests/unit/test_frames.py).\n"
    (project / kept).write_text(edit + (project / kept).read_text())
    makefile_edit = "# Team: our own targets live in team.mk\n"
    (project / "Makefile").write_text((project / "Makefile").read_text() + makefile_edit)
    commit_all(project, "team edits")

    result = run([str(BIN / "cruft"), "update", "--skip-apply-ask"], project)
    assert "conflict" not in result.stdout.lower() + result.stderr.lower()
    fresh = bake(template, tmp_path / "fresh")
    assert_same_except(project, fresh, {kept: edit, "Makefile": makefile_edit})
    assert "upgrade-template:" in (project / "Makefile").read_text()  # the template's change
    state = json.loads((project / ".cruft.json").read_text())
    assert state["commit"] == run(["git", "rev-parse", "HEAD"], template).stdout.strip()


def test_a_bake_with_tools_in_it_upgrades_to_the_tool_package_and_passes_its_tests(
    template: Path, tmp_path: Path
) -> None:
    """The documented path: `make upgrade-template` (the old project's own tools run it), then
    `make install` once; here the tool is already in this interpreter, so `make test` follows."""
    project = bake(template, tmp_path / "old", checkout=BEFORE_TOOL)
    assert (project / "tools" / "run_local.py").is_file()
    commit_all(project, "bake")
    kept = "src/retail_lakehouse/frames.py"
    edit = "# Team note: frames are ours.\n"
    (project / kept).write_text(edit + (project / kept).read_text())
    commit_all(project, "team edit")

    run(["make", "upgrade-template", f"PYTHON={sys.executable}"], project)
    fresh = bake(template, tmp_path / "fresh")
    assert_same_except(project, fresh, {kept: edit})
    assert not (project / "tools").exists()
    pin = (project / "requirements" / "tool.txt").read_text().splitlines()[-1]
    assert pin == f"dlt-medallion-tool @ {(template / 'tool').as_uri()}"
    commit_all(project, "upgrade")
    tests = run(["make", "test", f"PYTHON={sys.executable}"], project)
    assert " passed" in tests.stdout and "failed" not in tests.stdout


def test_a_conflicting_edit_is_reported_and_kept(template: Path, tmp_path: Path) -> None:
    project = bake(template, tmp_path / "old", checkout=OLDER)
    commit_all(project, "bake")
    # the line the upgrade rewrites (.PHONY gains the new targets), edited by the team too
    team_line = "\tapply-spec-by-hand run-local \\"
    replace_line(project / "Makefile", "\trun-local \\", team_line)
    commit_all(project, "team edit on the same line")

    result = run([str(BIN / "cruft"), "update", "--skip-apply-ask"], project)
    assert "with conflicts" in result.stdout + result.stderr
    unmerged = run(["git", "diff", "--name-only", "--diff-filter=U"], project).stdout.split()
    assert unmerged == ["Makefile"]
    text = (project / "Makefile").read_text()
    assert team_line in text and "<<<<<<<" in text and "apply-spec check-spec add-table" in text


def test_an_upgrade_may_bring_a_new_jinja_helper(template: Path, tmp_path: Path) -> None:
    """cruft renders the recorded and the new version in one process: the new version's templates
    must get the new version's helpers (bake/jinja_extension.py re-imports them from disk)."""
    head = run(["git", "rev-parse", "HEAD"], template).stdout.strip()
    project = bake(template, tmp_path / "p", checkout=head)
    commit_all(project, "bake")
    extension = template / "bake" / "jinja_extension.py"
    signature = "def install(environment: Environment) -> None:\n"
    new_filter = "    environment.filters['shout'] = lambda text: text.upper() + '!'\n"
    replace_line(extension, signature, signature + new_filter)
    readme = template / "{{cookiecutter.__project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\n{{ 'keep the lights on' | shout }}\n")
    run(["git", "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-qam", "shout"],
        template)  # fmt: skip
    try:
        run([str(BIN / "cruft"), "update", "--skip-apply-ask"], project)
    finally:
        run(["git", "reset", "--quiet", "--hard", head], template)
    assert (project / "README.md").read_text().endswith("\nKEEP THE LIGHTS ON!\n")


# --- the spec: one file, one command --------------------------------------------------------------


@pytest.fixture
def project(template: Path, tmp_path: Path) -> Path:
    project = bake(template, tmp_path / "project")
    commit_all(project, "bake")
    return project


def sync(project: Path, *args: str, expect: int = 0) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "medallion", "sync", *args], project, expect=expect)


def test_add_table_is_what_a_fresh_bake_of_the_new_spec_writes(
    template: Path, project: Path, tmp_path: Path
) -> None:
    fact = "src/gold/fact_orders.py"
    edit = "# Team: the order grain is agreed with finance.\n"
    (project / fact).write_text(edit + (project / fact).read_text())
    commit_all(project, "team edit")

    sync(project, "add-table", "returns")
    spec = yaml.safe_load((project / "tables.yml").read_text())
    assert list(spec) == ["customers", "products", "orders", "returns"]
    assert spec["returns"]["keys"] == ["return_id"]  # the conventions, spelled out to edit
    fresh = bake(template, tmp_path / "fresh", {"table_names": ", ".join(spec), "tables": spec})
    assert_same_except(project, fresh, {fact: edit})
    for path in ("src/bronze/returns.py", "src/silver/returns.py", "src/gold/dim_returns.py"):
        assert (project / path).exists()
    # The monitoring follows: its quarantine in the dashboard, its gold table in the alerts.
    assert (
        "`silver_returns_quarantine`"
        in (project / "resources/pipeline_health.lvdash.json").read_text()
    )
    assert "'dim_returns'" in (project / "resources/monitoring.yml").read_text()
    # Analysts read it through the gold schema's grant: no statement to add or re-run.
    assert "dim_returns" not in (project / "sql/admin_grants.sql").read_text()
    state = json.loads((project / ".cruft.json").read_text())
    # the spec reaches the template as tables.yml's text; cruft records what it rendered
    assert list(yaml.safe_load(state["context"]["cookiecutter"]["tables"])) == list(spec)


def test_a_spec_edit_the_template_refuses_changes_nothing(project: Path) -> None:
    spec_path = project / "tables.yml"
    replace_line(spec_path, "keys: [order_id]", "keys: [order_number]")
    edited = spec_path.read_text()
    result = sync(project, "apply-spec", expect=1)
    assert "tables.orders.keys: 'order_number' -- not a declared column" in result.stderr
    assert spec_path.read_text() == edited  # the edit is still there to fix
    changed = run(["git", "status", "--porcelain"], project).stdout.split("\n")
    assert [line for line in changed if line] == [" M tables.yml"]


def test_a_spec_change_that_meets_a_hand_edit_is_reported(project: Path) -> None:
    tables_py = project / "src/retail_lakehouse/tables.py"
    replace_line(tables_py, '"quantity > 0"', '"quantity > 0 AND quantity < 1000"')
    commit_all(project, "team tightened the rule in tables.py by hand")
    replace_line(project / "tables.yml", "expr: quantity > 0,", "expr: quantity >= 1,")
    result = sync(project, "apply-spec", expect=1)
    assert "src/retail_lakehouse/tables.py" in result.stderr
    text = tables_py.read_text()
    assert "quantity < 1000" in text and "quantity >= 1" in text and "<<<<<<<" in text


def test_check_spec_proves_tables_py_is_what_tables_yml_renders(project: Path) -> None:
    generated = project / "src" / "retail_lakehouse" / "tables.py"
    assert "tables.py is what tables.yml renders" in sync(project, "check-spec").stdout
    committed = generated.read_text()
    # a hand edit of the generated file
    replace_line(generated, 'action="warn"', 'action="drop"')
    commit_all(project, "a hand edit of tables.py")
    result = sync(project, "check-spec", expect=1)
    assert '-    rules=(Rule("has_name", "name IS NOT NULL", action="warn"),),' in result.stdout
    assert "differs from what tables.yml renders" in result.stderr
    # the same change made in tables.yml but never applied
    generated.write_text(committed)
    replace_line(project / "tables.yml", "action: warn", "action: drop")
    commit_all(project, "a spec edit without apply-spec")
    result = sync(project, "check-spec", expect=1)
    assert '+    rules=(Rule("has_name", "name IS NOT NULL", action="warn"),),' in result.stdout


def test_add_table_refuses_a_dirty_tree_and_a_bad_name(project: Path) -> None:
    readme = project / "README.md"
    readme.write_text(readme.read_text() + "\nwork in progress\n")
    result = sync(project, "add-table", "returns", expect=1)
    assert "commit or stash these changes first" in result.stderr and "README.md" in result.stderr
    run(["git", "checkout", "--", "README.md"], project)
    result = sync(project, "add-table", "returns: {}", expect=1)
    assert "TABLE='returns: {}'" in result.stderr
    assert run(["git", "status", "--porcelain"], project).stdout == ""


HOSTILE_EDITS = [
    # (what is appended to tables.yml, what the refusal says)
    (
        "\nreturns:\n  comment: \"{% raw %}{{ cycler.__init__.__globals__.os.system('touch "
        "PWNED') }}{% endraw %}\"\n",
        "tables.yml holds template syntax",
    ),
    ("\ncustomers:\n  role: fact\n", "duplicate key 'customers' (first given on line"),
    ("\nreturns: &r {}\nrefunds: *r\n", "anchors and aliases (&name, *name) are not allowed"),
    ("\nyes: {}\n", "tables: True -- YAML read this name as True"),
]


def test_hostile_spec_edits_are_refused_and_nothing_runs(project: Path) -> None:
    """A tables.yml edit in a pull request must not run code on the machine that applies it, and
    every refusal keeps the edit and names the line or the field."""
    spec_path = project / "tables.yml"
    original = spec_path.read_text()
    for addition, message in HOSTILE_EDITS:
        spec_path.write_text(original + addition)
        result = sync(project, "apply-spec", expect=1)
        assert message in result.stderr, (addition, result.stderr)
        assert spec_path.read_text() == original + addition
        assert run(["git", "status", "--porcelain"], project).stdout.split("\n")[0] == (
            " M tables.yml"
        )
    assert not list(project.rglob("PWNED")) and not (ROOT / "PWNED").exists()


def test_a_cruft_json_that_would_switch_the_checks_off_is_refused(project: Path) -> None:
    """`.cruft.json` answers are rendered by cookiecutter too, and `_extensions: []` there would
    drop the template's guard: template syntax anywhere in it is refused before cruft runs."""
    path = project / ".cruft.json"
    state = json.loads(path.read_text())
    state["context"]["cookiecutter"]["_extensions"] = []
    state["context"]["cookiecutter"]["catalog"] = "{{ cycler.__init__.__globals__.os.getcwd() }}"
    path.write_text(json.dumps(state))
    commit_all(project, "a hostile pull request")
    result = sync(project, "apply-spec", expect=1)
    assert ".cruft.json.cookiecutter.catalog holds template syntax" in result.stderr
    result = sync(project, "upgrade", expect=1)
    assert ".cruft.json.cookiecutter.catalog holds template syntax" in result.stderr


def test_infer_spec_adds_new_tables_with_their_evidence_and_apply_spec_renders_them(
    project: Path, tmp_path: Path
) -> None:
    spec_path = project / "tables.yml"
    before = spec_path.read_text()
    landing = tmp_path / "landing"
    (landing / "returns").mkdir(parents=True)
    (landing / "returns" / "part-1.csv").write_text(
        "Return ID,order_id,returned_on,refund\n"
        "1,7,2024-01-02,5.00\n2,NA,2024-01-03,7.50\n3,9,2024-01-05,NA\n"
    )
    (landing / "orders").mkdir()  # already in tables.yml: left as the team wrote it
    (landing / "orders" / "part-1.csv").write_text("order_id,total\n7,1.00\n")

    sync(project, "infer-spec", str(landing))
    text = spec_path.read_text()
    assert text.startswith(before.rstrip("\n")), "the tables already there are untouched"
    added = yaml.safe_load(text)["returns"]
    assert added["null_values"] == ["NA"]
    assert added["columns"]["return_id"] == {"type": "bigint", "source": "Return ID"}
    assert "# 3 rows, unique, never null" in text  # the evidence, beside the key
    assert "total" not in text

    sync(project, "apply-spec")
    assert spec_path.read_text() == text, "tables.yml keeps the team's text and its evidence"
    assert (project / "src/silver/returns.py").exists()
    tables_py = (project / "src/retail_lakehouse/tables.py").read_text()
    assert "null_values=('NA',)" in tables_py or 'null_values=("NA",)' in tables_py

    commit_all(project, "returns")
    result = sync(project, "infer-spec", str(tmp_path / "nowhere"), expect=1)
    assert "tables.yml is unchanged" in result.stderr
    assert "nowhere" in result.stdout + result.stderr


def test_infer_spec_from_unity_catalog_adds_its_tables(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make infer-spec FROM=uc:main.sales PROFILE=team`, against a strict local tables API."""
    columns = [("return_id", "bigint", False), ("Refund", "decimal(10,2)", True)]
    returns = table("main", "sales", "returns", columns, ["return_id"])
    fake = FakeUnityCatalog({"main.sales": [returns]})
    server = serve(fake)
    config = tmp_path / "databrickscfg"
    config.write_text(f"[team]\nhost = {fake.url}\ntoken = {UC_TOKEN}\n")
    for name in [name for name in os.environ if name.startswith("DATABRICKS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(config))
    try:
        sync(project, "infer-spec", "uc:main.sales", "--profile", "team")
    finally:
        server.shutdown()
    text = (project / "tables.yml").read_text()
    assert yaml.safe_load(text)["returns"] == {
        "role": "dimension",
        "keys": ["return_id"],
        "columns": {"return_id": "bigint", "refund": {"type": "decimal(10,2)", "source": "Refund"}},
    }
    assert "keys: [return_id]  # PRIMARY KEY returns_pk" in text
    sync(project, "apply-spec")
    assert (project / "src/silver/returns.py").exists()
