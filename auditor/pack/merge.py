"""Merge the signed packs of evidence shards into one signed pack (``auditor pack merge``).

Each shard is one pipeline job's pack (a CI matrix entry) over part of one organisation's
evidence. The merge trusts nothing it has not checked: every shard pack is verified with a pinned
key (signature, every member's digest, results naming exactly the evidence packed), and the shards
must agree on what makes their results comparable: the control library's content (the sha256 of
every ``library/`` member), ``as_of``, the Auditor version, the results schema, ``fail_on``, the
controls evaluated and the controls a layer disabled. Anything else is a refusal (exit 2) naming the
shard and what differs.

Per control, a shard *abstains* when it collected none of the control's required kinds (no
document of any of them): the control's evidence lives in another shard. Every other shard
*took part*, and the merged status is the worst of theirs: ``error`` > ``fail`` >
``insufficient_evidence`` > ``waived`` > ``pass`` (so ``pass`` only when every shard that evaluated
it passed; nothing in any shard is ``insufficient_evidence``). Populations add up, violations and
waived violations are the union (deduplicated, sorted), evidence paths are prefixed with the shard
name. Shards that evaluated a control on byte-identical documents (e.g. the same ``identities``
file in every shard) count once, so shared evidence is not counted twice.

A join split across shards is refused: a shard that evaluated a control with one of its kinds
(required or optional) absent while another shard had that kind would pass or fail it on half a
join (deployments in one shard, the changes they deploy in another). With ``split="insufficient"``
such a control ends ``insufficient_evidence`` instead, naming the shards and kinds, never a verdict.

The merged pack is built by the same deterministic builder as any pack: evidence under
``evidence/<shard>/``, the library once, a merged ``results.json`` with a ``shards`` section, and a
predicate naming every shard pack's sha256 (``shards`` and, in-toto style, ``materials``). Shards are
ordered by their pack's sha256, so the same shards in any order give the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar

import orjson
import yaml

from auditor.errors import InputError
from auditor.files import canonical_json, pretty_json, write_atomic
from auditor.model import Status, severity_rank
from auditor.pack.build import LibrarySnapshot, PackResult, build_pack
from auditor.pack.manifest import MANIFEST, RESULTS
from auditor.pack.manifest import parse as parse_manifest
from auditor.pack.signers import Verifier
from auditor.pack.verify import Verification, verify_pack
from auditor.results import WrittenResults
from auditor.results_model import (
    ControlOutcome,
    EvidenceEntry,
    FrameworkCoverage,
    JudgedWaiver,
    Population,
    Results,
    Violation,
    WaivedViolation,
)
from auditor.waivers import unmatched_waiver

#: worst first: the merged status is the first of these any taking-part shard has
PRECEDENCE = (Status.ERROR, Status.FAIL, Status.INSUFFICIENT_EVIDENCE, Status.WAIVED, Status.PASS)
SPLIT_MODES = ("refuse", "insufficient")
MERGE_FORMAT = "https://auditor.dev/audit-pack/merge/v1"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_HEX = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1 << 20


@dataclass
class Shard:
    name: str
    #: the pack as given (for messages)
    path: Path
    sha256: str
    verification: Verification
    results: Results
    library_digest: str
    #: every member's signed sha256 (from the verified manifest)
    members: dict[str, str] = field(default_factory=dict)
    #: the private copy that was verified and is read (the original may change meanwhile)
    local: Path | None = None

    @property
    def kinds(self) -> set[str]:
        return {d.kind for d in self.results.evidence}

    def docs_of(self, kinds: Sequence[str]) -> list[EvidenceEntry]:
        return [d for d in self.results.evidence if d.kind in kinds]

    def control(self, control_id: str) -> ControlOutcome:
        """The shard's outcome of ``control_id`` (every shard evaluated the same controls: check_compatible)."""
        return next(c for c in self.results.controls if c.id == control_id)

    def summary(self) -> dict[str, Any]:
        r = self.results
        return {
            "name": self.name, "sha256": self.sha256, "run_id": r.run_id, "as_of": r.as_of,
            "started_at": r.started_at, "finished_at": r.finished_at, "engine": r.engine,
            "key_id": self.verification.key_id, "development": self.verification.development,
            "evidence": {"documents": len(r.evidence), "kinds": sorted(self.kinds)},
            "controls": dict(sorted(_counts(r.controls).items())),
        }


