"""Layered control libraries: an organisation's library on top of the bundled one.

Example::

    from pathlib import Path
    from auditor.layers import resolve_stack

    stack = resolve_stack(libraries=[Path("org-library")])
    library = stack.library()            # bundled controls + the organisation's, overrides applied
    policies = stack.policy_set()        # every layer's policies
    mappings = stack.mapping_set(library)

A layer is a folder holding any of::

    controls/            control YAML (controls/<slug>/<ID>.yaml) and optional controls/families.yaml
    policies/            Rego (policies/<slug>/<id>.rego with <id>_test.rego)
    mappings/            mapping files (mappings/<framework>.yaml), optional catalogs (mappings/frameworks/)
    overrides.yaml       `overrides:` (severity, owner, parameters of a named control) and
                         `disabled:` (a control switched off, with a reason)
    params.yaml          parameter values, in the --params format

Layers add; they never replace silently. A control id, a family, a policy package,
a framework catalog or a (control, clause) mapping defined by two layers is exit 2
naming both files. See docs/layering.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.files import LineDict, line_of, load_yaml_lines
from auditor.model import SEVERITIES, Control, DisabledControl
from auditor.validation import validate

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.mappings import MappingSet
    from auditor.policies import PolicySet

BUNDLED = "bundled"
CONFIG_FILE = "auditor.yaml"
OVERRIDES_FILE = "overrides.yaml"
PARAMS_FILE = "params.yaml"
FOLDERS = ("controls", "policies", "mappings")
#: what an override may change; nothing else of a control is overridable
OVERRIDABLE = ("severity", "owner", "parameters")

CONFIG_SCHEMA: dict[str, Any] = {
    # a folder whose controls/, policies/, mappings/ replace the bundled library (a standalone library)
    "base": {"type": "string", "empty": False},
    "libraries": {"type": "list", "default": [], "schema": {"type": "string", "empty": False}},
}

OVERRIDES_SCHEMA: dict[str, Any] = {
    "overrides": {
        "type": "dict",
        "keysrules": {"type": "string"},
        "valuesrules": {"type": "dict", "schema": {
            "severity": {"type": "string", "allowed": list(SEVERITIES)},
            "owner": {"type": "string", "empty": False},
            "parameters": {"type": "dict"},
            "reason": {"type": "string", "required": True, "empty": False},
        }},
    },
    "disabled": {
        "type": "dict",
        "keysrules": {"type": "string"},
        "valuesrules": {"type": "dict", "schema": {
            "reason": {"type": "string", "required": True, "empty": False},
        }},
    },
}


@dataclass(frozen=True)
class Layer:
    """One library folder. The base layer's folders may come from --controls/--policies/--mappings."""

    name: str
    root: Path | None
    controls: Path | None = None
    policies: Path | None = None
    mappings: Path | None = None
    overrides: Path | None = None
    params: Path | None = None

    @classmethod
    def from_dir(cls, root: Path, name: str) -> Layer:
        root = Path(root)
        if not root.is_dir():
            raise InputError(f"{root}: library folder not found")

        def sub(rel: str, is_dir: bool) -> Path | None:
            path = root / rel
            return path if (path.is_dir() if is_dir else path.is_file()) else None

        layer = cls(name, root, sub("controls", True), sub("policies", True), sub("mappings", True),
                    sub(OVERRIDES_FILE, False), sub(PARAMS_FILE, False))
        if not any((layer.controls, layer.policies, layer.mappings, layer.overrides, layer.params)):
            raise InputError(f"{root}: not a control library: expected at least one of controls/, policies/, "
                             f"mappings/, {OVERRIDES_FILE} or {PARAMS_FILE}")
        return layer

    def folders(self) -> dict[str, Path]:
        return {name: path for name in FOLDERS if (path := getattr(self, name)) is not None}


