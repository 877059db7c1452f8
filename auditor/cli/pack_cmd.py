"""``auditor pack build``, ``auditor verify``, ``auditor keys generate``, ``auditor locker verify|history``.

Also :func:`pack_options`, which gives ``auditor run`` its ``packing: PackOptions``;
the signing, locker and S3 steps themselves are :mod:`auditor.pipeline.packing`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from auditor.cli.options import Sources, existing_dir, existing_file, library_options
from auditor.pipeline.settings import PackOptions

if TYPE_CHECKING:
    from auditor.pack.replay import Replay
    from auditor.pack.signers import Verifier

F = TypeVar("F", bound=Callable[..., Any])


def _signing_options() -> list[Callable[[F], F]]:
    return [
        click.option("--key", type=existing_file, help="Private key PEM to sign with (Ed25519)."),
        click.option("--kms-key-id", help="Sign with this AWS KMS key (ECC_NIST_P256) instead of a key file."),
        click.option("--passphrase-env", metavar="NAME",
                     help="Environment variable holding the private key's passphrase."),
    ]


def _storage_options() -> list[Callable[[F], F]]:
    return [
        click.option("--locker", type=click.Path(file_okay=False, path_type=Path),
                     help="Evidence locker (git repository): commit the pack and results there."),
        click.option("--s3", metavar="s3://BUCKET/PREFIX",
                     help="Also upload the pack to S3 with Object Lock retention."),
        click.option("--s3-retention-mode", type=click.Choice(["COMPLIANCE", "GOVERNANCE"], case_sensitive=False),
                     default="COMPLIANCE", show_default=True, help="S3 Object Lock mode."),
        click.option("--s3-retention-days", type=click.IntRange(min=1), default=365, show_default=True,
                     help="S3 Object Lock retention in days."),
    ]


def _signing_decorators(func: F) -> F:
    for option in reversed(_signing_options()):
        func = option(func)
    return func


def pack_options(func: F) -> F:
    """--key, --kms-key-id, --passphrase-env, --locker, --s3..., --pack/--no-pack -> ``packing``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["packing"] = PackOptions(
            key=kwargs.pop("key"), kms_key_id=kwargs.pop("kms_key_id"), passphrase_env=kwargs.pop("passphrase_env"),
            locker=kwargs.pop("locker"), s3=kwargs.pop("s3"), s3_retention_mode=kwargs.pop("s3_retention_mode"),
            s3_retention_days=kwargs.pop("s3_retention_days"), pack=kwargs.pop("pack"),
        )
        return func(*args, **kwargs)

    options = [
        *_signing_options(), *_storage_options(),
        click.option("--pack/--no-pack", default=True, show_default=True, help="Write a signed pack.zip."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


def _signer(options: PackOptions, allow_development: bool) -> tuple[Any, bool]:
    from auditor.cli.console import ConsoleProgress
    from auditor.pipeline.packing import signer_for

    return signer_for(options, allow_development, ConsoleProgress())


@click.group("pack")
def pack_group() -> None:
    """Build signed audit packs."""


@pack_group.command("build")
@click.option("--results", type=existing_file, required=True, help="results.json of the run.")
@click.option("--evidence", type=existing_dir, required=True, help="Evidence folder the results were evaluated on.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/pack.zip"),
              show_default=True, help="Where to write the pack.")
@click.option("--report", "reports", type=existing_file, multiple=True, help="PDF report(s) to include.")
@click.option("--schemas", type=existing_dir, multiple=True,
              help="Extra evidence schema folder(s) the results were evaluated with (packed, so a replay can "
                   "read the evidence).")
@library_options
@pack_options
def pack_build_command(results: Path, evidence: Path, out: Path, reports: tuple[Path, ...],
                       schemas: tuple[Path, ...], sources: Sources, packing: PackOptions) -> None:
    """Build a signed pack (zip) from results, evidence and the control library."""
    from auditor.cli.console import ConsoleProgress
    from auditor.pipeline.packing import write_pack
    from auditor.results import WrittenResults

    write_pack(WrittenResults.read(results), evidence, sources, out, packing, reports, progress=ConsoleProgress(),
               schemas=schemas)


@pack_group.command("merge")
@click.argument("shards", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--pub", "pubs", type=existing_file, multiple=True, required=True,
              help="Public key PEM a shard pack may be signed with (repeatable: any of them).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/pack.zip"),
              show_default=True, help="Where to write the merged pack.")
@click.option("--split-joins", type=click.Choice(["refuse", "insufficient"]), default="refuse", show_default=True,
              help="A control whose evidence kinds were split across shards: refuse the merge, or record the "
                   "control as insufficient_evidence.")
