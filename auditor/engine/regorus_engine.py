"""The embedded default engine: regorus (the ``gordon-to-regorus`` wheel).

Traits designed around (see ENGINE_NOTES.md): errors are ``RuntimeError`` with a
Rust backtrace appended when ``RUST_BACKTRACE`` is set; panics are
``BaseException`` subclasses; sets of objects only come back as JSON; an engine
must stay on the thread that made it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import orjson

from auditor.engine.base import ENGINES, Engine
from auditor.errors import AuditorError, EngineError, InputError
from auditor.policies import PolicySource

os.environ["RUST_BACKTRACE"] = "0"
import regorus

_LOCATION_RE = re.compile(r"-->\s*(?P<file>[^\n]*?):(?P<line>\d+):(?P<col>\d+)")
_ERROR_RE = re.compile(r"error:\s*(?P<msg>[^\n]*)")


@contextmanager
def _translated(error: type[AuditorError], prefix: str = "", panic_prefix: str | None = None) -> Iterator[None]:
    """regorus's errors (``RuntimeError``, and panics, which are ``BaseException``) as ``error`` with one
    clean line; anything else (an interruption) passes through untouched."""
    try:
        yield
    except BaseException as exc:
        panic = _is_panic(exc)
        if not panic and not isinstance(exc, RuntimeError):
            raise
        lead = panic_prefix if panic and panic_prefix is not None else prefix
        raise error(f"{lead}{clean_message(str(exc))}") from None


def clean_message(raw: str) -> str:
    """One line, ``file:line:col: message``, without the Rust backtrace."""
    text = raw.split("Stack backtrace:", 1)[0].strip()
    loc = _LOCATION_RE.search(text)
    err = _ERROR_RE.search(text)
    if err:
        message = err.group("msg").strip()
        if loc:
            return f"{loc.group('file')}:{loc.group('line')}:{loc.group('col')}: {message}"
        return message
    return " ".join(text.split()) or "unknown engine error"


def _is_panic(exc: BaseException) -> bool:
    return type(exc).__name__ == "PanicException"


@ENGINES.register("regorus")
class RegorusEngine(Engine):
    """Embedded regorus. Usage: ``create("regorus")``; no options."""

    forkable = True

    def __init__(self) -> None:
        self._engine = regorus.Engine()
        self._sources: dict[str, PolicySource] = {}

    @staticmethod
    def version() -> str:
        try:
            return metadata.version("gordon-to-regorus")
        except metadata.PackageNotFoundError:  # pragma: no cover
            return "unknown"

    @property
    def raw(self) -> Any:
        """The underlying ``regorus.Engine`` (tests and the policy test runner use it)."""
        return self._engine

    def load(self, policies: Sequence[PolicySource], data: Mapping[str, Any]) -> None:
        for source in policies:
            with _translated(InputError, "policy rejected: "):
                self._engine.add_policy(source.path.as_posix(), source.text)
            self._sources[source.package] = source
        self._engine.add_data_json(orjson.dumps(dict(data)).decode())

    def set_input(self, input_json: bytes) -> None:
        with _translated(EngineError, "engine rejected the input: "):
            self._engine.set_input_json(input_json.decode("utf-8"))
        self._prepare()

    def set_input_file(self, path: Path) -> None:
        """The input read by regorus itself: no Python copy of the payload beside its parse."""
        with _translated(EngineError, "engine rejected the input: "):
            self._engine.set_input_from_json_file(os.fspath(path))
        self._prepare()

    def _prepare(self) -> None:
        # regorus prepares its policies on the first evaluation: do it now, once, so that workers
        # forked from this engine do not each prepare them again (20-35 ms per control measured).
        with _translated(EngineError, "engine failed to prepare the policies: "):
            self._engine.eval_query("x := 1")

    def query(self, ref: str) -> Any:
        with _translated(EngineError, panic_prefix="engine panicked: "):
            raw = self._engine.eval_rule_as_json(ref)
        return None if raw is None else orjson.loads(raw)

    def query_rules(self, package: str, rules: Sequence[str]) -> dict[str, Any]:
        """One evaluation of an object of the rules, so helper rules they share are evaluated once."""
        body = ", ".join(f'"{rule}": data.{package}.{rule}' for rule in rules)
        with _translated(EngineError, panic_prefix="engine panicked: "):
            raw = self._engine.eval_query_as_json(f"x := {{{body}}}")
        rows = orjson.loads(raw).get("result") or []
        if not rows:  # one of them is undefined: ask each, so the caller learns which
            return super().query_rules(package, rules)
        value: dict[str, Any] = rows[0]["bindings"]["x"]
        return value

    def missing_builtins(self, names: Iterable[str]) -> set[str]:
        missing = set()
        for name in names:
            probe = regorus.Engine()
            probe.add_policy("__probe.rego", f"package __probe\np if {{ _ := {name}() }}\n")
            try:
                probe.eval_rule("data.__probe.p")
            except BaseException as exc:
                if not isinstance(exc, RuntimeError) and not _is_panic(exc):
                    raise
                if "could not find function" in str(exc):
                    missing.add(name)
        return missing

    def clone(self) -> RegorusEngine:
        twin = RegorusEngine.__new__(RegorusEngine)
        twin._engine = self._engine.clone()
        twin._sources = dict(self._sources)
        return twin
