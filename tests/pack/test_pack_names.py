"""Member names that zip readers could read differently must not verify: crafted byte by byte.

Each pack is the genuine signed pack re-serialised by hand (the members' compressed bytes copied as
they are) with one or two names changed in the local header, the central directory, or both.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from auditor.pack import keys
from auditor.pack.signers import Verifier
from auditor.pack.verify import verify_pack
from tests.pack.helpers import copy_evidence, make_results, pack

TARGET = "evidence/gadgets.json"
OTHER = "evidence/ledgers.yaml"
UTF8 = 0x800
LOCAL = struct.Struct("<4s2B4HL2L2H")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
END = struct.Struct("<4s4H2LH")

#: name -> (local header name, central directory name, local flags, central flags, extra field)
Change = tuple[bytes, bytes, int, int, bytes]


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Verifier]:
    tmp = tmp_path_factory.mktemp("names")
    evidence = copy_evidence(tmp)
    results = make_results(evidence, tmp / "results.json")
    pack(results, evidence, tmp / "pack.zip", tmp / "key")
    return tmp / "pack.zip", Verifier.from_pem_file(tmp / "key" / keys.PUBLIC_NAME)


def craft(src: Path, changes: dict[str, Change]) -> bytes:
    raw = src.read_bytes()
    with zipfile.ZipFile(src) as archive:
        infos = archive.infolist()
    body, central = bytearray(), bytearray()
    for info in infos:
        header = LOCAL.unpack_from(raw, info.header_offset)
        start = info.header_offset + LOCAL.size + header[10] + header[11]
        data = raw[start:start + info.compress_size]
        name = info.filename.encode("ascii")
        local_name, central_name, local_flags, central_flags, extra = changes.get(
            info.filename, (name, name, info.flag_bits, info.flag_bits, b""))
        offset = len(body)
        body += LOCAL.pack(b"PK\x03\x04", 20, 0, local_flags, info.compress_type, header[5], header[6], info.CRC,
                           info.compress_size, info.file_size, len(local_name), len(extra)) + local_name + extra + data
        central += CENTRAL.pack(b"PK\x01\x02", 20, 3, 20, 0, central_flags, info.compress_type, header[5],
                                header[6], info.CRC, info.compress_size, info.file_size, len(central_name),
                                len(extra), 0, 0, 0, info.external_attr, offset) + central_name + extra
    return bytes(body + central + END.pack(b"PK\x05\x06", 0, 0, len(infos), len(infos), len(central), len(body), 0))


def _reason(tmp_path: Path, raw: bytes, verifier: Verifier) -> str:
    path = tmp_path / "crafted.zip"
    path.write_bytes(raw)
    result = verify_pack(path, verifier)
    assert not result.valid, "a crafted pack verified"
    return str(result.reason)


def _same(name: bytes, flags: int = 0, extra: bytes = b"") -> Change:
    return name, name, flags, flags, extra


def test_the_hand_serialiser_keeps_a_genuine_pack_valid(genuine: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = genuine
    (tmp_path / "same.zip").write_bytes(craft(path, {}))
    assert verify_pack(tmp_path / "same.zip", verifier).valid


@pytest.mark.parametrize("flags", [0, UTF8], ids=["no-utf8-flag", "utf8-flag"])
def test_nul_in_a_name(genuine: tuple[Path, Verifier], tmp_path: Path, flags: int) -> None:
    """zipfile cuts ``gadgets.json\\0/../../x`` at the NUL (so the old verifier said valid); Java lists it whole."""
    path, verifier = genuine
    name = TARGET.encode() + b"\x00/../../x"
    raw = craft(path, {TARGET: _same(name, flags)})
    assert "contains a NUL byte" in _reason(tmp_path, raw, verifier)


@pytest.mark.parametrize(("local", "central", "reason"), [
    (TARGET.encode() + b"\x00x", TARGET.encode(), "local header disagrees"),
    (TARGET.encode(), TARGET.encode() + b"\x00x", "contains a NUL byte"),
    (b"evidence/planted.json", TARGET.encode(), "local header disagrees"),
])
def test_local_header_and_central_directory_disagree(genuine: tuple[Path, Verifier], tmp_path: Path, local: bytes,
                                                     central: bytes, reason: str) -> None:
    path, verifier = genuine
    assert reason in _reason(tmp_path, craft(path, {TARGET: (local, central, 0, 0, b"")}), verifier)


def test_local_and_central_flags_disagree(genuine: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = genuine
    raw = craft(path, {TARGET: (TARGET.encode(), TARGET.encode(), UTF8, 0, b"")})
    assert "local header disagrees" in _reason(tmp_path, raw, verifier)


@pytest.mark.parametrize(("name", "flags", "reason"), [
    ("evidence/gadgets\u00e9.json".encode(), 0, "non-ASCII bytes without the UTF-8 flag"),  # UTF-8 bytes, no flag
    (b"evidence/g\x81dgets.json", 0, "non-ASCII bytes without the UTF-8 flag"),  # cp437 u-umlaut
    (b"evidence/g\xffdgets.json", UTF8, "flagged UTF-8 but not valid UTF-8"),
    (b"evidence/gad\x1bgets.json", 0, "control character"),
    ("evidence/gad\u200egets.json".encode(), UTF8, "invisible formatting character"),
    (b"evidence\\gadgets.json", 0, "backslash"),
    (b"/evidence/gadgets.json", 0, "absolute path"),
    (b"C:/evidence/gadgets.json", 0, "absolute path"),
    (b"evidence/../evidence/gadgets.json", 0, "'..'"),
    (b"evidence/./gadgets.json", 0, "'.'"),
    (b"evidence//gadgets.json", 0, "empty part"),
])
def test_unsafe_or_ambiguous_name(genuine: tuple[Path, Verifier], tmp_path: Path, name: bytes, flags: int,
                                  reason: str) -> None:
    path, verifier = genuine
    assert reason in _reason(tmp_path, craft(path, {TARGET: _same(name, flags)}), verifier)


def test_unicode_path_extra_field(genuine: tuple[Path, Verifier], tmp_path: Path) -> None:
    """Info-ZIP's 0x7075 field gives readers that honour it another name than the header's."""
    path, verifier = genuine
    planted = b"../../etc/cron.d/x"
    field = struct.pack("<B L", 1, zlib.crc32(TARGET.encode())) + planted
    extra = struct.pack("<HH", 0x7075, len(field)) + field
    assert "Info-ZIP Unicode extra field" in _reason(tmp_path, craft(path, {TARGET: _same(TARGET.encode(), 0, extra)}),
                                                     verifier)


def test_duplicates_after_normalisation(genuine: tuple[Path, Verifier], tmp_path: Path) -> None:
    path, verifier = genuine
    composed, decomposed = "evidence/caf\u00e9.json".encode(), "evidence/cafe\u0301.json".encode()
    raw = craft(path, {TARGET: _same(composed, UTF8), OTHER: _same(decomposed, UTF8)})
    assert "differ only by case or Unicode normalisation" in _reason(tmp_path, raw, verifier)
    raw = craft(path, {TARGET: _same(b"evidence/Same.json"), OTHER: _same(b"evidence/same.json")})
    assert "differ only by case or Unicode normalisation" in _reason(tmp_path, raw, verifier)
