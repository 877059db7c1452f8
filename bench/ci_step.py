"""Benchmark: the CI step on the demo organisation (evaluate plus every output format).

Measures, in fresh processes, the wall time of

    auditor evaluate --evidence evidence/examples/demo --format json --format junit
                     --format sarif --format markdown   (plus $GITHUB_STEP_SUMMARY)

excluding installation, and the rendering time of each format from the stored
results.json. Target (issue 7): the whole step within 5 s.

    python bench/ci_step.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "evidence" / "examples" / "demo"
AUDITOR = Path(sys.executable).parent / "auditor"
TARGET_S = 5.0


def one_step(work: Path) -> tuple[float, int]:
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    env = {**os.environ, "GITHUB_STEP_SUMMARY": str(work / "summary.md"), "RUST_BACKTRACE": "0"}
    args = [str(AUDITOR), "evaluate", "--evidence", str(DEMO), "--out", str(out / "results.json"), "--quiet"]
    for name in ("json", "junit", "sarif", "markdown"):
        args += ["--format", name]
    start = time.perf_counter()
    result = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        sys.exit(f"auditor evaluate failed (exit {result.returncode}):\n{result.stderr}")
    return elapsed, result.returncode


def render_times(results: Path) -> dict[str, float]:
    from auditor.report import FORMATS
    from auditor.report.outputs import load_formats
    from auditor.results import read_results

    load_formats()
    document = read_results(results)
    times = {}
    for name, cls in FORMATS:
        start = time.perf_counter()
        size = len(cls().render(document))
        times[f"{name} ({size:,} bytes)"] = time.perf_counter() - start
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if not DEMO.is_dir():
        sys.exit(f"{DEMO}: demo organisation not found")
    files = sorted(DEMO.glob("*.json"))
    size = sum(p.stat().st_size for p in files)
    print(f"demo organisation: {len(files)} evidence documents, {size / 1e6:.1f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        one_step(work)  # warm the file cache and bytecode
        walls = []
        for _ in range(args.repeat):
            elapsed, code = one_step(work)
            walls.append(elapsed)
        print(f"CI step (evaluate + json, junit, sarif, markdown, step summary; exit {code}), "
              f"{args.repeat} runs: median {statistics.median(walls):.2f} s, "
              f"min {min(walls):.2f} s, max {max(walls):.2f} s (target {TARGET_S:.0f} s: "
              f"{'met' if max(walls) <= TARGET_S else 'MISSED'})")
        for name, seconds in render_times(work / "out" / "results.json").items():
            print(f"  render {name}: {seconds * 1000:.1f} ms")


if __name__ == "__main__":
    main()
