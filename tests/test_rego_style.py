"""Rego written in the library style (issue 13), checked for the packages already rewritten:
every SoD policy, SEC-004 and the library packages."""

from __future__ import annotations

import re

import pytest

from auditor.content import bundled
from auditor.policies import load_policies

POLICIES = load_policies(bundled("policies"))
REWRITTEN = sorted(
    (s for s in POLICIES.runtime
     if s.relpath.startswith(("sod/", "lib/")) or s.relpath == "security/sec_004.rego"),
    key=lambda s: s.relpath,
)


@pytest.mark.parametrize("source", REWRITTEN, ids=lambda s: s.relpath)
def test_package_has_metadata_and_uses_the_libraries(source) -> None:  # type: ignore[no-untyped-def]
    head = source.text.split("package ", 1)[0]
    assert head.startswith("# METADATA\n"), source.relpath
    assert re.search(r"^# title: \S", head, re.MULTILINE) and re.search(r"^# description: \S", head, re.MULTILINE)
    code = re.sub(r"#[^\n]*", "", re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', source.text))
    assert not re.search(r"\belse\b", code), f"{source.relpath}: use default over else"
    if not source.package.startswith("lib."):
        # no pasted identity block: people are resolved by lib.identity only
        assert "email_pairs" not in code and "first_of_key" not in code, source.relpath
        assert re.search(r"^in_scope\s*:=", code, re.MULTILINE), f"{source.relpath}: in_scope (POPULATION)"
    else:
        assert "input" not in code, f"{source.relpath}: a library never reads input"


def test_every_sod_policy_imports_lib_identity() -> None:
    sod = [s for s in REWRITTEN if s.relpath.startswith("sod/")]
    assert len(sod) == 8
    assert all("import data.lib.identity" in s.text for s in sod)
