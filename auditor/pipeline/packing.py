"""``results -> signed pack -> evidence locker -> S3``: the pack of a run, signed, chained and kept."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.pipeline.progress import SILENT, Progress
from auditor.pipeline.settings import PackOptions, Sources

if TYPE_CHECKING:
    from auditor.pack.build import LibrarySnapshot, PackResult
    from auditor.pack.signers import Signer
    from auditor.results import WrittenResults


def _signer(name: str, *options: Any) -> Signer:
    """The registered signer ``name`` built from its options (each signer's ``from_options`` takes its own)."""
    from auditor.pack.signers import SIGNERS

    signer: Signer = getattr(SIGNERS.get(name), "from_options")(*options)  # noqa: B009 - per-signer signature
    return signer


def signer_for(options: PackOptions, allow_development: bool, progress: Progress = SILENT) -> tuple[Any, bool]:
    """The signer ``options`` name, and whether it is the local development key.

    Without ``key`` or ``kms_key_id`` the development key is used only when ``allow_development``
    (``auditor run``), and the pack says so; otherwise a pack must be signed: exit 2.
    """
    from auditor.pack import keys

    if options.key and options.kms_key_id:
        raise InputError("give --key or --kms-key-id, not both")
    if options.key:
        return _signer("local", options.key, options.passphrase_env), False
    if options.kms_key_id:
        return _signer("kms", options.kms_key_id), False
    if not allow_development:
        raise InputError("--key or --kms-key-id: a pack must be signed; no signing key given")
    path, created = keys.development_key()
    if created:
        progress.note(f"created a local DEVELOPMENT signing key at {path}")
    progress.note("signing with the local DEVELOPMENT key: the pack is marked development-signed and is not "
                  "fit for a real audit (use --key or --kms-key-id)")
    return _signer("local", path), True


def library_snapshot(sources: Sources, schemas: tuple[Path, ...] = ()) -> LibrarySnapshot:
    """The control library as the pack records it: the base folders, every layer's files and the extra
    evidence schema folders the run validated with (a replay needs them to read the evidence)."""
    from auditor.layers import OVERRIDES_FILE, PARAMS_FILE
    from auditor.pack.build import LibrarySnapshot

    stack = sources.stack()
    base = stack.base
    layers = []
    for layer in stack.layers:
        parts = {**layer.folders(), OVERRIDES_FILE: layer.overrides, PARAMS_FILE: layer.params}
        layers.append((layer.name, {k: v for k, v in parts.items() if v is not None}))
    return LibrarySnapshot(
        controls=base.controls,
        policies=base.policies,
        mappings=base.mappings,
        params=sources.params,
        layers=tuple(layers),
        schemas=tuple(Path(s) for s in schemas),
    )


def write_pack(
    results: WrittenResults,
    evidence: Path,
    sources: Sources,
    out: Path,
    options: PackOptions,
    reports: Iterable[Path] = (),
    allow_development: bool = False,
    progress: Progress = SILENT,
    schemas: tuple[Path, ...] = (),
) -> PackResult:
    """Sign a pack of ``results``; commit it to the locker and upload it to S3 when ``options`` say so.

    ``schemas``: the extra evidence schema folders the run validated with, packed beside the library."""
    from auditor.pack import keys
    from auditor.pack.build import build_pack

    signer, development = signer_for(options, allow_development, progress)
    snapshot = library_snapshot(sources, schemas)
    reports = list(reports)

    def build(previous: str | None) -> PackResult:
        return build_pack(results, evidence, out, signer, library=snapshot, reports=reports,
                          previous_pack_sha256=previous, development=development)

    if options.locker:
        from auditor.pack.locker import record_run

        pack, commit = record_run(options.locker, results, build)
        progress.note(f"locker: committed run {pack.run_id} to {options.locker} ({commit[:12]})")
    else:
        pack = build(None)
    progress.note(f"pack: {pack.path} sha256 {pack.sha256} signed by key {keys.mask(pack.key_id)}"
                  + (" (development)" if development else ""))
    if options.s3:
        from auditor.pack.locker import run_dir
        from auditor.pack.s3 import upload_pack

        upload = upload_pack(pack.path, options.s3, run_dir(results.results),
                             mode=options.s3_retention_mode, days=options.s3_retention_days,
                             pack_sha256=pack.sha256)
        progress.note(f"s3: s3://{upload.bucket}/{upload.key} locked ({upload.mode}) until "
                      f"{upload.retain_until:%Y-%m-%d}")
    return pack
