"""Reading and writing files: YAML with line numbers, canonical JSON, atomic writes."""

from __future__ import annotations

import errno
import functools
import hashlib
import math
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import jiter
import orjson
import yaml

from auditor.errors import InputError

try:  # the C loader is several times faster where libyaml is present
    _BaseLoader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the wheel
    _BaseLoader = yaml.SafeLoader


#: the integers the engine's JSON (and orjson) represent exactly
INT_MIN, INT_MAX = -(2**63), 2**64 - 1
#: every value of a JSON or YAML document sits inside at most this many arrays/objects (jiter's own limit)
MAX_DEPTH = 200
#: a YAML document's aliases may expand to at most this many nodes in all (an alias bomb is refused)
MAX_ALIAS_NODES = 100_000
_NOT_JSON_TAGS = ("binary", "set", "omap", "pairs", "timestamp")
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


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


def _construct_timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    """A YAML date or date-time; an impossible one (``2026-13-45``) is a clear error, not a ValueError."""
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        raise yaml.constructor.ConstructorError(
            None, None, f"found {node.value}, expected a real date (YYYY-MM-DD) or date-time", node.start_mark
        ) from None


def _reject_tag(loader: Any, node: yaml.Node) -> Any:
    tag = node.tag.rsplit(":", 1)[-1]
    raise yaml.constructor.ConstructorError(
        None, None, f"found a !!{tag} value, expected JSON data", node.start_mark
    )


class _BoundedComposer:
    """Builds the node graph from the parser's events with limits, for every YAML this tool reads.

    Replaces libyaml's composer (which recurses in C and crashes on deep nesting) and PyYAML's:
    nesting deeper than :data:`MAX_DEPTH`, aliases expanding to more than :data:`MAX_ALIAS_NODES`
    nodes (a "billion laughs" bomb) and a key given twice in one mapping are refused with the line.
    """

    anchors: dict[str, yaml.Node]

    def get_single_node(self) -> yaml.Node | None:
        loader: Any = self
        loader.get_event()  # StreamStart
        document = None
        if not loader.check_event(yaml.StreamEndEvent):
            document = self.compose_document()
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise yaml.composer.ComposerError(
                None, None, "found a second document, expected one document per file", event.start_mark
            )
        loader.get_event()  # StreamEnd
        return document

    def compose_document(self) -> yaml.Node:
        loader: Any = self
        loader.get_event()  # DocumentStart
        self.anchors = {}
        self._expanded: dict[int, tuple[int, int]] = {}
        self._alias_nodes = 0
        node = self.compose_node(None, None)
        loader.get_event()  # DocumentEnd
        self.anchors = {}
        self._expanded = {}
        return node

    def _size(self, node: yaml.Node) -> tuple[int, int]:
        """(nodes, height) of ``node`` with every alias expanded, memoised (shared nodes are counted each time)."""
        known = self._expanded.get(id(node))
        if known is not None:
            return known
        if isinstance(node, yaml.ScalarNode):
            result = (1, 0)
        else:
            children = [self._size(child) for pair in node.value for child in (
                pair if isinstance(node, yaml.MappingNode) else (pair,))]
            result = (1 + sum(c[0] for c in children), 1 + max((c[1] for c in children), default=0))
        self._expanded[id(node)] = result
        return result

    def compose_node(self, parent: yaml.Node | None, index: Any, depth: int = 0) -> yaml.Node:
        loader: Any = self
        if depth > MAX_DEPTH:
            mark = loader.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, f"found nesting deeper than {MAX_DEPTH} levels, expected at most {MAX_DEPTH}", mark
            )
        if loader.check_event(yaml.AliasEvent):
            event = loader.get_event()
            anchor = event.anchor
            if anchor not in self.anchors:
                raise yaml.composer.ComposerError(None, None, f"found undefined alias {anchor!r}", event.start_mark)
            node = self.anchors[anchor]
            nodes, height = self._size(node)
            self._alias_nodes += nodes
            if self._alias_nodes > MAX_ALIAS_NODES:
                raise yaml.composer.ComposerError(
                    None, None, f"found aliases expanding to more than {MAX_ALIAS_NODES} nodes, expected at most "
                    f"{MAX_ALIAS_NODES} (write the values out or use fewer aliases)", event.start_mark,
                )
            if depth + height > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"found alias {anchor!r} nesting deeper than {MAX_DEPTH} levels, "
                    f"expected at most {MAX_DEPTH}", event.start_mark,
                )
            return node
        event = loader.peek_event()
        anchor = event.anchor
        if anchor is not None and anchor in self.anchors:
            first_line = self.anchors[anchor].start_mark.line + 1
            raise yaml.composer.ComposerError(
                None, None, f"found duplicate anchor {anchor!r} (first at line {first_line}), expected each once",
                event.start_mark,
            )
        loader.descend_resolver(parent, index)
        if loader.check_event(yaml.ScalarEvent):
            node = self._compose_scalar(anchor)
        elif loader.check_event(yaml.SequenceStartEvent):
            node = self._compose_sequence(anchor, depth)
        else:
            node = self._compose_mapping(anchor, depth)
        loader.ascend_resolver()
        return node

    def _compose_scalar(self, anchor: str | None) -> yaml.Node:
        loader: Any = self
        event = loader.get_event()
        tag = event.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if anchor is not None:
            self.anchors[anchor] = node
        return node

    def _compose_sequence(self, anchor: str | None, depth: int) -> yaml.Node:
        loader: Any = self
        start = loader.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.SequenceNode, None, start.implicit)
        node = yaml.SequenceNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        index = 0
        while not loader.check_event(yaml.SequenceEndEvent):
            node.value.append(self.compose_node(node, index, depth + 1))
            index += 1
        node.end_mark = loader.get_event().end_mark
        return node

    def _compose_mapping(self, anchor: str | None, depth: int) -> yaml.Node:
        loader: Any = self
        start = loader.get_event()
        tag = start.tag
        if tag is None or tag == "!":
            tag = loader.resolve(yaml.MappingNode, None, start.implicit)
        node = yaml.MappingNode(tag, [], start.start_mark, None, flow_style=start.flow_style)
        if anchor is not None:
            self.anchors[anchor] = node
        first: dict[str, int] = {}
        while not loader.check_event(yaml.MappingEndEvent):
            key = self.compose_node(node, None, depth + 1)
            if isinstance(key, yaml.ScalarNode) and key.tag == _STR_TAG:
                if key.value in first:
                    raise yaml.composer.ComposerError(
                        None, None, f"found duplicate key {key.value!r} (first at line {first[key.value]}), "
                        "expected each key once", key.start_mark,
                    )
                first[key.value] = key.start_mark.line + 1
            value = self.compose_node(node, key, depth + 1)
            node.value.append((key, value))
        node.end_mark = loader.get_event().end_mark
        return node


