"""The pipeline as a library: a whole run from evidence to a verified pack, without click."""

from __future__ import annotations

import zipfile
from pathlib import Path

import orjson
import pytest

from auditor import pipeline
from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.errors import InputError
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.model import Status
from auditor.pack import keys
from auditor.pack.signers import Verifier
from auditor.pack.verify import verify_pack
from auditor.policies import load_policies

DEMO = bundled("evidence/examples/demo")
AS_OF = "2026-11-20T12:00:00Z"


def test_a_whole_run_through_the_api_gives_a_verified_pack(tmp_path: Path) -> None:
    pair = keys.generate(tmp_path / "keys")
    progress = pipeline.Recorder()
    settings = pipeline.RunSettings(
        evidence=DEMO,
        out_dir=tmp_path / "out",
        evaluation=pipeline.EvaluationOptions(as_of=AS_OF, jobs=1),
        packing=pipeline.PackOptions(key=pair.private),
        org="Brightwater Financial",
    )
    outcome = pipeline.run(settings, progress)

    results_file = tmp_path / "out" / "results.json"
    assert results_file.read_bytes() == outcome.results.raw  # written once, the bytes the pack holds
    assert orjson.loads(outcome.results.raw) == outcome.results.document
    assert outcome.results.document["as_of"] == AS_OF
    statuses = {c["status"] for c in outcome.results.document["controls"]}
    assert Status.FAIL.value in statuses  # the demo has deliberate violations
    assert int(outcome.exit_code) == 1
    assert [p.name for p in outcome.reports] == ["evidence-report.pdf", "board.pdf", "board.md"]
    assert all(p.is_file() for p in outcome.reports)

    assert outcome.pack is not None and not outcome.pack.development
    verified = verify_pack(outcome.pack.path, Verifier.from_pem_file(pair.public))
    assert verified.valid, verified.reason
    assert verified.run_id == outcome.run.run_id
    with zipfile.ZipFile(outcome.pack.path) as archive:
        assert archive.read("results.json") == outcome.results.raw
        assert {"reports/evidence-report.pdf", "reports/board.pdf"} <= set(archive.namelist())
    assert any(n.startswith("pack: ") for n in progress.notes)
    assert progress.evaluated and len(progress.evaluated) == len(outcome.results.document["controls"])


def test_the_pipeline_needs_no_click_and_the_cli_holds_no_pipeline() -> None:
    """The pipeline's modules never import click or the CLI (errors are AuditorError, whose base is
    click's exception only so the CLI can print it), and no CLI module calls the evaluator itself."""
    import ast

    root = Path(pipeline.__file__).parent
    for path in sorted(root.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "click" or n.startswith(("click.", "auditor.cli")) for n in names), (path, names)
    cli = Path(pipeline.__file__).parent.parent / "cli"
    for path in sorted(cli.glob("*.py")):
        text = path.read_text()
        for stage in ("from auditor.evaluate import evaluate\n", "build_pack(", "record_run(", "write_outputs(",
                      "results_document(", "upload_pack("):
            assert stage not in text, f"{path.name} calls {stage} itself: it belongs in auditor.pipeline"


def test_evaluate_leaves_the_callers_evidence_whole_so_it_can_be_evaluated_again() -> None:
    library = load_library(bundled("controls"))
    policies = load_policies(bundled("policies"))
    evidence = load_evidence(DEMO)
    before = [d.items_json for d in evidence.documents]
    first = evaluate(library, policies, evidence, create("regorus"), as_of=AS_OF, jobs=1)
    assert [d.items_json for d in evidence.documents] == before
    second = evaluate(library, policies, evidence, create("regorus"), as_of=AS_OF, jobs=1)
    assert [(r.control.id, r.status, r.violations) for r in first.results] == [
        (r.control.id, r.status, r.violations) for r in second.results]
    consumed = evaluate(library, policies, evidence, create("regorus"), as_of=AS_OF, jobs=1, consume=True)
    assert all(d.items_json == b"[]" for d in evidence.documents)  # handed over: dropped once the engine has it
    assert [r.status for r in consumed.results] == [r.status for r in first.results]


def test_waivers_and_baseline_both_go_into_the_evaluation(tmp_path: Path) -> None:
    first = pipeline.evaluate_evidence(DEMO, evaluation=pipeline.EvaluationOptions(as_of=AS_OF, jobs=1))
    written = pipeline.write_results(first, tmp_path / "first.json")
    again = pipeline.evaluate_evidence(DEMO, evaluation=pipeline.EvaluationOptions(as_of=AS_OF, jobs=1),
                                       checks=pipeline.CheckOptions(baseline=written.path))
    assert again.baseline is not None and again.baseline
    assert int(again.exit_code()) == 0  # every violation is known
    assert int(first.exit_code()) == 1


def test_without_a_key_a_pack_outside_run_is_refused(tmp_path: Path) -> None:
    run = pipeline.evaluate_evidence(DEMO, evaluation=pipeline.EvaluationOptions(as_of=AS_OF, jobs=1))
    written = pipeline.write_results(run, tmp_path / "results.json")
    with pytest.raises(InputError, match="a pack must be signed"):
        pipeline.write_pack(written, DEMO, pipeline.Sources(), tmp_path / "pack.zip", pipeline.PackOptions())
    assert not (tmp_path / "pack.zip").exists()
