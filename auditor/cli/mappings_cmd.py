"""``auditor mappings list|validate|coverage|crosswalk|diff``: framework catalogs and control mappings."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from auditor.cli.options import Sources, check_as_of, existing_dir, existing_file, library_option

F = TypeVar("F", bound=Callable[..., Any])
FORMATS = ("table", "csv", "markdown", "json")


def source_options(func: F) -> F:
    """--library, --controls, --mappings -> ``sources``."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs["sources"] = Sources(controls=kwargs.pop("controls"), mappings=kwargs.pop("mappings"),
                                    libraries=tuple(kwargs.pop("libraries")))
        return func(*args, **kwargs)

    wrapper = click.option("--mappings", type=existing_dir,
                           help="Catalogs and mappings folder (default: ./mappings or the bundled library).")(wrapper)
    wrapper = click.option("--controls", type=existing_dir,
                           help="Control YAML folder, to check control ids (default: ./controls or bundled).")(wrapper)
    wrapper = library_option(wrapper)
    return wrapper  # type: ignore[return-value]


def output_options(func: F) -> F:
    func = click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
                        help="Write to this file (atomically) instead of standard output.")(func)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="Output format.")(func)


def _emit(view: Any, fmt: str, output: Path | None) -> None:
    from auditor.files import write_atomic
    from auditor.mappings.render import render

    if output is not None:
        write_atomic(output, render(view, fmt, width=160, color=False))
        click.echo(f"wrote {output}", err=True)
        return
    if fmt == "table":
        import shutil

        from rich.console import Console

        console = Console()
        text = render(view, fmt, width=max(shutil.get_terminal_size().columns, 120), color=console.is_terminal)
        click.echo(text, nl=False, color=console.is_terminal)
        return
    click.echo(render(view, fmt), nl=False)


def _load(sources: Sources) -> Any:
    library = sources.library()
    mapping_set = sources.mapping_set(library)
    if mapping_set is None:
        raise click.UsageError("no mappings folder: pass --mappings or run where ./mappings exists")
    return library, mapping_set


@click.group("mappings")
def mappings_group() -> None:
    """Framework catalogs and control-to-clause mappings: validate, coverage, crosswalk, diff.

    \b
    mappings/frameworks/<framework>.yaml   a framework's catalog of clauses
    mappings/<framework>.yaml              controls mapped to those clauses
    Adding a framework is data: drop in one file of each.
    """


@mappings_group.command("list")
@source_options
@output_options
def list_command(sources: Sources, fmt: str, output: Path | None) -> None:
    """List the frameworks: catalog size, mapping owner, last review."""
    from auditor.mappings.render import Section, View

    library, ms = _load(sources)
    rows, data = [], []
    for framework in ms.frameworks():
        cat = ms.catalogs[framework]
        meta = ms.files.get(framework)
        entries = ms.for_framework(framework)
        mapped = sorted({m.control for m in entries})
        clauses = len({m.clause for m in entries})
        rows.append([framework, cat.name, cat.version, str(len(cat.clauses)), str(clauses), str(len(mapped)),
                     meta.owner if meta else "", meta.last_reviewed.isoformat() if meta else ""])
        data.append({"framework": framework, "name": cat.name, "version": cat.version, "clauses": len(cat.clauses),
                     "clauses_mapped": clauses, "controls_mapped": len(mapped), "owner": meta.owner if meta else None,
                     "last_reviewed": meta.last_reviewed.isoformat() if meta else None})
    section = Section("Frameworks", ["framework", "name", "version", "clauses", "clauses mapped", "controls mapped",
                                     "owner", "last reviewed"], rows)
    _emit(View("Frameworks", [f"{len(library)} controls in the library"], [section], {"frameworks": data}),
          fmt, output)


@mappings_group.command("validate")
@source_options
def validate_command(sources: Sources) -> None:
    """Validate catalogs and mapping files: structure, then ids against catalogs and the control library.

    Exit 2 on an unknown clause or control id, a duplicate mapping, a missing rationale or strength.
    Controls mapped to no clause of a framework are listed (a warning, not an error).
    """
    library, ms = _load(sources)
    click.echo(f"{len(ms.catalogs)} catalogs and {len(ms.files)} mapping files are valid "
               f"({len(ms.mappings)} control-to-clause mappings, {len(library)} controls)")
    for framework in sorted(ms.files):
        missing = ms.unmapped_controls(framework, list(library.controls))
        mapped = len(library) - len(missing)
        line = f"  {framework}: {mapped}/{len(library)} controls mapped"
        click.echo(line + (f"; not mapped: {', '.join(missing)}" if missing else ""))
    for framework in sorted(set(ms.catalogs) - set(ms.files)):
        click.echo(f"  {framework}: catalog only, no mapping file (every clause is a gap)")


def judged_options(func: F) -> F:
    """--results, --evidence (attestations), --as-of."""
    func = click.option("--as-of", callback=check_as_of,
                        help="Judge attestations at this RFC 3339 instant (default: the results' as_of, "
                             "else the evidence's latest collected_at).")(func)
    func = click.option("--evidence", type=existing_dir,
                        help="Evidence folder: its attestations documents cover clauses no control decides.")(func)
    return click.option("--results", type=existing_file,
                        help="results.json from `auditor evaluate`/`run`: adds statuses.")(func)


