"""How the OPA backend sends a large evidence input: one request for every control, streamed.

Prints, for an input of --mb megabytes (synthetic items), the client-side peak of Python
allocations while sending (tracemalloc) and wall time, for: one batched request over
data.controls (what the backend does) vs one request per control (--controls N). Runs against
the loopback OPA test double (tests/opa_double.py) in a separate process, so the memory figure
is the client's alone; times include the double's JSON parsing and regorus evaluation, not OPA's.

    .venv/bin/python -m bench.opa_transfer --mb 100 --controls 20
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import orjson

from auditor.engine import create
from auditor.policies import PolicySource


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=100)
    parser.add_argument("--controls", type=int, default=20)
    args = parser.parse_args()
    item = {"id": "r-000000", "owner": "someone@example.com", "encrypted": False, "tags": ["a", "b", "c"]}
    count = int(args.mb * 1e6 / len(orjson.dumps(item)))
    blob = orjson.dumps({"things": [{**item, "id": f"r-{i:06d}"} for i in range(count)]})
    policies = [
        PolicySource(Path(f"c{i}.rego"), f"p/c{i}.rego", f"controls.p.c{i}",
                     f"package controls.p.c{i}\nimport rego.v1\n"
                     f"violations contains {{\"resource\": t.id, \"message\": \"m\"}} if {{\n"
                     f"  some t in input.things\n  t.id == \"r-{i:06d}\"\n}}\n")
        for i in range(args.controls)
    ]
    print(f"input: {len(blob) / 1e6:.1f} MB, {count} items, {args.controls} controls")
    server = subprocess.Popen([sys.executable, "-m", "tests.opa_double"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    url = server.stdout.readline().strip()  # type: ignore[union-attr]
    try:
        for mode in ("batched", "per-control"):
            engine = create("opa", url=url, timeout=600)
            engine.load(policies, {"params": {}, "audit": {"as_of": "2026-01-01T00:00:00Z"}})
            engine.set_input(blob)
            if mode == "per-control":
                engine._batch_failed["data.controls"] = "forced by the benchmark"  # type: ignore[attr-defined]
            tracemalloc.start()
            t0 = time.perf_counter()
            found = [engine.query(f"data.controls.p.c{i}.violations") for i in range(args.controls)]
            elapsed = time.perf_counter() - t0
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert all(len(v) == 1 for v in found)
            requests = 1 if mode == "batched" else args.controls
            print(f"{mode:12s} requests {requests:3d}  sent {requests * len(blob) / 1e6:8.1f} MB  "
                  f"time {elapsed:7.2f} s  client peak Python allocations while sending {peak / 1e6:6.2f} MB")
    finally:
        server.stdin.close()  # type: ignore[union-attr]
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