@dataclass(frozen=True)
class MergeResult:
    pack: PackResult
    shards: list[dict[str, Any]]
    #: the merged results, as the pack's results.json holds them
    results: Results
    split: list[str]


def _counts(controls: list[ControlOutcome]) -> dict[str, int]:
    counts = {s.value: 0 for s in Status}
    for c in controls:
        counts[c.status.value] += 1
    return counts


def shard_names(paths: Sequence[Path]) -> list[str]:
    """Each shard's name: its file name without ``.zip``; the folder's name when those collide (``a/pack.zip``)."""
    for names in ([p.name.removesuffix(".zip") for p in paths], [p.resolve().parent.name for p in paths]):
        if len(set(names)) == len(names) and all(_NAME.match(n) for n in names):
            return names
    raise InputError("shard packs need distinct names: name each file <shard>.zip (letters, digits, '.', '_', '-'), "
                     f"or put each in a folder named for its shard; got {', '.join(str(p) for p in paths)}")


def _verify(path: Path, verifiers: Sequence[Verifier]) -> Verification:
    reasons = []
    for verifier in verifiers:
        result = verify_pack(path, verifier)
        if result.valid:
            return result
        reasons.append(result.reason or "invalid")
    # the key that signed it, when it is one of the trusted keys, has the telling reason
    telling = [r for r in reasons if not r.startswith("signed by a different key")] or reasons[:1]
    raise InputError(f"{path}: shard pack is not valid: {telling[0]}")


def load_shard(path: Path, name: str, verifiers: Sequence[Verifier], copy: Path) -> Shard:
    """Copy ``path`` to ``copy``, verify the copy with one of ``verifiers``, read its results and library digest.

    Everything is read from the verified copy, so a shard replaced after it was verified changes nothing.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: shard pack not found")
    try:
        shutil.copyfile(path, copy)
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        verification = _verify(copy, verifiers)
    except InputError as exc:
        raise InputError(str(exc).replace(str(copy), str(path), 1)) from None
    with zipfile.ZipFile(copy) as archive:
        manifest = {n: e.sha256 for n, e in parse_manifest(archive.read(MANIFEST)).items()}
        raw = archive.read(RESULTS)
    try:  # checked and typed: a shard of another schema or with damaged results is exit 2 naming the field
        results = Results.from_dict(orjson.loads(raw), f"{path}:{RESULTS}")
    except orjson.JSONDecodeError:  # verified, so only a pack signed with bad results gets here
        raise InputError(f"{path}: {RESULTS} is not valid JSON") from None
    library = sorted((n, d) for n, d in manifest.items() if n.startswith("library/"))
    digest = hashlib.sha256(canonical_json(library)).hexdigest()
    return Shard(name, path, verification.sha256 or "", verification, results, digest, manifest, copy)


def _agree(shards: list[Shard], what: str, value: Any) -> None:
    first = shards[0]
    expected = value(first)
    for shard in shards[1:]:
        found = value(shard)
        if found != expected:
            raise InputError(f"{shard.path}: shard {shard.name} has {what} {_shown(found)}, shard {first.name} "
                             f"({first.path}) has {_shown(expected)}: shards must share it to be merged")


def _shown(value: Any) -> str:
    text = value if isinstance(value, str) else canonical_json(value).decode()
    return text if len(text) <= 80 else text[:77] + "..."


def check_compatible(shards: list[Shard]) -> None:
    seen: dict[str, Shard] = {}
    runs: dict[str, Shard] = {}
    for shard in shards:
        if shard.sha256 in seen:
            raise InputError(f"{shard.path}: shard {shard.name} is the same pack as {seen[shard.sha256].path} "
                             f"(sha256 {shard.sha256[:12]}...): each shard once")
        seen[shard.sha256] = shard
        run = shard.results.run_id
        if run in runs:
            raise InputError(f"{shard.path}: shard {shard.name} is run {run}, as is shard {runs[run].name} "
                             f"({runs[run].path}): the same run packed twice")
        runs[run] = shard
    _agree(shards, "the library digest (sha256 over every library/ member)", lambda s: s.library_digest)
    _agree(shards, "as_of", lambda s: s.results.as_of)
    _agree(shards, "Auditor version", lambda s: (s.verification.predicate.get("versions") or {}).get("auditor"))
    _agree(shards, "schema_version", lambda s: s.results.schema_version)
    _agree(shards, "fail_on", lambda s: s.results.fail_on)
    _agree(shards, "controls", lambda s: sorted(c.id for c in s.results.controls))
    _agree(shards, "disabled controls", lambda s: [d.to_dict() for d in s.results.disabled_controls or []])


def _uses(library_root: Path) -> dict[str, tuple[str, ...]]:
    """Each control's optional kinds, from the packed library's control files (layers override the base)."""
    from auditor.controls import control_files

    found: dict[str, tuple[str, ...]] = {}
    roots = [library_root / "controls", *sorted((library_root / "layers").glob("*/controls"))]
    for root in roots:
        for path in control_files(root) if root.is_dir() else []:
            try:
                doc = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (yaml.YAMLError, UnicodeDecodeError):
                continue  # the shards evaluated this library; what does not parse here is not a control
            if isinstance(doc, dict) and isinstance(doc.get("id"), str) and isinstance(doc.get("uses"), list):
                found[doc["id"]] = tuple(str(k) for k in doc["uses"])
    return found


def _optional(control: ControlOutcome, uses: dict[str, tuple[str, ...]], shards: list[Shard]) -> tuple[str, ...]:
    """The control's optional kinds: its ``uses`` in the library, and any other kind a shard's run read for it."""
    read: set[str] = set(uses.get(control.id, ()))
    for shard in shards:
        kind_of = {d.path: d.kind for d in shard.results.evidence}
        read.update(kind_of[e] for e in shard.control(control.id).evidence if e in kind_of)
    return tuple(sorted(read - set(control.evidence_kinds)))


@dataclass
class _Part:
    shard: Shard
    entry: ControlOutcome


def _split(control: ControlOutcome, uses: tuple[str, ...], shards: list[Shard]) -> tuple[list[_Part], str | None]:
    """(shards taking part in ``control``, a description of a join split across shards or None)."""
    required = list(control.evidence_kinds)
    parts: list[_Part] = []
    problems: list[str] = []
    for shard in shards:
        entry = shard.control(control.id)
        kinds = shard.kinds
        if not kinds & set(required):
            continue  # abstains: the control's evidence is in another shard
        parts.append(_Part(shard, entry))
        for kind in sorted(set(required + list(uses)) - kinds):
            elsewhere = sorted(s.name for s in shards if kind in s.kinds)
            if elsewhere:
                problems.append(f"shard {shard.name} evaluated it without {kind}, which shard "
                                f"{', '.join(elsewhere)} had")
    return parts, "; ".join(problems) or None


def _fingerprint(part: _Part, kinds: Sequence[str]) -> tuple[str, ...]:
    return tuple(sorted(d.sha256 for d in part.shard.docs_of(kinds)))


_Item = TypeVar("_Item", Violation, WaivedViolation)


def _dedupe(items: list[_Item]) -> list[_Item]:
    """Once each, in the evaluator's order (resource, then message), whole-item bytes breaking ties."""
    unique = {canonical_json(i.to_dict()): i for i in items}
    return [unique[k] for k in sorted(unique, key=lambda k: (unique[k].resource, unique[k].message, k))]