class _DataLoader(_BoundedComposer, _BaseLoader):
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


class _LineLoader(_BoundedComposer, yaml.SafeLoader):
    """Pure-Python loader that records line numbers (used for small, human-edited files)."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    first: dict[Any, int] = {}
    for key_node, _ in node.value:  # the mapping's own keys; a merged (<<) key may be overridden
        if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
            continue
        key = loader.construct_object(key_node)
        if key in first:  # keys equal once constructed (1 and 0x1), which the composer cannot see
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
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
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
    except RecursionError:  # pragma: no cover - the composer's depth limit comes first
        raise InputError(f"{path}: malformed YAML: nested too deeply, expected at most {MAX_DEPTH} levels") from None


def load_data(path: Path, data: bytes | None = None) -> Any:
    """Load a JSON or YAML data file (by extension), fast, without line tracking."""
    return load_data_serialised(path, data)[0]


def load_data_serialised(path: Path, data: bytes | None = None) -> tuple[Any, bytes | None]:
    """:func:`load_data`, and for JSON the value as orjson serialises it (made anyway, to check its
    numbers: a caller scanning the serialised value need not make it again); None for YAML."""
    if data is None:
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if path.suffix.lower() == ".json":
        return parse_json_serialised(data, path)
    try:
        return yaml.load(data, Loader=_DataLoader), None
    except yaml.YAMLError as exc:
        raise _yaml_error(path, exc) from None


_JITER_POSITION = re.compile(r"^(?P<msg>.*) at line (?P<line>\d+) column (?P<col>\d+)$", re.DOTALL)
_DUPLICATE = re.compile(r'^Detected duplicate key "(?P<key>.*)"$', re.DOTALL)


def parse_json(data: bytes | str, path: Path | str) -> Any:
    """Parse JSON strictly: a key twice in one object, nesting deeper than :data:`MAX_DEPTH`, an
    integer outside 64 bits or a number too large for a double is an :class:`InputError` naming the
    place (orjson keeps the last of two keys and reads a big integer as an inexact float).

    jiter parses (as fast as orjson, exact integers); orjson re-serialising the value checks the
    integers' range, and comparing counts of the raw and re-serialised bytes at C speed finds what the
    parse dropped or changed without walking the document in Python: fewer strings (a key given twice
    keeps one pair: :func:`_string_count`) means a duplicate key, which jiter then names with its line
    (parsing again, catching duplicates: twice as slow, so only then); fewer ``null`` an overflowed
    number (read as infinity, written as null).
    """
    return parse_json_serialised(data, path)[0]


def parse_json_serialised(data: bytes | str, path: Path | str) -> tuple[Any, bytes]:
    """:func:`parse_json`, and the value serialised by orjson (compact, as ``orjson.dumps`` writes it)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    value = _jiter(raw, path, duplicates=False)
    try:
        out = orjson.dumps(value)
    except orjson.JSONEncodeError:
        _jiter(raw, path, duplicates=True)  # a duplicate key is named first, as the parse would
        _check_numbers(path, value)
        raise  # pragma: no cover - _check_numbers names the integer first
    if _string_count(out) != _string_count(raw):
        _jiter(raw, path, duplicates=True)
        raise AssertionError(f"{path}: strings lost in parsing, and no duplicate key")  # pragma: no cover
    if out.count(b"null") != raw.count(b"null"):
        _check_numbers(path, value)
    return value, out


