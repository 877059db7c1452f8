"""Where the bundled control library, policies, mappings and schemas live.

In a source checkout they are the top-level folders; in an installed wheel they
are copied under ``auditor/_bundled``. A folder of the same name in the current
directory (an organisation's own controls repository) wins over the bundled one.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled(name: str) -> Path:
    """The bundled copy of a content folder (``controls``, ``evidence/schemas``, ...)."""
    installed = _PACKAGE / "_bundled" / name
    if installed.exists():
        return installed
    return _PACKAGE.parent / name


def default_dir(name: str) -> Path:
    """``./name`` when it exists, else the bundled folder."""
    local = Path.cwd() / name
    return local if local.is_dir() else bundled(name)


def schemas_dir() -> Path:
    return bundled("evidence/schemas")


def demo_evidence_dir() -> Path:
    return bundled("evidence/examples/demo")