def _violation_reason(violations: int, waived: int) -> str:
    reason = f"{violations} violation{'s' if violations != 1 else ''}"
    return reason + (f" ({waived} more waived)" if waived else "")


def merge_control(control: ControlOutcome, uses: tuple[str, ...], shards: list[Shard],
                  split_mode: str) -> tuple[ControlOutcome, str | None]:
    """The merged outcome of ``control`` (the first shard's, for what every shard shares) and the
    description of a join split across shards, or None."""
    parts, split = _split(control, uses, shards)
    kinds = [*control.evidence_kinds, *uses]
    unique: dict[tuple[str, ...], _Part] = {}
    for part in parts:  # shards that judged byte-identical evidence count once
        unique.setdefault(_fingerprint(part, kinds), part)
    counted = list(unique.values())
    violations = _dedupe([v for p in counted for v in p.entry.violations])
    waived = _dedupe([w for p in counted for w in p.entry.waived_violations])
    populations = [p.entry.population for p in counted if p.entry.population is not None]
    merged = replace(
        control,
        evidence=sorted(f"{p.shard.name}/{e}" for p in parts for e in p.entry.evidence),
        duration_ms=sum(p.entry.duration_ms for p in parts),
        violations=violations, violation_count=len(violations),
        population=Population(sum(p.in_scope for p in populations), sum(p.passed for p in populations))
        if populations else None,
        waived=waived or None,
    )
    if split is not None:
        merged.status = Status.INSUFFICIENT_EVIDENCE
        merged.reason = f"evidence split across shards: {split}; not judged on half a join"
        merged.population = None
        return merged, f"{control.id}: {split}"
    if not counted:
        merged.status = Status.INSUFFICIENT_EVIDENCE
        merged.reason = f"no shard had its evidence ({', '.join(control.evidence_kinds)})"
        merged.population = None
        return merged, None
    statuses = {p.entry.status for p in counted}
    status = next(s for s in PRECEDENCE if s in statuses)
    merged.status = status
    if len(counted) == 1:
        merged.reason = counted[0].entry.reason
    elif status is Status.FAIL:
        merged.reason = _violation_reason(len(violations), len(waived))
    elif status is Status.WAIVED:
        merged.reason = f"{len(waived)} violation{'s' if len(waived) != 1 else ''} waived"
    elif status is Status.PASS:
        merged.reason = counted[0].entry.reason
    else:
        merged.reason = "; ".join(f"shard {p.shard.name}: {p.entry.reason}"
                                  for p in counted if p.entry.status is status)
    if status is Status.ERROR and violations:
        merged.reason += f" ({len(violations)} violations found by other shards)"
    return merged, None


