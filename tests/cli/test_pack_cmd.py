from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import orjson
import pytest

from tests.conftest import FIXTURES, CliResult
from tests.pack.helpers import rewrite

LIBRARY = ("--controls", FIXTURES / "library" / "controls", "--policies", FIXTURES / "library" / "policies",
           "--mappings", FIXTURES / "mappings-empty")
RUN = ("run", *LIBRARY, "--schemas", FIXTURES / "schemas")


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AUDITOR_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def test_run_signs_with_a_development_key_created_on_first_use(
    cli: Callable[..., CliResult], evidence: Path, tmp_path: Path, home: Path
) -> None:
    first = cli(*RUN, "--evidence", evidence, "--out-dir", tmp_path / "out")
    assert first.code == 1  # fixture controls fail
    assert "created a local DEVELOPMENT signing key" in first.err
    assert (home / "dev-key" / "signing-key.pem").is_file()
    second = cli(*RUN, "--evidence", evidence, "--out-dir", tmp_path / "out2")
    assert "created a local" not in second.err and "DEVELOPMENT key" in second.err
    verified = cli("verify", tmp_path / "out" / "pack.zip", "--json")
    assert verified.code == 0
    data = orjson.loads(verified.out)
    assert data["valid"] and data["development"] and not data["key_pinned"]
    assert data["key_id"].startswith("...") and len(data["key_id"]) == 7
    text = cli("verify", tmp_path / "out" / "pack.zip", "--key", home / "dev-key" / "signing-key.pub.pem")
    assert text.code == 0 and "DEVELOPMENT-signed" in text.out and "note: no --key" not in text.out


def test_run_no_pack_and_locker(cli: Callable[..., CliResult], evidence: Path, tmp_path: Path) -> None:
    cli(*RUN, "--evidence", evidence, "--out-dir", tmp_path / "a", "--no-pack")
    assert not (tmp_path / "a" / "pack.zip").exists()
    for out in ("b", "c"):
        cli(*RUN, "--evidence", evidence, "--out-dir", tmp_path / out, "--locker", tmp_path / "locker")
    history = cli("locker", "history", tmp_path / "locker", "--json")
    rows = orjson.loads(history.out)
    assert history.code == 0 and len(rows) == 2 and rows[0]["counts"] == {"fail": 2, "pass": 1}
    assert cli("locker", "verify", tmp_path / "locker").code == 0


def test_keys_pack_build_verify(cli: Callable[..., CliResult], evidence: Path, tmp_path: Path) -> None:
    keys = cli("keys", "generate", "--out", tmp_path / "keys")
    assert keys.code == 0 and "key id:      ..." in keys.out
    cli("evaluate", "--evidence", evidence, *LIBRARY, "--schemas", FIXTURES / "schemas",
        "--out", tmp_path / "results.json", "-q")
    unsigned = cli("pack", "build", "--results", tmp_path / "results.json", "--evidence", evidence, *LIBRARY,
                   "--out", tmp_path / "p.zip")
    assert unsigned.code == 2 and "a pack must be signed" in unsigned.err
    both = cli("pack", "build", "--results", tmp_path / "results.json", "--evidence", evidence, *LIBRARY,
               "--out", tmp_path / "p.zip", "--key", tmp_path / "keys" / "signing-key.pem", "--kms-key-id", "k")
    assert both.code == 2 and "give --key or --kms-key-id, not both" in both.err and not (tmp_path / "p.zip").exists()
    built = cli("pack", "build", "--results", tmp_path / "results.json", "--evidence", evidence, *LIBRARY,
                "--out", tmp_path / "p.zip", "--key", tmp_path / "keys" / "signing-key.pem")
    assert built.code == 0, built.err
    public = tmp_path / "keys" / "signing-key.pub.pem"
    ok = cli("verify", tmp_path / "p.zip", "--key", public)
    assert ok.code == 0 and ok.out.startswith("valid: ")
    rewrite(tmp_path / "p.zip", tmp_path / "t.zip", {"evidence/ledgers.yaml": None})
    bad = cli("verify", tmp_path / "t.zip", "--key", public)
    assert bad.code == 1
    assert bad.out.strip().endswith("member evidence/ledgers.yaml is missing: it is listed in the signed "
                                    "manifest but not in the pack")
    bad_json = orjson.loads(cli("verify", tmp_path / "t.zip", "--json").out)
    assert bad_json["valid"] is False and bad_json["reason"].startswith("member evidence/ledgers.yaml is missing")
    assert cli("verify", tmp_path / "missing.zip").code == 2
    assert cli("verify", tmp_path / "p.zip", "--key", public, "--kms-key-id", "x").code == 2


