"""Secrets in evidence: never echoed by a message, refused (or, opted in, redacted) at load, never packed."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

from auditor.errors import InputError
from auditor.evidence import SchemaSet, load_evidence
from auditor.evidence.secrets import REDACT, REDACTED, find_in_items, mask_secret, redact_text, secrets_mode
from tests.conftest import FIXTURES, CliResult

# Built at run time so that no token-shaped literal sits in the repository.
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
SECRETS = {
    "AWS secret access key": AWS_SECRET,
    "AWS access key id": "AKIAIOSFODNN7EXAMPLE",
    "GitHub token": "ghp_" + "R2d2C3po" * 4 + "Bb8X",
    "GitHub fine-grained token": "github_pat_11ABCDEFG0" + "aBcD1234" * 4,
    "GitLab token": "glpat-" + "Xy9kQw3e" * 3,
    "Slack token": "xoxp-" + "1234567890" + "-" + "0987654321" + "-" + "a1b2c3d4e5f6",
    "JSON web token": "eyJhbGciOiJIUzI1NiJ9." + "eyJzdWIiOiJkZXBsb3kifQ" + ".c2lnbmF0dXJlLXBhcnQtb2YtdGhlLWp3dA",
    "private key": "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIBkg4LVWM9nuwNSk3yBzKTm\n-----END EC PRIVATE KEY-----",
    "password in a URL": "https://deploy:Pa55w0rd-2026@git.example.com/acme.git",
    "secret assignment": "db password=Hunter2Hunter2",
}
# The part of each planted value that must never be shown.
CORE = {kind: value for kind, value in SECRETS.items()}
CORE["private key"] = "MHcCAQEEIBkg4LVWM9nuwNSk3yBzKTm"
CORE["password in a URL"] = "Pa55w0rd-2026"
CORE["secret assignment"] = "Hunter2Hunter2"
CORE["JSON web token"] = "eyJzdWIiOiJkZXBsb3kifQ"

LIBRARY = ("--controls", FIXTURES / "library" / "controls", "--policies", FIXTURES / "library" / "policies",
           "--mappings", FIXTURES / "mappings-empty", "--schemas", FIXTURES / "schemas")


def gadgets(evidence: Path) -> dict[str, Any]:
    return orjson.loads((evidence / "gadgets.json").read_bytes())


def plant(evidence: Path, owner: str, *, source: str | None = None, encrypted: Any = False) -> Path:
    """The fixture's gadgets document with one hand-added item (a person typed it into the export)."""
    doc = gadgets(evidence)
    doc["items"].append({"id": "g-9", "owner": owner, "encrypted": encrypted, "created_at": "2026-11-01T00:00:00Z"})
    if source is not None:
        doc["source"] = source
    path = evidence / "gadgets.json"
    path.write_bytes(orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    return path


def schemas() -> SchemaSet:
    return SchemaSet(FIXTURES / "schemas")


# -- messages ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_a_schema_error_never_echoes_a_secret(kind: str, evidence: Path) -> None:
    """The validation message quotes the bad value (``'...' is not of type 'boolean'``): masked."""
    plant(evidence, "eve", encrypted=SECRETS[kind])
    with pytest.raises(InputError, match=r"gadgets\.json: items\[4\]\.encrypted \(id 'g-9'\)") as caught:
        load_evidence(evidence, schemas())
    assert CORE[kind] not in caught.value.message
    assert "[REDACTED]" in caught.value.message or "****" in caught.value.message


@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_a_yaml_validation_error_never_echoes_a_secret(kind: str, tmp_path: Path) -> None:
    from auditor.validation import validate

    with pytest.raises(InputError, match=r"params\.yaml: limit: found") as caught:
        validate({"limit": {"type": "integer"}}, {"limit": SECRETS[kind]}, tmp_path / "params.yaml", "params")
    assert CORE[kind] not in caught.value.message


def test_a_rejected_export_row_never_echoes_a_secret(tmp_path: Path) -> None:
    from auditor.collect.files import FileCollector

    export = tmp_path / "reviews.csv"
    export.write_text("id,scope,reviewer,completed_at,privileged,findings_open\n"
                      f"r1,db,alice@example.com,2026-01-05T00:00:00Z,password={CORE['secret assignment']},0\n"
                      f"r2,db,bob@example.com,2026-01-05T00:00:00Z,{SECRETS['GitLab token']},0\n")
    with pytest.raises(InputError, match=r"reviews\.csv:2: privileged") as caught:
        FileCollector("access_reviews", export).collect()
    assert CORE["secret assignment"] not in caught.value.message
    assert CORE["GitLab token"] not in caught.value.message


def test_any_input_error_masks_what_it_quotes() -> None:
    error = InputError(f"x.yaml:3: token: found {SECRETS['GitHub token']!r}, expected an integer")
    assert SECRETS["GitHub token"] not in error.message and "x.yaml:3: token: found" in error.message


# -- the load-time scan ----------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", sorted(SECRETS))
def test_hand_supplied_secrets_are_refused_with_file_item_field_kind_and_a_masked_value(
    kind: str, evidence: Path
) -> None:
    path = plant(evidence, f"eve ({SECRETS[kind]})")
    with pytest.raises(InputError) as caught:
        load_evidence(evidence, schemas())
    message = caught.value.message
    assert f"{path}: " in message and "in evidence, refused" in message
    assert "items[4] (id 'g-9'): owner: " in message
    assert "****" in message and "characters)" in message
    assert CORE[kind] not in message
    assert "--redact-secrets" in message


def test_secret_named_fields_and_the_document_source_are_scanned(evidence: Path) -> None:
    doc = orjson.loads((evidence / "gadgets.json").read_bytes())
    doc["source"] = f"test:inventory?token={CORE['secret assignment']}"
    (evidence / "gadgets.json").write_bytes(orjson.dumps(doc))
    with pytest.raises(InputError, match=r"gadgets\.json: source: secret assignment \*\*\*\*") as caught:
        load_evidence(evidence, schemas())
    assert CORE["secret assignment"] not in caught.value.message
    findings, _ = find_in_items([{"id": "u1", "attributes": {"apiToken": "plain-word", "password": 12345678,
                                                             "password_enabled": True, "token": None}}])
    assert [(f.field, f.kind) for f in findings] == [
        ("attributes.apiToken", "value of a secret field (apiToken)"),
        ("attributes.password", "value of a secret field (password)"),
    ]


def test_ids_digests_and_the_demo_organisation_are_not_secrets() -> None:
    items = [{
        "id": "arn:aws:iam::123456789012:user/alice", "commit": "0123456789abcdef0123456789abcdef01234567",
        "digest": "sha256:" + "9f" * 32, "uuid": "123e4567-e89b-12d3-a456-426614174000",
        "key": {"id": "****MPLE", "kms_key": "arn:aws:kms:eu-west-2:123456789012:key/1234abcd-12ab-34cd-56ef"},
        "message_summary": "Fix token refresh; password: see the runbook", "password_enabled": True,
        "notes": "password=${DB_PASSWORD}", "ticket": "CHG-1234", "url": "https://ci.example.com/acme/app/runs/42",
    }]
    assert find_in_items(items)[0] == []
    demo = Path(__file__).parents[2] / "evidence" / "examples" / "demo"
    assert load_evidence(demo).documents  # nothing refused


def test_masked_values_keep_at_most_the_last_four_of_a_long_secret() -> None:
    assert mask_secret(AWS_SECRET) == "****EKEY (40 characters)"
    assert mask_secret("hunter2") == "**** (7 characters)"


def test_redaction_mode_rewrites_the_file_and_records_what_was_replaced(evidence: Path) -> None:
    path = plant(evidence, f"eve {SECRETS['GitHub token']} and {SECRETS['secret assignment']}")
    with secrets_mode(REDACT):
        loaded = load_evidence(evidence, schemas())
    doc = next(d for d in loaded.documents if d.kind == "gadgets")
    raw = path.read_bytes()
    assert SECRETS["GitHub token"].encode() not in raw and CORE["secret assignment"].encode() not in raw
    assert doc.sha256 == hashlib.sha256(raw).hexdigest() and doc.size == len(raw)
    assert orjson.loads(doc.items_json)[4]["owner"] == f"eve {REDACTED} and db password={REDACTED}"
    assert list(doc.redactions) == [
        {"field": "items[4].owner", "id": "g-9", "kind": "GitHub token"},
        {"field": "items[4].owner", "id": "g-9", "kind": "secret assignment"},
    ]
    assert doc.summary()["redactions"] == list(doc.redactions)
    again = load_evidence(evidence, schemas())  # the rewritten file now loads without the flag
    assert next(d for d in again.documents if d.kind == "gadgets").sha256 == doc.sha256


def test_redacting_a_yaml_document_keeps_it_loadable(evidence: Path) -> None:
    ledgers = evidence / "ledgers.yaml"
    ledgers.write_text(ledgers.read_text().replace("source: test:retention-register",
                                                   f"source: 'test:{SECRETS['Slack token']}'"))
    with secrets_mode(REDACT):
        loaded = load_evidence(evidence, schemas())
    doc = next(d for d in loaded.documents if d.kind == "ledgers")
    assert doc.source == f"test:{REDACTED}" and doc.redactions == ({"field": "source", "id": None,
                                                                      "kind": "Slack token"},)
    assert SECRETS["Slack token"] not in ledgers.read_text()
    assert load_evidence(evidence, schemas()).documents


# -- end to end: exit codes, results and the pack -----------------------------------------------------

@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("AUDITOR_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _pack_bytes(pack: Path) -> bytes:
    """Every member, decompressed, and the archive itself."""
    with zipfile.ZipFile(pack) as archive:
        return pack.read_bytes() + b"".join(archive.read(name) for name in archive.namelist())


def test_refused_evidence_exits_2_and_writes_no_results_or_pack(
    cli: Callable[..., CliResult], evidence: Path, tmp_path: Path
) -> None:
    plant(evidence, f"eve {SECRETS['AWS secret access key']}")
    out = tmp_path / "out"
    result = cli("run", *LIBRARY, "--evidence", evidence, "--out-dir", out)
    assert result.code == 2
    assert "gadgets.json: items[4] (id 'g-9'): owner: AWS secret access key ****EKEY (40 characters)" in result.err
    assert AWS_SECRET not in result.err + result.out
    assert not (out / "results.json").exists() and not (out / "pack.zip").exists()


def test_redacted_evidence_is_recorded_in_results_and_never_reaches_the_pack(
    cli: Callable[..., CliResult], evidence: Path, tmp_path: Path
) -> None:
    plant(evidence, f"eve {SECRETS['private key']}", source=f"test:{SECRETS['password in a URL']}")
    out = tmp_path / "out"
    result = cli("run", *LIBRARY, "--evidence", evidence, "--out-dir", out, "--redact-secrets")
    assert result.code == 1, result.err  # the fixture controls fail; the run went through
    results = orjson.loads((out / "results.json").read_bytes())
    entry = next(e for e in results["evidence"] if e["path"] == "gadgets.json")
    assert entry["redactions"] == [{"field": "source", "id": None, "kind": "password in a URL"},
                                   {"field": "items[4].owner", "id": "g-9", "kind": "private key"}]
    packed = _pack_bytes(out / "pack.zip")
    for secret in (CORE["private key"], CORE["password in a URL"]):
        assert secret.encode() not in packed
        assert secret.encode() not in (out / "results.json").read_bytes()
    assert REDACTED.encode() in packed
    assert cli("verify", out / "pack.zip").code == 0


def test_the_pack_takes_only_the_evaluated_scanned_files(
    cli: Callable[..., CliResult], evidence: Path, tmp_path: Path
) -> None:
    """A file dropped in after evaluation is not packed; a scanned file changed afterwards is refused."""
    keys = tmp_path / "keys"
    cli("keys", "generate", "--out", keys)
    results = tmp_path / "results.json"
    cli("evaluate", "--evidence", evidence, *LIBRARY, "--out", results, "-q")
    late = evidence / "late.json"
    shutil.copy(evidence / "gadgets.json", late)
    late.write_bytes(late.read_bytes().replace(b'"owner": "alice"', f'"owner": "{AWS_SECRET}"'.encode()))
    pack = tmp_path / "p.zip"
    built = cli("pack", "build", "--results", results, "--evidence", evidence, *LIBRARY[:6], "--out", pack,
                "--key", keys / "signing-key.pem")
    assert built.code == 0, built.err
    assert AWS_SECRET.encode() not in _pack_bytes(pack)
    with zipfile.ZipFile(pack) as archive:
        assert "evidence/late.json" not in archive.namelist()
    plant(evidence, f"eve {AWS_SECRET}")  # changed after it was scanned and evaluated
    changed = cli("pack", "build", "--results", results, "--evidence", evidence, *LIBRARY[:6],
                  "--out", tmp_path / "q.zip", "--key", keys / "signing-key.pem")
    assert changed.code == 2 and "the evidence changed after it was evaluated" in changed.err
    assert not (tmp_path / "q.zip").exists()


def test_redact_text_is_the_collectors_redaction() -> None:
    from auditor.collect import redact

    assert redact.redact_text is redact_text


def test_the_library_patterns_read_apart_are_the_librarys_own() -> None:
    """detect-secrets is imported in a forked child (not in the run's process, which would hold its 190
    modules through the engine's parse): the patterns are the same, in the same order."""
    import subprocess
    import sys

    from auditor.evidence import secrets

    assert secrets._denylists_apart() == secrets._denylists()
    assert len(secrets._denylists()) >= len(secrets._LIBRARY_PLUGINS)
    script = ("import sys; from auditor.evidence import secrets; d = secrets.detector(); "
              "assert d.find('ghp_' + 'R2d2C3po' * 4 + 'Bb8X'); print('detect_secrets' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