def _exit_code(controls: list[ControlOutcome], fail_on: str) -> int:
    if any(c.status is Status.ERROR for c in controls):
        return 3
    threshold = severity_rank(fail_on)
    for c in controls:
        if severity_rank(c.severity) < threshold:
            continue
        if c.status is Status.INSUFFICIENT_EVIDENCE:
            return 1
        if c.status is Status.FAIL and any(v.counts_as_new for v in c.violations):
            return 1
    return 0


def _summary(controls: list[ControlOutcome], disabled: int) -> dict[str, Any]:
    by_family: dict[str, dict[str, int]] = {}
    for c in controls:
        by_family.setdefault(c.family, {s.value: 0 for s in Status})[c.status.value] += 1
    out: dict[str, Any] = {"total": len(controls), "by_status": _counts(controls), "by_family": by_family}
    if disabled:
        out["disabled"] = disabled
    return out


def _waivers(shards: list[Shard]) -> list[JudgedWaiver]:
    """Judged waivers, once per waiver id, ``matched`` summed over the shards."""
    by_id: dict[str, JudgedWaiver] = {}
    for shard in shards:
        for w in shard.results.waivers or []:
            known = by_id.get(w.id)
            by_id[w.id] = w if known is None else replace(known, matched=(known.matched or 0) + (w.matched or 0))
    return [by_id[k] for k in sorted(by_id)]


def _warnings(shards: list[Shard], waivers: list[JudgedWaiver]) -> list[str]:
    matched = {w.id for w in waivers if w.matched}
    found: set[str] = set()
    for shard in shards:
        for w in shard.results.warnings or []:
            if unmatched_waiver(w) in matched:
                continue  # another shard's violation matched it
            found.add(w)
    return sorted(found)


def merged_results(shards: list[Shard], library_root: Path, split_mode: str) -> tuple[Results, list[str]]:
    """The merged run's results (without ``coverage``: :func:`merged_coverage`) and the split joins."""
    first = shards[0].results
    uses = _uses(library_root)
    controls, split = [], []
    for control in sorted(first.controls, key=lambda c: c.id):
        merged, problem = merge_control(control, _optional(control, uses, shards), shards, split_mode)
        controls.append(merged)
        if problem:
            split.append(problem)
    if split and split_mode == "refuse":
        raise InputError(f"evidence kinds split across shards for {len(split)} control(s): {'; '.join(split)}. "
                         "A join over half the data is no verdict: put every kind a control reads in one shard "
                         "(docs/scaling.md), or pass --split-joins insufficient to record them as "
                         f"{Status.INSUFFICIENT_EVIDENCE.value}")
    engines = {canonical_json(s.results.engine) for s in shards}
    engine = first.engine if len(engines) == 1 else {
        "name": "+".join(sorted({s.results.engine["name"] for s in shards})),
        "version": "+".join(sorted({s.results.engine["version"] for s in shards})),
        "auditor": first.engine["auditor"]}
    waivers = _waivers(shards)
    warnings = _warnings(shards, waivers) + [f"control {p}: evidence split across shards, not judged"
                                                for p in split]
    disabled = first.disabled_controls or []
    digest = hashlib.sha256("".join(s.sha256 for s in shards).encode()).hexdigest()
    baselines = [s.results.baseline for s in shards if s.results.baseline is not None]
    baseline = None
    if baselines:
        known = sum(1 for c in controls for v in c.violations if v.new is False)
        new = sum(1 for c in controls for v in c.violations if v.new is True)
        baseline = {"known": known, "new": new, "baseline_size": max(b["baseline_size"] for b in baselines)}
    results = Results(
        schema_version=first.schema_version,
        run_id=f"merge-{digest[:16]}",
        started_at=min(s.results.started_at for s in shards),
        finished_at=max(s.results.finished_at for s in shards),
        as_of=first.as_of,
        engine=engine,
        fail_on=first.fail_on,
        exit_code=_exit_code(controls, first.fail_on),
        evidence=sorted((replace(d, path=f"{s.name}/{d.path}") for s in shards for d in s.results.evidence),
                        key=lambda d: d.path),
        controls=controls,
        summary=_summary(controls, len(disabled)),
        waivers=waivers,
        warnings=warnings,
        baseline=baseline,
        disabled_controls=list(disabled) or None,
        extra={"shards": [s.summary() for s in shards]},
    )
    return results, split


