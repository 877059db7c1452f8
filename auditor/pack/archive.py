"""Strict zip structure for packs: one reading of the archive, whatever tool reads it.

``zipfile`` trusts the central directory and stops inflating at the declared size;
``unzip`` inflates a member to the end of its deflate stream; streaming extractors
(bsdtar, Java's ZipInputStream) walk the local headers and never read the central
directory. A pack is accepted only when all of these readings agree, i.e. when it is
laid out exactly as :mod:`auditor.pack.build` writes it:

- members back to back from offset 0, each local header agreeing with its central
  directory record (name, flags, method, CRC, sizes), then the central directory,
  then the (zip64 and) end records, ending the file: no bytes before, between or
  after, no archive or member comment;
- stored or deflated members only, no encryption and no data descriptors; a deflate
  stream ends exactly at the member's compressed size and inflates to exactly its
  declared size and CRC;
- no two names that differ only by case or Unicode normalisation (one would overwrite
  the other on macOS or Windows), no name that is also a folder of another, no
  control characters;
- every name read from the raw bytes (:func:`raw_names`), as each reader would: no NUL
  (``zipfile`` cuts a name at NUL, Java keeps it whole), UTF-8 when the UTF-8 flag is set
  and plain ASCII when it is not (cp437, the locale and UTF-8 readers decode other bytes
  differently), no Info-ZIP Unicode Path extra field (readers that honour it see another
  name), no backslash, absolute path, drive letter, ``.`` or ``..`` part; the local header
  carries the very same bytes and flags as the central directory.

:func:`read_member` inflates a member itself (bounded chunks), so the checks above
hold for every byte the verifier hashes.
"""

from __future__ import annotations

import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import IO

LOCAL = struct.Struct("<4s2B4HL2L2H")
END = struct.Struct("<4s4H2LH")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
ZIP64_LOCATOR = struct.Struct("<4sLQL")
ZIP64_END = struct.Struct("<4sQ2H2L4Q")
UTF8_FLAG = 0x800
METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
CHUNK = 1 << 20


class ArchiveError(ValueError):
    """The archive is not laid out as a pack must be (message in plain words)."""


def _fold(name: str) -> str:
    """Canonical caseless form (Unicode: NFD(casefold(NFD(name))))."""
    return unicodedata.normalize("NFD", unicodedata.normalize("NFD", name).casefold())


def check_names(names: Iterable[str]) -> None:
    """Names that extract to distinct files on every file system, without control characters."""
    files: dict[str, str] = {}
    folders: dict[str, str] = {}
    for name in names:
        if any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
            raise ArchiveError(f"unsafe member name {name!r}: control character")
        folded = _fold(name)
        if folded in files:
            raise ArchiveError(f"member names {files[folded]!r} and {name!r} differ only by case or Unicode "
                               "normalisation: one would overwrite the other when extracted")
        files[folded] = name
        parts = folded.split("/")
        for depth in range(1, len(parts)):
            folders.setdefault("/".join(parts[:depth]), name)
    for folded, name in files.items():
        if folded in folders:
            raise ArchiveError(f"member {name!r} is also a folder of member {folders[folded]!r}")


UNICODE_PATH_EXTRA = 0x7075
UNICODE_COMMENT_EXTRA = 0x6375


def raw_names(handle: IO[bytes], size: int) -> list[tuple[bytes, int]]:
    """(name bytes, flags) of every central directory record, in order, read without ``zipfile``."""
    entries, cd_size, _, cd_end = _end_records(handle, size)
    handle.seek(max(cd_end - cd_size, 0))  # where it is, as zipfile finds it (its offset is checked by check_layout)
    directory = handle.read(cd_size)
    found: list[tuple[bytes, int]] = []
    pos = 0
    while pos < len(directory):
        if pos + CENTRAL.size > len(directory):
            raise ArchiveError("the central directory is truncated")
        fields = CENTRAL.unpack_from(directory, pos)
        if fields[0] != b"PK\x01\x02":
            raise ArchiveError(f"central directory record {len(found) + 1} is malformed")
        flags, name_len, extra_len, comment_len = fields[5], fields[12], fields[13], fields[14]
        start = pos + CENTRAL.size
        name = directory[start:start + name_len]
        extra = directory[start + name_len:start + name_len + extra_len]
        if len(name) != name_len or len(extra) != extra_len:
            raise ArchiveError("the central directory is truncated")
        for kind in _extra_kinds(extra):
            if kind in (UNICODE_PATH_EXTRA, UNICODE_COMMENT_EXTRA):
                raise ArchiveError(f"member {name!r} carries an Info-ZIP Unicode extra field: readers that honour "
                                   "it see a different name than those that do not")
        found.append((name, flags))
        pos = start + name_len + extra_len + comment_len
    if len(found) != entries:
        raise ArchiveError("the central directory does not match the end of central directory record")
    return found


