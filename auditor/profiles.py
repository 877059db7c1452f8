"""Profiles: named selections of controls, as data beside the library (``controls/profiles.yaml``).

``--profile ci`` evaluates only the controls the repository, forge and pipeline evidence can decide.
Every other control is recorded as not evaluated through the same mechanism as a control a
library layer disabled (``ControlLibrary.disabled``): listed in every output with the reason,
never a pass, never a fail, never counted in the exit code.

File shape::

    profiles:
      ci:
        description: what the profile is for
        controls: [SEC-004, SOD-008]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.files import line_of, load_yaml_lines
from auditor.model import DisabledControl
from auditor.validation import validate

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.layers import LibraryStack

FILE_NAME = "profiles.yaml"
#: the ``layer`` of a control a profile left out: ``profile:ci``
LAYER_PREFIX = "profile:"

SCHEMA: dict[str, Any] = {
    "profiles": {
        "type": "dict", "required": True, "empty": False,
        "keysrules": {"type": "string", "regex": r"^[a-z][a-z0-9-]*$"},
        "valuesrules": {"type": "dict", "schema": {
            "description": {"type": "string", "required": True, "empty": False},
            "controls": {"type": "list", "required": True, "empty": False,
                         "schema": {"type": "string", "empty": False}},
        }},
    },
}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    controls: tuple[str, ...]
    where: str  # "controls/profiles.yaml:6"


def load_profiles(path: Path, into: dict[str, Profile] | None = None, shown: str | None = None) -> dict[str, Profile]:
    """Read one profiles.yaml (exit 2 naming file, line and field on bad input); ``shown`` is how outputs
    name the file (relative to its library, so results do not depend on where Auditor is installed)."""
    profiles = {} if into is None else into
    raw = load_yaml_lines(path)
    doc = validate(SCHEMA, raw, path, "profiles")
    for name, spec in doc["profiles"].items():
        line = line_of(raw["profiles"], name) or 1
        profiles[name] = Profile(name, " ".join(spec["description"].split()), tuple(spec["controls"]),
                                 f"{shown or path}:{line}")
    return profiles


def stack_profiles(stack: LibraryStack) -> dict[str, Profile]:
    """Every layer's profiles, bundled first; a later layer's profile replaces one of the same name."""
    profiles: dict[str, Profile] = {}
    for layer in stack.all:
        path = layer.controls / FILE_NAME if layer.controls is not None else None
        if path is not None and path.is_file():
            shown = "/".join(path.parts[-2:]) if layer.name in ("bundled", "base") else str(path)
            load_profiles(path, profiles, shown)
    return profiles


def apply_profile(library: ControlLibrary, profiles: dict[str, Profile], name: str) -> ControlLibrary:
    """The library with every control outside profile ``name`` moved to ``disabled`` (not evaluated)."""
    if name not in profiles:
        known = ", ".join(sorted(profiles)) or "none (no controls/profiles.yaml in the library)"
        raise InputError(f"--profile: found {name!r}, expected one of: {known}")
    profile = profiles[name]
    unknown = [c for c in profile.controls if not library.knows(c)]
    if unknown:
        raise InputError(f"{profile.where}: profiles.{name}.controls: unknown control id(s) {', '.join(unknown)}; "
                         "no such control in the library")
    chosen = set(profile.controls)
    kept = {cid: c for cid, c in library.controls.items() if cid in chosen}
    left_out = {cid: DisabledControl(c, f"not in the {name} profile", profile.where,
                                     LAYER_PREFIX + name)
                for cid, c in library.controls.items() if cid not in chosen}
    return dataclasses.replace(library, controls=kept, disabled={**library.disabled, **left_out})


def is_profile_entry(entry: dict[str, Any]) -> bool:
    """Whether a ``disabled_controls`` entry of results.json was left out by a profile (not by a layer)."""
    return str(entry.get("layer", "")).startswith(LAYER_PREFIX)
