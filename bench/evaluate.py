"""Benchmark: evaluate the whole control library against a large generated organisation.

Generates 100,000 deployments, 50,000 identities and 20,000 data stores (plus the
demo's other kinds) by cloning the demo organisation's items with fresh ids,
then measures, each in a fresh process:

* auditor: seconds per phase (load, validate, evaluate, write), wall time and peak RSS of the
  main process and of the largest control worker, once per ``--jobs`` value (default: 1 and 2);
* raw regorus: the same policies, data and input JSON, queried control by
  control, with no Auditor code in the way.

Targets (issue 2): evaluate within 1.3x of raw regorus; validation not slower
than evaluation; peak RSS under 4x the input JSON size.

    python bench/evaluate.py [--scale 1.0] [--jobs 1 2] [--keep] [--per-control times.json]

Issue 14's target: 170k items (the default scale) end to end within 10 s wall on 2 cores.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "evidence" / "examples" / "demo"
TARGETS = {"deployments": 100_000, "identities": 50_000, "data_stores": 20_000}


def generate(out: Path, scale: float) -> int:
    """Write the large organisation into ``out``; return its total size in bytes."""
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted(DEMO.glob("*.json")):
        doc = json.loads(path.read_text())
        items = doc["items"]
        want = int(TARGETS.get(doc["kind"], len(items)) * scale) if doc["kind"] in TARGETS else len(items)
        grown = []
        for n in range(want):
            item = copy.deepcopy(items[n % len(items)])
            if n >= len(items):
                item["id"] = f"{item['id']}-x{n}"
            grown.append(item)
        doc["items"] = grown
        data = json.dumps(doc, sort_keys=True).encode()
        (out / path.name).write_bytes(data)
        total += len(data)
    return total


AUDITOR_RUN = r"""
import json, resource, sys, time
from pathlib import Path
t0 = time.perf_counter()
from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.evaluate import evaluate
from auditor.evidence import load_evidence
from auditor.mappings import load_mappings
from auditor.policies import load_policies
from auditor.results import write_results
library = load_library(bundled("controls"))
policies = load_policies(bundled("policies"))
mappings = load_mappings(bundled("mappings"), library)
engine = create("regorus")
t1 = time.perf_counter()
evidence = load_evidence(Path(sys.argv[1]))
t2 = time.perf_counter()
run = evaluate(library, policies, evidence, engine, mappings=mappings, jobs=int(sys.argv[3]), consume=True)
t3 = time.perf_counter()
write_results(run, Path(sys.argv[2]))
t4 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "validate": t2 - t1, "evaluate": t3 - t2, "write": t4 - t3,
                  "engine_load": run.timings["load_policies"], "set_input": run.timings["set_input"],
                  "query": run.timings["query"], "violations": sum(len(r.violations) for r in run.results),
                  "wall": t4 - t0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "controls_ms": {r.control.id: r.duration_ms for r in run.results}}))
"""

RAW_RUN = r"""
import json, os, resource, sys, time
from pathlib import Path
os.environ["RUST_BACKTRACE"] = "0"
import regorus
from auditor.content import bundled
from auditor.controls import load_library
from auditor.evidence import load_evidence
library = load_library(bundled("controls"))
evidence = load_evidence(Path(sys.argv[1]))   # builds the same input bytes; not timed
input_json = evidence.input_json().decode()
data = json.dumps({"params": library.params_document(), "audit": {"as_of": evidence.as_of()}})
policies = [p for p in sorted(bundled("policies").rglob("*.rego")) if not p.stem.endswith("_test")]
t0 = time.perf_counter()
engine = regorus.Engine()
for p in policies:
    engine.add_policy(str(p), p.read_text())
engine.add_data_json(data)
engine.set_input_json(input_json)
count = 0
for control in library:
    count += len(json.loads(engine.eval_rule_as_json(f"data.{control.policy}.violations")))
t1 = time.perf_counter()
print(json.dumps({"raw": t1 - t0, "violations": count,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the generated sizes")
    parser.add_argument("--keep", action="store_true", help="keep the generated organisation")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts to measure")
    parser.add_argument("--per-control", type=Path, metavar="JSON",
                        help="print every control's time and write them (control id -> ms, per --jobs) to JSON")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="auditor-bench-"))
    try:
        t0 = time.perf_counter()
        size = generate(work / "evidence", args.scale)
        print(f"generated {size / 1e6:.1f} MB of evidence in {time.perf_counter() - t0:.1f}s ({work / 'evidence'})")
        runs = {}
        for jobs in args.jobs:
            runs[jobs] = ours = json.loads(subprocess.run(
                [sys.executable, "-c", AUDITOR_RUN, str(work / "evidence"), str(work / f"results-{jobs}.json"),
                 str(jobs)], check=True, capture_output=True, text=True).stdout)
            print(f"auditor --jobs {jobs}  wall {ours['wall']:.2f}s  load {ours['load']:.2f}s  "
                  f"validate {ours['validate']:.2f}s  evaluate {ours['evaluate']:.2f}s (policies "
                  f"{ours['engine_load']:.2f}s, input {ours['set_input']:.2f}s, queries {ours['query']:.2f}s)  "
                  f"write {ours['write']:.2f}s  peak RSS {ours['rss_mb']:.0f} MB main, "
                  f"{ours['worker_rss_mb']:.0f} MB largest worker")
            slowest = sorted(ours["controls_ms"].items(), key=lambda item: -item[1])
            print("    slowest controls: " + ", ".join(f"{cid} {ms / 1000:.2f}s" for cid, ms in slowest[:5]))
            if args.per_control:
                print("    every control (ms): " + ", ".join(f"{cid} {ms:.0f}" for cid, ms in sorted(slowest)))
        raw = json.loads(subprocess.run(
            [sys.executable, "-c", RAW_RUN, str(work / "evidence")],
            check=True, capture_output=True, text=True).stdout)
        print(f"raw regorus (one process, control after control)  {raw['raw']:.2f}s  peak RSS {raw['rss_mb']:.0f} MB")
        for jobs, ours in runs.items():
            print(f"--jobs {jobs}: violations {ours['violations']} (raw {raw['violations']}), "
                  f"evaluate / raw regorus = {ours['evaluate'] / raw['raw']:.2f}x, "
                  f"peak RSS (main) / input JSON = {ours['rss_mb'] * 1024 * 1024 / size:.2f}x (target < 4x), "
                  f"wall {ours['wall']:.2f}s (target <= 10 s at the default scale)")
        if args.per_control:
            args.per_control.write_text(json.dumps({jobs: ours["controls_ms"] for jobs, ours in runs.items()},
                                                   indent=1, sort_keys=True))
        if len(runs) > 1:
            first = next(iter(runs.values()))
            for jobs, ours in list(runs.items())[1:]:
                print(f"speed-up --jobs {jobs} vs --jobs {args.jobs[0]}: evaluate "
                      f"{first['evaluate'] / ours['evaluate']:.2f}x, wall {first['wall'] / ours['wall']:.2f}x")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
