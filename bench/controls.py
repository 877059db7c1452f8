"""Benchmark: each control's query time on its own, at several sizes, with its growth exponent.

Unlike ``bench/evaluate.py`` (the whole run, workers included), this times the policies alone: one
process per evidence folder sets the input once, then queries each control's ``violations`` and
``in_scope`` (the evaluator's query) on a fresh clone of the engine, ``--repeat`` times, keeping the
fastest (the machines are shared: the minimum is the least disturbed figure). With ``--policies``
given twice (``--policies before/ --policies after/``), both are timed in the same process, control
by control and back to back, so their ratio holds however loaded the machine is; their results are
compared too, violation by violation (a difference is printed and makes the exit code 1).

    python bench/controls.py EVIDENCE_DIR... [--policies DIR]... [--repeat 3] [--flag 1.2]

The growth exponent of a control is the least-squares slope of log(time) against log(items of the
kinds it reads), over the folders given (at least two, every kind growing together, e.g. the demo
repeated as consistent copies); a control above ``--flag`` is marked. Generate folders with
``python bench/evaluate.py --keep`` (the 170k-item organisation) or ``bench/scaling.py --keep``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
from pathlib import Path

WORKER = r"""
import json, os, sys, time
from pathlib import Path
os.environ["RUST_BACKTRACE"] = "0"
import regorus
from auditor.content import bundled
from auditor.controls import load_library
from auditor.evidence import load_evidence
evidence_dir, repeat, *policy_dirs = sys.argv[1:]
library = load_library(bundled("controls"))
evidence = load_evidence(Path(evidence_dir))
input_json = evidence.input_json().decode()
data = json.dumps({"params": library.params_document(), "audit": {"as_of": evidence.as_of()}})
kinds = evidence.kinds()
engines = []
for folder in policy_dirs:
    engine = regorus.Engine()
    for p in sorted(Path(folder).rglob("*.rego")):
        if not p.stem.endswith("_test"):
            engine.add_policy(str(p), p.read_text())
    engine.add_data_json(data)
    engine.set_input_json(input_json)
    engine.eval_query("x := 1")
    engines.append(engine)
out = {"items": {c.id: sum(kinds.get(k, 0) for k in c.reads) for c in library}, "ms": [], "results": []}
for engine in engines:
    out["ms"].append({})
    out["results"].append({})
for control in library:
    query = f'x := {{"violations": data.{control.policy}.violations, "in_scope": data.{control.policy}.in_scope}}'
    for n, engine in enumerate(engines):
        best = None
        for _ in range(int(repeat)):
            twin = engine.clone()
            t0 = time.perf_counter()
            raw = twin.eval_query_as_json(query)
            took = (time.perf_counter() - t0) * 1000
            best = took if best is None else min(best, took)
        rows = json.loads(raw)["result"]
        value = rows[0]["bindings"]["x"] if rows else None
        if value is not None:
            value = {"violations": sorted(json.dumps(v, sort_keys=True) for v in value["violations"]),
                     "in_scope": sorted(value["in_scope"])}
        out["ms"][n][control.id] = best
        out["results"][n][control.id] = value
print(json.dumps(out))
"""


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(max(y, 1e-3)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / den if den else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("evidence", type=Path, nargs="+", help="evidence folders, smallest first")
    parser.add_argument("--policies", type=Path, action="append", help="policy folder(s) (default: bundled)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per control; the fastest is kept")
    parser.add_argument("--flag", type=float, default=1.2, help="mark a control growing faster than this")
    parser.add_argument("--min-ms", type=float, default=20.0, help="fit no exponent below this at every size")
    args = parser.parse_args()
    repo = Path(__file__).resolve().parent.parent
    policies = args.policies or [repo / "policies"]
    runs = []
    differ = False
    for folder in args.evidence:
        load = os.getloadavg()[0]
        run = json.loads(subprocess.run(
            [sys.executable, "-c", WORKER, str(folder), str(args.repeat), *map(str, policies)],
            check=True, capture_output=True, text=True).stdout)
        runs.append(run)
        totals = ", ".join(f"{sum(ms.values()) / 1000:.2f}s" for ms in run["ms"])
        print(f"{folder}: {sum(run['items'].values())} items read in all; sum of query times {totals} "
              f"(load average {load:.1f} before, {os.getloadavg()[0]:.1f} after)")
        for cid, first in run["results"][0].items():
            for n, other in enumerate(run["results"][1:], 1):
                if other[cid] != first:
                    differ = True
                    print(f"    RESULTS DIFFER: {cid} between {policies[0]} and {policies[n]}")
    print()
    names = [p.name or str(p) for p in policies]
    header = f"{'control':9s} " + " ".join(f"{f.name[:14]:>14s}" for f in args.evidence for _ in policies)
    print(header + "  " + "  ".join(f"exp({n})" for n in names) + ("  ratio(last)" if len(policies) > 1 else ""))
    flagged = set()
    for cid in runs[0]["ms"][0]:
        row = f"{cid:9s} " + " ".join(f"{run['ms'][n][cid] / 1000:13.3f}s" for run in runs
                                      for n in range(len(policies)))
        for n in range(len(policies)):
            ms = [run["ms"][n][cid] for run in runs]
            if len(runs) < 2 or max(ms) < args.min_ms:
                row += "       -"
                continue
            exponent = slope([float(max(run["items"][cid], 1)) for run in runs], ms)
            row += f"  {exponent:5.2f}" + ("*" if exponent > args.flag else " ")
            if exponent > args.flag:
                flagged.add(f"{cid} ({names[n]})")
        if len(policies) > 1:
            last = runs[-1]["ms"]
            row += f"  {last[0][cid] / max(last[-1][cid], 1e-3):6.1f}x"
        print(row)
    print()
    for n, name in enumerate(names):
        print(f"sum of query times ({name}): " + ", ".join(f"{sum(run['ms'][n].values()) / 1000:.2f}s" for run in runs))
    print(f"controls above {args.flag}: {', '.join(sorted(flagged)) if flagged else 'none'}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
