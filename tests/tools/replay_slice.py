"""Write a slice of a repository's history as a ``git fast-import`` stream: metadata and messages only.

Every commit reachable from TIP and not from BASE is replayed with its author, committer,
dates and full message, and an empty tree; parents outside the slice are dropped. The
result is a small, faithful replay of the review trailers and merge structure, for tests.

    python tests/tools/replay_slice.py --repo PATH --base SHA --tip SHA --out slice.fi
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path


def git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def args_tip(args: argparse.Namespace, marks: dict[str, int]) -> str:
    tip = git(args.repo, "rev-parse", f"{args.tip}^{{commit}}").decode().strip()
    return tip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--base", required=True)
    parser.add_argument("--tip", required=True)
    parser.add_argument("--branch", default="master")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    shas = git(args.repo, "rev-list", "--reverse", "--topo-order", args.tip, f"^{args.base}").decode().split()
    inside = set(shas)
    marks = {sha: n for n, sha in enumerate(shas, start=1)}
    out = bytearray()
    for sha in shas:
        raw = git(args.repo, "cat-file", "commit", sha)
        header, _, message = raw.partition(b"\n\n")
        fields: dict[str, bytes] = {}
        parents: list[str] = []
        for line in header.split(b"\n"):
            key, _, value = line.partition(b" ")
            if key == b"parent":
                parents.append(value.decode())
            elif key in (b"author", b"committer"):
                fields[key.decode()] = value
        kept = [p for p in parents if p in inside]
        if not kept:  # a root of the slice: start the branch afresh so it gets no parent
            out += f"reset refs/heads/{args.branch}\n".encode()
        out += f"commit refs/heads/{args.branch}\nmark :{marks[sha]}\n".encode()
        out += b"author " + fields["author"] + b"\ncommitter " + fields["committer"] + b"\n"
        out += f"data {len(message)}\n".encode() + message + b"\n"
        if kept:
            out += f"from :{marks[kept[0]]}\n".encode()
            out += b"".join(f"merge :{marks[p]}\n".encode() for p in kept[1:])
        else:
            out += b"deleteall\n"
        out += b"\n"
    out += f"reset refs/heads/{args.branch}\nfrom :{marks[args_tip(args, marks)]}\n\n".encode()
    args.out.write_bytes(bytes(out))
    print(f"{len(shas)} commits -> {args.out} ({len(out)} bytes)")


if __name__ == "__main__":
    main()
