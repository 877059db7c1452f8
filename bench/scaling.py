"""Benchmark: how each control's time grows with the evidence, every kind growing together.

The organisation is the demo's (``make demo``: 1,233 items of 14 kinds) repeated as ``tenants``
copies, each a consistent organisation of its own: every item id, commit SHA, e-mail address and
repository name is renamed per copy wherever it appears, so joins stay within a copy (a deployment
still finds its changes, an approval its identity) and every kind grows with the copies, not only
deployments. Each size is evaluated in a fresh process (``auditor evaluate`` as a library, all
controls, ``--jobs``), then for each control the growth exponent is the least-squares slope of
log(time) against log(items in the kinds it reads); a control above ``--flag`` (1.2) is flagged.

    python bench/scaling.py [--tenants 4 8 16 32] [--jobs 2] [--flag 1.2] [--keep]

Times are the wall time of each control's worker; the machine's load average is printed with each
size (other processes on the same cores inflate them).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "evidence" / "examples" / "demo"
sys.path.insert(0, str(REPO / "bench"))
from evaluate import AUDITOR_RUN  # noqa: E402  (the same measured run as bench/evaluate.py)

_SHA = re.compile(r"^[0-9a-f]{7,64}$")
_EMAIL = re.compile(r"^([^@\s]+)@([^@\s]+)$")


def _renamer(documents: list[dict[str, Any]], tenant: int) -> Any:
    """A function renaming the join keys of one copy: ids, SHAs, e-mail addresses, repositories."""
    if tenant == 0:
        return lambda value: value
    keys: set[str] = set()
    for doc in documents:
        for item in doc["items"]:
            if isinstance(item, dict):
                for field in ("id", "repository"):
                    if isinstance(item.get(field), str):
                        keys.add(item[field])
    suffix = f"-t{tenant}"

    def rename(value: Any) -> Any:
        if isinstance(value, str):
            if _SHA.match(value):
                return hashlib.sha256(f"{value}/{tenant}".encode()).hexdigest()[: len(value)]
            if value in keys:
                return value + suffix
            if found := _EMAIL.match(value):
                return f"{found[1]}{suffix}@{found[2]}"
            return value
        if isinstance(value, list):
            return [rename(v) for v in value]
        if isinstance(value, dict):
            return {k: rename(v) for k, v in value.items()}
        return value

    return rename


def generate(out: Path, tenants: int) -> tuple[int, dict[str, int]]:
    """Write ``tenants`` copies of the demo into ``out``; return (bytes, items per kind)."""
    out.mkdir(parents=True, exist_ok=True)
    documents = [json.loads(p.read_text()) for p in sorted(DEMO.glob("*.json"))]
    grown: dict[str, list[Any]] = defaultdict(list)
    for tenant in range(tenants):
        rename = _renamer(documents, tenant)
        for doc in documents:
            grown[doc["kind"]].extend(rename(item) for item in doc["items"])
    total = 0
    counts = {}
    for path, doc in zip(sorted(DEMO.glob("*.json")), documents, strict=True):
        doc = dict(doc, items=grown[doc["kind"]])
        counts[doc["kind"]] = len(doc["items"])
        data = json.dumps(doc, sort_keys=True).encode()
        (out / path.name).write_bytes(data)
        total += len(data)
    return total, counts


def slope(xs: list[float], ys: list[float]) -> float:
    """Least-squares slope of log(y) against log(x)."""
    lx, ly = [math.log(x) for x in xs], [math.log(max(y, 1e-3)) for y in ys]
    mx, my = sum(lx) / len(lx), sum(ly) / len(ly)
    den = sum((x - mx) ** 2 for x in lx)
    return sum((x - mx) * (y - my) for x, y in zip(lx, ly, strict=True)) / den if den else float("nan")


def control_kinds() -> dict[str, tuple[str, ...]]:
    from auditor.content import bundled
    from auditor.controls import load_library

    return {c.id: c.reads for c in load_library(bundled("controls"))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, nargs="+", default=[4, 8, 16, 32], help="copies of the demo per size")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--flag", type=float, default=1.2, help="flag a control growing faster than this exponent")
    parser.add_argument("--min-ms", type=float, default=20.0,
                        help="fit no exponent for a control faster than this at every size (noise, not growth)")
    parser.add_argument("--keep", action="store_true", help="keep the generated organisations")
    args = parser.parse_args()
    if len(args.tenants) < 2:
        parser.error("--tenants needs at least two sizes")
    reads = control_kinds()
    work = Path(tempfile.mkdtemp(prefix="auditor-scaling-"))
    sizes: list[dict[str, int]] = []
    times: list[dict[str, float]] = []
    try:
        for tenants in args.tenants:
            folder = work / f"t{tenants}"
            size, counts = generate(folder / "evidence", tenants)
            load = os.getloadavg()[0]
            t0 = time.perf_counter()
            run = json.loads(subprocess.run(
                [sys.executable, "-c", AUDITOR_RUN, str(folder / "evidence"), str(folder / "results.json"),
                 str(args.jobs)], check=True, capture_output=True, text=True).stdout)
            statuses = json.loads((folder / "results.json").read_text())
            errors = [c["id"] for c in statuses["controls"] if c["status"] == "error"]
            print(f"{tenants:4d} copies: {sum(counts.values()):8d} items, {size / 1e6:7.1f} MB JSON; wall "
                  f"{run['wall']:6.2f}s (validate {run['validate']:.2f}s, input {run['set_input']:.2f}s, queries "
                  f"{run['query']:.2f}s, write {run['write']:.2f}s); peak RSS {run['rss_mb']:.0f} MB "
                  f"({run['rss_mb'] * 2**20 / size:.2f}x the JSON); load average {load:.1f} "
                  f"[{time.perf_counter() - t0:.0f}s]" + (f"; ERROR in {', '.join(errors)}" if errors else ""))
            sizes.append(counts)
            times.append(run["controls_ms"])
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        print()
        header = "control   " + "".join(f"{t:>9d}x" for t in args.tenants) + "   items read (largest)  exponent"
        print(header)
        flagged = []
        for cid in sorted(times[0]):
            items = [float(sum(counts.get(k, 0) for k in reads.get(cid, ())) or 1) for counts in sizes]
            ms = [t.get(cid, 0.0) for t in times]
            row = f"{cid:9s} " + "".join(f"{m / 1000:9.2f}s" for m in ms) + f"   {int(items[-1]):>12d}          "
            if max(ms) < args.min_ms:
                print(row + f"    - (under {args.min_ms:.0f} ms at every size)")
                continue
            exponent = slope(items, ms)
            mark = f"  <-- above {args.flag}" if exponent > args.flag else ""
            if mark:
                flagged.append(cid)
            print(row + f"{exponent:5.2f}{mark}")
        print()
        total = [sum(t.values()) for t in times]
        all_items = [float(sum(c.values())) for c in sizes]
        print(f"all controls: {', '.join(f'{t / 1000:.2f}s' for t in total)}; exponent {slope(all_items, total):.2f}")
        print(f"controls above {args.flag}: {', '.join(flagged) if flagged else 'none'}")
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
