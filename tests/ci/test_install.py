"""Install like a real tool: `python -m build` gives a wheel and an sdist that install and run in a fresh venv."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


def _fresh_venv(where: Path) -> Path:
    """A new venv whose only Auditor is the one installed into it. Its dependencies come from this test
    environment's site-packages through a .pth (the machine has no network for a full resolve in a test),
    so the check is about Auditor's own packaging: modules, bundled content, entry point."""
    venv.EnvBuilder(with_pip=False).create(where)
    python = where / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return python


def _install(python: Path, artifact: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation",
                    "--target", subprocess.run([str(python), "-c", "import sysconfig; "
                                                "print(sysconfig.get_paths()['purelib'])"],
                                               capture_output=True, text=True, check=True).stdout.strip(),
                    str(artifact)], check=True, capture_output=True, text=True)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    source = tmp_path_factory.mktemp("src") / "auditor"
    shutil.copytree(REPO_ROOT, source, ignore=shutil.ignore_patterns(".venv", ".git", "out", "__pycache__",
                                                                        "*.egg-info", "dist", "build"))
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(source)],
                   check=True, capture_output=True, text=True, timeout=600)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["whl", "tar.gz"])
def test_built_artifact_installs_and_runs_in_a_fresh_venv(dist: Path, tmp_path: Path, kind: str) -> None:
    (artifact,) = dist.glob(f"*.{kind}")
    python = _fresh_venv(tmp_path / "venv")
    _install(python, artifact)
    where = subprocess.run([str(python), "-c", "import auditor; print(auditor.__file__)"], cwd=tmp_path,
                           capture_output=True, text=True, check=True).stdout.strip()
    assert str(REPO_ROOT) not in where and str(tmp_path / "venv") in where  # not the checkout
    work = tmp_path / "work"  # no controls/ here: the bundled library of the installed package is used
    work.mkdir()
    run = subprocess.run([str(python), "-m", "auditor", "run", "--out-dir", "out", "--profile", "ci", "--no-pack",
                          "--as-of", "2026-11-20T12:00:00Z", "--format", "sarif", "--quiet", "--jobs", "1"],
                         cwd=work, capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr  # the bundled demo organisation fails on purpose
    doc = json.loads((work / "out" / "results.json").read_text())
    assert doc["profile"] == "ci" and len(doc["controls"]) == 6
    assert list((work / "out").glob("*.pdf")), "the PDF reports"
    policies = subprocess.run([str(python), "-m", "auditor", "policies", "test"], cwd=work, capture_output=True,
                              text=True, timeout=300)
    assert policies.returncode == 0, policies.stdout[-2000:] + policies.stderr[-2000:]
