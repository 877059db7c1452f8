"""Reading and writing files: YAML with line numbers, canonical JSON, atomic writes."""

from __future__ import annotations

import functools
import hashlib
import os
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


class LineDict(dict[str, Any]):
    """A mapping loaded from YAML that remembers the line of each key (1-based)."""

    lines: dict[str, int]
    line: int


class _LineLoader(yaml.SafeLoader):
    """Pure-Python loader that records line numbers (used for small, human-edited files)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
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
            return orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}:{exc.colno}: malformed JSON: {exc.msg}") from None
    try:
        return yaml.load(data, Loader=_BaseLoader)
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


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


@contextmanager
def atomic_writer(path: Path, mode: str = "wb", permissions: int | None = None) -> Iterator[IO[Any]]:
    """Write to a temporary file beside ``path`` and rename it into place on success.

    The file gets ``permissions`` (e.g. 0o600 for a private key) before any byte is
    written, else the usual 0666 minus the umask.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    # mkstemp creates 0600; give the file the usual permissions unless told otherwise
    os.fchmod(fd, (0o666 & ~_umask()) if permissions is None else permissions)
    try:
        with os.fdopen(fd, mode) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


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
