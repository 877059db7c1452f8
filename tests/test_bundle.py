"""OPA bundles: deterministic bytes, OPA's layout and manifest, signatures that verify and break."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc import jws
from joserfc.jwk import ECKey

from auditor.bundle import build_bundle, opa_file_hash, read_archive, verify_signatures, write_archive
from auditor.controls import load_library
from auditor.errors import InputError
from auditor.policies import load_policies


def _write_key(path: Path, key: object) -> bytes:
    path.write_bytes(key.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return key.public_key().public_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _build(library: Path, out: Path, **kwargs: object) -> object:
    return build_bundle(load_library(library / "controls"), load_policies(library / "policies"), out, **kwargs)  # type: ignore[arg-type]


def test_same_sources_same_bytes(library: Path, tmp_path: Path) -> None:
    first = _build(library, tmp_path / "a.tar.gz")
    _build(library, tmp_path / "b.tar.gz")
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()
    policy = library / "policies/security/sec_001.rego"
    policy.write_text(policy.read_text() + "\n# changed\n")
    changed = _build(library, tmp_path / "c.tar.gz")
    assert (tmp_path / "c.tar.gz").read_bytes() != (tmp_path / "a.tar.gz").read_bytes()
    assert changed.revision != first.revision  # type: ignore[attr-defined]


def test_layout_manifest_and_params(library: Path, tmp_path: Path) -> None:
    info = _build(library, tmp_path / "bundle.tar.gz")
    raw = (tmp_path / "bundle.tar.gz").read_bytes()
    assert raw[4:8] == b"\0\0\0\0"  # gzip header mtime
    with tarfile.open(tmp_path / "bundle.tar.gz") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == sorted(m.name for m in members)
    assert {(m.mtime, m.uid, m.gid, m.mode) for m in members} == {(0, 0, 0, 0o644)}
    files = read_archive(tmp_path / "bundle.tar.gz")
    assert sorted(files) == [".manifest", "params/data.json", "privacy/priv_001.rego",
                             "security/sec_001.rego", "security/sec_002.rego"]  # tests excluded
    manifest = json.loads(files[".manifest"])
    assert manifest == {"revision": info.revision, "roots": ["controls", "params"], "rego_version": 1}
    assert manifest["revision"].startswith("sha256:")
    params = json.loads(files["params/data.json"])
    assert params == load_library(library / "controls").params_document()
    assert params["PRIV-001"]["max_retention_days"] == 365


def test_tests_and_git_revision_on_request(library: Path, tmp_path: Path) -> None:
    info = _build(library, tmp_path / "b.tar.gz", include_tests=True, revision="0123abc")
    files = read_archive(tmp_path / "b.tar.gz")
    assert "privacy/priv_001_test.rego" in files
    assert json.loads(files[".manifest"])["revision"] == "0123abc" == info.revision


def test_es256_signature_verifies_and_is_deterministic(library: Path, tmp_path: Path) -> None:
    public = _write_key(tmp_path / "key.pem", ec.generate_private_key(ec.SECP256R1()))
    _build(library, tmp_path / "a.tar.gz", sign_key=tmp_path / "key.pem", key_id="ci")
    _build(library, tmp_path / "b.tar.gz", sign_key=tmp_path / "key.pem", key_id="ci")
    assert (tmp_path / "a.tar.gz").read_bytes() == (tmp_path / "b.tar.gz").read_bytes()
    files = read_archive(tmp_path / "a.tar.gz")
    assert verify_signatures(files, public) == sorted(n for n in files if n != ".signatures.json")
    # Independently of our verifier: a standard JWS whose payload lists OPA's file hashes.
    token = json.loads(files[".signatures.json"])["signatures"][0]
    decoded = jws.deserialize_compact(token, ECKey.import_key(public), algorithms=["ES256"])
    assert decoded.protected == {"alg": "ES256", "kid": "ci"}
    listed = {f["name"]: f for f in json.loads(decoded.payload)["files"]}
    assert listed["security/sec_001.rego"] == {
        "name": "security/sec_001.rego", "algorithm": "SHA-256",
        "hash": hashlib.sha256(files["security/sec_001.rego"]).hexdigest(),
    }
    assert set(listed) == {".manifest", "params/data.json", "privacy/priv_001.rego",
                           "security/sec_001.rego", "security/sec_002.rego"}


def test_altered_file_fails_verification(library: Path, tmp_path: Path) -> None:
    public = _write_key(tmp_path / "key.pem", ec.generate_private_key(ec.SECP256R1()))
    _build(library, tmp_path / "b.tar.gz", sign_key=tmp_path / "key.pem")
    files = read_archive(tmp_path / "b.tar.gz")
    tampered = dict(files)
    tampered["security/sec_001.rego"] = files["security/sec_001.rego"].replace(b"violations", b"violationz", 1)
    with pytest.raises(InputError, match=r"security/sec_001\.rego: digest mismatch"):
        verify_signatures(tampered, public)
    extra = {**files, "security/evil.rego": b"package controls.security.evil\n"}
    with pytest.raises(InputError, match="files not signed"):
        verify_signatures(extra, public)
    other = _write_key(tmp_path / "other.pem", ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(InputError, match="does not verify"):
        verify_signatures(files, other)


def test_rsa_signature_and_scope(library: Path, tmp_path: Path) -> None:
    public = _write_key(tmp_path / "rsa.pem", rsa.generate_private_key(public_exponent=65537, key_size=2048))
    _build(library, tmp_path / "b.tar.gz", sign_key=tmp_path / "rsa.pem", scope="prod")
    files = read_archive(tmp_path / "b.tar.gz")
    assert verify_signatures(files, public, scope="prod")
    with pytest.raises(InputError, match="scope mismatch"):
        verify_signatures(files, public)


def test_unsupported_key_is_input_error(library: Path, tmp_path: Path) -> None:
    _write_key(tmp_path / "ed.pem", ed25519.Ed25519PrivateKey.generate())
    with pytest.raises(InputError, match=r"expected an EC P-256 \(ES256\) or RSA"):
        _build(library, tmp_path / "b.tar.gz", sign_key=tmp_path / "ed.pem")
    assert not (tmp_path / "b.tar.gz").exists()


def test_json_files_are_hashed_by_value_as_opa_does() -> None:
    pretty = b'{\n  "b": 1,\n  "a": {"y": [1, "x"], "c": true}\n}\n'
    assert opa_file_hash("params/data.json", pretty) == hashlib.sha256(b'{"a":{"c":true,"y":[1,"x"]},"b":1}').hexdigest()
    assert opa_file_hash("x.rego", pretty) == hashlib.sha256(pretty).hexdigest()


def test_unsafe_archive_members_are_rejected(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tar.gz"
    with gzip.open(bad, "wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        info = tarfile.TarInfo("../escape.rego")
        tar.addfile(info)
    with pytest.raises(InputError, match="relative paths"):
        read_archive(bad)
    write_archive(tmp_path / "ok.tar.gz", {"a.rego": b"package a\n"})
    assert read_archive(tmp_path / "ok.tar.gz") == {"a.rego": b"package a\n"}


def _signed(library: Path, tmp_path: Path) -> tuple[dict[str, bytes], bytes]:
    public = _write_key(tmp_path / "key.pem", ec.generate_private_key(ec.SECP256R1()))
    _build(library, tmp_path / "b.tar.gz", sign_key=tmp_path / "key.pem")
    return read_archive(tmp_path / "b.tar.gz"), public


def test_duplicate_entries_are_rejected(library: Path, tmp_path: Path) -> None:
    """OPA verifies the first copy of a file (and rejects the second): a planted first copy must not pass here."""
    files, public = _signed(library, tmp_path)
    crafted = tmp_path / "dup.tar.gz"
    with gzip.open(crafted, "wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for name, data in [("security/sec_001.rego", b"package controls.security.sec_001\n"), *sorted(files.items())]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(InputError, match="more than once"):
        verify_signatures(read_archive(crafted), public)


def test_leading_slash_and_plain_name_collide(tmp_path: Path) -> None:
    crafted = tmp_path / "slash.tar.gz"
    with gzip.open(crafted, "wb") as gz, tarfile.open(fileobj=gz, mode="w") as tar:
        for name in ("/a.rego", "a.rego"):
            info = tarfile.TarInfo(name)
            info.size = 1
            tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(InputError, match="more than once"):
        read_archive(crafted)


@pytest.mark.parametrize(("name", "data"), [
    (".signatures.json", b"not json"),
    (".signatures.json", b"[1]"),
    ("params/data.json", b"{not json"),
])
def test_malformed_json_is_an_input_error_not_a_crash(library: Path, tmp_path: Path, name: str, data: bytes) -> None:
    files, public = _signed(library, tmp_path)
    with pytest.raises(InputError, match=name.replace(".", r"\.")):
        verify_signatures({**files, name: data}, public)


def test_json_strings_are_hashed_with_gos_escapes() -> None:
    """Go's encoder (OPA's hasher) writes U+2028 and U+2029 as \\u2028 and \\u2029, even without HTML escaping."""
    raw = json.dumps({"s": "a\u2028b\u2029c<&>"}, ensure_ascii=False).encode()
    assert opa_file_hash("data.json", raw) == hashlib.sha256(b'{"s":"a\\u2028b\\u2029c<&>"}').hexdigest()
