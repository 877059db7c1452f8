"""Reading and writing files: YAML with line numbers, canonical JSON, atomic writes."""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import math
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import orjson
import yaml

from auditor.errors import InputError

try:  # the C loader is several times faster where libyaml is present
    _BaseLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the wheel
    _BaseLoader = yaml.SafeLoader


#: the integers the engine's JSON (and orjson) represent exactly
INT_MIN, INT_MAX = -(2**63), 2**64 - 1
_NOT_JSON_TAGS = ("binary", "set", "omap", "pairs", "timestamp")


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    value: int = yaml.constructor.SafeConstructor.construct_yaml_int(loader, node)
    if not INT_MIN <= value <= INT_MAX:
        raise yaml.constructor.ConstructorError(
            None, None, f"found integer {value}, expected one within 64 bits", node.start_mark
        )
    return value


def _construct_float(loader: Any, node: yaml.ScalarNode) -> float:
    value: float = yaml.constructor.SafeConstructor.construct_yaml_float(loader, node)
    if not math.isfinite(value):
        raise yaml.constructor.ConstructorError(
            None, None, f"found {node.value}, expected a finite number", node.start_mark
        )
    return value


def _reject_tag(loader: Any, node: yaml.Node) -> Any:
    tag = node.tag.rsplit(":", 1)[-1]
    raise yaml.constructor.ConstructorError(
        None, None, f"found a !!{tag} value, expected JSON data", node.start_mark
    )


class _DataLoader(_BaseLoader):
    """Fast loader for data files: the JSON data model only, as the schemas and the engine see it.

    Unquoted timestamps stay strings (as in JSON); keys must be strings; integers must fit in
    64 bits and floats be finite; binary, set and ordered-map values are refused.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        mapping: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        if all(isinstance(key, str) for key in mapping):
            return mapping
        for key_node, _ in node.value:
            key = self.construct_object(key_node)
            if not isinstance(key, str):
                raise yaml.constructor.ConstructorError(
                    None, None, f"found mapping key {key!r} ({type(key).__name__}), expected a string",
                    key_node.start_mark,
                )
        return mapping  # pragma: no cover - a non-string key is always found above


_DataLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
for _tag in _NOT_JSON_TAGS:
    _DataLoader.add_constructor(f"tag:yaml.org,2002:{_tag}", _reject_tag)


class LineDict(dict[str, Any]):
    """A mapping loaded from YAML that remembers the line of each key (1-based)."""

    lines: dict[str, int]
    line: int


class _LineLoader(yaml.SafeLoader):
    """Pure-Python loader that records line numbers (used for small, human-edited files)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    first: dict[Any, int] = {}
    for key_node, _ in node.value:  # the mapping's own keys; a merged (<<) key may be overridden
        if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
            continue
        key = loader.construct_object(key_node)
        if key in first:
            raise yaml.constructor.ConstructorError(
                None, None, f"found duplicate key {key!r} (first at line {first[key]}), expected each key once",
                key_node.start_mark,
            )
        first[key] = key_node.start_mark.line + 1
    loader.flatten_mapping(node)
    result = LineDict()
    result.lines = {}
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, (list, dict)):
            raise yaml.constructor.ConstructorError(
                None, None, "found an unhashable key", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[str(key)] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)
for _loader in (_DataLoader, _LineLoader):
    _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    _loader.add_constructor("tag:yaml.org,2002:float", _construct_float)


def _yaml_error(path: Path | str, exc: yaml.YAMLError) -> InputError:
    mark = getattr(exc, "problem_mark", None)
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else f"{path}"
    problem = getattr(exc, "problem", None) or str(exc)
    return InputError(f"{where}: malformed YAML: {problem}")


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None


def load_yaml_lines(path: Path) -> Any:
    """Load a human-edited YAML file; mappings are :class:`LineDict` with key lines."""
    return parse_yaml_lines(read_text(path), path)


