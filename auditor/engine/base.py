"""The engine interface: load policies and data once, set the input once, query each control."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

from auditor.policies import PolicySource
from auditor.registry import Registry


class Engine(ABC):
    """A Rego evaluator.

    ``load`` raises :class:`auditor.errors.InputError` for a policy the engine
    rejects (syntax, naming the file and line); ``query`` raises
    :class:`auditor.errors.EngineError` for an evaluation failure of one query,
    which the evaluator turns into an ``error`` status for that control only.
    """

    name: ClassVar[str]
    #: True when a process forked after ``set_input`` can go on querying on its own (an embedded
    #: engine): the evaluator then runs each control in a forked worker, several at a time, each
    #: bounded in time and memory (``auditor.workers``). An engine that evaluates elsewhere (a
    #: server) leaves it False, evaluates in this process and bounds each query itself.
    forkable: ClassVar[bool] = False

    @abstractmethod
    def version(self) -> str: ...

    @abstractmethod
    def load(self, policies: Sequence[PolicySource], data: Mapping[str, Any]) -> None: ...

    @abstractmethod
    def set_input(self, input_json: bytes) -> None: ...

    def set_input_file(self, path: Path) -> None:
        """:meth:`set_input` from a file holding the input JSON (an engine that can read it there
        overrides this, so the payload is not held in memory beside the engine's parse of it)."""
        self.set_input(Path(path).read_bytes())

    @abstractmethod
    def query(self, ref: str) -> Any:
        """Evaluate a rule reference such as ``data.controls.sod.sod_001.violations``.

        Returns the JSON value, or ``None`` when the rule is undefined.
        """

    def query_rules(self, package: str, rules: Sequence[str]) -> dict[str, Any]:
        """Several rules of one package, ``{rule: value or None}``.

        Engines that can evaluate them together (sharing the rules they both use) override this.
        """
        return {rule: self.query(f"data.{package}.{rule}") for rule in rules}

    def missing_builtins(self, names: Iterable[str]) -> set[str]:
        """Which of these function names the engine does not implement (default: assume all)."""
        return set()

    def describe(self) -> dict[str, str]:
        return {"name": self.name, "version": self.version()}


ENGINES: Registry[type[Engine]] = Registry("engine", group="auditor.engines")
