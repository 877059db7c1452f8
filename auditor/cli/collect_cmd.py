"""``auditor collect <collector>``: evidence documents from live systems, one command per registered collector."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from auditor.cli.options import existing_dir, existing_file

F = TypeVar("F", bound=Callable[..., Any])

out_dir = click.Path(file_okay=False, path_type=Path)


def common_options(func: F) -> F:
    """--out, --collected-at, --no-progress."""
    func = click.option("--no-progress", is_flag=True, help="Do not draw progress bars.")(func)
    func = click.option(
        "--collected-at",
        help="Pin collected_at (RFC 3339) for reproducible output; default SOURCE_DATE_EPOCH, else now.",
    )(func)
    func = click.option("--out", type=out_dir, required=True, help="Evidence folder to write documents into.")(func)
    return func


def run_collector(collector: Any, out: Path) -> list[Path]:
    """Collect, write, and report what was written (with collection failures) on stderr."""
    from auditor.pipeline.run import describe_written

    paths = collector.write(out)
    for path in paths:
        for line in describe_written(path):
            click.echo(line, err=True)
    return paths


def _context(collected_at: str | None, no_progress: bool) -> dict[str, Any]:
    from auditor.collect.base import Clock, Progress

    return {"clock": Clock.from_env(collected_at), "progress": Progress(enabled=not no_progress)}


class CollectGroup(click.Group):
    """``auditor collect``: one command per registered collector (and ``list``).

    A built-in collector has its hand-written command below; any other registered collector (one an
    organisation's package adds through the ``auditor.collectors`` entry point) gets a command
    generated from its declared ``options`` (:func:`auditor.cli.plugins.collector_command`).
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        from auditor.cli.plugins import load_collector_registry

        return sorted({*self.commands, *load_collector_registry().names()})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        from auditor.cli.plugins import collector_command, load_collector_registry

        registry = load_collector_registry()
        if cmd_name not in registry:
            return None
        command = collector_command(cmd_name, registry.get(cmd_name), common_options, run_collector, _context)
        self.commands[cmd_name] = command
        return command


@click.group("collect", cls=CollectGroup)
def collect_group() -> None:
    """Collect evidence from live systems into an evidence folder (then run `auditor evaluate`)."""


@collect_group.command("git")
@click.option("--repo", type=existing_dir, default=Path(), show_default=True, help="Git repository to read.")
@click.option("--branch", help="Branch whose first-parent history is collected (default: main, else HEAD).")
@click.option("--since", help="Only commits committed at or after this date (RFC 3339 or YYYY-MM-DD).")
@click.option("--release-tags", default="v*", show_default=True,
              help="Tags (glob) recorded as deployment candidates.")
@common_options
def collect_git(
    repo: Path, branch: str | None, since: str | None, release_tags: str, out: Path, collected_at: str | None,
    no_progress: bool,
) -> None:
    """Commits (changes) and release tags (deployments) from a git repository."""
    from auditor.collect.git import GitCollector

    run_collector(GitCollector(repo, branch, since, release_tags, **_context(collected_at, no_progress)), out)


@collect_group.command("github")
@click.option("--repository", envvar="GITHUB_REPOSITORY", required=True,
              help="owner/name (default: $GITHUB_REPOSITORY, set in GitHub Actions).")
@click.option("--branch", default="main", show_default=True, help="Base branch whose merged pull requests are read.")
@click.option("--token-env", default="GITHUB_TOKEN", show_default=True,
              help="Environment variable holding the token (never a command-line value: it would show in logs).")
@click.option("--api", default="https://api.github.com", show_default=True,
              help="REST API root (GitHub Enterprise: https://HOST/api/v3; $GITHUB_API_URL in Actions).",
              envvar="GITHUB_API_URL")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Most recently updated closed pull requests read.")
@common_options
def collect_github(
    repository: str, branch: str, token_env: str, api: str, limit: int, out: Path, collected_at: str | None,
    no_progress: bool,
) -> None:
    """Merged pull requests (reviews, approvals, required checks, branch protection) as changes evidence."""
    import os

    from auditor.collect.github import GitHubCollector

    token = os.environ.get(token_env) or None
    if token is None:
        click.echo(f"collect github: ${token_env} is not set; calling the API without a token "
                   "(public repositories only, 60 requests an hour)", err=True)
    run_collector(GitHubCollector(repository, branch, token=token, api=api, limit=limit,
                                  **_context(collected_at, no_progress)), out)


@collect_group.command("gitlab")
@click.option("--project", envvar="CI_PROJECT_ID", required=True,
              help="Project id or group/name path (default: $CI_PROJECT_ID, set in GitLab CI).")
@click.option("--branch", envvar="CI_DEFAULT_BRANCH", default="main", show_default=True,
              help="Target branch whose merged merge requests are read (default: $CI_DEFAULT_BRANCH, else main).")
@click.option("--token-env", default="GITLAB_TOKEN", show_default=True,
              help="Environment variable holding an access token (sent as PRIVATE-TOKEN); when it is not set, "
                   "CI_JOB_TOKEN is used (sent as JOB-TOKEN). Never a command-line value: it would show in logs.")
@click.option("--url", "api", envvar="CI_API_V4_URL", default="https://gitlab.com/api/v4", show_default=True,
              help="REST API v4 root (self-managed: https://HOST/api/v4; $CI_API_V4_URL in GitLab CI).")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000),
              help="Most recently updated merged merge requests read.")
