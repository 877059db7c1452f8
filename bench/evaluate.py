"""Benchmark: evaluate the whole control library against a large generated organisation.

Generates 100,000 deployments, 50,000 identities and 20,000 data stores (plus the
demo's other kinds) by cloning the demo organisation's items with fresh ids,
then measures, each in a fresh process:

* auditor: seconds per phase (load, validate, evaluate, write), wall time and peak RSS of the
  main process and of the largest control worker, once per ``--jobs`` value (default: 1 and 2);
* raw regorus: the same policies, data and input JSON, queried control by
  control, with no Auditor code in the way.

Generation is deterministic and takes about a second per 170k items; nothing generated is kept.

    python bench/evaluate.py [--scale 1.0 5.9] [--jobs 2] [--no-raw] [--keep]

Issue 14's targets: 170k items (scale 1) end to end within 10 s wall on 2 cores and peak RSS within
4x the input JSON; 1M items (scale 5.9) within 60 s and 2 GB. With several ``--scale`` values the
bench prints each control's growth exponent between the sizes and flags any above ``--flag`` (1.2).
The load average is printed with each run: on a shared machine, other processes inflate the times.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "evidence" / "examples" / "demo"
TARGETS = {"deployments": 100_000, "identities": 50_000, "data_stores": 20_000}


#: items per generated document: a large kind is written as several documents of that kind, as a
#: collector sharding by account or repository does (one 300 MB document would be held whole in memory)
CHUNK = 50_000


def generate(out: Path, scale: float) -> int:
    """Write the large organisation into ``out``; return its total size in bytes.

    Deterministic and fast (about 1 s per 100k items): each clone is the demo item with a fresh id
    (its other fields shared, not copied), serialised by orjson.
    """
    out.mkdir(parents=True, exist_ok=True)
    total = 0
    for path in sorted(DEMO.glob("*.json")):
        doc = orjson.loads(path.read_bytes())
        items = doc["items"]
        want = int(TARGETS[doc["kind"]] * scale) if doc["kind"] in TARGETS else len(items)
        grown = [items[n] if n < len(items) else {**items[n % len(items)], "id": f"{items[n % len(items)]['id']}-x{n}"}
                 for n in range(want)]
        for part, start in enumerate(range(0, max(want, 1), CHUNK)):
            doc["items"] = grown[start:start + CHUNK]
            data = orjson.dumps(doc, option=orjson.OPT_SORT_KEYS)
            name = path.name if want <= CHUNK else f"{path.stem}-{part:03d}.json"
            (out / name).write_bytes(data)
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
from auditor.evaluate import projection_of
from auditor.evidence.projection import NONE
whole = sys.argv[4:5] == ["whole"]
evidence = load_evidence(Path(sys.argv[1]), projection=NONE if whole else projection_of(library, policies))
t2 = time.perf_counter()
from auditor.workers import Limits
# limits well above any control's time, so that every control is measured (and compared with raw regorus)
run = evaluate(library, policies, evidence, engine, mappings=mappings, jobs=int(sys.argv[3]),
               projection=not whole, limits=Limits(timeout_s=1800, memory_mib=8192), consume=True)
t3 = time.perf_counter()
write_results(run, Path(sys.argv[2]))
t4 = time.perf_counter()
print(json.dumps({"load": t1 - t0, "validate": t2 - t1, "evaluate": t3 - t2, "write": t4 - t3,
                  "engine_load": run.timings["load_policies"], "set_input": run.timings["set_input"],
                  "query": run.timings["query"], "input_bytes": run.timings.get("input_bytes", 0),
                  "load_phases": evidence.timings,
                  "violations": sum(len(r.violations) for r in run.results),
                  "errors": {r.control.id: r.reason for r in run.results if r.status.value == "error"},
                  "wall": t4 - t0, "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
                  "controls_ms": {r.control.id: r.duration_ms for r in run.results}}))
"""