@click.option("--results-out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the merged results.json here (reports read it).")
@_signing_decorators
def pack_merge_command(shards: tuple[Path, ...], pubs: tuple[Path, ...], out: Path, split_joins: str,
                       results_out: Path | None, key: Path | None, kms_key_id: str | None,
                       passphrase_env: str | None) -> None:
    """Merge shard packs (one per CI matrix job) into one signed pack.

    \b
    Every shard is verified with a --pub key; they must share the library, as_of, Auditor
    version and results schema. Per control: fail if any shard fails, pass only if every
    shard that evaluated it passed; populations add up. See docs/scaling.md.
    """
    from auditor.pack import keys
    from auditor.pack.merge import merge_packs
    from auditor.pack.signers import Verifier

    signer, development = _signer(PackOptions(key=key, kms_key_id=kms_key_id, passphrase_env=passphrase_env), False)
    verifiers = [Verifier.from_pem_file(p) for p in pubs]
    merged = merge_packs(list(shards), verifiers, out, signer, development=development, split_mode=split_joins,
                         results_out=results_out)
    for shard in merged.shards:
        click.echo(f"shard {shard['name']}: sha256 {shard['sha256']} run {shard['run_id']}", err=True)
    for problem in merged.split:
        click.echo(f"warning: {problem}: recorded as insufficient_evidence", err=True)
    counts = ", ".join(f"{n} {s}" for s, n in merged.results.summary["by_status"].items())
    click.echo(f"merged {len(merged.shards)} shards: {counts}", err=True)
    click.echo(f"pack: {merged.pack.path} sha256 {merged.pack.sha256} signed by key {keys.mask(merged.pack.key_id)}",
               err=True)


def _verifier(key: Path | None, kms_key_id: str | None) -> Verifier | None:
    from auditor.pack.signers import Verifier

    if key and kms_key_id:
        raise click.UsageError("give --key or --kms-key-id, not both")
    if key:
        return Verifier.from_pem_file(key)
    if kms_key_id:
        return Verifier.from_kms(kms_key_id)
    return None


def _emit(data: Any) -> None:
    from auditor.files import pretty_json

    click.echo(pretty_json(data).decode("utf-8"), nl=False)


