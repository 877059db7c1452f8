"""One typed Results flows through ``auditor run``: results.json is written once and never read back.

Formats (every registered one), the step summary, the reports, the pack, the locker commit and the S3
copy all take the run's results from memory. The test makes every way of reading a results.json raise
for the run's own file, and counts how often a results document is typed (``Results.from_dict``).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from auditor import pipeline
from auditor.content import bundled
from auditor.pack import keys
from auditor.report.outputs import FormatRequest, load_formats
from auditor.results_model import Results

DEMO = bundled("evidence/examples/demo")
AS_OF = "2026-11-20T12:00:00Z"
BUCKET = "audit-packs"


class ReadBack(AssertionError):
    pass


def _forbid_reading(monkeypatch: pytest.MonkeyPatch, results_file: Path) -> list[str]:
    """Make every reader of a results.json raise on ``results_file``; returns the typings seen."""
    import auditor.results as results_module

    def refuse(name: str) -> Any:
        def reader(*args: Any, **kwargs: Any) -> Any:
            raise ReadBack(f"{name} called during the run: results.json read back")
        return reader

    for name in ("read_results", "parse_results"):
        monkeypatch.setattr(results_module, name, refuse(name))
    monkeypatch.setattr(results_module.WrittenResults, "read", classmethod(refuse("WrittenResults.read")))
    monkeypatch.setattr(Results, "read", classmethod(refuse("Results.read")))

    original_read_bytes, original_open = Path.read_bytes, Path.open

    def read_bytes(self: Path) -> bytes:
        if self.resolve() == results_file.resolve():
            raise ReadBack(f"{self} read back during the run")
        return original_read_bytes(self)

    def open_(self: Path, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if "r" in mode and self.resolve() == results_file.resolve():
            raise ReadBack(f"{self} opened for reading during the run")
        return original_open(self, mode, *args, **kwargs)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    monkeypatch.setattr(Path, "open", open_)

    typed: list[str] = []
    original_from_dict = Results.from_dict.__func__  # type: ignore[attr-defined]

    def from_dict(cls: type[Results], document: Any, where: Path | str = "results") -> Results:
        typed.append(str(where))
        result: Results = original_from_dict(cls, document, where)
        return result

    monkeypatch.setattr(Results, "from_dict", classmethod(from_dict))
    return typed


@mock_aws
def test_a_run_never_reads_its_results_json_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    boto3.client("s3", region_name="us-east-1").create_bucket(Bucket=BUCKET, ObjectLockEnabledForBucket=True)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    summary = tmp_path / "step-summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    pair = keys.generate(tmp_path / "keys")
    out = tmp_path / "out"
    load_formats()
    formats = tuple(FormatRequest(name, out / f"format-{name}") for name in ("json", "junit", "markdown", "oscal",
                                                                              "sarif"))
    settings = pipeline.RunSettings(
        evidence=DEMO, out_dir=out, org="Brightwater Financial",
        evaluation=pipeline.EvaluationOptions(as_of=AS_OF, jobs=1),
        checks=pipeline.CheckOptions(formats=formats),
        packing=pipeline.PackOptions(key=pair.private, locker=tmp_path / "locker", s3=f"s3://{BUCKET}/packs"),
    )
    typed = _forbid_reading(monkeypatch, out / "results.json")

    outcome = pipeline.run(settings)

    # results.json was written and everything downstream rendered: nothing read it back
    assert (out / "results.json").exists() and all((out / f"format-{f.name}").exists() for f in formats)
    assert summary.exists() and [p.name for p in outcome.reports] == ["evidence-report.pdf", "board.pdf",
                                                                      "board.md"]
    assert outcome.pack is not None
    objects = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket=BUCKET)["Contents"]
    assert [o["Key"] for o in objects] == [f"packs/runs/{outcome.results.results.finished_at[:10]}/"
                                           f"{outcome.run.run_id}/pack.zip"]
    # one typed Results for the whole run, shared by formats, reports, pack, locker and S3
    assert typed == [str(out / "results.json")]
    monkeypatch.undo()
    with zipfile.ZipFile(outcome.pack.path) as archive:
        assert archive.read("results.json") == (out / "results.json").read_bytes() == outcome.results.raw
    assert (out / "format-json").read_bytes() == outcome.results.raw  # the json format: the same document


def test_the_reader_patch_catches_a_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard above would fail a run that read results.json again (so its passing means something)."""
    from auditor.results import WrittenResults

    path = tmp_path / "results.json"
    path.write_bytes(b"{}")
    _forbid_reading(monkeypatch, path)
    with pytest.raises(ReadBack):
        WrittenResults.read(path)
    with pytest.raises(ReadBack):
        path.read_bytes()
    with pytest.raises(ReadBack):
        Results.read(path)
