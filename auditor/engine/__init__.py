"""Policy engines behind one small interface.

``regorus`` (embedded, the default) and ``opa`` (a remote OPA server) register
themselves in :data:`ENGINES`; :func:`create` builds one by name.
"""

from __future__ import annotations

from typing import Any

from auditor.engine.base import ENGINES, Engine
from auditor.registry import Registry

__all__ = ["ENGINES", "Engine", "create", "load_engines"]


def load_engines() -> Registry[type[Engine]]:
    """Register the built-in engines and those of installed packages (group ``auditor.engines``)."""
    _register_builtin_engines()
    return ENGINES.load_entry_points()


def _register_builtin_engines() -> None:
    # Imported here, not at package import, so `auditor --help` stays fast.
    import auditor.engine.regorus_engine

    try:
        import auditor.engine.opa_server  # noqa: F401
    except ModuleNotFoundError as exc:  # the OPA backend module is optional in a source tree
        if exc.name != "auditor.engine.opa_server":
            raise


def create(name: str = "regorus", **options: Any) -> Engine:
    engine_cls = load_engines().get(name)
    return engine_cls(**options)
