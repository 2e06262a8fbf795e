"""`medallion deploy-target`: which target each run of the deploy workflow may reach, and that the
workflow asks it with the right GitHub context."""

from __future__ import annotations

import pytest
import yaml

from medallion import deploy_target

from . import baked
from .run_cli import medallion

ROOT = baked.PROJECT
MAIN = "refs/heads/main"
OPEN, CLOSE = "$" + "{" * 2, "}" * 2  # a GitHub expression's brackets, spelled out for the template


def expression(name: str) -> str:
    return f"{OPEN} {name} {CLOSE}"


@pytest.mark.parametrize(
    ("event", "ref", "requested", "expected"),
    [
        ("push", MAIN, "", "staging"),  # every merge: the shared copy with data
        ("push", "refs/tags/v1.2.0", "", "prod"),
        ("workflow_dispatch", MAIN, "prod", "prod"),
        ("workflow_dispatch", "refs/tags/v1.2.0", "prod", "prod"),
        ("workflow_dispatch", "refs/heads/feature", "staging", "staging"),
    ],
)
def test_allowed_runs_name_their_target(event, ref, requested, expected):
    assert deploy_target.target(event, ref, "main", requested) == expected


@pytest.mark.parametrize(
    ("event", "ref", "requested", "why"),
    [
        ("workflow_dispatch", "refs/heads/feature", "prod", "prod deploys only from main"),
        ("workflow_dispatch", "refs/tags/release-1", "prod", "prod deploys only from main"),
        ("workflow_dispatch", MAIN, "dev", "choose one of staging, prod"),
        ("push", "refs/heads/feature", "", "deploys nothing"),
        ("pull_request", MAIN, "", "deploys nothing"),
    ],
)
def test_other_runs_deploy_nothing_and_say_why(event, ref, requested, why, capsys):
    args = ["--event", event, "--ref", ref, "--default-branch", "main", "--input", requested]
    assert medallion("deploy-target", *args) == 1
    assert why in capsys.readouterr().err


def test_the_default_branch_is_the_repositorys_not_a_fixed_name():
    assert deploy_target.target("push", "refs/heads/trunk", "trunk") == "staging"
    with pytest.raises(deploy_target.NoDeploy):
        deploy_target.target("workflow_dispatch", MAIN, "trunk", "prod")


def test_the_workflow_asks_it_and_deploys_only_what_it_answers():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    [step] = [s for s in workflow["jobs"]["target"]["steps"] if "deploy-target" in s.get("run", "")]
    assert step["env"] == {
        "EVENT": expression("github.event_name"),
        "REF": expression("github.ref"),
        "DEFAULT_BRANCH": expression("github.event.repository.default_branch"),
        "REQUESTED": expression("inputs.target"),
    }
    assert OPEN not in step["run"], "context values reach the shell as variables, not as text"
    for argument in ('--event "$EVENT"', '--ref "$REF"', '--default-branch "$DEFAULT_BRANCH"'):
        assert argument in step["run"]
    assert '--input "$REQUESTED" >> "$GITHUB_OUTPUT"' in step["run"]
    for job in ("deploy", "staging_check"):
        body = workflow["jobs"][job]
        assert "target" in body["needs"]
        # The environment (its secrets and required reviewers) is the answer, nothing else.
        assert "needs.target.outputs.target" in str(body["environment"])