def test_locker_verify_reports_development_packs(cli: Callable[..., CliResult], evidence: Path, tmp_path: Path) -> None:
    """A development-signed pack is reported as such in every output, the locker's included."""
    cli(*RUN, "--evidence", evidence, "--out-dir", tmp_path / "b", "--locker", tmp_path / "locker")
    text = cli("locker", "verify", tmp_path / "locker")
    assert text.code == 0
    assert "DEVELOPMENT" in text.out and "no --key" in text.out
    data = orjson.loads(cli("locker", "verify", tmp_path / "locker", "--json").out)
    assert [row["development"] for row in data["runs"]] == [True]
    assert [row["key_pinned"] for row in data["runs"]] == [False]
    assert data["runs"][0]["key_id"].startswith("...")


def test_run_with_a_remote_that_refuses_pushes_exits_3(
    cli: Callable[..., CliResult], evidence: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import git

    from auditor.pack import locker

    remote = tmp_path / "remote.git"
    git.Repo.init(remote, bare=True)
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'no pushes today' >&2\nexit 1\n")
    hook.chmod(0o755)
    git.Repo.clone_from(remote, tmp_path / "locker")
    monkeypatch.setattr(locker, "PUSH_ATTEMPTS", 2)
    monkeypatch.setattr(locker, "BACKOFF_SECONDS", 0.01)
    result = cli(*RUN, "--evidence", evidence, "--out-dir", tmp_path / "out", "--locker", tmp_path / "locker")
    assert result.code == 3
    assert "push to origin failed 2 times" in result.err and "no pushes today" in result.err
    assert "is not in the locker" in result.err and "Traceback" not in result.err
    assert not git.Repo(tmp_path / "locker").head.is_valid()  # the refused first commit was dropped
    assert cli("locker", "history", tmp_path / "locker", "--json").out.strip() == "[]"


@pytest.mark.parametrize(("edit", "field"), [
    (lambda d: d["controls"][0].update(status="passed"),
     "controls[0].status: found 'passed', expected 'pass' or"),
    (lambda d: d["evidence"][0].pop("sha256"), "evidence[0].sha256: required field is missing"),
    (lambda d: d.update(schema_version="2"), "schema_version: found '2', expected '1'"),
])
def test_pack_build_refuses_damaged_results_naming_the_field(
        cli: Callable[..., CliResult], evidence: Path, tmp_path: Path, edit: Callable[[dict], None],  # type: ignore[type-arg]
        field: str) -> None:
    """The builder packs typed results: a damaged results.json is exit 2 naming file and field, no pack."""
    cli("keys", "generate", "--out", tmp_path / "keys")
    results = tmp_path / "results.json"
    assert cli("evaluate", "--evidence", evidence, *LIBRARY, "--schemas", FIXTURES / "schemas",
               "--out", results, "-q").code in (0, 1)
    document = orjson.loads(results.read_bytes())
    edit(document)
    results.write_bytes(orjson.dumps(document))
    done = cli("pack", "build", "--results", results, "--evidence", evidence, *LIBRARY,
               "--out", tmp_path / "p.zip", "--key", tmp_path / "keys" / "signing-key.pem")
    assert done.code == 2, (done.out, done.err)
    assert f"{results}: {field}" in done.err and "Traceback" not in done.err
    assert not (tmp_path / "p.zip").exists()
