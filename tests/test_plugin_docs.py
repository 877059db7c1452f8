"""Plugins as data: every registry's plugins are documented (docs/plugins.md), every collector command is
generated from the collector's declared options (built-in or not), secrets never reach the command line
or the output, and the documented recipe for an organisation's own collector works as written."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar

import click
import pytest
from click.testing import CliRunner

from auditor.cli.collect_cmd import CollectGroup, collect_group
from auditor.cli.plugins import COMMON_OPTIONS, collector_command
from auditor.collect import COLLECTORS, Collector, CollectorError, Document, load_collectors
from auditor.collect.base import Option
from auditor.engine import ENGINES, load_engines
from auditor.errors import InputError
from auditor.model import CollectionFailure
from auditor.pack.signers import SIGNERS
from auditor.registry import Registry, summary
from auditor.report import FORMATS
from auditor.report.outputs import load_formats

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

load_collectors()
load_formats()
load_engines()

REGISTRIES: dict[str, Registry[Any]] = {"collector": COLLECTORS, "format": FORMATS, "engine": ENGINES,
                                        "signer": SIGNERS}
PLUGINS = sorted((kind, name) for kind, registry in REGISTRIES.items() for name in registry.names())


def flat(text: str) -> str:
    return " ".join(text.split())


def documented_plugins() -> list[tuple[str, str]]:
    """The rows of docs/plugins.md's "Registered plugins" table: (kind, name)."""
    text = (DOCS / "plugins.md").read_text()
    section = text.split("## Registered plugins", 1)[1].split("\n## ", 1)[0]
    return [(m[1], m[2]) for m in re.finditer(r"^\| (\w+) \| `([\w-]+)` \| (.+) \|$", section, re.MULTILINE)]


def test_the_documented_plugins_are_exactly_the_registered_ones() -> None:
    documented = documented_plugins()
    assert len(documented) == len(set(documented)), "a plugin listed twice in docs/plugins.md"
    missing = sorted(set(PLUGINS) - set(documented))
    stale = sorted(set(documented) - set(PLUGINS))
    assert not missing, f"registered but not in docs/plugins.md: {missing}"
    assert not stale, f"in docs/plugins.md but not registered: {stale}"


@pytest.mark.parametrize(("kind", "name"), PLUGINS, ids=[f"{k}:{n}" for k, n in PLUGINS])
def test_every_plugin_has_a_help_line_and_is_reachable_from_its_command_or_choice(
        kind: str, name: str, cli: Any) -> None:
    plugin = REGISTRIES[kind].get(name)
    assert plugin.name == name
    line = plugin.command_help() if kind == "collector" else summary(plugin)
    assert len(line) > 10 and "\n" not in line, f"{kind} {name}: no one-line help"
    if kind == "collector":
        listed = flat(cli("collect", "--help").out)
        assert f"{name} {line[:30]}" in listed
        assert f"### `{name}` ({plugin.version})" in (DOCS / "collectors.md").read_text()  # its reference
    elif kind == "format":
        for command in ("evaluate", "run"):
            text = flat(cli(command, "--help").out)
            assert "Also write an output format: " + ", ".join(FORMATS.names()) + " (repeatable" in text
    elif kind == "engine":
        for command in ("evaluate", "run"):
            assert "Policy engine: " + ", ".join(ENGINES.names()) + " (" in flat(cli(command, "--help").out)
    else:
        option = "--" + next(iter(plugin.options)).replace("_", "-")
        assert f"{option} " in cli("pack", "build", "--help").out


def test_oscal_is_a_format_choice_generated_from_the_registry(cli: Any) -> None:
    assert "oscal" in FORMATS.names()
    assert "json, junit, markdown, oscal, sarif" in flat(cli("evaluate", "--help").out)


