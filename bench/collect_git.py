"""Benchmark: collect 50,000 commits with the git collector vs plain ``git log`` printing the same fields.

Generates a repository with ``git fast-import`` (under bench/_data, reused between runs):
50,000 first-parent commits by 40 authors (some under a second, mailmapped email), every
tenth with approval trailers, and every 500th a merge of a two-commit side branch. Then
times, in the same run, best of --repeat:

* ``git log`` with the collector's --format (the baseline: git doing the work alone);
* ``GitCollector.collect()`` (git log + parsing, graph walk, mailmap, tags);
* the same plus writing the evidence documents.

Usage: python bench/collect_git.py [--commits 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.collect.base import Clock, parse_instant  # noqa: E402
from auditor.collect.git import LOG_FORMAT, GitCollector  # noqa: E402


def generate(path: Path, commits: int) -> None:
    path.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    (path / ".mailmap").write_text("".join(
        f"Dev {n} <dev{n}@example.com> <dev{n}@laptop.local>\n" for n in range(40)))
    lines: list[bytes] = []
    emit = lines.append
    mark = 0
    base = 1_700_000_000

    def commit(ref: str, n: int, parents: list[int], extra: str = "") -> int:
        nonlocal mark
        mark += 1
        who = n % 40
        email = f"dev{who}@laptop.local" if n % 7 == 0 else f"dev{who}@example.com"
        message = f"Change {n}\n\nBody of change {n}.\n"
        if n % 10 == 0:
            message += f"\nReviewed-by: Dev {(who + 1) % 40} <dev{(who + 1) % 40}@example.com>\n"
        message += extra
        data = message.encode()
        emit(f"commit {ref}\nmark :{mark}\n".encode())
        emit(f"author Dev {who} <{email}> {base + n * 60} +0000\n".encode())
        emit(f"committer Dev {who} <{email}> {base + n * 60} +0000\n".encode())
        emit(f"data {len(data)}\n".encode() + data)
        if parents:
            emit(f"from :{parents[0]}\n".encode())
            for p in parents[1:]:
                emit(f"merge :{p}\n".encode())
        emit(f"M 644 inline file{n % 100}.txt\ndata {len(str(n)) + 1}\n{n}\n\n".encode())
        return mark

    main = commit("refs/heads/main", 0, [])
    n = 1
    while n < commits:
        if n % 500 == 0 and n + 3 <= commits:
            side1 = commit("refs/heads/side", n, [main])
            side2 = commit("refs/heads/side", n + 1, [side1])
            main = commit("refs/heads/main", n + 2, [main, side2], "\nApproved-by: Dev 3 <dev3@example.com>\n")
            n += 3
        else:
            main = commit("refs/heads/main", n, [main])
            n += 1
    subprocess.run(["git", "fast-import", "--quiet"], cwd=path, input=b"".join(lines), check=True)
    subprocess.run(["git", "checkout", "-q", "-f", "main"], cwd=path, check=True)
    subprocess.run(["git", "add", ".mailmap"], cwd=path, check=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.com",
           "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.com"}
    subprocess.run(["git", "commit", "-q", "-m", "mailmap"], cwd=path, check=True, env=env)
    subprocess.run(["git", "gc", "-q"], cwd=path, check=True)


def best(fn: object, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--commits", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    repo = ROOT / "bench" / "_data" / f"git-{args.commits}"
    if not repo.exists():
        start = time.perf_counter()
        generate(repo, args.commits)
        print(f"generated {repo} in {time.perf_counter() - start:.1f} s")
    total = int(subprocess.run(["git", "rev-list", "--count", "main"], cwd=repo, capture_output=True,
                               text=True, check=True).stdout)

    def git_log() -> None:
        subprocess.run(["git", "log", "main", "-z", f"--format={LOG_FORMAT}", "--topo-order"], cwd=repo,
                       check=True, stdout=subprocess.PIPE)

    clock = Clock(parse_instant("2026-01-01T00:00:00Z"))
    counts: dict[str, int] = {}

    def collect() -> None:
        docs = GitCollector(repo, "main", clock=clock).collect()
        counts.update({d.kind: len(d.items) for d in docs})

    def collect_and_write() -> None:
        with tempfile.TemporaryDirectory() as tmp:
            GitCollector(repo, "main", clock=clock).write(Path(tmp))

    baseline = best(git_log, args.repeat)
    collected = best(collect, args.repeat)
    written = best(collect_and_write, args.repeat)
    print(f"repository: {total} commits reachable from main; collected {counts.get('changes')} first-parent changes")
    print(f"git log --format=... (same fields):  {baseline:7.3f} s")
    print(f"GitCollector.collect():              {collected:7.3f} s  ({collected / baseline:.2f}x git log)")
    print(f"collect + write evidence JSON:       {written:7.3f} s  ({written / baseline:.2f}x git log)")
    print(f"target: within 3x of git log -> {'met' if collected <= 3 * baseline else 'NOT met'} for collect, "
          f"{'met' if written <= 3 * baseline else 'NOT met'} with writing")


if __name__ == "__main__":
    main()
