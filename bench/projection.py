"""Benchmark: what projecting evidence to the fields the policies read saves, at bench scale.

Generates bench/evaluate.py's organisation (``--scale 1.0``: about 170k items), then for the whole
items and the projected ones measures, each in a fresh process:

* the engine's input JSON (bytes);
* ``set_input``: CPU seconds and the resident memory it adds (the engine's tree), loading from a
  file (``set_input_from_json_file``, what the evaluator does) and from a Python str (the old way,
  which holds the str and the payload beside the parse);
* the whole run (load, validate, evaluate, write): wall time and peak RSS, with ``--jobs``.

    python bench/projection.py [--scale 1.0] [--jobs 2] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
from evaluate import AUDITOR_RUN, generate  # noqa: E402

WRITE_INPUTS = r"""
import json, sys
from pathlib import Path
from auditor.content import bundled
from auditor.controls import load_library
from auditor.evidence import load_evidence
from auditor.evidence.projection import NONE, projection_for
from auditor.policies import load_policies
library = load_library(bundled("controls"))
policies = load_policies(bundled("policies"))
projection = projection_for(policies.runtime, {c.policy: c.reads for c in library}, library.params_document())
evidence = load_evidence(Path(sys.argv[1]))
sizes = {}
for name, chosen in (("whole", NONE), ("projected", projection)):
    with open(Path(sys.argv[2]) / f"{name}.json", "wb") as out:
        sizes[name] = evidence.write_input(out, chosen)
print(json.dumps({"sizes": sizes, "kept_whole": sorted(projection.whole)}))
"""

SET_INPUT = r"""
import json, os, resource, sys, time
os.environ["RUST_BACKTRACE"] = "0"
import regorus
def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
path, how = sys.argv[1], sys.argv[2]
engine = regorus.Engine()
before = rss()
t0 = time.process_time()
if how == "file":
    engine.set_input_from_json_file(path)
else:
    with open(path, "rb") as f:
        engine.set_input_json(f.read().decode())
cpu = time.process_time() - t0
print(json.dumps({"cpu": cpu, "tree_mb": rss() - before,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - before}))
"""


def run(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="auditor-projection-"))
    try:
        size = generate(work / "evidence", args.scale)
        print(f"generated {size / 1e6:.1f} MB of evidence; load average {os.getloadavg()[0]:.1f}")
        written = run(WRITE_INPUTS, str(work / "evidence"), str(work))
        whole, projected = written["sizes"]["whole"], written["sizes"]["projected"]
        print(f"input JSON: whole {whole / 1e6:.1f} MB, projected {projected / 1e6:.1f} MB "
              f"({(projected - whole) / whole:+.0%}); kinds kept whole: {', '.join(written['kept_whole']) or 'none'}")
        for name in ("whole", "projected"):
            for how in ("str", "file"):
                m = run(SET_INPUT, str(work / f"{name}.json"), how)
                print(f"set_input {name:9s} from {how:4s}: CPU {m['cpu']:.2f}s, engine tree {m['tree_mb']:.0f} MB, "
                      f"peak added {m['peak_mb']:.0f} MB; load average {os.getloadavg()[0]:.1f}")
        for mode in ("whole", "projected"):
            r = run(AUDITOR_RUN, str(work / "evidence"), str(work / f"results-{mode}.json"), str(args.jobs), mode)
            print(f"auditor --jobs {args.jobs} {mode:9s}: wall {r['wall']:.2f}s (validate {r['validate']:.2f}s, "
                  f"input {r['set_input']:.2f}s, queries {r['query']:.2f}s, write {r['write']:.2f}s), peak RSS "
                  f"{r['rss_mb']:.0f} MB main = {r['rss_mb'] * 2**20 / size:.2f}x the evidence JSON, "
                  f"{r['worker_rss_mb']:.0f} MB largest worker; violations {r['violations']}; "
                  f"load average {os.getloadavg()[0]:.1f}")
        a = json.loads((work / "results-whole.json").read_text())["controls"]
        b = json.loads((work / "results-projected.json").read_text())["controls"]
        strip = [{k: v for k, v in c.items() if k != "duration_ms"} for c in a]
        same = strip == [{k: v for k, v in c.items() if k != "duration_ms"} for c in b]
        print(f"results identical with and without projection: {same}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
