"""The control library: YAML control files, validated, with organisation parameters.

This is the one registry of controls. :func:`load_library` validates every file
(structure with cerberus, then cross-checks: unique ids, id/file/family/package
agreement) and fails the whole load on the first invalid file set.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.families import CONTROL_ID_SHAPE, FamilySet, base_families
from auditor.families import FILE_NAME as FAMILIES_FILE
from auditor.files import LineDict, line_of, load_yaml_lines
from auditor.model import SEVERITIES, Control, DisabledControl, Family, Parameter, Reference
from auditor.profiles import FILE_NAME as PROFILES_FILE
from auditor.validation import validate

PARAM_TYPES = {"integer": "integer", "number": "number", "string": "string", "boolean": "boolean", "list": "list"}

PARAMETER_SCHEMA: dict[str, Any] = {
    "type": {"type": "string", "required": True, "allowed": list(PARAM_TYPES)},
    "default": {"required": True, "nullable": False},
    "description": {"type": "string", "required": True, "empty": False},
    "min": {"type": "number"},
    "max": {"type": "number"},
    "allowed": {"type": "list"},
}

CONTROL_SCHEMA: dict[str, Any] = {
    "id": {"type": "string", "required": True, "regex": CONTROL_ID_SHAPE},  # the family's prefix: checked after
    "title": {"type": "string", "required": True, "empty": False, "maxlength": 160},
    "objective": {"type": "string", "required": True, "empty": False},
    "family": {"type": "string", "required": True, "empty": False},  # a family id: checked after
    "severity": {"type": "string", "required": True, "allowed": list(SEVERITIES)},
    "owner": {"type": "string", "required": True, "empty": False},
    "policy": {"type": "string", "required": True, "regex": r"^controls\.[a-z]+\.[a-z0-9_]+$"},
    "evidence": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "string", "regex": r"^[a-z][a-z0-9_]*$"},
    },
    # Optional kinds: read with object.get(input, "<kind>", []), never required to be present.
    "uses": {
        "type": "list",
        "default": [],
        "schema": {"type": "string", "regex": r"^[a-z][a-z0-9_]*$"},
    },
    # What in_scope counts, a plural noun phrase: "no <population> in the evidence".
    "population": {"type": "string", "required": True, "empty": False, "maxlength": 80},
    # What failing this control means for the organisation, one plain sentence (the board's top risks).
    "impact": {"type": "string", "required": True, "empty": False, "maxlength": 300},
    "parameters": {
        "type": "dict",
        "default": {},
        "keysrules": {"type": "string", "regex": r"^[a-z][a-z0-9_]*$"},
        "valuesrules": {"type": "dict", "schema": PARAMETER_SCHEMA},
    },
    "references": {
        "type": "list",
        "default": [],
        "schema": {
            "type": "dict",
            "schema": {
                "title": {"type": "string", "required": True, "empty": False},
                "url": {"type": "string", "regex": r"^https?://\S+$"},
            },
        },
    },
    "remediation": {"type": "string", "default": ""},
}


def expected_package(control_id: str, family: Family) -> str:
    return f"controls.{family.slug}.{control_id.lower().replace('-', '_')}"


_TYPE_NAMES = {bool: "a boolean", int: "an integer", float: "a number with a fraction", str: "a string",
               list: "a list", dict: "a mapping", type(None): "nothing (null)"}


def _described(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), f"a {type(value).__name__}")


def _same(a: Any, b: Any) -> bool:
    """Equal and of the same type: ``True == 1`` in Python, but a boolean is not the integer 1."""
    return type(a) is type(b) and a == b


def param_problem(param: Parameter, value: Any) -> str | None:
    """Why ``value`` cannot be ``param``'s value, or None. Types are strict: YAML's ``yes`` is a
    boolean, never the integer 1; ``2.0`` is not an integer; a string is not a list of strings."""
    kind = param.type
    fits = {
        "integer": type(value) is int,
        "number": type(value) in (int, float),
        "string": type(value) is str,
        "boolean": type(value) is bool,
        "list": type(value) is list,
    }[kind]
    if not fits:
        return f"{_described(value)} is not {_EXPECTED[kind]}"
    values = value if kind == "list" else [value]
    if kind == "list":
        item_types = {type(item) for item in param.default} or {str}  # an empty default: a list of names
        for index, item in enumerate(value):
            if type(item) not in item_types:
                wanted = " or ".join(sorted(_TYPE_NAMES.get(t, t.__name__) for t in item_types))
                return f"item {index} is {_described(item)}, expected {wanted}"
    if param.allowed is not None:
        for item in values:
            if not any(_same(item, allowed) for allowed in param.allowed):
                return f"unallowed value {item!r}"
    if kind in ("integer", "number"):
        if param.minimum is not None and value < param.minimum:
            return f"min value is {param.minimum}"
        if param.maximum is not None and value > param.maximum:
            return f"max value is {param.maximum}"
    return None


_EXPECTED = {"integer": "an integer", "number": "a number", "string": "a string", "boolean": "a boolean",
             "list": "a list"}


def _build_control(doc: dict[str, Any], path: Path, family: Family) -> Control:
    params = []
    for name, spec in sorted(doc["parameters"].items()):
        params.append(
            Parameter(
                name=name,
                type=spec["type"],
                default=spec["default"],
                description=spec["description"],
                minimum=spec.get("min"),
                maximum=spec.get("max"),
                allowed=tuple(spec["allowed"]) if "allowed" in spec else None,
            )
        )
    return Control(
        id=doc["id"],
        title=doc["title"].strip(),
        objective=" ".join(doc["objective"].split()),
        family=family,
        severity=doc["severity"],
        owner=doc["owner"],
        policy=doc["policy"],
        evidence=tuple(doc["evidence"]),
        uses=tuple(doc["uses"]),
        population=" ".join(doc["population"].split()),
        impact=" ".join(doc["impact"].split()),
        parameters=tuple(params),
        references=tuple(Reference(r["title"], r.get("url")) for r in doc["references"]),
        remediation=" ".join(doc["remediation"].split()),
        path=path,
    )


def known_kinds() -> list[str]:
    """The evidence kinds with a bundled schema."""
    from auditor.evidence.schemas import SchemaSet

    return SchemaSet().kinds


def _check_uses(control: Control, raw: LineDict, path: Path) -> None:
    """An optional kind is not also a required one (exit 2)."""
    line = line_of(raw, "uses") or line_of(raw, "id") or 1
    for kind in control.uses:
        if kind in control.evidence:
            raise InputError(f"{path}:{line}: uses: found {kind!r}, which is already a required kind in "
                             "evidence; list a kind in one of the two")


def check_uses_known(controls: Mapping[str, Control]) -> None:
    """Every optional kind is known: a bundled evidence kind, or one some control requires.

    A misspelt optional kind would be absent forever and never noticed (exit 2).
    """
    known = set(known_kinds()) | {k for c in controls.values() for k in c.evidence}
    for control in controls.values():
        for kind in control.uses:
            if kind not in known:
                raw = load_yaml_lines(control.path)
                line = line_of(raw, "uses") or 1
                raise InputError(f"{control.path}:{line}: uses: found unknown evidence kind {kind!r}, "
                                 f"expected one of {', '.join(sorted(known))}")


def load_control(path: Path, families: FamilySet | None = None) -> Control:
    """One control file; ``families`` defaults to the bundled families."""
    families = families if families is not None else base_families(path.parent.parent)
    raw = load_yaml_lines(path)
    doc = validate(CONTROL_SCHEMA, raw, path, "control")
    if doc["family"] not in families:
        raise InputError(
            f"{path}:{line_of(raw, 'family') or 1}: family: found {doc['family']!r}, expected one of: "
            f"{', '.join(families.ids())} (families are defined in {FAMILIES_FILE})"
        )
    control = _build_control(doc, path, families[doc["family"]])
    where = f"{path}:{line_of(raw, 'id') or 1}"
    family = control.family
    if not control.id.startswith(family.prefix + "-"):
        raise InputError(
            f"{where}: id: found {control.id!r}, expected the {family.value} prefix {family.prefix}-"
        )
    if path.stem != control.id:
        raise InputError(f"{where}: id: found {control.id!r}, expected it to match the file name {path.stem!r}")
    if path.parent.name != family.slug:
        raise InputError(
            f"{path}: a {family.value} control must live in a folder named {family.slug!r}, "
            f"found {path.parent.name!r}"
        )
    _check_uses(control, raw, path)
    package = expected_package(control.id, family)
    if control.policy != package:
        line = line_of(raw, "policy")
        raise InputError(f"{path}:{line}: policy: found {control.policy!r}, expected {package!r}")
    for param in control.parameters:
        spec = raw.get("parameters", {}).get(param.name)
        for bound in ("min", "max"):
            if isinstance(spec, Mapping) and isinstance(spec.get(bound), bool):
                raise InputError(f"{path}:{line_of(spec, bound)}: parameters.{param.name}.{bound}: "
                                 f"found {spec[bound]!r}, expected a number")
        problem = param_problem(param, param.default)
        if problem:
            line = line_of(spec, "default")
            raise InputError(
                f"{path}:{line}: parameters.{param.name}.default: found {param.default!r}, "
                f"expected a valid {param.type} ({problem})"
            )
    return control


@dataclass
class ControlLibrary:
    """Every control, by id, in a stable order, with the parameters in force."""

    root: Path
    controls: dict[str, Control]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the families controls may belong to (bundled ones plus any a layer adds)
    families: FamilySet = field(default_factory=FamilySet)
    #: controls a layer disabled (``auditor.layers``): never evaluated, always reported
    disabled: dict[str, DisabledControl] = field(default_factory=dict)
    #: the layer each control comes from (``bundled`` or a layer's name); see ``auditor.layers``
    origins: dict[str, str] = field(default_factory=dict)
    #: what a layer's overrides changed, per control: ``["severity (org/overrides.yaml:4)"]``
    changed: dict[str, list[str]] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Control]:
        return iter(self.controls[k] for k in sorted(self.controls))

    def __len__(self) -> int:
        return len(self.controls)

    def __getitem__(self, control_id: str) -> Control:
        return self.controls[control_id]

    def params(self, control_id: str) -> dict[str, Any]:
        values = self.controls[control_id].defaults()
        values.update(self.overrides.get(control_id, {}))
        return values

    def params_document(self) -> dict[str, dict[str, Any]]:
        """``data.params`` for the engine: every control's parameters in force (disabled ones' defaults too,
        since their policies and tests are still loaded)."""
        document = {d.control.id: d.control.defaults() for d in self.disabled.values()}
        document.update({c.id: self.params(c.id) for c in self})
        return dict(sorted(document.items()))

    def defaults_document(self) -> dict[str, dict[str, Any]]:
        """Every control's default parameters (enabled or disabled): what policy unit tests run with."""
        controls = [*self.controls.values(), *(d.control for d in self.disabled.values())]
        return {c.id: c.defaults() for c in sorted(controls, key=lambda c: c.id)}

    def knows(self, control_id: str) -> bool:
        """Whether ``control_id`` is defined by the library, enabled or disabled (mappings may name either)."""
        return control_id in self.controls or control_id in self.disabled

    def origin(self, control_id: str) -> str:
        return self.origins.get(control_id, "bundled")

    def select(self, ids: list[str]) -> ControlLibrary:
        unknown = sorted(set(ids) - set(self.controls))
        if unknown:
            raise InputError(f"unknown control id(s): {', '.join(unknown)}")
        chosen = {k: v for k, v in self.controls.items() if k in ids}
        return ControlLibrary(self.root, chosen, self.overrides, self.families, self.disabled, self.origins,
                              self.changed)


