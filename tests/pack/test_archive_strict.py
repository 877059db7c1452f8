"""Crafted archives that another zip reader would see differently must not verify.

A verifier that reads only the central directory (as Python's zipfile does) and a
tool that streams local headers, or that inflates a member to its end, can disagree
about what a pack holds. Each pack below is the genuine signed pack with the zip
structure altered so that its signed content still reads back intact through
``zipfile``: the verifier must reject it anyway, with a reason and no traceback.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from auditor.pack import keys
from auditor.pack.build import build_pack
from auditor.pack.signers import Verifier
from auditor.pack.verify import verify_pack
from tests.pack.helpers import copy_evidence, make_results, member, pack, rewrite, signer, snapshot

TARGET = "evidence/gadgets.json"
LOCAL = struct.Struct("<4s2B4HL2L2H")  # local file header, 30 bytes


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Verifier]:
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    pack(results, evidence, tmp_path / "pack.zip", tmp_path / "key")
    return tmp_path / "pack.zip", Verifier.from_pem_file(tmp_path / "key" / keys.PUBLIC_NAME)


def _central_offset(raw: bytes, name: str) -> int:
    """Offset of ``name``'s central directory record."""
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        pos = archive.start_dir
    while raw[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack("<3H", raw[pos + 28:pos + 34])
        if raw[pos + 46:pos + 46 + n] == name.encode():
            return pos
        pos += 46 + n + m + k
    raise AssertionError(name)


def _local_offset(raw: bytes, name: str) -> int:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return archive.getinfo(name).header_offset


def _verify(tmp_path: Path, raw: bytes, verifier: Verifier) -> str:
    path = tmp_path / "crafted.zip"
    path.write_bytes(raw)
    result = verify_pack(path, verifier)
    assert not result.valid
    assert result.reason
    return result.reason


def test_genuine_pack_passes_the_structure_checks(built: tuple[Path, Verifier]) -> None:
    path, verifier = built
    assert verify_pack(path, verifier).valid


def test_trailing_bytes_after_the_zip(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    assert "after the end of the zip" in _verify(tmp_path, path.read_bytes() + b"garbage", verifier)


def test_bytes_before_the_zip(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    assert "before the first member" in _verify(tmp_path, b"MZ" + b"\0" * 98 + path.read_bytes(), verifier)


def test_zip_comment(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    raw = path.read_bytes()
    assert raw[-22:-18] == b"PK\x05\x06"
    crafted = raw[:-2] + struct.pack("<H", 5) + b"hello"
    assert "comment" in _verify(tmp_path, crafted, verifier)


def test_local_entry_hidden_outside_the_central_directory(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    """A streaming extractor (bsdtar, ZipInputStream) would extract evidence/hidden.json."""
    path, verifier = built
    raw = path.read_bytes()
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        start = archive.start_dir
    data, name = b'{"planted": true}', b"evidence/hidden.json"
    hidden = LOCAL.pack(b"PK\x03\x04", 20, 0, 0, 0, 0, 0x21, zlib.crc32(data), len(data), len(data), len(name), 0)
    crafted = bytearray(raw[:start] + hidden + name + data + raw[start:])
    eocd = len(crafted) - 22
    struct.pack_into("<L", crafted, eocd + 16, start + len(hidden) + len(name) + len(data))
    assert "not listed in the central directory" in _verify(tmp_path, bytes(crafted), verifier)


def test_encrypted_member_is_invalid_not_a_crash(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    raw = bytearray(path.read_bytes())
    raw[_local_offset(raw, TARGET) + 6] |= 1
    raw[_central_offset(raw, TARGET) + 8] |= 1
    assert "flags" in _verify(tmp_path, bytes(raw), verifier)


def test_unsupported_compression_is_invalid_not_a_crash(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    raw = bytearray(path.read_bytes())
    struct.pack_into("<H", raw, _local_offset(raw, TARGET) + 8, 99)
    struct.pack_into("<H", raw, _central_offset(raw, TARGET) + 10, 99)
    assert "compression method 99" in _verify(tmp_path, bytes(raw), verifier)


def test_directory_mode_without_trailing_slash(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    raw = bytearray(path.read_bytes())
    struct.pack_into("<L", raw, _central_offset(raw, TARGET) + 38, 0o040755 << 16)
    assert "not a regular file" in _verify(tmp_path, bytes(raw), verifier)


def test_local_header_disagrees_with_central_directory(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    """A reader that trusts the local header would see a stored member of other bytes."""
    path, verifier = built
    raw = bytearray(path.read_bytes())
    struct.pack_into("<H", raw, _local_offset(raw, TARGET) + 8, 0)
    assert "local header" in _verify(tmp_path, bytes(raw), verifier)


def test_data_descriptor_flag(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = built
    raw = bytearray(path.read_bytes())
    raw[_local_offset(raw, TARGET) + 6] |= 8
    raw[_central_offset(raw, TARGET) + 8] |= 8
    assert "flags" in _verify(tmp_path, bytes(raw), verifier)


def test_deflate_stream_longer_than_the_declared_size(built: tuple[Path, Verifier], tmp_path: Path) -> None:
    """zipfile stops at the declared size and checks the CRC of that much; unzip inflates it all."""
    path, verifier = built
    original = member(path, TARGET)
    squeeze = zlib.compressobj(6, zlib.DEFLATED, -15)
    stream = squeeze.compress(original + b'\n{"planted": true}\n') + squeeze.flush()
    out = io.BytesIO()
    with zipfile.ZipFile(path) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename == TARGET:
                info.compress_type = zipfile.ZIP_STORED
                data = stream
            new.writestr(info, data)
    raw = bytearray(out.getvalue())
    for offset, method, crc, size in ((_local_offset(raw, TARGET), 8, 14, 22),
                                      (_central_offset(raw, TARGET), 10, 16, 24)):
        struct.pack_into("<H", raw, offset + method, zipfile.ZIP_DEFLATED)
        struct.pack_into("<L", raw, offset + crc, zlib.crc32(original))
        struct.pack_into("<L", raw, offset + size, len(original))
    with zipfile.ZipFile(io.BytesIO(bytes(raw))) as check:
        assert check.read(TARGET) == original  # what the old verifier hashed
    assert "beyond its declared size" in _verify(tmp_path, bytes(raw), verifier)


@pytest.mark.parametrize(("name", "reason"), [
    ("Results.json", "differ only by case or Unicode normalisation"),
    ("evidence/Gadgets.json", "differ only by case or Unicode normalisation"),
    ("evidence/x\nfake.json", "control character"),
])
def test_ambiguous_names(built: tuple[Path, Verifier], tmp_path: Path, name: str, reason: str) -> None:
    """On a case-insensitive or normalising file system one member would overwrite the other."""
    path, verifier = built
    rewrite(path, tmp_path / "t.zip", {}, add={name: b"{}"})
    assert reason in verify_pack(tmp_path / "t.zip", verifier).reason


def test_nfc_and_nfd_names_collide(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "n.zip", "w") as archive:
        archive.writestr("evidence/caf\u00e9.json", b"1")
        archive.writestr("evidence/cafe\u0301.json", b"2")
    assert "differ only by case or Unicode normalisation" in verify_pack(tmp_path / "n.zip").reason


def test_zip64_pack_verifies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Zip64 local headers and end records (what a pack over 4 GiB or 65535 members gets) are accepted."""
    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    with monkeypatch.context() as patch:
        patch.setattr(zipfile, "ZIP64_LIMIT", 64)
        patch.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 2)
        build_pack(results, evidence, tmp_path / "pack.zip", signer(tmp_path / "key"), library=snapshot())
    raw = (tmp_path / "pack.zip").read_bytes()
    assert b"PK\x06\x06" in raw[-200:]  # zip64 end of central directory
    result = verify_pack(tmp_path / "pack.zip", Verifier.from_pem_file(tmp_path / "key" / keys.PUBLIC_NAME))
    assert result.valid, result.reason


def test_build_refuses_names_that_would_collide(tmp_path: Path) -> None:
    """A case-sensitive file system can hold both; the pack would then never verify."""
    import shutil

    from auditor.errors import InputError
    from auditor.pack.build import LibrarySnapshot
    from tests.pack.helpers import FIXTURES

    evidence = copy_evidence(tmp_path)
    results = make_results(evidence, tmp_path / "results.json")
    shutil.copytree(FIXTURES / "library", tmp_path / "library")
    (tmp_path / "library/controls/security/sec-001.yaml").write_bytes(b"id: other\n")
    library = LibrarySnapshot(tmp_path / "library/controls", tmp_path / "library/policies")
    with pytest.raises(InputError, match="differ only by case"):
        build_pack(results, evidence, tmp_path / "pack.zip", signer(tmp_path / "key"), library=library)
    assert not (tmp_path / "pack.zip").exists()
