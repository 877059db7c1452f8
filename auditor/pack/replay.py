"""Replay a verified pack: evaluate its own library over its own evidence and compare, control by control.

Verifying a pack proves who signed the results and that nothing changed since; replaying it proves
the results follow from the evidence, so an auditor need not trust the signer's evaluation either::

    from pathlib import Path
    from auditor.pack.replay import replay_pack
    from auditor.pack.signers import Verifier

    replay = replay_pack(Path("pack.zip"), Verifier.from_pem_file(Path("signer.pub.pem")))
    for control in replay.disagreements:
        print(control.id, control.detail)

The pack's library (base, layers in their recorded order, params file and profile) is evaluated at
the recorded ``as_of`` on the embedded engine. Waivers are claims the results carry, not inputs the
pack holds: a waived violation must be one the replay finds, and the control's status must be the one
those waivers leave. A control the run ended in ``error`` is not a claim; a replay that differs there
is reported as a note. A control of the library with no result (``--changed-only``, or dropped) is
listed as unjudged.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from auditor import __version__
from auditor.errors import InputError
from auditor.model import Status
from auditor.pack.build import SCHEMAS, STACK
from auditor.pack.manifest import RESULTS
from auditor.pack.signers import Verifier
from auditor.pack.verify import Verification, verify_pack
from auditor.results_model import ControlOutcome, Results

#: the members a replay reads, extracted to a temporary folder (names already proven safe by verify)
_PREFIXES = ("evidence/", "library/")


@dataclass(frozen=True)
class ControlReplay:
    """One control: the status recorded in the pack, the one the replay reached, and whether they agree."""

    id: str
    recorded: str
    replayed: str | None
    agrees: bool
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "recorded": self.recorded, "replayed": self.replayed, "agrees": self.agrees,
                "detail": self.detail}


@dataclass
class Replay:
    """A pack's verification and, when it verified, its replay."""

    verification: Verification
    controls: list[ControlReplay] = field(default_factory=list)
    #: controls of the pack's library (after its profile) that have no result in the pack
    unjudged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def disagreements(self) -> list[ControlReplay]:
        return [c for c in self.controls if not c.agrees]

    @property
    def agrees(self) -> bool:
        return self.verification.valid and not self.disagreements

    def to_dict(self) -> dict[str, Any]:
        return {"auditor": __version__, "agrees": self.agrees, "controls": len(self.controls),
                "disagreements": [c.to_dict() for c in self.disagreements],
                "unjudged": self.unjudged, "notes": self.notes}


def replay_pack(path: Path, verifier: Verifier | None = None, *, jobs: int | None = None) -> Replay:
    """Verify ``path``; when valid, replay it. A pack that cannot be replayed raises :class:`InputError`."""
    verification = verify_pack(path, verifier)
    replay = Replay(verification)
    if not verification.valid:
        return replay
    shards = verification.predicate.get("shards")
    if shards:
        raise InputError(f"{path}: a merged pack (shards {', '.join(s['name'] for s in shards)}): replay each "
                         "shard's pack; their evidence is evaluated apart")
    with _extracted(path) as root:
        recorded = Results.from_dict(orjson.loads((root / RESULTS).read_bytes()), f"{path}:{RESULTS}")
        try:
            replayed = _evaluate(root, recorded, jobs)
        except InputError as exc:  # name the pack's member, not the temporary folder it was read from
            raise InputError(f"cannot replay {path}: {exc.message.replace(f'{root}/', f'{path}:')}") from None
    _compare(replay, recorded, replayed)
    recorded_engine = recorded.engine.get("name")
    if recorded_engine and recorded_engine != replayed.engine.get("name"):
        replay.notes.append(f"the run used the {recorded_engine} engine; replayed on {replayed.engine.get('name')}")
    signed_by = str((verification.predicate.get("versions") or {}).get("auditor") or "")
    if signed_by and signed_by != __version__:
        replay.notes.append(f"the pack was made by Auditor {signed_by}; replayed with {__version__}")
    return replay