def _extra_kinds(extra: bytes) -> Iterator[int]:
    pos = 0
    while pos + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, pos)
        yield kind
        pos += 4 + length


def decode_name(raw: bytes, flags: int) -> str:
    """The one reading every zip reader agrees on, or :class:`ArchiveError` saying why there is none."""
    if b"\x00" in raw:
        raise ArchiveError(f"unsafe member name {raw!r}: contains a NUL byte (readers disagree where it ends)")
    if flags & UTF8_FLAG:
        try:
            name = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ArchiveError(f"unsafe member name {raw!r}: flagged UTF-8 but not valid UTF-8") from None
    elif raw.isascii():
        name = raw.decode("ascii")
    else:
        raise ArchiveError(f"unsafe member name {raw!r}: non-ASCII bytes without the UTF-8 flag "
                           "(cp437, locale and UTF-8 readers decode them differently)")
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name):
        raise ArchiveError(f"unsafe member name {name!r}: control character or invisible formatting character")
    if "\\" in name:
        raise ArchiveError(f"unsafe member name {name!r}: backslash (a folder separator on Windows)")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise ArchiveError(f"unsafe member name {name!r}: absolute path")
    if any(part in ("..", ".", "") for part in name.split("/")):
        raise ArchiveError(f"unsafe member name {name!r}: '..', '.' or empty part")
    return name


def _end_records(handle: IO[bytes], size: int) -> tuple[int, int, int, int]:
    """(entries, central directory size, its offset, where it must end) from the end records."""
    tail_len = min(size, END.size + 0xFFFF)
    handle.seek(size - tail_len)
    tail = handle.read(tail_len)
    pos = tail.rfind(b"PK\x05\x06")
    if pos < 0 or pos + END.size > len(tail):
        raise ArchiveError("no end of central directory record")
    _, _, _, _, entries, cd_size, cd_offset, comment = END.unpack_from(tail, pos)
    if comment:
        raise ArchiveError(f"the zip carries a {comment}-byte comment; packs have none")
    if pos + END.size != len(tail):
        raise ArchiveError(f"{len(tail) - pos - END.size} bytes after the end of the zip")
    end_at = size - END.size
    if end_at >= ZIP64_LOCATOR.size:
        handle.seek(end_at - ZIP64_LOCATOR.size)
        signature, _, record_at, _ = ZIP64_LOCATOR.unpack(handle.read(ZIP64_LOCATOR.size))
        if signature == b"PK\x06\x07":
            if record_at != end_at - ZIP64_LOCATOR.size - ZIP64_END.size:
                raise ArchiveError("the zip64 end record is not where its locator says")
            handle.seek(record_at)
            fields = ZIP64_END.unpack(handle.read(ZIP64_END.size))
            if fields[0] != b"PK\x06\x06" or fields[1] != ZIP64_END.size - 12:
                raise ArchiveError("malformed zip64 end of central directory record")
            return fields[7], fields[8], fields[9], record_at
    return entries, cd_size, cd_offset, end_at


def _zip64_sizes(extra: bytes, file_size: int, compress_size: int) -> tuple[int, int]:
    pos = 0
    while pos + 4 <= len(extra):
        kind, length = struct.unpack_from("<HH", extra, pos)
        if kind == 1:
            values = list(struct.unpack_from(f"<{length // 8}Q", extra, pos + 4))
            if file_size == 0xFFFFFFFF and values:
                file_size = values.pop(0)
            if compress_size == 0xFFFFFFFF and values:
                compress_size = values.pop(0)
            break
        pos += 4 + length
    return file_size, compress_size


