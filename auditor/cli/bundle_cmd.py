"""``auditor bundle build|verify``: the control library as an OPA bundle."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.options import Sources, existing_file, library_options


@click.group("bundle")
def bundle_group() -> None:
    """Publish the control library as an OPA bundle (policies + data.params)."""


@bundle_group.command("build")
@library_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("out/bundle.tar.gz"),
              show_default=True, help="Where to write the bundle (.tar.gz).")
@click.option("--sign-key", type=existing_file,
              help="PEM private key (EC P-256 -> ES256, RSA -> RS256) to sign the bundle (.signatures.json).")
@click.option("--key-id", default="auditor", show_default=True,
              help="Key id in the signature; OPA's keys config must name the public key the same way.")
@click.option("--scope", help="Optional scope claim; OPA checks it against the key's configured scope.")
@click.option("--revision", help="Manifest revision (e.g. a git commit). Default: the content digest.")
@click.option("--include-tests", is_flag=True, help="Also ship the *_test.rego policy tests.")
def build_command(
    sources: Sources, out: Path, sign_key: Path | None, key_id: str, scope: str | None,
    revision: str | None, include_tests: bool,
) -> None:
    """Build a deterministic OPA bundle: same sources, same bytes.

    \b
    Serve it with:  opa run --server --bundle out/bundle.tar.gz
    Then evaluate:  auditor run --engine opa --opa-url http://127.0.0.1:8181 --opa-preloaded
    """
    from auditor.bundle import build_bundle
    from auditor.evaluate import check_policies

    library = sources.library()
    policies = sources.policy_set()
    check_policies(library, policies)
    info = build_bundle(
        library, policies, out, revision=revision, sign_key=sign_key, key_id=key_id, scope=scope,
        include_tests=include_tests,
    )
    click.echo(f"bundle: {out} (revision {info.revision}, roots {', '.join(info.roots)}, "
               f"{len(info.files)} files{', signed' if info.signed else ''})")


@bundle_group.command("verify")
@click.argument("bundle", type=existing_file)
@click.option("--public-key", type=existing_file, required=True, help="PEM public key of the signer.")
@click.option("--scope", help="Expected scope claim.")
def verify_command(bundle: Path, public_key: Path, scope: str | None) -> None:
    """Verify a bundle's .signatures.json as OPA does (exit 2 when it does not verify)."""
    from auditor.bundle import read_archive, verify_signatures

    files = verify_signatures(read_archive(bundle), public_key.read_bytes(), scope)
    click.echo(f"verified: {bundle} ({len(files)} files signed and unchanged)")


COMMANDS = [bundle_group]
