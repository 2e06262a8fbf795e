"""Which bundle target a run of .github/workflows/deploy.yml deploys, or why it deploys none.

    medallion deploy-target --event push --ref refs/heads/main --default-branch main
    medallion deploy-target --event workflow_dispatch --ref refs/heads/x --input prod

The rules:
- a push to the default branch deploys `staging` (a merge: the shared copy CI tests on);
- a push of a `v*` tag deploys `prod`;
- a manual run deploys the target it names, but `prod` only from the default branch or a `v*`
  tag, so a feature branch never reaches production by hand;
- anything else deploys nothing and says why (exit 1).
Prints `target=<name>` for `$GITHUB_OUTPUT`. The `prod` GitHub environment's required reviewers
still gate every prod deploy.
"""

from __future__ import annotations

import sys

MANUAL_TARGETS = ("staging", "prod")


class NoDeploy(Exception):
    """This run deploys nothing; the message says why."""


def target(event: str, ref: str, default_branch: str, requested: str = "") -> str:
    on_default_branch = ref == f"refs/heads/{default_branch}"
    on_release_tag = ref.startswith("refs/tags/v")
    if event == "push":
        if on_default_branch:
            return "staging"
        if on_release_tag:
            return "prod"
        raise NoDeploy(f"a push of {ref} deploys nothing (only {default_branch} and v* tags do)")
    if event == "workflow_dispatch":
        if requested not in MANUAL_TARGETS:
            raise NoDeploy(f"target {requested!r}: choose one of {', '.join(MANUAL_TARGETS)}")
        if requested == "prod" and not (on_default_branch or on_release_tag):
            raise NoDeploy(
                f"prod deploys only from {default_branch} or a v* tag, not from {ref}: "
                f"run the workflow on {default_branch} or on a release tag"
            )
        return requested
    raise NoDeploy(f"the {event!r} event deploys nothing")


def main(event: str, ref: str, default_branch: str, requested: str = "") -> int:
    """Print `target=<name>`, or why this run deploys nothing (exit 1)."""
    try:
        print(f"target={target(event, ref, default_branch, requested)}")
    except NoDeploy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0