@common_options
def collect_gitlab(
    project: str, branch: str, token_env: str, api: str, limit: int, out: Path, collected_at: str | None,
    no_progress: bool,
) -> None:
    """Merged merge requests (approvals, pipelines, approval rules, protected branch) as changes evidence."""
    import os

    from auditor.collect.gitlab import GitLabCollector

    token, job_token = os.environ.get(token_env) or None, token_env == "CI_JOB_TOKEN"
    if token is None and token_env != "CI_JOB_TOKEN" and os.environ.get("CI_JOB_TOKEN"):
        token, job_token = os.environ["CI_JOB_TOKEN"], True
        click.echo(f"collect gitlab: ${token_env} is not set; using the job token (CI_JOB_TOKEN)", err=True)
    elif token is None:
        click.echo(f"collect gitlab: neither ${token_env} nor $CI_JOB_TOKEN is set; calling the API without a "
                   "token (public projects only)", err=True)
    run_collector(GitLabCollector(project, branch, token=token, api=api, job_token=job_token, limit=limit,
                                  **_context(collected_at, no_progress)), out)


@collect_group.command("deployment")
@click.option("--from-env", is_flag=True, help="Record this CI job's deployment (GitHub Actions or GitLab CI).")
@click.option("--from", "log", type=existing_file, help="Import a deploy log: JSON Lines, one deployment a line.")
@click.option("--environment", help="Deployment environment (GitHub sets no variable for it).")
@click.option("--service", help="Service deployed (default: the repository's name).")
@click.option("--status", type=click.Choice(["success", "failed", "cancelled", "unknown"]),
              help="Outcome, when collected after the deployment step (default: unknown).")
@common_options
def collect_deployment(
    from_env: bool, log: Path | None, environment: str | None, service: str | None, status: str | None,
    out: Path, collected_at: str | None, no_progress: bool,
) -> None:
    """The running pipeline's deployment, or a JSONL deploy log, as deployments."""
    from auditor.collect.deployment import DeploymentCollector

    collector = DeploymentCollector(
        from_env, log, environment, service, status, **_context(collected_at, no_progress)
    )
    run_collector(collector, out)


@collect_group.command("aws")
@click.option("--profile", help="AWS profile (default: the standard chain: AWS_PROFILE, env, instance role).")
@click.option("--region", "regions", multiple=True, help="Region(s) to read (repeatable; default: the profile's).")
@common_options
def collect_aws(
    profile: str | None, regions: tuple[str, ...], out: Path, collected_at: str | None, no_progress: bool
) -> None:
    """IAM identities and admin grants, S3/RDS/DynamoDB data stores, CloudTrail trails."""
    from auditor.collect.aws import AwsCollector

    run_collector(AwsCollector(profile, regions, **_context(collected_at, no_progress)), out)


@collect_group.command("file")
@click.option("--kind", required=True, help="Evidence kind of the rows (e.g. access_reviews, dsar_requests).")
@click.argument("path", type=existing_file)
@click.option("--source", help="Source recorded in the document (default: file:<name>).")
@click.option("--schemas", type=existing_dir, multiple=True, help="Extra evidence schema folder(s).")
@common_options
def collect_file(
    kind: str, path: Path, source: str | None, schemas: tuple[Path, ...], out: Path, collected_at: str | None,
    no_progress: bool,
) -> None:
    """A CSV, JSON or YAML export, validated row by row against the kind's schema (all or nothing)."""
    from auditor.collect.files import FileCollector
    from auditor.evidence import SchemaSet

    collector = FileCollector(kind, path, SchemaSet(*schemas), source, **_context(collected_at, no_progress))
    run_collector(collector, out)


@collect_group.command("prometheus")
@click.option("--url", required=True, help="Prometheus base URL, e.g. http://prometheus:9090.")
@click.option("--slo", "slo_file", type=existing_file, required=True,
              help="OpenSLO v1 document (SLO, SLI, AlertPolicy).")
@click.option("--at", help="End of every SLO window (RFC 3339); default: the collection instant.")
@click.option("--step", type=click.IntRange(min=1),
              help="Range query resolution in seconds (default: window / 10000, at least 60).")
@common_options
def collect_prometheus(
    url: str, slo_file: Path, at: str | None, step: int | None, out: Path, collected_at: str | None, no_progress: bool
) -> None:
    """SLO attainment and error budgets (slo_reports) from Prometheus for an OpenSLO document."""
    from auditor.collect.prometheus import PrometheusCollector

    run_collector(PrometheusCollector(url, slo_file, at, step, **_context(collected_at, no_progress)), out)


@collect_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown: one section per collector from its docstring (for docs/collectors.md).")
def collect_list(fmt: str) -> None:
    """List the collectors, the kinds they write and the permissions they need."""
    import inspect

    from auditor.collect import load_collectors

    for name, collector in load_collectors():
        if fmt == "text":
            click.echo(f"{name} {collector.version}: {', '.join(collector.kinds)}")
            for permission in collector.permissions:
                click.echo(f"    needs: {permission}")
            continue
        doc = inspect.getdoc(collector) or ""
        summary, _, body = doc.partition("\n\n")
        body = body.replace("Example::\n\n", "Example:\n\n```sh\n")
        if "```sh" in body:
            head, _, example = body.partition("```sh\n")
            example = "\n".join(line[4:] if line.startswith("    ") else line for line in example.splitlines())
            body = f"{head}```sh\n{example.strip()}\n```"
        click.echo(f"### `{name}` ({collector.version})\n\n{summary}\n\n{body}\n")
        click.echo(f"Writes: {', '.join(f'`{k}`' for k in collector.kinds)}\n")
        click.echo("Needs:\n\n" + "\n".join(f"- {p}" for p in collector.permissions) + "\n")


COMMANDS = [collect_group]
