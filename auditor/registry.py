"""One small registry per plugin kind (engines, collectors, formats, signers).

``@REGISTRY.register("name")`` records a class under its name and sets ``cls.name`` (the name is
written once, as cloud-custodian's registry does). Built-in plugins register when their module is
imported; an organisation's package adds its own through an entry point of the registry's group,
loaded by :meth:`Registry.load_entry_points`::

    # pyproject.toml of the organisation's package
    [project.entry-points."auditor.collectors"]
    acme = "acme_auditor.collector:AcmeCollector"   # a class (registered under "acme") or a module

Groups: ``auditor.collectors``, ``auditor.formats``, ``auditor.engines``, ``auditor.signers``.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

from auditor.errors import InputError

T = TypeVar("T")


def summary(item: Any) -> str:
    """A plugin's help: the first paragraph of its docstring, on one line."""
    doc = inspect.getdoc(item) or ""
    return " ".join(doc.split("\n\n", 1)[0].split())


class Registry(Generic[T]):
    """Maps a name to a plugin class; the CLI lists and dispatches from it."""

    def __init__(self, kind: str, group: str | None = None) -> None:
        self.kind = kind
        #: the entry-point group through which other packages add plugins of this kind
        self.group = group
        self._items: dict[str, T] = {}
        self._entry_points_loaded = False

    def register(self, name: str) -> Callable[[T], T]:
        def decorator(item: T) -> T:
            if name in self._items:
                raise ValueError(f"{self.kind} {name!r} registered twice")
            declared = getattr(item, "name", None)
            if isinstance(declared, str) and declared and declared != name:
                raise ValueError(f"{self.kind} {name!r}: the class declares name {declared!r}; "
                                 "drop it (register sets the name)")
            setattr(item, "name", name)  # noqa: B010 - the registry names the plugin, once
            self._items[name] = item
            return item

        return decorator

    def load_entry_points(self) -> Registry[T]:
        """Register the plugins other installed packages declare in :attr:`group` (once per process).

        An entry point naming a class registers it under the entry point's name (unless its module
        registered it already); one naming a module registers whatever that module registers. One that
        cannot be loaded is an error (exit 2), never a plugin silently missing.
        """
        if self._entry_points_loaded or self.group is None:
            return self
        self._entry_points_loaded = True
        from importlib.metadata import entry_points

        for point in sorted(entry_points(group=self.group), key=lambda p: p.name):
            try:
                loaded = point.load()
            except Exception as exc:  # noqa: BLE001 - any failure of a third-party plugin is reported as such
                raise InputError(f"entry point {point.name} = {point.value} (group {self.group}): cannot load "
                                 f"the {self.kind}: {type(exc).__name__}: {exc}") from None
            if inspect.isclass(loaded) and loaded not in self._items.values():
                self.register(point.name)(loaded)  # type: ignore[arg-type]
        return self

    def get(self, name: str) -> T:
        if name not in self._items:
            self.load_entry_points()
        try:
            return self._items[name]
        except KeyError:
            known = ", ".join(sorted(self._items)) or "none"
            raise InputError(f"unknown {self.kind} {name!r}; expected one of: {known}") from None

    def names(self) -> list[str]:
        return sorted(self._items)

    def help(self, name: str) -> str:
        """The registered plugin's help (first paragraph of its docstring)."""
        return summary(self.get(name))

    def __iter__(self) -> Iterator[tuple[str, T]]:
        return iter(sorted(self._items.items()))

    def __contains__(self, name: object) -> bool:
        return name in self._items