@pytest.mark.parametrize("name", COLLECTORS.names())
def test_each_collector_command_is_generated_from_its_declared_options(name: str, cli: Any) -> None:
    collector = COLLECTORS.get(name)
    command = CollectGroup().get_command(click.Context(collect_group), name)  # a fresh group: nothing cached
    assert command is not None and command.help == collector.command_help()
    declared = [option.name for option in collector.options]
    assert [p.name for p in command.params] == [*declared, *COMMON_OPTIONS]
    own = cli("collect", name, "--help")
    assert own.code == 0
    for option in collector.options:
        if option.argument:
            assert f"[OPTIONS] {option.name.upper()}" in own.out
            continue
        for spelling in (option.spelling, *option.aliases):
            assert re.search(rf"^\s+{re.escape(spelling)}\b", own.out, re.MULTILINE), f"{name}: {spelling}"
        if option.secret:  # named by its variable, never given on the command line
            assert option.spelling.endswith("-env")
    assert "--out" in own.out and "--collected-at" in own.out and "--no-progress" in own.out


def test_each_built_in_collector_is_found_by_the_module_named_for_it() -> None:
    from auditor.collect.base import BUILT_IN, load_collector

    for name, module in BUILT_IN.items():
        assert COLLECTORS.get(name).__module__.startswith(module)
        assert load_collector(name) is COLLECTORS.get(name)
    shipped = {name for name, collector in COLLECTORS if collector.__module__.startswith("auditor.")}
    assert shipped == set(BUILT_IN)
    assert load_collector("no-such-collector") is None


def test_no_collector_command_is_written_by_hand() -> None:
    assert set(collect_group.commands) - set(COLLECTORS.names()) == {"list"}
    source = (ROOT / "auditor" / "cli" / "collect_cmd.py").read_text()
    assert re.findall(r'@collect_group\.command\("([\w-]+)"\)', source) == ["list"]


def test_built_in_options_keep_their_spellings_envvars_and_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    """The names existing scripts and the CI templates (ci/) pass: unchanged by generating the commands."""
    for variable in ("GITHUB_REPOSITORY", "CI_PROJECT_ID", "CI_DEFAULT_BRANCH"):  # set when run in CI
        monkeypatch.delenv(variable, raising=False)
    github = {o.name: o for o in COLLECTORS.get("github").options}
    assert (github["repository"].envvar, github["api"].envvar) == ("GITHUB_REPOSITORY", "GITHUB_API_URL")
    assert github["token"].spelling == "--token-env" and github["token"].default == "GITHUB_TOKEN"
    gitlab = {o.name: o for o in COLLECTORS.get("gitlab").options}
    assert gitlab["api"].spelling == "--url" and gitlab["api"].envvar == "CI_API_V4_URL"
    assert (gitlab["project"].envvar, gitlab["branch"].envvar) == ("CI_PROJECT_ID", "CI_DEFAULT_BRANCH")
    assert {o.spelling for o in COLLECTORS.get("aws").options} == {"--profile", "--region"}
    assert [o.spelling for o in COLLECTORS.get("deployment").options][:2] == ["--from-env", "--from"]
    assert [o.spelling for o in COLLECTORS.get("prometheus").options][:2] == ["--url", "--slo"]
    calls = [(m[1], re.findall(r"(--[\w-]+)", m[2])) for path in (ROOT / "ci").rglob("*.sh")
             for m in re.finditer(r"^\s*auditor collect (\w+) (.*)$", path.read_text(), re.MULTILINE)]
    assert {name for name, _ in calls} >= {"deployment", "git", "github", "gitlab"}  # the CI step's calls
    for name, spellings in calls:
        command = collector_command(name, COLLECTORS.get(name), lambda c, out: None)
        known = {opt for param in command.params for opt in getattr(param, "opts", [])}
        assert set(spellings) <= known, f"ci/ calls auditor collect {name} with {set(spellings) - known}"
    for name, where in (("github", "--repository"), ("gitlab", "--project")):
        command = collector_command(name, COLLECTORS.get(name), lambda c, out: None)
        parsed = command.make_context(name, [where, "acme/app", "--out", "ev", "--limit", "5", "--branch", "dev"])
        assert parsed.params["limit"] == 5 and parsed.params["branch"] == "dev"
        assert parsed.params["token"] == name.upper() + "_TOKEN"  # the variable's name, not yet its value
        with pytest.raises(click.MissingParameter, match=where.lstrip("-")):  # required, with no default to satisfy it
            command.make_context(name, ["--out", "ev"])
        with pytest.raises(click.BadParameter, match="10000"):
            command.make_context(name, [where, "acme/app", "--out", "ev", "--limit", "0"])


