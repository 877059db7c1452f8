from __future__ import annotations

import hashlib
import stat
import zipfile
from pathlib import Path

import orjson
import pytest

from auditor.errors import InputError
from auditor.pack import keys
from auditor.pack.build import build_pack
from auditor.pack.signers import Verifier
from auditor.pack.verify import verify_pack
from tests.pack.helpers import copy_evidence, make_results, member, pack, rewrite, signer, snapshot, statement

ATTESTATION = "signature/attestation.dsse.json"


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Verifier]:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    pack(results, evidence, tmp_path / "pack.zip", tmp_path / "key", reports=[])
    return tmp_path / "pack.zip", Verifier.from_pem_file(tmp_path / "key" / keys.PUBLIC_NAME)


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def test_valid_pack_layout_and_predicate(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    result = verify_pack(path, verifier)
    assert result.valid, result.reason
    assert result.key_pinned and result.key_id == verifier.key_id
    members = names(path)
    assert members[-2:] == ["manifest.json", ATTESTATION]
    assert members[:-2] == sorted(members[:-2])
    assert {"evidence/gadgets.json", "evidence/ledgers.yaml", "results.json", "oscal/assessment-results.json",
            "library/controls/security/SEC-001.yaml", "library/policies/security/sec_001.rego",
            "signature/public-key.pem"} <= set(members)
    doc = statement(path)
    subjects = {s["name"]: s["digest"]["sha256"] for s in doc["subject"]}
    assert set(subjects) == set(members) - {ATTESTATION}
    assert subjects["evidence/gadgets.json"] == hashlib.sha256((tmp_path / "evidence/gadgets.json").read_bytes()).hexdigest()
    predicate = doc["predicate"]
    assert predicate["controls"] == {"total": 3, "by_status": {"fail": 2, "pass": 1}}
    assert predicate["signer_key_id"] == verifier.key_id
    assert predicate["previous_pack_sha256"] is None and predicate["development"] is False
    assert len(predicate["library"]["commit"]) == 40  # the fixture library lives in this git checkout
    manifest = orjson.loads(member(path, "manifest.json"))
    assert [m["path"] for m in manifest["members"]] == sorted(set(members) - {"manifest.json", ATTESTATION})
    with zipfile.ZipFile(path) as archive:
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    first = pack(results, evidence, tmp_path / "a.zip", tmp_path / "key")
    second = pack(results, evidence, tmp_path / "b.zip", tmp_path / "key")
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()
    assert first.sha256 == second.sha256


def test_large_members_use_fast_compression_and_still_verify(tmp_path: Path) -> None:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    pack(results, evidence, tmp_path / "p.zip", tmp_path / "key", fast_above=200)
    pack(results, evidence, tmp_path / "q.zip", tmp_path / "key", fast_above=200)
    assert (tmp_path / "p.zip").read_bytes() == (tmp_path / "q.zip").read_bytes()
    with zipfile.ZipFile(tmp_path / "p.zip") as archive:
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_DEFLATED}
    assert verify_pack(tmp_path / "p.zip").valid


def test_without_key_uses_embedded_key_and_says_so(built: tuple[Path, Verifier]) -> None:
    result = verify_pack(built[0])
    assert result.valid and not result.key_pinned and result.key_source == "signature/public-key.pem"


