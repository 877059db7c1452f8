"""``auditor policies test``: Rego unit tests on the embedded engine."""

from __future__ import annotations

from pathlib import Path

import click

from auditor.cli.options import Sources, library_options
from auditor.errors import ExitCode
from auditor.model import Status


@click.group("policies")
def policies_group() -> None:
    """Work with the Rego policies."""


@policies_group.command("test")
@library_options
@click.option("--coverage/--no-coverage", default=True, show_default=True, help="Print rule coverage per policy.")
@click.option("--verbose-tests", "-V", is_flag=True, help="List every test, not only failures.")
@click.option("--format", "formats", multiple=True, metavar="junit[=PATH]",
              help="Also write the test results as JUnit XML (default path: out/policy-tests.junit.xml).")
def test_command(sources: Sources, coverage: bool, verbose_tests: bool, formats: tuple[str, ...]) -> None:
    """Run every test_ rule in *_test.rego files (like `opa test`)."""
    from auditor.policytest import run_policy_tests

    targets = []
    for text in formats:
        name, sep, path = text.partition("=")
        if name != "junit" or (sep and not path):
            raise click.BadParameter(f"found {text!r}, expected junit or junit=PATH", param_hint="--format")
        targets.append(Path(path) if sep else Path("out/policy-tests.junit.xml"))
    report = run_policy_tests(sources.policy_set(), sources.library())
    if targets:
        from auditor.files import write_atomic
        from auditor.report.junit import policy_tests_junit

        xml = policy_tests_junit(report)
        for target in targets:
            write_atomic(target, xml)
            click.echo(f"junit: {target}", err=True)
    for problem in report.problems:
        click.secho(f"ERROR {problem}", fg="red", err=True)
    for case in report.cases:
        if case.status is not Status.PASS or verbose_tests:
            colour = {Status.PASS: "green", Status.FAIL: "red", Status.ERROR: "magenta"}[case.status]
            detail = f": {case.message}" if case.message else ""
            click.secho(f"{case.status.upper():5} {case.file} {case.package}.{case.name}{detail}", fg=colour)
    if coverage and report.coverage:
        total_cov = sum(c["covered"] for c in report.coverage.values())
        total = total_cov + sum(c["not_covered"] for c in report.coverage.values())
        low = sorted((c["percent"], f) for f, c in report.coverage.items() if c["percent"] < 100)
        click.echo(f"coverage: {100.0 * total_cov / total if total else 100:.1f}% of policy lines")
        for percent, file in low:
            lines = ",".join(str(n) for n in report.coverage[file]["not_covered_lines"])
            click.echo(f"  {file}: {percent}% (not covered: lines {lines})")
    counts = report.counts()
    click.echo(f"{counts[Status.PASS]} passed, {counts[Status.FAIL]} failed, {counts[Status.ERROR]} errors"
               + (f", {len(report.problems)} policy problems" if report.problems else ""))
    raise click.exceptions.Exit(int(ExitCode.OK if report.ok else ExitCode.FAILED))


COMMANDS = [policies_group]