def parse_yaml_lines(text: str | bytes, path: Path | str) -> Any:
    """:func:`load_yaml_lines` for text already read (e.g. a blob from git); ``path`` names it in errors."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


def load_data(path: Path, data: bytes | None = None) -> Any:
    """Load a JSON or YAML data file (by extension), fast, without line tracking."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if path.suffix.lower() == ".json":
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}:{exc.colno}: malformed JSON: {exc.msg}") from None
        if _LONG_DIGITS.search(data):  # orjson reads an integer beyond 64 bits as an inexact float
            _check_json_integers(path, data)
        return value
    try:
        return yaml.load(data, Loader=_DataLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


_LONG_DIGITS = re.compile(rb"\d{20}")


def _check_json_integers(path: Path, data: bytes) -> None:
    """Refuse integers outside 64 bits, naming the field (only run when a long digit run appears)."""

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{where}.{key}" if where else str(key))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        elif isinstance(value, int) and not isinstance(value, bool) and not INT_MIN <= value <= INT_MAX:
            raise InputError(f"{path}: {where or '(document)'}: found integer {value}, expected one within 64 bits")

    walk(json.loads(data), "")


def line_of(mapping: Any, key: str) -> int | None:
    """The line of ``key`` in a :class:`LineDict`, or of the mapping itself."""
    if isinstance(mapping, LineDict):
        return mapping.lines.get(key, mapping.line)
    return None


def canonical_json(value: Any) -> bytes:
    """Canonical bytes: sorted keys, no insignificant whitespace, UTF-8."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)


def pretty_json(value: Any) -> bytes:
    """Sorted, indented JSON with a trailing newline, for files people read and diff."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2) + b"\n"


#: errno values that mean "this destination cannot take the file" (full, read-only, not ours)
_DESTINATION_ERRORS = {
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EFBIG: "file too large for the destination",
    errno.ENOTDIR: "a path component is not a folder",
    errno.EEXIST: "a path component exists and is not a folder",
    errno.EISDIR: "it is a folder",
}
#: of those, the ones a write to an open file can meet (others inside the body, such as a source file
#: that cannot be read, are the body's own errors and pass through unchanged)
_WRITE_ERRORS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EFBIG}


class DestinationError(InputError):
    """An output file cannot be written where it was asked to go (full, read-only, not writable). Exit 2."""


def destination_error(path: Path, exc: OSError) -> DestinationError:
    """A clear message naming ``path`` for an OS error met while writing it."""
    reason = _DESTINATION_ERRORS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return DestinationError(f"{path}: cannot write: {reason}; nothing was written there "
                            "(free space or choose a writable folder, then run again)")


@contextmanager
def atomic_writer(path: Path, mode: str = "wb", permissions: int | None = None) -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    The file gets ``permissions`` (e.g. 0o600 for a private key) before any byte is
    written, else the usual 0666 minus the umask. A destination that cannot take the
    file (full disk, quota, read-only or unwritable folder) raises :class:`DestinationError`
    naming ``path``; the temporary file is removed and ``path`` keeps its old content.
    """
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise destination_error(path, exc) from None
    try:
        # mkstemp creates 0600; give the file the usual permissions unless told otherwise
        os.fchmod(fd, (0o666 & ~_umask()) if permissions is None else permissions)
        handle = os.fdopen(fd, mode)
    except BaseException:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:  # raised by a write, flush, fsync or close: only write-side errors name path
        Path(tmp).unlink(missing_ok=True)
        if exc.errno in _WRITE_ERRORS:
            raise destination_error(path, exc) from None
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    try:
        Path(tmp).replace(path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise destination_error(path, exc) from None


@functools.cache
def _umask() -> int:
    """The process umask, read once (setting it to read it is not thread-safe, so do it a single time)."""
    current = os.umask(0o022)
    os.umask(current)
    return current


def write_atomic(path: Path, data: bytes | str, permissions: int | None = None) -> None:
    """Write ``data`` to ``path`` atomically: readers see the old file or the new one."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_writer(path, permissions=permissions) as handle:
        handle.write(raw)


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()