@dataclass
class LibraryStack:
    """The base library and the layers over it, in order; loads each part once."""

    base: Layer
    layers: list[Layer] = field(default_factory=list)
    _library: dict[Path | None, ControlLibrary] = field(default_factory=dict, repr=False)

    @property
    def all(self) -> list[Layer]:
        return [self.base, *self.layers]

    # --- controls ---------------------------------------------------------------------------
    def library(self, params_file: Path | None = None) -> ControlLibrary:
        if params_file not in self._library:
            self._library[params_file] = self._load_library(params_file)
        return self._library[params_file]

    def _load_library(self, params_file: Path | None) -> ControlLibrary:
        from auditor.controls import check_params, control_files, load_control, load_library, load_params
        from auditor.families import layer_families

        if self.base.controls is None:
            raise InputError("no controls folder in the base library")
        library = load_library(self.base.controls)
        library.origins = {cid: self.base.name for cid in library.controls}
        for layer in self.layers:
            if layer.controls is None:
                continue
            library.families = layer_families(layer.controls, library.families)
            for path in control_files(layer.controls):
                control = load_control(path, library.families)
                if control.id in library.controls:
                    other = library.controls[control.id]
                    raise InputError(
                        f"{path}: id: control {control.id} is already defined in {other.path} (layer "
                        f"{library.origin(control.id)}); a layer cannot redefine a control: change its severity, "
                        f"owner or parameters in {layer.root}/{OVERRIDES_FILE}, or give yours a new id"
                    )
                library.controls[control.id] = control
                library.origins[control.id] = layer.name
        # parameters: defaults < each layer's overrides/params (in layer order) < --params
        for layer in self.all:
            if layer.overrides is not None:
                self._apply_overrides(library, layer, check_params)
            if layer.params is not None:
                _merge(library.overrides, load_params(layer.params, library))
        if params_file is not None:
            _merge(library.overrides, load_params(params_file, library))
        return library

    def _apply_overrides(self, library: ControlLibrary, layer: Layer, check_params: Any) -> None:
        path = layer.overrides
        assert path is not None
        raw = load_yaml_lines(path)
        if raw is None:
            return
        doc = validate(OVERRIDES_SCHEMA, raw, path, "overrides file")
        for section in ("disabled", "overrides"):
            for control_id, entry in doc.get(section, {}).items():
                if not entry["reason"].split():
                    line = line_of(raw[section][control_id], "reason")
                    raise InputError(f"{path}:{line}: {section}.{control_id}.reason: found {entry['reason']!r}, "
                                     "expected a sentence saying why (it is shown in every output)")
        for control_id, entry in doc.get("disabled", {}).items():
            where = f"{path}:{line_of(raw['disabled'], str(control_id))}"
            control = self._named(library, control_id, where, "disabled")
            del library.controls[control_id]
            library.overrides.pop(control_id, None)
            library.disabled[control_id] = DisabledControl(
                control, " ".join(entry["reason"].split()), where, layer.name)
        for control_id, entry in doc.get("overrides", {}).items():
            raw_entry = raw["overrides"][control_id]
            where = f"{path}:{line_of(raw['overrides'], str(control_id))}"
            control = self._named(library, control_id, where, "overrides")
            changes: dict[str, Any] = {}
            for name in ("severity", "owner"):
                if name in entry:
                    changes[name] = entry[name]
                    line = line_of(raw_entry, name)
                    library.changed.setdefault(control_id, []).append(
                        f"{name}: {getattr(control, name)} -> {entry[name]} ({path}:{line})")
            if changes:
                library.controls[control_id] = dataclasses.replace(control, **changes)
            if "parameters" in entry:
                values = raw_entry["parameters"]
                line = line_of(raw_entry, "parameters")
                wrapped = LineDict({control_id: values})
                wrapped.lines, wrapped.line = {control_id: line or 1}, line or 1
                _merge(library.overrides, check_params(wrapped, path, library))
                for name, value in sorted(values.items()):
                    library.changed.setdefault(control_id, []).append(
                        f"parameters.{name}: {value!r} ({path}:{line_of(values, name) or line})")

    @staticmethod
    def _named(library: ControlLibrary, control_id: str, where: str, section: str) -> Control:
        if control_id in library.disabled:
            raise InputError(f"{where}: {section}.{control_id}: the control is already disabled by "
                             f"{library.disabled[control_id].where}")
        if control_id not in library.controls:
            raise InputError(f"{where}: {section}.{control_id}: unknown control id; expected a control of "
                             "this layer or one below it")
        return library.controls[control_id]

    # --- policies ---------------------------------------------------------------------------
    def policy_set(self) -> PolicySet:
        from auditor.policies import PolicySet, load_policies

        roots = [layer.policies for layer in self.all if layer.policies is not None]
        if not roots:
            raise InputError("no policies folder in the library")
        sets = [load_policies(root) for root in roots]
        seen = {s.package: s for s in sets[0].sources}
        sources = list(sets[0].sources)
        for policy_set in sets[1:]:
            for source in policy_set.sources:
                if source.package in seen and not source.package.startswith("lib."):
                    raise InputError(f"{source.path}: package {source.package} is already declared in "
                                     f"{seen[source.package].path}; a layer cannot redefine a policy")
                seen.setdefault(source.package, source)
                sources.append(source)
        return PolicySet(roots[0], sources)

    # --- mappings ---------------------------------------------------------------------------
    def mapping_set(self, library: ControlLibrary | None) -> MappingSet | None:
        """Every layer's mappings, cross-checked against ``library``; ``None`` when no layer has any."""
        from auditor.mappings.load import load_layered_mappings

        roots = [layer.mappings for layer in self.all if layer.mappings is not None]
        if not roots:
            return None
        return load_layered_mappings(roots, library)

    def describe(self) -> list[dict[str, Any]]:
        """The layers, base first, for ``controls list --format json`` and docs."""
        return [{"name": layer.name, "root": str(layer.root) if layer.root else None,
                 **{k: str(v) for k, v in layer.folders().items()}} for layer in self.all]


