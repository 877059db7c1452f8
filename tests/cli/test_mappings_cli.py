"""``auditor mappings ...`` end to end, including adding a framework as data only."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import git
import pytest

from tests.mappings.conftest import FIX, add_acme


@pytest.fixture
def root(tmp_path: Path) -> Path:
    target = tmp_path / "mappings"
    shutil.copytree(FIX / "root", target)
    return target


def args(root: Path) -> list[str | Path]:
    return ["--controls", FIX / "controls", "--mappings", root]


def test_validate_ok_and_reports_unmapped(cli, root: Path) -> None:  # type: ignore[no-untyped-def]
    result = cli("mappings", "validate", *args(root))
    assert result.code == 0, result.err
    assert "1 catalogs and 1 mapping files are valid (9 control-to-clause mappings, 5 controls)" in result.out
    assert "widget-std-1: 5/5 controls mapped" in result.out


def test_validate_bad_input_exits_2_with_file_and_entry(cli, root: Path) -> None:  # type: ignore[no-untyped-def]
    path = root / "widget-std-1.yaml"
    path.write_text(path.read_text().replace("control: PRIV-001", "control: PRIV-042"))
    result = cli("mappings", "validate", *args(root))
    assert result.code == 2
    assert f"{path}:17: mappings[3] (PRIV-042).control: unknown control id 'PRIV-042'" in result.err
    assert "Traceback" not in result.err and result.out == ""


def test_coverage_formats(cli, root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    base = ["mappings", "coverage", "--framework", "widget-std-1", "--results", FIX / "results.json", *args(root)]
    doc = json.loads(cli(*base, "--format", "json").out)
    assert {c["id"]: c["status"] for c in doc["clauses"]} == {
        "W1.1": "fail", "W1.2": "pass", "W1.3": "gap", "W2.1": "supported", "W2.2": "pass",
        "W2.3": "not_evaluated", "W2.4": "gap"}
    assert doc["gaps"] == ["W1.3", "W2.4"] and doc["owner"] == "Fixture Risk Team"
    assert [g["id"] for g in doc["groups"]] == ["W", "P1", "P2"]
    rows = list(csv.DictReader(io.StringIO(cli(*base, "--format", "csv").out)))
    assert len(rows) == 7
    assert rows[0] == {"clause": "W1.1", "title": "Changes are reviewed", "group": "P1", "coverage": "covered",
                       "status": "fail", "controls": "SOD-001 (full, pass); SEC-001 (partial, fail)",
                       "applicable": "yes", "implementation": "automated", "attestations": ""}
    md = cli(*base, "--format", "markdown").out
    assert md.startswith("# Coverage: Widget Standard\n")
    assert "| W2.1 | Models are owned | P2 | supported | supported |" in md
    assert "## Gaps (clauses no control is mapped to)" in md and "| W2.4 | Suppliers are vetted | P2 |" in md
    assert "| P1 | Part one | W | 3 | 2 | 0 | 1 | 1 | 1 | 0 |" in md
    table = cli(*base)
    assert table.code == 0 and "W2.3" in table.out and "not_evaluated" in table.out
    out = tmp_path / "cov" / "coverage.md"
    assert cli(*base, "--format", "markdown", "-o", out).code == 0
    assert out.read_text() == md
    # same inputs, same bytes
    assert cli(*base, "--format", "json").out == cli(*base, "--format", "json").out


def test_coverage_errors(cli, root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    unknown = cli("mappings", "coverage", "--framework", "iso9001", *args(root))
    assert unknown.code == 2 and "unknown framework 'iso9001'; expected one of: widget-std-1" in unknown.err
    bogus = tmp_path / "results.json"
    bogus.write_text("{\"hello\": 1}")
    bad = cli("mappings", "coverage", "--framework", "widget-std-1", "--results", bogus, *args(root))
    assert bad.code == 2 and "not an Auditor results file" in bad.err


@pytest.mark.parametrize("command", [["coverage", "--framework", "widget-std-1"], ["soa", "--framework", "widget-std-1"]])
def test_a_damaged_results_file_is_exit_2_naming_the_field(cli, root: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                           command: list[str]) -> None:
    """--results is checked like every results.json a command starts from: no control is skipped or
    defaulted (a control without a status was left out, a run without an id was "unknown run")."""
    document = json.loads((FIX / "results.json").read_text())
    assert document["controls"][1]["id"] == "SEC-001"
    document["controls"][1]["status"] = "skipped"
    bad = tmp_path / "results.json"
    bad.write_text(json.dumps(document))
    result = cli("mappings", *command, "--results", bad, *args(root))
    assert result.code == 2
    assert f"{bad}: controls[1].status: found 'skipped', expected 'pass' or 'fail'" in result.err
    assert "Traceback" not in result.err and result.out == ""
    del document["controls"][1]["status"]
    bad.write_text(json.dumps(document))
    result = cli("mappings", *command, "--results", bad, *args(root))
    assert result.code == 2 and f"{bad}: controls[1].status: required field is missing" in result.err


def test_crosswalk_cli(cli, root: Path) -> None:  # type: ignore[no-untyped-def]
    add_acme(root)
    doc = json.loads(cli("mappings", "crosswalk", "--from", "acme-internal-2025", "--to", "widget-std-1",
                         *args(root), "--format", "json").out)
    assert [(link["from"], link["to"], link["strength"]) for link in doc["links"]][:2] == [
        ("ICS-SEC-01", "W1.2", "partial"), ("ICS-SEC-01", "W2.2", "partial")]
    csv_out = cli("mappings", "crosswalk", "--from", "widget-std-1", "--to", "acme-internal-2025", *args(root),
                  "--format", "csv").out
    assert csv_out.splitlines()[0] == "widget-std-1 clause,title,acme-internal-2025 clause,title,strength,via controls"
    assert "W2.2,Records are kept,ICS-PRIV-01,Personal data is kept only as long as needed,partial,PRIV-001 (partial/full)" \
        in csv_out


def test_adding_a_framework_is_data_only(cli, root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Drop one catalog and one mapping file in; every command picks the framework up."""
    assert "acme-internal-2025" not in cli("mappings", "list", *args(root), "--format", "json").out
    add_acme(root)
    listing = json.loads(cli("mappings", "list", *args(root), "--format", "json").out)
    acme = next(f for f in listing["frameworks"] if f["framework"] == "acme-internal-2025")
    assert acme == {"framework": "acme-internal-2025", "name": "ACME Internal Control Standard 2025",
                    "version": "2025.1", "clauses": 3, "clauses_mapped": 3, "controls_mapped": 3,
                    "owner": "ACME Second Line Risk", "last_reviewed": "2025-03-01"}
    valid = cli("mappings", "validate", *args(root))
    assert valid.code == 0 and "acme-internal-2025: 3/5 controls mapped; not mapped: AI-001, SEC-001" in valid.out
    cov = json.loads(cli("mappings", "coverage", "--framework", "acme-internal-2025", "--results",
                         FIX / "results.json", *args(root), "--format", "json").out)
    assert {c["id"]: c["status"] for c in cov["clauses"]} == {
        "ICS-SEC-01": "pass", "ICS-SEC-02": "supported", "ICS-PRIV-01": "pass"}
    assert {g["id"]: g["clauses"] for g in cov["groups"]} == {"SEC": 2, "PRIV": 1}
    walk = cli("mappings", "crosswalk", "--from", "acme-internal-2025", "--to", "widget-std-1", *args(root))
    assert walk.code == 0 and "ICS-PRIV-01" in walk.out
    # results carry the new framework's clauses for each control (what reports show)
    from auditor.controls import load_library
    from auditor.mappings import load_mappings

    ms = load_mappings(root, load_library(FIX / "controls"))
    assert [(m.framework, m.clause) for m in ms.clauses_for("PRIV-001")] == [
        ("acme-internal-2025", "ICS-PRIV-01"), ("widget-std-1", "W2.2")]
    # and the diff sees it arrive
    repo = git.Repo.init(tmp_path / "repo")
    (tmp_path / "repo" / "mappings").mkdir()
    (tmp_path / "repo" / "mappings" / "widget-std-1.yaml").write_text((root / "widget-std-1.yaml").read_text())
    repo.git.add(A=True)
    repo.index.commit("widget")
    (tmp_path / "repo" / "mappings" / "acme-internal-2025.yaml").write_text(
        (root / "acme-internal-2025.yaml").read_text())
    repo.git.add(A=True)
    repo.index.commit("acme")
    diff = json.loads(cli("mappings", "diff", "HEAD~1", "--mappings", tmp_path / "repo" / "mappings",
                          "--format", "json").out)
    assert diff["counts"] == {"added": 5, "removed": 0, "changed": 0, "retitled": 0}  # 3 entries + owner + last_reviewed