@Registry("collector").register("vault")  # a registry of its own: named, not in auditor collect
class Vault(Collector):
    """Secrets vault inventory (a collector taking a secret), for the tests below."""

    version: ClassVar[str] = "0.1.0"
    kinds: ClassVar[tuple[str, ...]] = ("services",)
    options: ClassVar[tuple[Option, ...]] = (
        Option("address", "Vault address.", required=True),
        Option("token", "Environment variable holding the Vault token.", secret=True, default="VAULT_TOKEN",
               unset="reading public paths only"),
    )
    seen: ClassVar[list[Any]] = []

    def __init__(self, address: str, token: str | None, **context: Any) -> None:
        super().__init__(**context)
        Vault.seen.append((address, token))

    def collect(self) -> list[Document]:
        return []


def test_a_secret_comes_from_its_environment_variable_and_is_never_echoed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "s." + "v4ult" * 6
    command = collector_command("vault", Vault, lambda collector, out: collector.write(out))
    Vault.seen.clear()
    monkeypatch.setenv("OTHER_TOKEN", secret)
    result = CliRunner().invoke(command, ["--address", "https://vault", "--token-env", "OTHER_TOKEN",
                                          "--out", str(tmp_path)], env={"VAULT_TOKEN": ""})
    assert result.exit_code == 0, result.output
    assert Vault.seen == [("https://vault", secret)] and secret not in result.output
    assert secret not in CliRunner().invoke(command, ["--help"]).output

    Vault.seen.clear()
    monkeypatch.delenv("VAULT_TOKEN", raising=False)
    unset = CliRunner().invoke(command, ["--address", "https://vault", "--out", str(tmp_path)])
    assert unset.exit_code == 0 and Vault.seen == [("https://vault", None)]
    assert "collect vault: $VAULT_TOKEN is not set; reading public paths only" in unset.output

    given = CliRunner().invoke(command, ["--address", "https://vault", "--token", secret, "--out", str(tmp_path)])
    assert given.exit_code == 2 and "No such option '--token'" in given.output  # never a command-line value