def _judged(ms: Any, framework: str, results: Path | None, evidence: Path | None, as_of: str | None) -> Any:
    from auditor.mappings.coverage import judged_coverage
    from auditor.results_model import Results

    return judged_coverage(ms, framework, Results.read(results) if results is not None else None, evidence, as_of)


@mappings_group.command("coverage")
@click.option("--framework", required=True, help="Framework id (see `auditor mappings list`).")
@judged_options
@source_options
@output_options
def coverage_command(sources: Sources, framework: str, results: Path | None, evidence: Path | None,
                     as_of: str | None, fmt: str, output: Path | None) -> None:
    """Every clause of a framework with its controls, gaps, and totals per group.

    Counts against applicable clauses (mappings/applicability/<framework>.yaml) and separates
    automated (a full or partial control), attested (an attestation valid at --as-of, from
    --evidence) and uncovered clauses; excluded clauses are listed with their justification.
    With --results, each clause gets a status: it passes only if all its full and partial
    controls pass; supporting-only clauses are "supported", unmapped clauses are "gap".
    """
    from auditor.mappings.render import coverage_view

    _library, ms = _load(sources)
    cov, _run = _judged(ms, framework, results, evidence, as_of)
    _emit(coverage_view(cov), fmt, output)


@mappings_group.command("soa")
@click.option("--framework", default="iso27001-2022", show_default=True, help="Framework id.")
@click.option("--format", "fmt", type=click.Choice(("csv", "markdown", "pdf")), default="markdown",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (atomically) instead of standard output (required for pdf).")
@judged_options
@source_options
def soa_command(sources: Sources, framework: str, fmt: str, output: Path | None, results: Path | None,
                evidence: Path | None, as_of: str | None) -> None:
    """The Statement of Applicability: every control of the framework's SoA scope (ISO/IEC 27001:
    Annex A), applicable or not, the justification, how it is implemented (automated controls with
    their latest status, attestations, or a gap), owner and review date.
    """
    from auditor.files import write_atomic
    from auditor.report.soa import build_soa, render_soa

    _library, ms = _load(sources)
    cov, run = _judged(ms, framework, results, evidence, as_of)
    data = render_soa(build_soa(cov, run), fmt)
    if output is not None:
        write_atomic(output, data)
        click.echo(f"wrote {output}", err=True)
    elif fmt == "pdf":
        raise click.UsageError("--format pdf needs -o/--output FILE")
    else:
        click.echo(data.decode(), nl=False)


@mappings_group.command("crosswalk")
@click.option("--from", "source", required=True, help="Framework id to start from.")
@click.option("--to", "target", required=True, help="Framework id to reach.")
@source_options
@output_options
def crosswalk_command(sources: Sources, source: str, target: str, fmt: str, output: Path | None) -> None:
    """Which clauses of one framework meet which clauses of another: derived through shared controls, and
    beside them any published crosswalk (mappings/crosswalks/, e.g. a standards body's informative
    references), each labelled with its source.
    """
    from auditor.mappings.crosswalk import crosswalk
    from auditor.mappings.render import crosswalk_view

    _library, ms = _load(sources)
    cw = crosswalk(ms, source, target)
    src, dst = ms.catalogs[source], ms.catalogs[target]
    published = [(pub, [(src.clauses[a], dst.clauses[b]) for a, b in pub.oriented(source, target)])
                 for pub in ms.published if pub.oriented(source, target)]
    _emit(crosswalk_view(cw, src.name, dst.name, published), fmt, output)


@mappings_group.command("diff")
@click.argument("rev", required=False)
@click.argument("rev2", required=False)
@click.option("--worktree", is_flag=True,
              help="Compare REV (default HEAD) with the working tree, uncommitted edits included.")
@click.option("--mappings", type=existing_dir,
              help="Mappings folder inside a git repository (default: ./mappings or the bundled library).")
@output_options
def diff_command(rev: str | None, rev2: str | None, worktree: bool, mappings: Path | None, fmt: str,
                 output: Path | None) -> None:
    """Mappings, catalog clauses (added, removed, retitled) and applicability decisions changed between
    REV and REV2 (default HEAD), with who changed each, when.

    Reads both revisions from git objects; the working tree is not touched. When the mappings
    folder has uncommitted changes the output says so; --worktree compares with them.
    """
    from auditor.content import default_dir
    from auditor.mappings.history import diff_mappings
    from auditor.mappings.render import diff_view

    if worktree and rev2 is not None:
        raise click.UsageError("--worktree compares REV with the working tree: give one revision, not two")
    if rev is None and not worktree:
        raise click.UsageError("missing REV (or pass --worktree to compare HEAD with the working tree)")
    root = mappings or default_dir("mappings")
    _emit(diff_view(diff_mappings(root, rev or "HEAD", rev2 or "HEAD", worktree=worktree)), fmt, output)


COMMANDS = [mappings_group]
