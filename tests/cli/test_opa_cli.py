"""CLI wiring of the OPA backend (--engine opa --opa-url ...) and `auditor bundle`."""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.cli.test_cli_core import lib_args
from tests.opa_double import OpaTestDouble


def test_engine_opa_needs_a_url(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--engine", "opa",
                 "--out", tmp_path / "r.json")
    assert result.code == 2 and "--engine opa needs --opa-url" in result.err
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--opa-url", "http://127.0.0.1:1",
                 "--out", tmp_path / "r.json")
    assert result.code == 2 and "need --engine opa" in result.err
    assert not (tmp_path / "r.json").exists()


def test_missing_token_variable_is_usage_error(cli, library, evidence, fixtures, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.delenv("AUDITOR_TEST_OPA_TOKEN", raising=False)
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--engine", "opa",
                 "--opa-url", "http://127.0.0.1:1", "--opa-token-env", "AUDITOR_TEST_OPA_TOKEN",
                 "--out", tmp_path / "r.json")
    assert result.code == 2 and "AUDITOR_TEST_OPA_TOKEN is not set" in result.err


def test_evaluate_on_opa_with_token(cli, library, evidence, fixtures, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("AUDITOR_TEST_OPA_TOKEN", "tok-123456")
    out = tmp_path / "r.json"
    with OpaTestDouble(token="tok-123456") as double:
        result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--engine", "opa",
                     "--opa-url", double.url, "--opa-token-env", "AUDITOR_TEST_OPA_TOKEN", "--out", out)
    assert result.code == 1, result.err
    doc = json.loads(out.read_text())
    assert {c["id"]: c["status"] for c in doc["controls"]} == {"PRIV-001": "pass", "SEC-001": "fail", "SEC-002": "fail"}
    assert doc["engine"]["name"] == "opa" and doc["engine"]["url"] == double.url
    assert "tok-123456" not in out.read_text() + result.out + result.err


def test_unreachable_opa_exits_3(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    with OpaTestDouble() as double:
        url = double.url  # stopped below: nothing listens there any more
    out = tmp_path / "r.json"
    result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--engine", "opa",
                 "--opa-url", url, "--opa-timeout", "2", "--out", out)
    assert result.code == 3
    doc = json.loads(out.read_text())
    assert {c["status"] for c in doc["controls"]} == {"error"}
    assert "Traceback" not in result.err


def test_bundle_build_verify_and_serve(cli, library, evidence, fixtures, tmp_path):  # type: ignore[no-untyped-def]
    key = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "k.pem").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "k.pub").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    bundle = tmp_path / "bundle.tar.gz"
    result = cli("bundle", "build", "--controls", library / "controls", "--policies", library / "policies",
                 "--out", bundle, "--sign-key", tmp_path / "k.pem")
    assert result.code == 0, result.err
    assert "roots controls, params" in result.out and "signed" in result.out
    assert cli("bundle", "verify", bundle, "--public-key", tmp_path / "k.pub").code == 0
    other = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / "o.pub").write_bytes(other.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    bad = cli("bundle", "verify", bundle, "--public-key", tmp_path / "o.pub")
    assert bad.code == 2 and "does not verify" in bad.err
    with OpaTestDouble() as double:
        double.load_bundle(bundle)
        out = tmp_path / "r.json"
        result = cli("evaluate", "--evidence", evidence, *lib_args(library, fixtures), "--engine", "opa",
                     "--opa-url", double.url, "--opa-preloaded", "--out", out)
        assert double.requests_to("PUT", "/") == []
    assert result.code == 1
    assert json.loads(out.read_text())["engine"]["policies"] == "preloaded"


def test_bundle_build_is_byte_identical_across_runs(cli, library, tmp_path: Path):  # type: ignore[no-untyped-def]
    for name in ("a", "b"):
        assert cli("bundle", "build", "--controls", library / "controls", "--policies", library / "policies",
                   "--out", tmp_path / f"{name}.tar.gz").code == 0
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()