@pytest.mark.parametrize(("option", "message"), [
    (lambda: Option("x", "Help.", type="float"), "type 'float'"),
    (lambda: Option("x", "Help.", type="choice"), "choices go with type 'choice'"),
    (lambda: Option("x", "Help.", choices=("a",)), "choices go with type 'choice'"),
    (lambda: Option("token", "Help.", secret=True), "needs the environment variable"),
    (lambda: Option("token", "Help.", secret=True, default="T", multiple=True), "one text value"),
    (lambda: Option("x", " "), "no help"),
])
def test_a_badly_declared_option_is_refused_where_it_is_declared(option: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        option()


def test_an_option_clashing_with_the_common_ones_is_an_input_error_naming_the_collector() -> None:
    class Clash(Collector):
        """Declares --out itself."""

        options: ClassVar[tuple[Option, ...]] = (Option("out", "Where."),)

    with pytest.raises(InputError, match=r"collector clash \(.*Clash\): option\(s\) out: found in its options"):
        collector_command("clash", Clash, lambda c, out: None)


def test_the_record_and_the_exception_have_names_that_cannot_be_confused() -> None:
    assert issubclass(CollectorError, InputError)  # raised: no document at all
    assert not issubclass(CollectionFailure, BaseException)  # recorded in a document's errors
    old = [str(p.relative_to(ROOT)) for p in (ROOT / "auditor").rglob("*.py")
           if re.search(r"\bCollectionError\b", p.read_text())]
    assert old == [], f"the record's old name is still used in {old}"


# -- the documented recipe: docs/plugins.md, "Adding a collector from your own package" -----------------


def recipe() -> tuple[str, str, str]:
    """The entry point (group, name = value) and the module path and source, as docs/plugins.md gives them."""
    text = (DOCS / "plugins.md").read_text()
    section = text.split("## Adding a collector from your own package", 1)[1].split("\n## ", 1)[0]
    toml = re.search(r"```toml\n(.*?)```", section, re.DOTALL)
    python = re.search(r"```python\n# (\S+)\n(.*?)```", section, re.DOTALL)
    assert toml and python
    assert '[project.entry-points."auditor.collectors"]' in toml[1]
    (point,) = re.findall(r'^(\S+) = "(\S+)"$', toml[1], re.MULTILINE)
    assert point[1].replace(".", "/").split(":")[0] + ".py" == python[1]
    return f"{point[0]} = {point[1]}", python[1], python[2]


def test_the_documented_example_is_about_twenty_lines() -> None:
    _, _, source = recipe()
    code = [line for line in source.splitlines() if line.strip()]
    assert len(code) <= 32 and "class CatalogueCollector(Collector):" in source


def test_the_documented_recipe_installs_a_collector_whose_generated_command_writes_valid_evidence(
        tmp_path: Path, fixtures: Path) -> None:
    from auditor.evidence import load_evidence

    entry_point, module_path, source = recipe()
    site = tmp_path / "site"
    (site / module_path).parent.mkdir(parents=True)
    (site / module_path).parent.joinpath("__init__.py").write_text("")
    (site / module_path).write_text(source)
    info = site / "acme_auditor-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-auditor\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[auditor.collectors]\n{entry_point}\n")

    stores = json.loads((fixtures / "controls" / "PRIV-002" / "pass" / "data_stores.json").read_text())["items"]
    catalogue = tmp_path / "catalogue"
    catalogue.mkdir()
    for number, store in enumerate(stores):
        exported = {k: v for k, v in store.items() if not (number == 0 and k == "region")}  # one names none
        (catalogue / f"store-{number}.json").write_text(json.dumps(exported))

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])}

    def auditor(*args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "auditor", *map(str, args)], env=env, capture_output=True,
                              text=True, check=False)

    listed = auditor("collect", "--help")
    assert listed.returncode == 0 and "acme-catalogue Data stores from ACME's data" in flat(listed.stdout)
    helped = auditor("collect", "acme-catalogue", "--help")
    assert "--export DIRECTORY Folder of the catalogue's JSON export. [required]" in flat(helped.stdout)
    assert "[default: eu-west-2]" in flat(helped.stdout)
    missing = auditor("collect", "acme-catalogue", "--out", tmp_path / "ev")
    assert missing.returncode == 2 and "Missing option '--export'" in missing.stderr

    evidence = tmp_path / "evidence"
    collected = auditor("collect", "acme-catalogue", "--export", catalogue, "--out", evidence,
                        "--collected-at", "2026-11-20T09:00:00Z")
    assert collected.returncode == 0, collected.stderr
    (written,) = evidence.glob("*.json")
    assert written.name == "acme-catalogue-data_stores.json"
    document = json.loads(written.read_text())
    assert document["collector"] == {"name": "acme-catalogue", "version": "1.0.0"}
    assert document["source"] == "acme-catalogue:catalogue" and document["collected_at"] == "2026-11-20T09:00:00Z"
    by_id = {item["id"]: item for item in document["items"]}
    assert sorted(by_id) == sorted(s["id"] for s in stores)
    assert by_id[stores[0]["id"]]["region"] == "eu-west-2"  # the --region default filled it in
    assert all(by_id[s["id"]]["region"] == s["region"] for s in stores[1:])

    loaded = load_evidence(evidence)  # validated against evidence/schemas/data_stores.schema.json
    assert loaded.kinds() == {"data_stores": len(stores)}
