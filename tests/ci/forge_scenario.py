"""A throwaway repository merged through two pull/merge requests, and the forge's recorded answers for it.

main:  root (Alice, Reviewed-by: Bob) - M1 (Carol merges feature-1: F1 by Alice) - M2 (Carol merges feature-2:
F2 by Dave). The forge fixtures (tests/fixtures/ci/forge/<forge>.json) are recorded responses with
``{{NAME}}`` where this repository's real SHAs and times go; the scenario decides request 2:
``clean`` (Bob approves, tests pass), ``self-approved`` (Dave approves his own change) or ``untested``
(Bob approves, the tests fail).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.collect.gitrepo import GitRepo, init_repo
from tests.conftest import FIXTURES

SCENARIOS = ("clean", "self-approved", "untested")
APPROVER2 = {
    "github": {"clean": {"login": "bob", "id": 22, "type": "User"}, "self-approved": {"login": "dave", "id": 44,
                                                                                       "type": "User"}},
    "gitlab": {"clean": {"id": 22, "username": "bob", "name": "Bob Builder", "state": "active"},
               "self-approved": {"id": 44, "username": "dave", "name": "Dave Dev", "state": "active"}},
}
FAILED = {"github": "failure", "gitlab": "failed"}


@dataclass
class Scenario:
    repo: GitRepo
    shas: dict[str, str]
    times: dict[str, str]

    def routes(self, forge: str, case: str) -> dict[str, Any]:
        """The recorded responses of ``forge`` for this repository under ``case``."""
        text = (FIXTURES / "ci" / "forge" / f"{forge}.json").read_text()
        approver = APPROVER2[forge]["self-approved" if case == "self-approved" else "clean"]
        text = text.replace('"{{APPROVER2}}"', json.dumps(approver))
        text = text.replace("{{TESTS2}}", FAILED[forge] if case == "untested" else "success")
        for name, value in {**self.shas, **{f"{k}_AT": v for k, v in self.times.items()}}.items():
            text = text.replace("{{" + name + "}}", value)
        routes: dict[str, Any] = json.loads(text)["routes"]
        assert "{{" not in json.dumps(routes), "a placeholder left in the recorded responses"
        return routes


def build(path: Path) -> Scenario:
    repo = init_repo(path)
    repo.commit("root", author="Alice Adams <alice@acme.example>",
                message="Initial commit\n\nReviewed-by: Bob Builder <bob@acme.example>")
    repo.git("checkout", "-q", "-b", "feature-1")
    repo.commit("F1", author="Alice Adams <alice@acme.example>", message="Feature 1")
    repo.git("checkout", "-q", "main")
    repo.merge("feature-1", "M1", "Merge branch 'feature-1' into 'main'", committer="Carol Merger <carol@acme.example>")
    repo.git("checkout", "-q", "-b", "feature-2")
    repo.commit("F2", author="Dave Dev <dave@acme.example>", message="Feature 2")
    repo.git("checkout", "-q", "main")
    repo.merge("feature-2", "M2", "Merge branch 'feature-2' into 'main'", committer="Carol Merger <carol@acme.example>")
    shas = {name.upper(): repo.shas[name] for name in ("root", "F1", "M1", "F2", "M2")}
    times = {name: repo.git("show", "-s", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ", sha,
                            env={"TZ": "UTC"}) for name, sha in shas.items()}
    return Scenario(repo, shas, times)


def identities(collected_at: str) -> dict[str, Any]:
    """The organisation's identity directory (an IdP export): logins and addresses of the same people."""
    def person(name: str, username: str) -> dict[str, Any]:
        return {"id": f"okta:{username}", "person": f"p-{username}", "display_name": name, "username": username,
                "emails": [f"{username}@acme.example"], "type": "human", "system": "okta", "console_access": True,
                "mfa_enabled": True, "access_keys": [], "roles": [], "created_at": "2025-01-01T00:00:00Z",
                "disabled": False}

    people = [person("Alice Adams", "alice"), person("Bob Builder", "bob"), person("Carol Merger", "carol"),
              person("Dave Dev", "dave"), person("Erin Ops", "erin")]
    return {"kind": "identities", "source": "okta:acme", "collected_at": collected_at,
            "collector": {"name": "okta-export", "version": "1"}, "errors": [], "item_count": len(people),
            "items": people}