def merged_coverage(results: Results, library_root: Path,
                    evidence_root: Path) -> dict[str, FrameworkCoverage] | None:
    """results.json ``coverage`` of the merged run: the shards' library mappings (base and layers), the merged
    statuses and the attestations in every shard's evidence, judged at the shards' common ``as_of``; None
    when the library has no mappings."""
    from auditor.evidence.load import evidence_files, load_evidence, parse_time
    from auditor.mappings.attestations import attestations_in
    from auditor.mappings.coverage import control_statuses, coverage_section
    from auditor.mappings.load import load_layered_mappings

    roots = [library_root / "mappings", *sorted(p for p in (library_root / "layers").glob("*/mappings") if p.is_dir())]
    if not (roots[0] / "frameworks").is_dir():
        return None
    mappings = load_layered_mappings(roots)
    if not mappings.catalogs:
        return None
    # each shard's evidence on its own (the same document may be in two shards); an attestation once by id
    found: dict[str, Any] = {}
    for folder in sorted(p for p in evidence_root.iterdir() if p.is_dir() and evidence_files(p)):
        for att in attestations_in(load_evidence(folder), mappings.catalogs):
            found.setdefault(att.id, att)
    attestations = [found[k] for k in sorted(found)]
    section = coverage_section(mappings, control_statuses(results), attestations, parse_time(results.as_of))
    return {framework: FrameworkCoverage.from_dict(counts) for framework, counts in section.items()}


class _MergedLibrary(LibrarySnapshot):
    """The shards' library, extracted once, with the provenance the shards recorded."""

    def __init__(self, root: Path, provenance: dict[str, Any]) -> None:
        layers = []
        layers_root = root / "layers"
        for layer in sorted(layers_root.iterdir()) if layers_root.is_dir() else []:
            layers.append((layer.name, {p.name: p for p in sorted(layer.iterdir())}))
        params = sorted((root / "params").glob("*")) if (root / "params").is_dir() else []
        super().__init__(controls=root / "controls", policies=root / "policies", mappings=root / "mappings",
                         params=params[0] if params else None, layers=tuple(layers))
        self._provenance = provenance

    def provenance(self) -> dict[str, Any]:
        return self._provenance


def _extract(shard: Shard, prefix: str, dest: Path) -> None:
    """Copy the shard's members under ``prefix`` to ``dest``, checking each against the verified digest."""
    with zipfile.ZipFile(shard.local or shard.path) as archive:
        for name, digest in sorted(shard.members.items()):
            if not name.startswith(prefix):
                continue
            target = dest / PurePosixPath(name[len(prefix):])
            target.parent.mkdir(parents=True, exist_ok=True)
            sha = hashlib.sha256()
            with archive.open(name) as source, target.open("wb") as out:
                while block := source.read(CHUNK):
                    sha.update(block)
                    out.write(block)
            if sha.hexdigest() != digest:
                raise InputError(f"{shard.path}: member {name} changed while it was being merged: "
                                 "verify the shard again")


