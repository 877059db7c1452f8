"""Rego written in the library style (issue 13), checked mechanically on every bundled package:
policies and the library packages under policies/lib/."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from auditor.content import bundled
from auditor.controls import load_library
from auditor.policies import load_policies
from auditor.policytest import run_policy_tests

ROOT = bundled("policies")
POLICIES = load_policies(ROOT)
PACKAGES = sorted(POLICIES.runtime, key=lambda s: s.relpath)
LIBS = [s for s in PACKAGES if s.package.startswith("lib.")]
CONTROLS = [s for s in PACKAGES if not s.package.startswith("lib.")]
MAX_COLUMNS = 120
MIN_COVERAGE = 90.0
_FUNCTION = re.compile(r"^(?:default\s+)?([a-z_][a-z0-9_]*)\(", re.MULTILINE)


def _code(text: str) -> str:
    """The source with string literals emptied and comments removed."""
    return re.sub(r"#[^\n]*", "", re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text))


def _functions(text: str) -> set[str]:
    """The names of the functions (helpers) a package defines."""
    return set(_FUNCTION.findall(_code(text)))


def _files(tests: bool) -> list[Path]:
    return sorted(p for p in ROOT.rglob("*.rego") if p.stem.endswith("_test") == tests)


def test_the_style_checks_see_every_package() -> None:
    assert len(CONTROLS) == len(load_library(bundled("controls")).controls) >= 34
    assert {s.package for s in LIBS} >= {"lib.identity", "lib.changes", "lib.time", "lib.text", "lib.testing"}


@pytest.mark.parametrize("source", PACKAGES, ids=lambda s: s.relpath)
def test_package_has_metadata_and_follows_the_style(source) -> None:  # type: ignore[no-untyped-def]
    head = source.text.split("\npackage ", 1)[0]
    assert head.startswith("# METADATA\n"), f"{source.relpath}: no # METADATA block before the package"
    assert re.search(r"^# title: \S", head, re.MULTILINE), f"{source.relpath}: METADATA without a title"
    assert re.search(r"^# description: \S", head, re.MULTILINE), f"{source.relpath}: METADATA without a description"
    code = _code(source.text)
    assert not re.search(r"\belse\b", code), f"{source.relpath}: use default over else"
    if source in LIBS:
        assert not re.search(r"\binput\b", code), f"{source.relpath}: a library never reads input"
    else:
        # no pasted identity block: people are resolved by lib.identity only
        assert "email_pairs" not in code and "first_of_key" not in code, source.relpath
        assert re.search(r"^in_scope\s*(:=|contains)", code, re.MULTILINE), f"{source.relpath}: in_scope (POPULATION)"


@pytest.mark.parametrize("path", _files(tests=False), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_lines_fit_in_120_columns(path: Path) -> None:
    # policies and libraries; test files hold evidence literals and are not held to it
    long = [n for n, line in enumerate(path.read_text().splitlines(), 1) if len(line.expandtabs(4)) > MAX_COLUMNS]
    assert not long, f"{path.relative_to(ROOT)}: lines over {MAX_COLUMNS} columns (tabs as 4): {long}"


@pytest.mark.parametrize("source", PACKAGES, ids=lambda s: s.relpath)
def test_every_package_has_a_test_file_beside_it(source) -> None:  # type: ignore[no-untyped-def]
    test_file = source.path.with_name(f"{source.path.stem}_test.rego")
    assert test_file.is_file(), f"{source.relpath}: no {test_file.name} beside it"
    assert re.search(rf"^import data\.{re.escape(source.package)}\s*$", test_file.read_text(), re.MULTILINE), (
        f"{test_file.name} does not import data.{source.package}")


def test_no_policy_redefines_a_library_helper() -> None:
    library = {name: s.package for s in LIBS for name in _functions(s.text)}
    clashes = {f"{s.relpath}: {name} (in {library[name]})" for s in CONTROLS for name in _functions(s.text) & set(library)}
    assert not clashes, sorted(clashes)


# Lines every rule is built from, so two rules sharing them share no logic.
_BOILERPLATE = re.compile(
    r'^(violations contains \{|"resource": [\w.\[\]]+,|"message": sprintf\(|concat\("", \[|\} if \{|[\]\)\}]+,?|\[|\] \||'
    r'in_scope := \{\w+\.id \| some \w+ in \w+\}|import .*|package .*)$'
)


def _blocks(path: Path, size: int) -> list[tuple[str, int]]:
    """Every run of `size` consecutive code lines, whitespace-normalised, leaving out blank lines,
    comments and the boilerplate every rule is built from, with the line it starts on."""
    lines = [(n, " ".join(line.split())) for n, line in enumerate(path.read_text().splitlines(), 1)]
    code = [(n, line) for n, line in lines if line and not line.startswith("#") and not _BOILERPLATE.match(line)]
    return [("\n".join(line for _, line in code[i:i + size]), code[i][0]) for i in range(len(code) - size + 1)]


def duplicate_blocks(paths: list[Path], size: int = 6) -> dict[str, list[str]]:
    seen: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        for block, line in _blocks(path, size):
            where = f"{path.relative_to(ROOT)}:{line}"
            if not any(w.split(":")[0] == where.split(":")[0] for w in seen[block]):
                seen[block].append(where)
    return {block: where for block, where in seen.items() if len(where) > 1}


def test_no_six_line_block_is_pasted_into_two_policy_files() -> None:
    """The `duplicates --min-lines 6` check, for .rego: a normalised 6-line code block in two files
    belongs in a lib package."""
    dups = duplicate_blocks(_files(tests=False))
    assert not dups, "\n\n".join(f"{', '.join(w)}:\n{b}" for b, w in sorted(dups.items()))


def test_the_duplicate_check_finds_a_pasted_block(tmp_path: Path) -> None:
    block = "\n".join(f"rule_{n}(x) := x.field_{n} if x.kind == \"thing\"" for n in range(6))
    for name in ("a", "b"):
        (tmp_path / f"{name}.rego").write_text(f"package {name}\n\n{block}\n")
    global ROOT
    saved, ROOT = ROOT, tmp_path
    try:
        assert list(duplicate_blocks(sorted(tmp_path.glob("*.rego"))).values()) == [["a.rego:3", "b.rego:3"]]
        (tmp_path / "b.rego").write_text(f"package b\n\n{block.replace('field_5', 'other')}\n")
        assert duplicate_blocks(sorted(tmp_path.glob("*.rego"))) == {}
    finally:
        ROOT = saved


def test_every_policy_and_library_is_covered_by_its_tests() -> None:
    report = run_policy_tests(POLICIES, load_library(bundled("controls")))
    assert report.ok, [c.name for c in report.cases if c.status != "pass"] + report.problems
    assert set(report.coverage) == {s.relpath for s in PACKAGES}
    low = {f: c["percent"] for f, c in report.coverage.items() if c["percent"] < MIN_COVERAGE}
    assert not low, f"policy files under {MIN_COVERAGE}% line coverage: {low}"


def test_every_sod_policy_imports_lib_identity() -> None:
    sod = [s for s in CONTROLS if s.relpath.startswith("sod/")]
    assert len(sod) == 8
    assert all("import data.lib.identity" in s.text for s in sod)


def test_test_files_share_the_only_helper() -> None:
    pasted = [p.relative_to(ROOT).as_posix() for p in _files(tests=True)
              if re.search(r"^only\(", p.read_text(), re.MULTILINE) and "lib/testing" not in p.as_posix()]
    assert not pasted, f"use data.lib.testing.only instead of a pasted only(): {pasted}"
