"""Independent count of first-parent commits lacking an approval from another person.

Plain ``git`` and Python only: no Auditor code is imported, so the count can be compared with
what the SOD-008 control reports on the same repository.

Rules (the same as SOD-008's, written from its description, not its code):

* the commits judged are the branch's first-parent history (``--since``: committed at or after);
* an approval is a ``Reviewed-by:``, ``Acked-by:`` or ``Approved-by:`` trailer naming an email;
* author and approver addresses are compared lower-cased after ``.mailmap`` (``%aE``,
  ``git check-mailmap``); a noreply or second address is a different person here (no
  identity directory);
* a non-merge commit needs ``--min`` approvers other than its author;
* a merge needs, for every commit it brought in (reachable from its other parents and not
  from its first parent), ``--min`` approvers other than that commit's author, counting
  the commit's own trailers and the merge's; a merge that brought nothing in is judged as
  a plain commit (its own author and trailers).

    python bench/four_eyes_count.py --repo PATH [--branch main] [--since 2024-01-01] [--min 1]
        [--list flagged.txt] [--compare results.json]

``--compare`` reads an ``auditor evaluate`` results.json and prints the commits flagged by
one side only (SOD-008 violations' resources are first-parent commit ids).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

TRAILERS = ("reviewed-by", "acked-by", "approved-by")
ADDRESS = re.compile(r"<([^<>]+@[^<>]+)>")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          env={"TZ": "UTC", "PATH": "/usr/bin:/bin", "LC_ALL": "C"}).stdout.decode("utf-8", "replace")


def read_history(repo: Path, branch: str) -> dict[str, tuple[list[str], str, str, list[str]]]:
    """sha -> (parents, mapped author email, committer date, raw approval trailer values)."""
    fmt = "%H%x1f%P%x1f%aE%x1f%cd%x1f%(trailers:only,unfold)%x1e"
    out = git(repo, "log", "--date=format-local:%Y-%m-%dT%H:%M:%SZ", f"--format={fmt}", branch)
    history = {}
    for record in out.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        sha, parents, author, date, trailers = record.split("\x1f")
        values = []
        for line in trailers.splitlines():
            key, _, value = line.partition(":")
            if key.strip().lower() in TRAILERS and ADDRESS.search(value):
                values.append(value.strip())
        history[sha] = (parents.split(), author.strip().lower(), date, values)
    return history


def mailmap(repo: Path, values: set[str]) -> dict[str, str]:
    """Trailer value ("Name <email>") -> the mailmap-resolved, lower-cased email."""
    resolved = {}
    ordered = sorted(values)
    for start in range(0, len(ordered), 200):
        chunk = ordered[start:start + 200]
        lines = git(repo, "check-mailmap", "--", *chunk).splitlines()
        for value, line in zip(chunk, lines, strict=True):
            match = ADDRESS.search(line) or ADDRESS.search(value)
            resolved[value] = match.group(1).strip().lower() if match else ""
    return resolved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True)
    parser.add_argument("--branch", default="HEAD")
    parser.add_argument("--since", default=None, help="YYYY-MM-DD or RFC 3339 (UTC): committed at or after")
    parser.add_argument("--min", type=int, default=1, dest="minimum")
    parser.add_argument("--list", type=Path, default=None, help="write the flagged commit ids here")
    parser.add_argument("--compare", type=Path, default=None, help="results.json of auditor evaluate")
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    tip = git(args.repo, "rev-parse", f"{args.branch}^{{commit}}").strip()
    history = read_history(args.repo, tip)
    people = mailmap(args.repo, {v for _p, _a, _d, vs in history.values() for v in vs})

    def approvers(sha: str) -> set[str]:
        return {people[v] for v in history[sha][3] if people.get(v)}

    chain = []
    sha: str | None = tip
    while sha is not None and sha in history:
        chain.append(sha)
        sha = history[sha][0][0] if history[sha][0] else None
    chain.reverse()
    cutoff = args.since if args.since is None or "T" in args.since else f"{args.since}T00:00:00Z"

    seen: set[str] = set()
    judged = flagged_merges = 0
    flagged: list[str] = []
    for sha in chain:
        seen.add(sha)
        parents, author, date, _ = history[sha]
        brought: list[str] = []
        stack = list(parents[1:])
        while stack:
            current = stack.pop()
            if current in seen or current not in history:
                continue
            seen.add(current)
            brought.append(current)
            stack.extend(history[current][0])
        if cutoff is not None and date < cutoff:
            continue
        judged += 1
        if brought:
            merge_approvers = approvers(sha)
            bad = any(len((approvers(c) | merge_approvers) - {history[c][1]}) < args.minimum for c in brought)
            flagged_merges += bad
        else:
            bad = len(approvers(sha) - {author}) < args.minimum
        if bad:
            flagged.append(sha)
    elapsed = time.perf_counter() - t0

    share = 100.0 * len(flagged) / judged if judged else 0.0
    print(f"repository {args.repo} branch {args.branch} ({tip[:12]})"
          + (f" since {args.since}" if args.since else ""))
    print(f"first-parent commits judged: {judged}")
    print(f"without {args.minimum} approval(s) from another person: {len(flagged)} ({share:.1f}%), "
          f"of which merges: {flagged_merges}")
    print(f"time: {elapsed:.2f} s")
    if args.list:
        args.list.write_text("".join(f"{s}\n" for s in sorted(flagged)))
    if args.compare:
        results = json.loads(args.compare.read_text())
        control = next((c for c in results["controls"] if c["id"] == "SOD-008"), None)
        if control is None:
            print("SOD-008 is not in the results", file=sys.stderr)
            return 2
        theirs = {v["resource"] for v in control.get("violations", [])}
        mine = set(flagged)
        print(f"SOD-008 flagged {len(theirs)}; only here: {len(mine - theirs)}; only in SOD-008: {len(theirs - mine)}")
        for s in sorted(mine - theirs)[:20]:
            print(f"  only here: {s}")
        for s in sorted(theirs - mine)[:20]:
            print(f"  only in SOD-008: {s}")
        return 0 if mine == theirs else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