def check_layout(handle: IO[bytes], size: int, infos: list[zipfile.ZipInfo]) -> dict[str, int]:
    """Check the structure described above; returns each member's data offset by name."""
    raw = raw_names(handle, size)
    if len(raw) != len(infos):
        raise ArchiveError("the central directory does not match the end of central directory record")
    raw_of = {id(info): record for info, record in zip(infos, raw, strict=True)}
    for info, (name_bytes, flags) in zip(infos, raw, strict=True):
        if decode_name(name_bytes, flags) != info.filename or flags != info.flag_bits:
            raise ArchiveError(f"member {info.filename!r}: its name reads differently from its raw bytes "
                               f"{name_bytes!r}")
    entries, cd_size, cd_offset, cd_end = _end_records(handle, size)
    if cd_offset + cd_size < cd_end:
        raise ArchiveError(f"{cd_end - cd_offset - cd_size} bytes before the first member")
    if cd_offset + cd_size != cd_end or entries != len(infos):
        raise ArchiveError("the central directory does not match the end of central directory record")
    offsets: dict[str, int] = {}
    expected = 0
    for info in sorted(infos, key=lambda i: i.header_offset):
        name = info.filename
        if info.header_offset != expected:
            where = "before the first member" if expected == 0 else "not listed in the central directory"
            if info.header_offset < expected:
                raise ArchiveError(f"member {name} overlaps the member before it")
            raise ArchiveError(f"{info.header_offset - expected} bytes at offset {expected} {where}")
        if info.flag_bits & ~UTF8_FLAG:
            raise ArchiveError(f"member {name} has flags {info.flag_bits:#x}: encrypted members and data "
                               "descriptors are not accepted")
        if info.compress_type not in METHODS:
            raise ArchiveError(f"member {name} uses compression method {info.compress_type}: "
                               "only stored and deflate are accepted")
        if info.comment:
            raise ArchiveError(f"member {name} carries a comment; pack members have none")
        handle.seek(info.header_offset)
        header = handle.read(LOCAL.size)
        if len(header) != LOCAL.size:
            raise ArchiveError(f"member {name}: local header is truncated")
        signature, _, _, flags, method, _, _, crc, compress_size, file_size, name_len, extra_len = LOCAL.unpack(header)
        raw_name = handle.read(name_len)
        extra = handle.read(extra_len)
        file_size, compress_size = _zip64_sizes(extra, file_size, compress_size)
        encoded = raw_of[id(info)][0]
        if (signature != b"PK\x03\x04" or flags != info.flag_bits or method != info.compress_type
                or raw_name != encoded or crc != info.CRC or compress_size != info.compress_size
                or file_size != info.file_size):
            raise ArchiveError(f"member {name}: its local header disagrees with the central directory "
                               "(another zip reader would see different contents)")
        offsets[name] = info.header_offset + LOCAL.size + name_len + extra_len
        expected = offsets[name] + info.compress_size
    if expected != cd_offset:
        raise ArchiveError(f"{cd_offset - expected} bytes at offset {expected} not listed in the central directory")
    return offsets


def read_member(handle: IO[bytes], info: zipfile.ZipInfo, offset: int) -> Iterator[bytes]:
    """The member's bytes in chunks of at most 1 MiB; :class:`ArchiveError` unless exactly as declared."""
    name = info.filename
    handle.seek(offset)
    left = info.compress_size
    crc = produced = 0
    inflater = zlib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None

    def emit(block: bytes) -> bytes:
        nonlocal crc, produced
        produced += len(block)
        if produced > info.file_size:
            raise ArchiveError(f"member {name} decompresses beyond its declared size")
        crc = zlib.crc32(block, crc)
        return block

    try:
        while left:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                raise ArchiveError(f"member {name} is truncated")
            left -= len(chunk)
            if inflater is None:
                yield emit(chunk)
                continue
            block = inflater.decompress(chunk, CHUNK)
            while block:
                yield emit(block)
                block = inflater.decompress(inflater.unconsumed_tail, CHUNK) if inflater.unconsumed_tail else b""
            if inflater.eof and (left or inflater.unused_data):
                raise ArchiveError(f"member {name}: data follows the end of its deflate stream")
    except zlib.error as exc:
        raise ArchiveError(f"member {name} is corrupt ({exc})") from None
    if inflater is not None and not inflater.eof:
        raise ArchiveError(f"member {name} is corrupt (its deflate stream is truncated)")
    if produced != info.file_size:
        raise ArchiveError(f"member {name} is {produced} bytes, its header says {info.file_size}")
    if crc != info.CRC:
        raise ArchiveError(f"member {name} is corrupt (bad CRC-32)")
