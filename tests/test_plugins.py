"""One plugin mechanism: every registry's plugins are named by ``register``, documented, typed and
reachable from the CLI; an organisation's package adds a collector and a format through entry points."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from auditor.collect import COLLECTORS, Collector, load_collectors
from auditor.engine import ENGINES, Engine, load_engines
from auditor.pack.signers import SIGNERS, Signer
from auditor.registry import Registry, summary
from auditor.report import FORMATS, Format
from auditor.report.outputs import FormatRequest, load_formats
from tests.cli.test_cli_core import lib_args

load_collectors()
load_formats()
load_engines()

REGISTRIES: dict[str, tuple[Registry[Any], type]] = {
    "collector": (COLLECTORS, Collector),
    "format": (FORMATS, Format),
    "engine": (ENGINES, Engine),
    "signer": (SIGNERS, Signer),
}
PLUGINS = [(kind, name) for kind, (registry, _) in REGISTRIES.items() for name in registry.names()]


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(("kind", "name"), PLUGINS, ids=[f"{k}:{n}" for k, n in PLUGINS])
def test_every_plugin_is_named_documented_typed_and_reachable(kind: str, name: str, cli: Any) -> None:
    registry, base = REGISTRIES[kind]
    plugin = registry.get(name)
    assert plugin.name == name  # set by register, written once
    assert issubclass(plugin, base)
    assert len(summary(plugin)) > 10, f"{kind} {name} has no help (docstring)"
    if kind == "collector":
        listed = cli("collect", "--help")
        assert listed.code == 0 and name in listed.out
        own = cli("collect", name, "--help")
        assert own.code == 0 and "--out" in own.out
    elif kind == "format":
        assert f"{name}," in flat(cli("evaluate", "--help").out) or f"{name} (repeatable" in flat(
            cli("evaluate", "--help").out)
        assert FormatRequest.parse(name).name == name and plugin.default_filename
    elif kind == "engine":
        text = flat(cli("evaluate", "--help").out)
        assert "Policy engine: " + ", ".join(ENGINES.names()) in text
    else:
        option = "--" + next(iter(plugin.options)).replace("_", "-")
        assert f"{option} " in cli("pack", "build", "--help").out


def test_register_names_the_plugin_and_refuses_a_second_spelling() -> None:
    registry: Registry[type] = Registry("widget")

    @registry.register("round")
    class Round:
        """A round widget."""

    assert Round.name == "round"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="declares name 'square'"):
        @registry.register("cube")
        class Cube:
            name = "square"
    with pytest.raises(ValueError, match="registered twice"):
        registry.register("round")(type("Other", (), {}))


def test_an_unknown_engine_is_a_usage_error_listing_the_registered_ones(cli: Any, evidence: Path) -> None:
    result = cli("evaluate", "--evidence", evidence, "--engine", "nope")
    assert result.code == 2
    assert "'nope' is not one of 'opa', 'regorus'" in result.err


PLUGIN_MODULE = '''
"""An organisation's own Auditor plugins, installed as a package."""

from typing import ClassVar

from auditor.collect.base import Collector, Document, Option
from auditor.model import Status
from auditor.report import Format


class GadgetCollector(Collector):
    """Gadgets from the ACME inventory (one per --gadget).

    Example::

        auditor collect acme --gadget g-9 --out evidence/
    """

    version: ClassVar[str] = "0.1.0"
    kinds: ClassVar[tuple[str, ...]] = ("gadgets",)
    permissions: ClassVar[tuple[str, ...]] = ("read access to the ACME inventory",)
    options: ClassVar[tuple[Option, ...]] = (
        Option("gadget", "A gadget id to record (repeatable).", multiple=True, required=True),
        Option("encrypted", "Record the gadgets as encrypted.", type="flag"),
    )

    def __init__(self, gadget, encrypted, **context):
        super().__init__(**context)
        self.gadgets, self.encrypted = gadget, encrypted

    def collect(self):
        items = [{"id": g, "owner": "alice", "encrypted": self.encrypted, "created_at": "2026-11-01T00:00:00Z"}
                 for g in self.gadgets]
        return [Document("gadgets", "acme:inventory", items)]


class ControlCount(Format):
    """One line: how many controls failed, of how many."""

    default_filename = "count.txt"

    def render(self, results):
        failed = sum(c.status is Status.FAIL for c in results.controls)  # typed: auditor.results_model.Results
        return f"{failed} of {len(results.controls)} failed\\n".encode()
'''


@pytest.fixture
def org_package(tmp_path: Path) -> Path:
    """A tiny installed distribution: a module and a dist-info with entry points, on sys.path via PYTHONPATH."""
    site = tmp_path / "site"
    (site / "acme_auditor").mkdir(parents=True)
    (site / "acme_auditor" / "__init__.py").write_text(textwrap.dedent(PLUGIN_MODULE))
    info = site / "acme_auditor-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-auditor\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(
        "[auditor.collectors]\nacme = acme_auditor:GadgetCollector\n\n"
        "[auditor.formats]\nacme-count = acme_auditor:ControlCount\n")
    return site


def auditor(site: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])}
    return subprocess.run([sys.executable, "-m", "auditor", *map(str, args)], env=env, capture_output=True,
                          text=True, check=False)


def test_an_organisations_package_adds_a_collector_and_a_format_through_entry_points(
    org_package: Path, tmp_path: Path, library: Path, fixtures: Path
) -> None:
    listed = auditor(org_package, "collect", "--help")
    assert listed.returncode == 0 and "acme" in listed.stdout and "Gadgets from the ACME inventory" in listed.stdout
    evidence = tmp_path / "evidence"
    collected = auditor(org_package, "collect", "acme", "--gadget", "g-8", "--gadget", "g-9", "--out", evidence,
                        "--collected-at", "2026-11-20T12:00:00Z")
    assert collected.returncode == 0, collected.stderr
    (written,) = evidence.glob("*.json")
    document = json.loads(written.read_text())
    assert document["collector"] == {"name": "acme", "version": "0.1.0"}
    assert [i["id"] for i in document["items"]] == ["g-8", "g-9"]

    assert "acme-count" in " ".join(auditor(org_package, "evaluate", "--help").stdout.split())
    out = tmp_path / "out"
    run = auditor(org_package, "evaluate", "--evidence", evidence, *lib_args(library, fixtures),
                  "--out", out / "results.json", "--format", "acme-count", "--fail-on", "critical")
    results = json.loads((out / "results.json").read_text())
    failed = sum(c["status"] == "fail" for c in results["controls"])
    assert failed >= 1, run.stderr  # unencrypted gadgets fail SEC-001
    assert (out / "count.txt").read_text() == f"{failed} of {len(results['controls'])} failed\n"


def test_an_entry_point_that_cannot_load_is_an_error_not_a_missing_plugin(org_package: Path) -> None:
    points = org_package / "acme_auditor-0.1.dist-info" / "entry_points.txt"
    points.write_text("[auditor.collectors]\nbroken = acme_auditor:NoSuchCollector\n")
    result = auditor(org_package, "collect", "--help")
    assert result.returncode == 2
    assert "entry point broken = acme_auditor:NoSuchCollector (group auditor.collectors): cannot load" in result.stderr