def test_diff_cli_formats_and_errors(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = git.Repo.init(tmp_path)
    (tmp_path / "mappings").mkdir()
    m = tmp_path / "mappings" / "widget-std-1.yaml"
    m.write_text((FIX / "root" / "widget-std-1.yaml").read_text())
    repo.git.add(A=True)
    who = git.Actor("Carol Controls", "carol@example.org")
    repo.index.commit("base", author=who, committer=who)
    m.write_text(m.read_text().replace("id: W2.3, strength: partial", "id: W2.3, strength: full"))
    repo.git.add(A=True)
    repo.index.commit("AI-001 now fully explains", author=who, committer=who)
    md = cli("mappings", "diff", "HEAD~1", "HEAD", "--mappings", tmp_path / "mappings", "--format", "markdown")
    assert md.code == 0
    assert "0 added, 0 removed, 1 changed" in md.out
    assert "| changed | widget-std-1 | AI-001 | W2.3 | partial: The model card explains the model. | " \
           "full: The model card explains the model. |" in md.out
    assert "Carol Controls <carol@example.org>" in md.out and "AI-001 now fully explains" in md.out
    rows = list(csv.DictReader(io.StringIO(cli("mappings", "diff", "HEAD~1", "--mappings", tmp_path / "mappings",
                                               "--format", "csv").out)))
    assert [(r["change"], r["control"], r["clause"]) for r in rows] == [("changed", "AI-001", "W2.3")]
    table = cli("mappings", "diff", "HEAD~1", "--mappings", tmp_path / "mappings")
    assert table.code == 0 and "AI-001" in table.out
    bad = cli("mappings", "diff", "v9.9", "--mappings", tmp_path / "mappings")
    assert bad.code == 2 and "v9.9: unknown revision" in bad.err
