"""The collector contract, the registry, the clock and the one evidence writer.

Every collector produces :class:`Document` objects; :func:`write_document` turns one
into the envelope ``{kind, source, collected_at, collector, errors, item_count, items}``,
sorts items by id, scrubs secrets and writes it atomically with sorted keys, so
re-collecting an unchanged system with a pinned clock gives identical bytes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from auditor.errors import InputError
from auditor.model import CollectionFailure
from auditor.registry import Registry

COLLECTORS: Registry[type[Collector]] = Registry("collector", group="auditor.collectors")

#: The built-in collectors and the modules registering them, imported on demand.
BUILT_IN = {
    "git": "auditor.collect.git",
    "deployment": "auditor.collect.deployment",
    "aws": "auditor.collect.aws",
    "file": "auditor.collect.files",
    "prometheus": "auditor.collect.prometheus",
    "github": "auditor.collect.github",
    "gitlab": "auditor.collect.gitlab",
}
#: Modules that define collectors, imported by :func:`load_collectors`.
COLLECTOR_MODULES = tuple(BUILT_IN.values())


def load_collectors(entry_points: bool = True) -> Registry[type[Collector]]:
    """Import every built-in collector module (registering it), then (unless ``entry_points=False``) the
    collectors other installed packages declare in the ``auditor.collectors`` group; returns the registry."""
    import importlib

    for module in COLLECTOR_MODULES:
        importlib.import_module(module)
    return COLLECTORS.load_entry_points() if entry_points else COLLECTORS


def load_collector(name: str) -> type[Collector] | None:
    """One collector by name: a built-in imports only its own module (``auditor collect git`` needs
    no other collector, nor any other package); any other name is looked up in the entry points."""
    import importlib

    if name in BUILT_IN:
        importlib.import_module(BUILT_IN[name])
    elif name not in COLLECTORS:
        COLLECTORS.load_entry_points()
    return COLLECTORS.get(name) if name in COLLECTORS else None


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


#: the ``type`` values an :class:`Option` may declare
OPTION_TYPES = ("text", "int", "file", "dir", "flag", "choice")


@dataclass(frozen=True)
class Option:
    """One input of a collector, as data: ``auditor collect <name>`` builds its command-line option from it.

    ``name`` is the constructor's keyword; ``flag`` its spelling on the command line (default
    ``--base-url`` for ``base_url``; ``--token-env`` for a secret ``token``), ``aliases`` further
    spellings. ``type``: ``text``, ``int`` (within ``minimum``/``maximum`` when given), ``file`` (an
    existing file), ``dir`` (an existing folder), ``flag`` or ``choice`` (one of ``choices``).
    ``argument``: a positional argument instead of an option. ``envvar``: the environment variable
    read when the option is not given.

    ``secret``: the value is a credential, so it is never taken from the command line (it would show
    in logs and process lists): the option names the environment variable holding it (``default``,
    e.g. ``GITHUB_TOKEN``), and the constructor receives the variable's value (``None`` when unset,
    announced with ``unset``). A secret is never echoed: not in help, messages or evidence.
    """

    name: str
    help: str
    type: str = "text"
    required: bool = False
    default: Any = None
    multiple: bool = False
    envvar: str | None = None
    flag: str | None = None
    aliases: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    argument: bool = False
    secret: bool = False
    #: for a secret: what happens when its variable is not set (``collect NAME: $VAR is not set; <unset>``)
    unset: str = ""

    def __post_init__(self) -> None:
        where = f"collector option {self.name!r}"
        if self.type not in OPTION_TYPES:
            raise ValueError(f"{where}: type {self.type!r}, expected one of {', '.join(OPTION_TYPES)}")
        if (self.type == "choice") != bool(self.choices):
            raise ValueError(f"{where}: choices go with type 'choice' (and it needs them)")
        if self.secret and not (isinstance(self.default, str) and self.default) and not self.required:
            raise ValueError(f"{where}: a secret needs the environment variable holding it as its default")
        if self.secret and (self.multiple or self.argument or self.type != "text"):
            raise ValueError(f"{where}: a secret is one text value read from an environment variable")
        if not self.help.strip():
            raise ValueError(f"{where}: no help")

    @property
    def spelling(self) -> str:
        """The option's name on the command line."""
        if self.flag:
            return self.flag
        return "--" + self.name.replace("_", "-") + ("-env" if self.secret else "")


@dataclass(frozen=True)
class Secret:
    """A secret option's value: the environment variable it came from and what it holds (masked in repr)."""

    variable: str
    value: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, variable: str, environ: Mapping[str, str] | None = None) -> Secret:
        env = os.environ if environ is None else environ
        return cls(variable, env.get(variable) or None)


class Collector:
    """Base of every collector.

    Subclasses register with ``@COLLECTORS.register("name")`` (or through an ``auditor.collectors``
    entry point; either sets ``name``), set the class attributes below (one place declaring the
    contract, checked by a test that walks :data:`COLLECTORS`), a docstring with a usage example, and
    implement :meth:`collect`. Every collector's ``auditor collect <name>`` command is generated from
    its ``help`` and ``options`` (:func:`auditor.cli.plugins.collector_command`), built-in or not.
    See docs/collectors.md.
    """

    name: ClassVar[str] = ""
    #: the command's one-line help (default: the docstring's first paragraph)
    help: ClassVar[str] = ""
    version: ClassVar[str] = ""
    kinds: ClassVar[tuple[str, ...]] = ()
    #: Credentials or permissions the collector needs, as a person would grant them.
    permissions: ClassVar[tuple[str, ...]] = ()
    #: the constructor's inputs (besides ``clock`` and ``progress``), for a generated command
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, clock: Clock | None = None, progress: Progress | None = None) -> None:
        self.clock = clock or Clock()
        self.progress = progress or Progress(enabled=False)

    @classmethod
    def command_help(cls) -> str:
        """The one-line help of ``auditor collect <name>``."""
        from auditor.registry import summary

        return cls.help or summary(cls)

    @classmethod
    def from_options(cls, values: dict[str, Any], notice: Callable[[str], None], **context: Any) -> Collector:
        """The collector for its command's ``values`` (keyed by :attr:`Option.name`; a secret's as a
        :class:`Secret`); ``notice`` prints a line for the person running it, ``context`` is the clock
        and progress. Overridden where options need more than passing on (a schema set, a fallback token).
        """
        values = dict(values)
        for option in cls.options:
            secret = values.get(option.name)
            if option.secret and isinstance(secret, Secret):
                if secret.value is None and option.unset:
                    notice(f"collect {cls.name}: ${secret.variable} is not set; {option.unset}")
                values[option.name] = secret.value
        return cls(**values, **context)

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