def _merge(into: dict[str, dict[str, Any]], values: Mapping[str, Mapping[str, Any]]) -> None:
    for control_id, params in values.items():
        into.setdefault(control_id, {}).update(params)


@dataclass(frozen=True)
class Config:
    """``./auditor.yaml``: which library a repository's commands use (paths relative to the file)."""

    path: Path
    base: Path | None
    libraries: tuple[Path, ...]


def read_config(path: Path) -> Config:
    raw = load_yaml_lines(path)
    doc = validate(CONFIG_SCHEMA, raw, path, "Auditor configuration")
    base = path.parent / doc["base"] if "base" in doc else None
    if base is not None and not base.is_dir():
        raise InputError(f"{path}:{line_of(raw, 'base')}: base: found {doc['base']!r}, expected a folder "
                         f"holding controls/ and policies/ (relative to {path.parent})")
    libraries = []
    for index, entry in enumerate(doc["libraries"]):
        folder = path.parent / entry
        if not folder.is_dir():
            raise InputError(f"{path}:{line_of(raw, 'libraries')}: libraries[{index}]: found {entry!r}, "
                             f"expected a library folder (relative to {path.parent})")
        libraries.append(folder)
    return Config(path, base, tuple(libraries))


def resolve_stack(
    controls: Path | None = None,
    policies: Path | None = None,
    mappings: Path | None = None,
    libraries: list[Path] | tuple[Path, ...] = (),
    cwd: Path | None = None,
) -> LibraryStack:
    """Which library a command uses.

    - The base is the bundled library, or ``base:`` of ``./auditor.yaml``.
      ``--controls``/``--policies``/``--mappings`` replace its folders (each unset one is then
      ``./<folder>`` when present, else bundled: the behaviour before layers).
    - Layers, in order: ``--library`` flags; else ``libraries:`` of ``./auditor.yaml``; else, with
      no ``auditor.yaml`` and none of the folder flags, the current directory when it holds
      ``controls/``, ``policies/`` or ``mappings/`` of its own (an organisation's repository
      extends the bundled library instead of replacing it).
    """
    from auditor.content import bundled, default_dir

    cwd = Path.cwd() if cwd is None else Path(cwd)
    config = read_config(cwd / CONFIG_FILE) if (cwd / CONFIG_FILE).is_file() else None
    explicit = any(p is not None for p in (controls, policies, mappings))

    def base_dir(given: Path | None, name: str) -> Path:
        if given is not None:
            return Path(given)
        if config is not None and config.base is not None:
            return config.base / name
        return default_dir(name) if explicit else bundled(name)

    if mappings is not None and not Path(mappings).is_dir():
        raise InputError(f"{mappings}: mappings folder not found")
    base_mappings = base_dir(mappings, "mappings")
    standalone = explicit or (config is not None and config.base is not None)
    base = Layer(
        "base" if standalone else BUNDLED,
        config.base if config is not None and config.base is not None and not explicit else None,
        base_dir(controls, "controls"),
        base_dir(policies, "policies"),
        base_mappings if base_mappings.is_dir() else None,
    )
    roots: list[Path]
    if libraries:
        roots = [Path(p) for p in libraries]
    elif config is not None:
        roots = list(config.libraries)
    elif not explicit and _own_library(cwd):
        roots = [cwd]
    else:
        roots = []
    layers: list[Layer] = []
    names = {base.name}
    for root in roots:
        stem = Path(root).resolve().name or "library"
        name, n = stem, 1
        while name in names:
            n += 1
            name = f"{stem}-{n}"
        names.add(name)
        layers.append(Layer.from_dir(root, name))
    return LibraryStack(base, layers)


def _own_library(cwd: Path) -> bool:
    """Whether ``cwd`` holds library folders that are not the bundled ones (an organisation's repository)."""
    from auditor.content import bundled

    for name in FOLDERS:
        local = cwd / name
        if local.is_dir() and local.resolve() != bundled(name).resolve():
            return True
    return False