@contextmanager
def _extracted(path: Path) -> Iterator[Path]:
    """The pack's results, evidence and library in a temporary folder, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="auditor-replay-") as tmp, zipfile.ZipFile(path) as archive:
        root = Path(tmp)
        for info in archive.infolist():
            if info.filename != RESULTS and not info.filename.startswith(_PREFIXES):
                continue
            target = root / info.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            with archive.open(info) as source, target.open("wb") as out:
                shutil.copyfileobj(source, out, 1 << 20)
        yield root


def _evaluate(root: Path, recorded: Results, jobs: int | None) -> Results:
    from auditor.controls import check_evidence_kinds
    from auditor.evidence import SchemaSet
    from auditor.layers import Layer, LibraryStack
    from auditor.pipeline import evaluate_evidence
    from auditor.pipeline.settings import EvaluationOptions, Sources
    from auditor.results import results_document

    library = root / "library"
    layers_dir = library / "layers"
    names = sorted(p.name for p in layers_dir.iterdir()) if layers_dir.is_dir() else []
    if (root / STACK).is_file():
        names = [str(n) for n in orjson.loads((root / STACK).read_bytes())["layers"]]
    elif len(names) > 1:
        raise InputError(f"{STACK}: the pack holds {len(names)} library layers but not their order (a pack made "
                         "before Auditor recorded it): it cannot be replayed")
    params = sorted((library / "params").glob("*")) if (library / "params").is_dir() else []

    def folder(name: str) -> Path | None:
        return library / name if (library / name).is_dir() else None

    base = Layer("base", None, folder("controls"), folder("policies"), folder("mappings"))
    stack = LibraryStack(base, [Layer.from_dir(layers_dir / name, name) for name in names])
    sources = Sources.of_stack(stack, params=params[0] if params else None, profile=recorded.profile)
    packed = root / SCHEMAS
    schemas = tuple(sorted((p for p in packed.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
                    if packed.is_dir() else ())
    # a kind without a schema: say where a replay looks for one, not the run's --schemas flag
    check_evidence_kinds(sources.library(), SchemaSet(*schemas).kinds, f"the bundled schemas or {SCHEMAS}/",
                         "rebuild the pack with the run's schema folders: pack build --schemas DIR")
    evaluation = EvaluationOptions(fail_on=recorded.fail_on, as_of=recorded.as_of, jobs=jobs, schemas=schemas)
    run = evaluate_evidence(root / "evidence", sources, evaluation)
    return Results.from_dict(results_document(run), "the replay")


def _compare(replay: Replay, recorded: Results, replayed: Results) -> None:
    again = {c.id: c for c in replayed.controls}
    for control in recorded.controls:
        found = again.pop(control.id, None)
        if found is None:
            replay.controls.append(ControlReplay(control.id, control.status.value, None, False,
                                                 "not in the pack's library: nothing could have decided it"))
            continue
        detail = _difference(control, found)
        if detail and control.status is Status.ERROR:
            replay.notes.append(f"{control.id}: the run ended in error ({control.reason}); the replay: {detail}")
            detail = ""
        replay.controls.append(ControlReplay(control.id, control.status.value, found.status.value, not detail,
                                             detail))
    replay.unjudged = sorted(again)


def _difference(recorded: ControlOutcome, replayed: ControlOutcome) -> str:
    """Why ``replayed`` does not back ``recorded`` (empty when it does)."""
    claimed = Counter((v.resource, v.message) for v in recorded.violations)
    claimed.update((w.resource, w.message) for w in recorded.waived_violations)
    found = Counter((v.resource, v.message) for v in replayed.violations)
    expected = replayed.status
    if recorded.waived_violations and replayed.status is Status.FAIL:  # the waivers the results carry
        expected = Status.FAIL if recorded.violations else Status.WAIVED
    problems = []
    if expected is not recorded.status:
        problems.append(f"recorded {recorded.status.value}, replayed {replayed.status.value}"
                        + (f" ({replayed.reason})" if replayed.reason else ""))
    missing, extra = claimed - found, found - claimed
    if missing:
        problems.append(f"{sum(missing.values())} recorded violation(s) not found, e.g. {_first(missing)}")
    if extra:
        problems.append(f"{sum(extra.values())} violation(s) found that the pack does not record, e.g. "
                        f"{_first(extra)}")
    if recorded.population != replayed.population:
        problems.append(f"population recorded {recorded.population_text()}, replayed {replayed.population_text()}")
    return "; ".join(problems)


def _first(violations: Counter[tuple[str, str]]) -> str:
    resource, message = min(violations)
    return f"{resource}: {message}"