def _jiter(raw: bytes, path: Path | str, *, duplicates: bool) -> Any:
    try:
        return jiter.from_json(raw, catch_duplicate_keys=duplicates, allow_inf_nan=False)
    except ValueError as exc:
        raise _json_error(path, str(exc)) from None
    finally:
        # jiter keeps up to 16k of the strings it parsed in a process-wide cache: each pins the
        # allocator's block it sits in, so a large document's freed objects stayed resident (80 MB
        # measured after loading 170k items). Clearing it costs microseconds; parsing keeps the cache.
        jiter.cache_clear()


def _string_count(data: bytes) -> int:
    """Twice the strings (keys included) of valid JSON ``data``: its unescaped quotes. Every string of the
    text is one of the parsed value, except those of a member dropped for a key given again."""
    if b"\\" in data:
        data = data.replace(b"\\\\", b"")  # escaped backslashes: what is left of ``\"`` is an escaped quote
        return data.count(b'"') - data.count(b'\\"')
    return data.count(b'"')


def _json_error(path: Path | str, message: str) -> InputError:
    where, problem = f"{path}", message
    if found := _JITER_POSITION.match(message):
        where = f"{path}:{found['line']}:{found['col']}"
        problem = found["msg"]
    if duplicate := _DUPLICATE.match(problem):
        problem = f"found duplicate key {duplicate['key']!r} in one object, expected each key once"
    elif problem == "recursion limit exceeded":
        problem = f"found nesting deeper than {MAX_DEPTH} levels, expected at most {MAX_DEPTH}"
    return InputError(f"{where}: malformed JSON: {problem}")


def _check_numbers(path: Path | str, document: Any) -> None:
    """Name the first integer outside 64 bits or infinite number (only run when one is known to be there)."""
    stack: list[tuple[Any, str]] = [(document, "")]
    while stack:
        value, where = stack.pop()
        if isinstance(value, dict):
            stack.extend((item, f"{where}.{key}" if where else str(key)) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((item, f"{where}[{index}]") for index, item in reversed(list(enumerate(value))))
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
            raise InputError(f"{path}: {where or '(document)'}: found integer {value}, expected one within 64 bits")
        elif isinstance(value, float) and not math.isfinite(value):
            raise InputError(f"{path}: {where or '(document)'}: found a number too large for a double, "
                             "expected a finite number")


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