def merge_packs(paths: Sequence[Path], verifiers: Sequence[Verifier], out: Path, signer: Any, *,
                development: bool = False, split_mode: str = "refuse", results_out: Path | None = None) -> MergeResult:
    """Verify, check and merge the shard packs at ``paths`` into one pack at ``out``, signed by ``signer``;
    with ``results_out``, the merged results.json (the bytes packed) is written there too, after the pack."""
    if split_mode not in SPLIT_MODES:
        raise InputError(f"--split-joins: found {split_mode!r}, expected one of {', '.join(SPLIT_MODES)}")
    if len(paths) < 2:
        raise InputError("pack merge needs at least two shard packs")
    if not verifiers:
        raise InputError("--pub: give the public key(s) the shard packs must be signed with")
    paths = [Path(p) for p in paths]
    names = shard_names(paths)
    work = Path(tempfile.mkdtemp(prefix="auditor-merge-"))
    try:
        (work / "shards").mkdir()
        shards = sorted((load_shard(p, n, verifiers, work / "shards" / f"{n}.zip")
                         for p, n in zip(paths, names, strict=True)), key=lambda s: s.sha256)
        check_compatible(shards)
        library_root = work / "library"
        _extract(shards[0], "library/", library_root)
        results, split = merged_results(shards, library_root, split_mode)
        evidence_root = work / "evidence"
        evidence_root.mkdir()
        for shard in shards:
            _extract(shard, "evidence/", evidence_root / shard.name)
        results.coverage = merged_coverage(results, library_root, evidence_root)
        results_path = work / "results.json"
        raw = pretty_json(results.to_dict())
        write_atomic(results_path, raw)
        # packed as written, never read back from disk (the document as the file holds it: sorted, lists)
        written = WrittenResults(results_path, raw, orjson.loads(raw))
        libraries = {canonical_json(s.verification.predicate.get("library") or {}) for s in shards}
        provenance = (shards[0].verification.predicate.get("library") or {"commit": "unknown"}
                      if len(libraries) == 1 else {"commit": "mixed", "commits": sorted(
                          {str((s.verification.predicate.get("library") or {}).get("commit")) for s in shards})})
        summaries = [s.summary() for s in shards]
        extra = {
            "merge": {"format": MERGE_FORMAT, "library_sha256": shards[0].library_digest,
                      "split_joins": split_mode, "split_controls": split},
            "shards": summaries,
            "materials": [{"uri": f"shard:{s.name}.zip", "digest": {"sha256": s.sha256}} for s in shards],
        }
        pack = build_pack(written, evidence_root, out, signer, library=_MergedLibrary(library_root, provenance),
                          development=development or any(s.verification.development for s in shards),
                          extra_predicate=extra)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if results_out is not None:
        write_atomic(Path(results_out), raw)
    return MergeResult(pack=pack, shards=summaries, results=results, split=split)


def merged_problems(pack: Path, predicate: dict[str, Any]) -> list[str] | None:
    """For a verified pack: None when it is not a merged pack, else what is wrong with its shard records."""
    if "merge" not in predicate and "shards" not in predicate:
        return None
    problems: list[str] = []
    shards = predicate.get("shards")
    materials = predicate.get("materials")
    if not isinstance(shards, list) or not shards or not all(isinstance(s, dict) for s in shards):
        return ["the merged pack's predicate has no list of shards"]
    names = [s.get("name") for s in shards]
    digests = [s.get("sha256") for s in shards]
    if not all(isinstance(n, str) and _NAME.match(n) for n in names) or len(set(names)) != len(names):
        problems.append("the merged pack's shard names are missing, malformed or repeated")
    if not all(isinstance(d, str) and _HEX.match(d) for d in digests) or len(set(digests)) != len(digests):
        problems.append("the merged pack's shard digests are missing, malformed or repeated")
    elif digests != sorted(digests):
        problems.append("the merged pack's shards are not in digest order")
    expected = [{"uri": f"shard:{s.get('name')}.zip", "digest": {"sha256": s.get("sha256")}} for s in shards]
    if materials != expected:
        problems.append("the merged pack's materials do not name exactly its shards' digests")
    with zipfile.ZipFile(pack) as archive:
        raw = archive.read(RESULTS)
    try:  # checked already by the verification this follows; a pack checked otherwise gets the reason
        results = Results.from_dict(orjson.loads(raw), RESULTS)
    except (InputError, orjson.JSONDecodeError) as exc:
        return [*problems, str(exc)]
    if results.extra.get("shards") != shards:
        problems.append("results.json records other shards than the signed predicate")
    known = set(n for n in names if isinstance(n, str))
    for doc in results.evidence:
        if doc.path.split("/", 1)[0] not in known:
            problems.append(f"evidence {doc.path} belongs to no shard")
            break
    for control in results.controls:
        if any(e.split("/", 1)[0] not in known for e in control.evidence):
            problems.append(f"control {control.id} cites evidence of no shard")
            break
    return problems
