"""Benchmark: the bench organisation evaluated in shards, merged into one pack, against one unsharded run.

Generates the organisation of ``bench/evaluate.py`` (``--scale``), splits it by kind family into
three shards that split no join (engineering: SOD/security/SM kinds; privacy: data stores, deletion
jobs, DSARs and identities; ai: models), and measures, each in a fresh process: ``auditor evaluate``
and ``auditor pack build`` per shard and unsharded, ``auditor pack merge`` and ``auditor verify`` of
the merged pack. Checks that the merged results equal the unsharded run's, control by control
(status, population, violations), and prints the seconds of each step.

    python bench/merge.py [--scale 0.1] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate import generate  # bench/ is scripts, not a package

REPO = Path(__file__).resolve().parent.parent
#: the demo's shard layout, shared with the tests and the matrix examples' layout
SHARDS: dict[str, list[str]] = json.loads((REPO / "evidence" / "examples" / "demo-shards.json").read_text())["shards"]
AS_OF = "2026-11-20T09:00:00Z"
AUDITOR = [sys.executable, "-m", "auditor"]


def timed(*args: str | Path, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    done = subprocess.run([*AUDITOR, *map(str, args)], capture_output=True, text=True)
    if done.returncode not in ok:
        sys.exit(f"{' '.join(map(str, args))}: exit {done.returncode}\n{done.stderr}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.1, help="bench/evaluate.py's sizes times this")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    options = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="auditor-bench-merge-"))
    try:
        size = generate(root / "all", options.scale)
        items = sum(len(json.loads(p.read_text())["items"]) for p in (root / "all").glob("*.json"))
        print(f"organisation: {items:,} items, {size / 1e6:.1f} MB (scale {options.scale})")
        timed("keys", "generate", "--out", root / "keys")
        key, pub = root / "keys" / "signing-key.pem", root / "keys" / "signing-key.pub.pem"
        rows = []
        for name in [*SHARDS, "all"]:
            folder = root / "all" if name == "all" else root / "shards" / name
            if name != "all":
                folder.mkdir(parents=True)
                for kind in SHARDS[name]:
                    shutil.copy(root / "all" / f"{kind}.json", folder / f"{kind}.json")
            results = root / "results" / f"{name}.json"
            results.parent.mkdir(exist_ok=True)
            evaluate = timed("evaluate", "--evidence", folder, "--as-of", AS_OF, "--out", results, ok=(0, 1))
            build = timed("pack", "build", "--results", results, "--evidence", folder, "--key", key,
                          "--out", root / "packs" / f"{name}.zip")
            rows.append((name, evaluate, build))
        shards = [root / "packs" / f"{n}.zip" for n in SHARDS]
        merge = timed("pack", "merge", *shards, "--pub", pub, "--key", key, "--out", root / "merged.zip",
                      "--results-out", root / "merged.json")
        verify = timed("verify", root / "merged.zip", "--key", pub)
        for name, evaluate, build in rows:
            print(f"{name:12} evaluate {evaluate:6.2f} s   pack build {build:6.2f} s")
        print(f"{'merge':12} {merge:6.2f} s   verify merged {verify:6.2f} s   "
              f"merged pack {(root / 'merged.zip').stat().st_size / 1e6:.1f} MB")
        whole = {c["id"]: c for c in json.loads((root / "results" / "all.json").read_text())["controls"]}
        merged = {c["id"]: c for c in json.loads((root / "merged.json").read_text())["controls"]}
        differ = [cid for cid, c in whole.items() if (c["status"], c["population"], c["violations"]) != (
            merged[cid]["status"], merged[cid]["population"], merged[cid]["violations"])]
        print(f"merged vs unsharded: {len(whole) - len(differ)} of {len(whole)} controls equal"
              + (f"; DIFFER: {', '.join(differ)}" if differ else ""))
        if differ:
            sys.exit(1)
    finally:
        if options.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