RAW_RUN = r"""
# Raw regorus: the bundled policies and the evidence's items straight into regorus, each control's
# violations and in_scope evaluated; no Auditor code (no validation, projection or workers).
import json, os, resource, sys, time
from pathlib import Path
os.environ["RUST_BACKTRACE"] = "0"
import orjson, regorus, yaml
root = Path(sys.argv[1])
repo = Path(sys.argv[2])
t0 = time.perf_counter()
by_kind, latest = {}, ""
for path in sorted(root.glob("*.json")):  # each document's items spliced into {"<kind>": [...]}
    doc = orjson.loads(path.read_bytes())
    body = orjson.dumps(doc["items"])[1:-1]
    if body:
        by_kind.setdefault(doc["kind"], []).append(body)
    latest = max(latest, doc["collected_at"])
    del doc, body
input_file = root.parent / "raw-input.json"
with open(input_file, "wb") as out:
    parts = (orjson.dumps(k) + b":[" + b",".join(v) + b"]" for k, v in sorted(by_kind.items()))
    out.write(b"{" + b",".join(parts) + b"}")
del by_kind
controls = [yaml.safe_load(p.read_text()) for p in sorted((repo / "controls").rglob("*.yaml"))]
controls = [c for c in controls if isinstance(c, dict) and "policy" in c and "id" in c]
params = {c["id"]: {k: v["default"] for k, v in (c.get("parameters") or {}).items()} for c in controls}
t1 = time.perf_counter()
engine = regorus.Engine()
for p in sorted((repo / "policies").rglob("*.rego")):
    if not p.stem.endswith("_test"):
        engine.add_policy(str(p), p.read_text())
engine.add_data_json(json.dumps({"params": params, "audit": {"as_of": latest}}))
engine.set_input_from_json_file(str(input_file))
input_file.unlink()
t2 = time.perf_counter()
count, times = 0, {}
for c in controls:
    q0 = time.perf_counter()
    out = json.loads(engine.eval_query_as_json(
        f'x := {{"v": data.{c["policy"]}.violations, "s": data.{c["policy"]}.in_scope}}'))
    count += len(out["result"][0]["bindings"]["x"]["v"]) if out["result"] else 0
    times[c["id"]] = (time.perf_counter() - q0) * 1000
t3 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "set_input": t2 - t1, "queries": t3 - t2, "raw": t3 - t1, "violations": count,
                  "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "controls_ms": times}))
"""