@click.command("verify")
@click.argument("pack", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--key", type=existing_file, help="Public key PEM the pack must be signed with.")
@click.option("--kms-key-id", help="AWS KMS key the pack must be signed with.")
@click.option("--replay", is_flag=True,
              help="Also evaluate the pack's library over its evidence and check every result follows from it.")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes for --replay (default: one per core).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def verify_command(pack: Path, key: Path | None, kms_key_id: str | None, replay: bool, jobs: int | None,
                   as_json: bool) -> None:
    """Verify a pack: signature, every member's digest, nothing missing or added.

    \b
    With --replay, also re-evaluate the pack's own library over its own evidence at its as_of
    and compare control by control (status, violations, population): the results then need
    not be taken on the signer's word. Exit 0 valid (and, with --replay, every result backed),
    1 invalid or a result the replay does not back (first reason printed), 2 usage or a pack
    that cannot be replayed.
    """
    from auditor.pack import keys
    from auditor.pack.merge import merged_problems
    from auditor.pack.verify import verify_pack

    verifier = _verifier(key, kms_key_id)
    replayed = None
    if replay:
        from auditor.pack.replay import replay_pack

        replayed = replay_pack(pack, verifier, jobs=jobs)
        result = replayed.verification
    else:
        result = verify_pack(pack, verifier)
    shards = result.predicate.get("shards") if result.valid else None
    if result.valid:
        problems = merged_problems(pack, result.predicate)
        if problems:
            result.valid, result.reason = False, problems[0]
    backed = result.valid and (replayed is None or replayed.agrees)
    if as_json:
        _emit({**result.to_dict(), **({"shards": shards} if shards is not None else {}),
               **({"replay": replayed.to_dict()} if replayed is not None and result.valid else {})})
    elif result.valid:
        click.echo(f"valid: {pack}")
        click.echo(f"  run        {result.run_id}")
        click.echo(f"  sha256     {result.sha256}")
        click.echo(f"  members    {result.members}")
        click.echo(f"  signed by  key {keys.mask(result.key_id or '')} ({result.key_source})")
        counts = (result.predicate.get("controls") or {}).get("by_status") or {}
        click.echo("  controls   " + ", ".join(f"{n} {s}" for s, n in counts.items()))
        for shard in shards or []:
            click.echo(f"  shard      {shard['name']}  sha256 {shard['sha256']}  run {shard['run_id']}  "
                       f"key {keys.mask(str(shard.get('key_id') or ''))}")
        if not result.key_pinned:
            click.echo("  note: no --key given: checked against the public key inside the pack, which proves the "
                       "pack is intact but not who signed it")
        if result.development:
            click.echo("  note: DEVELOPMENT-signed (local development key): not fit for a real audit")
        if replayed is not None:
            _echo_replay(replayed)
    else:
        click.echo(f"invalid: {pack}: {result.reason}")
    raise click.exceptions.Exit(0 if backed else 1)


def _echo_replay(replayed: Replay) -> None:
    bad = replayed.disagreements
    total = len(replayed.controls)
    if bad:
        click.echo(f"  replay     NOT BACKED: {len(bad)} of {total} results do not follow from the pack's evidence")
        for control in bad:
            click.echo(f"    {control.id}: {control.detail}")
    else:
        click.echo(f"  replay     backed: all {total} results follow from the pack's library and evidence")
    if replayed.unjudged:
        click.echo(f"  replay     {len(replayed.unjudged)} control(s) of the pack's library have no result: "
                   + ", ".join(replayed.unjudged))
    for note in replayed.notes:
        click.echo(f"  note: {note}")


@click.group("keys")
def keys_group() -> None:
    """Manage signing keys."""


@keys_group.command("generate")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for the pair.")
@click.option("--passphrase-env", metavar="NAME", help="Encrypt the private key with the passphrase in $NAME.")
def keys_generate_command(out: Path, passphrase_env: str | None) -> None:
    """Generate an Ed25519 key pair (PEM); the key id is the sha256 of the public key."""
    from auditor.pack import keys

    pair = keys.generate(out, passphrase_env)
    click.echo(f"private key: {pair.private}" + (" (encrypted)" if passphrase_env else ""))
    click.echo(f"public key:  {pair.public}")
    click.echo(f"key id:      {keys.mask(pair.key_id)}")


@click.group("locker")
def locker_group() -> None:
    """Inspect and verify an evidence locker."""


@locker_group.command("verify")
@click.argument("path", type=existing_dir)
@click.option("--key", type=existing_file, help="Public key PEM every pack must be signed with.")
@click.option("--kms-key-id", help="AWS KMS key every pack must be signed with.")
@click.option("--since", "since", metavar="PACK_OR_SHA256", multiple=True,
              help="A pack (file or sha256) seen earlier: it must still be a run in the chain (repeatable).")
@click.option("--s3", metavar="s3://BUCKET/PREFIX",
              help="Object Lock copies (as uploaded with --s3): every pack recorded there must be in the chain.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def locker_verify_command(path: Path, key: Path | None, kms_key_id: str | None, since: tuple[str, ...],
                          s3: str | None, as_json: bool) -> None:
    """Verify every committed pack in the locker and the chain of previous-pack digests.

    \b
    --since and --s3 detect deleted newest runs: the chain alone cannot tell a
    locker whose last runs were dropped (and history rewritten) from a shorter one.
    """
    from auditor.pack.locker import pinned_digest, verify_locker

    pinned = {pinned_digest(value): f"--since {value}" for value in since}
    if s3:
        from auditor.pack.s3 import chain_heads

        pinned.update({digest: where for digest, where in chain_heads(s3).items() if digest not in pinned})
    report = verify_locker(path, _verifier(key, kms_key_id), since=list(pinned), pinned_sources=pinned)
    if as_json:
        _emit({"valid": report.valid, "runs": report.runs, "problems": report.problems, "notes": report.notes})
    else:
        for row in report.runs:
            mark = "ok " if row.get("valid") else "BAD"
            click.echo(f"{mark} {row['path']}" + ("  (DEVELOPMENT-signed)" if row.get("development") else ""))
        if any(row.get("development") for row in report.runs):
            click.echo("note: DEVELOPMENT-signed packs (local development key) are not fit for a real audit")
        if report.runs and not (key or kms_key_id):
            click.echo("note: no --key given: each pack was checked against the public key inside it, which "
                       "proves the packs are intact but not who signed them")
        for note in report.notes:
            click.echo(f"note: {note}")
        if pinned and report.valid:
            click.echo(f"pinned: {len(pinned)} pack(s) seen earlier are all in the chain")
        for problem in report.problems:
            click.echo(f"problem: {problem}")
        click.echo(f"{'valid' if report.valid else 'invalid'}: {len(report.runs)} run(s), "
                   f"{len(report.problems)} problem(s)")
    raise click.exceptions.Exit(0 if report.valid else 1)


@locker_group.command("history")
@click.argument("path", type=existing_dir)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def locker_history_command(path: Path, as_json: bool) -> None:
    """List the runs in the locker with their status counts, oldest first."""
    from auditor.pack.locker import history

    runs = history(path)
    if as_json:
        _emit(runs)
        return
    for run in runs:
        counts = ", ".join(f"{n} {s}" for s, n in run["counts"].items())
        digest = (run["pack_sha256"] or "-")[:12]
        click.echo(f"{run['finished_at']}  {run['run_id']}  {counts}  pack {digest}")
    if not runs:
        click.echo("no runs in the locker yet")


COMMANDS = [pack_group, verify_command, keys_group, locker_group]
