"""Policy engines behind one small interface.

``regorus`` (embedded, the default) and ``opa`` (a remote OPA server) register
themselves in :data:`ENGINES`; :func:`create` builds one by name.
"""

from __future__ import annotations

from typing import Any

from auditor.engine.base import ENGINES, Engine

__all__ = ["ENGINES", "Engine", "create"]


def _register_builtin_engines() -> None:
    # Imported here, not at package import, so `auditor --help` stays fast.
    import auditor.engine.regorus_engine

    try:
        import auditor.engine.opa_server  # noqa: F401
    except ModuleNotFoundError as exc:  # the OPA backend module is optional in a source tree
        if exc.name != "auditor.engine.opa_server":
            raise


def create(name: str = "regorus", **options: Any) -> Engine:
    _register_builtin_engines()
    engine_cls = ENGINES.get(name)
    return engine_cls(**options)