@pytest.mark.parametrize("name", [
    "evidence/gadgets.json", "evidence/ledgers.yaml", "results.json", "oscal/assessment-results.json",
    "library/policies/security/sec_001.rego", "signature/public-key.pem",
])
def test_flipped_byte_in_a_member(built: tuple[Path, Verifier], tmp_path: Path, name: str) -> None:
    path, verifier = built
    data = bytearray(member(path, name))
    data[len(data) // 2] ^= 0x01
    rewrite(path, tmp_path / "t.zip", {name: bytes(data)})
    result = verify_pack(tmp_path / "t.zip", verifier)
    assert not result.valid
    assert result.reason.startswith(f"member {name} was altered")


def test_flipped_byte_in_the_manifest(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    data = bytearray(member(path, "manifest.json"))
    data[40] ^= 0x01
    rewrite(path, tmp_path / "t.zip", {"manifest.json": bytes(data)})
    assert verify_pack(tmp_path / "t.zip", verifier).reason == (
        "manifest.json was altered: its sha256 does not match the signed digest")


def test_flipped_byte_in_the_attestation(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    envelope = orjson.loads(member(path, ATTESTATION))
    payload = bytearray(envelope["payload"].encode())
    payload[100] = ord("A") if payload[100] != ord("A") else ord("B")
    envelope["payload"] = payload.decode()
    rewrite(path, tmp_path / "t.zip", {ATTESTATION: orjson.dumps(envelope)})
    result = verify_pack(tmp_path / "t.zip", verifier)
    assert not result.valid and result.reason.startswith("the signature does not verify")


def test_flipped_byte_in_the_raw_archive_fails_cleanly(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    raw = bytearray(path.read_bytes())
    offset = raw.index(b"evidence/gadgets.json") + 60  # inside that member's compressed data
    raw[offset] ^= 0xFF
    (tmp_path / "t.zip").write_bytes(bytes(raw))
    result = verify_pack(tmp_path / "t.zip", verifier)
    assert not result.valid
    assert "evidence/gadgets.json" in result.reason


def test_removed_member(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    rewrite(path, tmp_path / "t.zip", {"evidence/ledgers.yaml": None})
    assert verify_pack(tmp_path / "t.zip", verifier).reason == (
        "member evidence/ledgers.yaml is missing: it is listed in the signed manifest but not in the pack")


def test_added_member(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    rewrite(path, tmp_path / "t.zip", {}, add={"evidence/extra.json": b"{}"})
    assert verify_pack(tmp_path / "t.zip", verifier).reason == (
        "member evidence/extra.json was added: it is not listed in the manifest or the signature")


def test_removed_signature(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    rewrite(path, tmp_path / "t.zip", {ATTESTATION: None})
    assert verify_pack(tmp_path / "t.zip", verifier).reason.startswith("the pack is not signed")


def test_replaced_signature(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    import base64

    path, verifier = built
    envelope = orjson.loads(member(path, ATTESTATION))
    other = signer(tmp_path / "other")
    envelope["signatures"][0]["sig"] = base64.b64encode(other.sign(b"something else")).decode()
    rewrite(path, tmp_path / "t.zip", {ATTESTATION: orjson.dumps(envelope)})
    reason = verify_pack(tmp_path / "t.zip", verifier).reason
    assert reason.startswith("the signature does not verify with key") and "replaced" in reason


def test_resigned_with_another_key(tmp_path: Path) -> None:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    pack(results, evidence, tmp_path / "ours.zip", tmp_path / "ours")
    pack(results, evidence, tmp_path / "theirs.zip", tmp_path / "theirs")
    ours = Verifier.from_pem_file(tmp_path / "ours" / keys.PUBLIC_NAME)
    reason = verify_pack(tmp_path / "theirs.zip", ours).reason
    assert reason.startswith("signed by a different key: the signature names key ...")
    assert verify_pack(tmp_path / "theirs.zip").valid  # intact, but only the pinned key says who signed


def test_manifest_edited_to_match_a_changed_member(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    changed = member(path, "evidence/gadgets.json").replace(b"g-1", b"g-9")
    manifest = orjson.loads(member(path, "manifest.json"))
    for entry in manifest["members"]:
        if entry["path"] == "evidence/gadgets.json":
            entry["sha256"] = hashlib.sha256(changed).hexdigest()
            entry["size"] = len(changed)
    rewrite(path, tmp_path / "t.zip", {"evidence/gadgets.json": changed, "manifest.json": orjson.dumps(manifest)})
    assert verify_pack(tmp_path / "t.zip", verifier).reason == (
        "manifest.json was altered: its sha256 does not match the signed digest")


def _raw_zip(path: Path, name: str, data: bytes = b"x", mode: int = 0o100644) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo(name)
        info.external_attr = mode << 16
        archive.writestr(info, data)


@pytest.mark.parametrize(("name", "mode", "reason"), [
    ("../escape.txt", 0o100644, "unsafe member name '../escape.txt'"),
    ("/etc/passwd", 0o100644, "unsafe member name '/etc/passwd': absolute path"),
    ("evidence\\x.json", 0o100644, "unsafe member name"),
    ("link", stat.S_IFLNK | 0o777, "unsafe member 'link': symbolic link"),
])
def test_unsafe_archives_are_rejected(tmp_path: Path, name: str, mode: int, reason: str) -> None:
    _raw_zip(tmp_path / "bad.zip", name, mode=mode)
    assert verify_pack(tmp_path / "bad.zip").reason.startswith(reason)


def test_duplicate_names_are_rejected(tmp_path: Path) -> None:
    with pytest.warns(UserWarning), zipfile.ZipFile(tmp_path / "dup.zip", "w") as archive:
        archive.writestr("a.txt", b"1")
        archive.writestr("a.txt", b"2")
    assert verify_pack(tmp_path / "dup.zip").reason == "duplicate member name 'a.txt'"


def test_decompression_bomb_is_rejected(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros", b"\0" * (20 << 20))
    assert "decompression bound" in verify_pack(tmp_path / "bomb.zip").reason
    assert "bytes uncompressed" in verify_pack(tmp_path / "bomb.zip", max_ratio=10**6, max_total=1 << 20).reason


def test_not_a_zip(tmp_path: Path) -> None:
    (tmp_path / "x.zip").write_bytes(b"hello")
    assert verify_pack(tmp_path / "x.zip").reason.startswith("not a valid zip archive")


def test_evidence_changed_after_evaluation_is_refused(tmp_path: Path) -> None:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    (evidence / "gadgets.json").write_bytes((evidence / "gadgets.json").read_bytes() + b"\n")
    with pytest.raises(InputError, match="the evidence changed after it was evaluated"):
        build_pack(results, evidence, tmp_path / "p.zip", signer(tmp_path / "key"), library=snapshot())
    assert not (tmp_path / "p.zip").exists()
    assert not list(tmp_path.glob(".p.zip.*"))  # no half-written file left


def test_results_must_name_the_packed_evidence(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    # A pack whose signed results.json names a different digest than the packed evidence is rejected:
    # build one by signing honest-looking members with the real key.
    evidence = copy_evidence(tmp_path)
    results_path = tmp_path / "results.json"
    doc = orjson.loads(results_path.read_bytes())
    doc["evidence"] = [e for e in doc["evidence"] if e["path"] != "ledgers.yaml"]
    results_path.write_bytes(orjson.dumps(doc))
    pack(results_path, evidence, tmp_path / "p.zip", tmp_path / "key")
    extra = {"evidence/ledgers.yaml": (evidence / "ledgers.yaml").read_bytes()}
    from auditor.pack import attestation

    path = tmp_path / "p.zip"
    envelope = orjson.loads(member(path, ATTESTATION))
    doc_statement = statement(path)
    manifest = orjson.loads(member(path, "manifest.json"))
    manifest["members"].append({"path": "evidence/ledgers.yaml", "size": len(extra["evidence/ledgers.yaml"]),
                                "sha256": hashlib.sha256(extra["evidence/ledgers.yaml"]).hexdigest()})
    manifest_raw = orjson.dumps(manifest)
    subjects = attestation.subjects_of(doc_statement)
    subjects["manifest.json"] = hashlib.sha256(manifest_raw).hexdigest()
    subjects["evidence/ledgers.yaml"] = hashlib.sha256(extra["evidence/ledgers.yaml"]).hexdigest()
    envelope = attestation.sign(attestation.statement(subjects, doc_statement["predicate"]), signer(tmp_path / "key"))
    rewrite(path, tmp_path / "t.zip", {"manifest.json": manifest_raw, ATTESTATION: orjson.dumps(envelope)}, add=extra)
    reason = verify_pack(tmp_path / "t.zip", built[1]).reason
    assert reason == "evidence/ledgers.yaml is packed but results.json does not list it as evaluated evidence"


def test_a_signed_results_file_that_is_not_a_results_document_is_invalid_naming_the_field(
        built: tuple[Path, Verifier], tmp_path: Path) -> None:
    """verify reads the packed results.json checked and typed like every results.json read from a file: a
    correctly signed pack whose results.json lost a field is rejected, the reason naming the field."""
    from auditor.pack import attestation

    path = built[0]
    doc = orjson.loads(member(path, "results.json"))
    del doc["evidence"][0]["sha256"]
    damaged = orjson.dumps(doc)
    digest = hashlib.sha256(damaged).hexdigest()
    manifest = orjson.loads(member(path, "manifest.json"))
    for entry in manifest["members"]:
        if entry["path"] == "results.json":
            entry.update(size=len(damaged), sha256=digest)
    manifest_raw = orjson.dumps(manifest)
    doc_statement = statement(path)
    subjects = attestation.subjects_of(doc_statement)
    subjects["manifest.json"] = hashlib.sha256(manifest_raw).hexdigest()
    subjects["results.json"] = digest
    envelope = attestation.sign(attestation.statement(subjects, doc_statement["predicate"]), signer(tmp_path / "key"))
    rewrite(path, tmp_path / "t.zip", {"results.json": damaged, "manifest.json": manifest_raw,
                                       ATTESTATION: orjson.dumps(envelope)})
    assert verify_pack(tmp_path / "t.zip", built[1]).reason == \
        "results.json: evidence[0].sha256: required field is missing"