def load_average() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def exponent(sizes: list[float], times: list[float]) -> float | None:
    """The least-squares slope of log(time) against log(size)."""
    points = [(math.log(n), math.log(t)) for n, t in zip(sizes, times, strict=True) if t > 0 and n > 0]
    if len(points) < 2:
        return None
    mx = sum(x for x, _ in points) / len(points)
    my = sum(y for _, y in points) / len(points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else None


def run_size(work: Path, scale: float, jobs_list: list[int], raw: bool) -> dict[str, Any]:
    evidence = work / f"evidence-{scale:g}"
    t0 = time.perf_counter()
    size = generate(evidence, scale)
    kinds: dict[str, int] = {}
    for path in evidence.glob("*.json"):
        doc = orjson.loads(path.read_bytes())
        kinds[doc["kind"]] = kinds.get(doc["kind"], 0) + len(doc["items"])
    items = sum(kinds.values())
    print(f"\n== scale {scale:g}: {items:,} items, {size / 1e6:.1f} MB of evidence JSON, generated in "
          f"{time.perf_counter() - t0:.1f}s ({load_average()})")
    found: dict[str, Any] = {"items": items, "kinds": kinds, "size": size, "runs": {}}
    for jobs in jobs_list:
        before = load_average()
        found["runs"][jobs] = ours = json.loads(subprocess.run(
            [sys.executable, "-c", AUDITOR_RUN, str(evidence), str(work / f"results-{scale:g}-{jobs}.json"),
             str(jobs)], check=True, capture_output=True, text=True).stdout)
        print(f"auditor --jobs {jobs}  wall {ours['wall']:.2f}s  load {ours['load']:.2f}s  "
              f"validate {ours['validate']:.2f}s  evaluate {ours['evaluate']:.2f}s (policies "
              f"{ours['engine_load']:.2f}s, input {ours['set_input']:.2f}s, queries {ours['query']:.2f}s)  "
              f"write {ours['write']:.2f}s")
        phases = dict(ours.get("load_phases") or {})
        if phases:
            jobs_used = int(phases.pop("jobs", 1))
            walls = {k: phases.pop(k) for k in [k for k in phases if k.endswith("(wall)")]}
            print(f"    validate: loaded with {jobs_used} job(s) in {walls.get('total (wall)', 0):.2f}s "
                  + (f"(workers {walls['workers (wall)']:.2f}s) " if "workers (wall)" in walls else "")
                  + "; seconds per phase, summed over documents and workers: "
                  + ", ".join(f"{k} {v:.2f}" for k, v in phases.items()))
        print(f"    peak RSS {ours['rss_mb']:.0f} MiB main ({ours['rss_mb'] * 1024 * 1024 / size:.2f}x the input JSON; "
              f"target 4x), {ours['worker_rss_mb']:.0f} MiB largest worker; engine input "
              f"{ours['input_bytes'] / 1e6:.1f} MB; {ours['violations']} violations; {before} -> {load_average()}")
        for cid, reason in sorted(ours.get("errors", {}).items()):
            print(f"    ERROR {cid}: {reason}")
        slowest = sorted(ours["controls_ms"].items(), key=lambda item: -item[1])
        print("    slowest controls: " + ", ".join(f"{cid} {ms / 1000:.2f}s" for cid, ms in slowest[:10]))
    if raw:
        found["raw"] = r = json.loads(subprocess.run(
            [sys.executable, "-c", RAW_RUN, str(evidence), str(REPO)],
            check=True, capture_output=True, text=True).stdout)
        print(f"raw regorus (whole items, one process, control after control): set_input {r['set_input']:.2f}s, "
              f"queries {r['queries']:.2f}s, peak RSS {r['rss_mb']:.0f} MiB, {r['violations']} violations")
        for jobs, ours in found["runs"].items():
            print(f"    --jobs {jobs}: Auditor's queries / raw queries = {ours['query'] / r['queries']:.2f}x "
                  f"(CPU of all workers: sum of control times {sum(ours['controls_ms'].values()) / 1000:.1f}s)")
    shutil.rmtree(evidence, ignore_errors=True)
    return found


def growth(sizes: list[dict[str, Any]], jobs: int, limit: float) -> None:
    """Each control's time per size and its growth exponent against the items of the kinds it reads."""
    sys.path.insert(0, str(REPO))
    from auditor.content import bundled
    from auditor.controls import load_library

    reads = {control.id: control.reads for control in load_library(bundled("controls"))}
    last = sizes[-1]["runs"][jobs]["controls_ms"]
    print(f"\n== growth (--jobs {jobs}): each control's time, and the exponent of its time against the items "
          "of the kinds it reads (n/a: its kinds do not grow)")
    print("control  " + "  ".join(f"{s['items']:>10,}" for s in sizes) + "  exponent")
    for cid in sorted(last, key=lambda c: -last[c]):
        counts = [sum(s["kinds"].get(kind, 0) for kind in reads.get(cid, ())) for s in sizes]
        times = [s["runs"][jobs]["controls_ms"].get(cid, 0) / 1000 for s in sizes]
        k = exponent(counts, times) if counts[-1] > counts[0] else None
        flag = f"  << above {limit:.1f}" if k is not None and k > limit else ""
        shown = "n/a" if k is None else f"{k:.2f}"
        print(f"{cid:<8} " + "  ".join(f"{t:>9.2f}s" for t in times) + f"  {shown}{flag}")
    totals = [s["items"] for s in sizes]
    for label in ("wall", "query", "set_input", "validate"):
        values = [s["runs"][jobs][label] for s in sizes]
        print(f"{label:<8} " + "  ".join(f"{t:>9.2f}s" for t in values) + f"  {exponent(totals, values) or 0:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0],
                        help="sizes, as multiples of the 170k-item organisation (5.9 is about 1M items)")
    parser.add_argument("--keep", action="store_true", help="keep the results")
    parser.add_argument("--jobs", type=int, nargs="+", default=[2], help="worker counts to measure")
    parser.add_argument("--no-raw", action="store_true", help="skip the raw-regorus run")
    parser.add_argument("--save", type=Path, metavar="JSON", help="write every measurement to JSON")
    parser.add_argument("--flag", type=float, default=1.2, help="flag a control growing faster than this")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="auditor-bench-"))
    try:
        sizes = []
        for scale in args.scale:
            sizes.append(run_size(work, scale, args.jobs, not args.no_raw))
            if args.save:
                args.save.write_text(json.dumps(sizes, indent=1))
        if len(sizes) > 1:
            growth(sizes, args.jobs[-1], args.flag)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