def control_files(root: Path) -> list[Path]:
    """The control files of a controls folder (every ``*.yaml`` but the families and profiles files at its top)."""
    return sorted(p for p in Path(root).rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                  and p not in (Path(root) / FAMILIES_FILE, Path(root) / PROFILES_FILE))


def load_library(root: Path, params_file: Path | None = None, families: FamilySet | None = None) -> ControlLibrary:
    """One controls folder; ``families`` defaults to its own families.yaml, else the bundled families."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: controls folder not found")
    families = families if families is not None else base_families(root)
    files = control_files(root)
    if not files:
        raise InputError(f"{root}: no control files (*.yaml) found; an empty library would pass everything")
    controls: dict[str, Control] = {}
    for path in files:
        control = load_control(path, families)
        if control.id in controls:
            raise InputError(
                f"{path}: id: duplicate control id {control.id!r}, already defined in {controls[control.id].path}"
            )
        controls[control.id] = control
    check_uses_known(controls)
    library = ControlLibrary(root, controls, families=families)
    if params_file is not None:
        library.overrides = load_params(params_file, library)
    return library


def check_evidence_kinds(library: ControlLibrary, known: Iterable[str], where: str = "the bundled schemas",
                         remedy: str = "add {kind}.schema.json with --schemas") -> None:
    """Every evidence kind a control names has a schema: a kind nothing can supply would leave the
    control for ever without evidence, and a typo in ``evidence:`` would go unnoticed. ``remedy`` (with
    ``{kind}``) is what the message tells the reader to do."""
    kinds = set(known)
    for control in library:
        for key, kind in [*(("evidence", k) for k in control.evidence), *(("uses", k) for k in control.uses)]:
            if kind not in kinds:
                line = line_of(load_yaml_lines(control.path), key)
                raise InputError(
                    f"{control.path}:{line}: {key}: found kind {kind!r}, which has no schema in {where}; "
                    f"expected one of: {', '.join(sorted(kinds))} (or {remedy.format(kind=kind)})"
                )


def load_params(path: Path, library: ControlLibrary) -> dict[str, dict[str, Any]]:
    """Validate an organisation's parameter overrides against each control's parameter types."""
    return check_params(load_yaml_lines(path), path, library)


def check_params(raw: Any, path: Path | str, library: ControlLibrary) -> dict[str, dict[str, Any]]:
    """Validate ``{control id: {parameter: value}}`` (from YAML with lines) against the parameters' types."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError(f"{path}: expected a mapping of control id to parameters, found {type(raw).__name__}")
    overrides: dict[str, dict[str, Any]] = {}
    for control_id, values in raw.items():
        if control_id == "freshness":  # evidence maximum ages: auditor.evidence.freshness reads them
            continue
        line = line_of(raw, str(control_id))
        if control_id in library.disabled:
            raise InputError(f"{path}:{line}: {control_id}: the control is disabled by "
                             f"{library.disabled[control_id].where}; it takes no parameters")
        if control_id not in library.controls:
            raise InputError(f"{path}:{line}: {control_id}: unknown control id")
        control = library.controls[control_id]
        if not isinstance(values, Mapping):
            raise InputError(
                f"{path}:{line}: {control_id}: expected a mapping of parameter to value, "
                f"found {type(values).__name__}"
            )
        schema = {p.name: p for p in control.parameters}
        for name, value in values.items():
            pline = line_of(values, str(name)) if isinstance(values, LineDict) else line
            if name not in schema:
                known = ", ".join(sorted(schema)) or "none"
                raise InputError(
                    f"{path}:{pline}: {control_id}.{name}: unknown parameter; {control_id} has: {known}"
                )
            param = schema[name]
            problem = param_problem(param, value)
            if problem:
                expected = param.type
                if param.allowed is not None:
                    expected += " of: " + ", ".join(str(a) for a in param.allowed)
                raise InputError(
                    f"{path}:{pline}: {control_id}.{name}: found {value!r}, expected {expected} ({problem})"
                )
        overrides[control_id] = dict(values)
    return overrides

