"""The collector contract, the registry, the clock and the one evidence writer.

Every collector produces :class:`Document` objects; :func:`write_document` turns one
into the envelope ``{kind, source, collected_at, collector, errors, item_count, items}``,
sorts items by id, scrubs secrets and writes it atomically with sorted keys, so
re-collecting an unchanged system with a pinned clock gives identical bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from auditor.errors import InputError
from auditor.model import CollectionFailure
from auditor.registry import Registry

COLLECTORS: Registry[type[Collector]] = Registry("collector", group="auditor.collectors")

#: Modules that define collectors, imported on demand by :func:`load_collectors`.
COLLECTOR_MODULES = (
    "auditor.collect.git",
    "auditor.collect.deployment",
    "auditor.collect.aws",
    "auditor.collect.files",
    "auditor.collect.prometheus",
    "auditor.collect.github",
    "auditor.collect.gitlab",
)


def load_collectors() -> Registry[type[Collector]]:
    """Import every collector module (registering it) and return the registry."""
    import importlib

    for module in COLLECTOR_MODULES:
        importlib.import_module(module)
    return COLLECTORS.load_entry_points()


class CollectorError(InputError):
    """Raised: a collection that cannot produce a document at all (bad repository, bad file); exit 2.

    A part of a collection that failed while the rest succeeded is not raised but recorded as a
    :class:`auditor.model.CollectionFailure` in the document's ``errors``.
    """


@dataclass
class Document:
    """One evidence document before it is written."""

    kind: str
    source: str
    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[CollectionFailure] = field(default_factory=list)
    name: str = ""  # file stem; default ``<collector>-<kind>``


def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_instant(value: str, what: str = "--collected-at") -> datetime:
    """An RFC 3339 date-time (or a date), in UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{what}: found {value!r}, expected an RFC 3339 date-time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


@dataclass(frozen=True)
class Clock:
    """Where ``collected_at`` comes from: a pinned instant, ``SOURCE_DATE_EPOCH``, or now."""

    pinned: datetime | None = None

    @classmethod
    def from_env(cls, collected_at: str | None = None, environ: dict[str, str] | None = None) -> Clock:
        if collected_at:
            return cls(parse_instant(collected_at))
        env = os.environ if environ is None else environ
        epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
        if epoch:
            if not epoch.isdigit():
                raise InputError(f"SOURCE_DATE_EPOCH: found {epoch!r}, expected seconds since 1970 (an integer)")
            return cls(datetime.fromtimestamp(int(epoch), UTC))
        return cls()

    def now(self) -> datetime:
        return self.pinned or datetime.now(UTC).replace(microsecond=0)

    def stamp(self) -> str:
        return format_time(self.now())


@dataclass(frozen=True)
class Option:
    """One input of a collector, from which ``auditor collect <name>`` builds its command-line option.

    ``name`` is the constructor's keyword (``--base-url`` for ``base_url``); ``type``: ``text``,
    ``int``, ``file`` (an existing file), ``dir`` (an existing folder) or ``flag``.
    """

    name: str
    help: str
    type: str = "text"
    required: bool = False
    default: Any = None
    multiple: bool = False
    envvar: str | None = None


class Collector:
    """Base of every collector.

    Subclasses register with ``@COLLECTORS.register("name")`` (which sets ``name``), set the class
    attributes below (one place declaring the contract, checked by a test that walks
    :data:`COLLECTORS`), a docstring with a usage example, and implement :meth:`collect`. A collector
    with ``options`` gets its ``auditor collect <name>`` command generated from them; the built-in
    ones have hand-written commands in ``auditor.cli.collect_cmd``. See docs/collectors.md.
    """

    name: ClassVar[str] = ""
    version: ClassVar[str] = ""
    kinds: ClassVar[tuple[str, ...]] = ()
    #: Credentials or permissions the collector needs, as a person would grant them.
    permissions: ClassVar[tuple[str, ...]] = ()
    #: the constructor's inputs (besides ``clock`` and ``progress``), for a generated command
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, clock: Clock | None = None, progress: Progress | None = None) -> None:
        self.clock = clock or Clock()
        self.progress = progress or Progress(enabled=False)

    def emits(self, kind: str) -> bool:
        """Whether this collector may write documents of ``kind``."""
        return kind in self.kinds

    def collect(self) -> list[Document]:  # pragma: no cover - abstract
        raise NotImplementedError

    def write(self, out_dir: Path) -> list[Path]:
        """Collect and write every document into ``out_dir``; returns the paths written."""
        documents = self.collect()
        collected_at = self.clock.stamp()
        return [write_document(doc, out_dir, self, collected_at) for doc in documents]


def envelope(doc: Document, collector: Collector, collected_at: str, *, scrubbed: bool = True) -> dict[str, Any]:
    """The evidence document as written: items sorted by id, errors sorted and de-duplicated,
    secrets scrubbed (unless ``scrubbed=False``: :func:`write_document` scans the bytes first)."""
    from auditor.collect.redact import redact_text, scrub

    if not collector.emits(doc.kind):
        raise ValueError(f"collector {collector.name} does not declare kind {doc.kind!r}")
    items = sorted(doc.items, key=_item_key)
    if scrubbed:
        items = scrub(items)
    errors = sorted(set(doc.errors), key=lambda e: (e.scope, e.code, e.message))
    return {
        "kind": doc.kind,
        "source": redact_text(doc.source) if scrubbed else doc.source,
        "collected_at": collected_at,
        "collector": {"name": collector.name, "version": collector.version},
        "errors": [scrub(e.as_dict()) for e in errors],
        "item_count": len(items),
        "items": items,
    }


def _item_key(item: dict[str, Any]) -> str:
    ident = item.get("id")
    if not isinstance(ident, str):
        raise ValueError(f"evidence item without a string id: {sorted(item)}")
    return ident


_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def write_document(
    doc: Document, out_dir: Path, collector: Collector, collected_at: str
) -> Path:
    """Write one document atomically as ``<out_dir>/<name>.json``; returns the path."""
    from auditor.collect.redact import scan
    from auditor.files import pretty_json, write_atomic

    body = envelope(doc, collector, collected_at, scrubbed=False)
    data = pretty_json(body)
    if scan(data):  # rare: only then walk the items (one by one) and serialise again
        data = pretty_json(envelope(doc, collector, collected_at))
    stem = _SAFE_NAME.sub("-", doc.name or f"{collector.name}-{doc.kind}").strip("-")
    path = Path(out_dir) / f"{stem}.json"
    write_atomic(path, data)
    return path


class Progress:
    """A transient progress bar on stderr for long pagings; silent unless on a terminal."""

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self._progress: Any = None

    @staticmethod
    def _nothing(_n: int = 1) -> None:
        return None

    @contextmanager
    def task(self, description: str, total: int | None = None) -> Iterator[Callable[[int], None]]:
        """Yields ``advance(n)``. Draws nothing when disabled or stderr is not a terminal."""
        if not self.enabled:
            yield self._nothing
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console(stderr=True)
        if not console.is_terminal:
            yield self._nothing
            return
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            console=console, transient=True,
        ) as bar:
            ident = bar.add_task(description, total=total)

            def advance(n: int = 1) -> None:
                bar.advance(ident, n)

            yield advance
