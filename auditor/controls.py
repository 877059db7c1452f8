"""The control library: YAML control files, validated, with organisation parameters.

This is the one registry of controls. :func:`load_library` validates every file
(structure with cerberus, then cross-checks: unique ids, id/file/family/package
agreement) and fails the whole load on the first invalid file set.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.files import LineDict, line_of, load_yaml_lines
from auditor.model import SEVERITIES, Control, Family, Parameter, Reference
from auditor.validation import validate

ID_PATTERN = r"^(SOD|SEC|PRIV|AI|SM)-\d{3}$"
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
    "id": {"type": "string", "required": True, "regex": ID_PATTERN},
    "title": {"type": "string", "required": True, "empty": False, "maxlength": 160},
    "objective": {"type": "string", "required": True, "empty": False},
    "family": {"type": "string", "required": True, "allowed": [f.value for f in Family]},
    "severity": {"type": "string", "required": True, "allowed": list(SEVERITIES)},
    "owner": {"type": "string", "required": True, "empty": False},
    "policy": {"type": "string", "required": True, "regex": r"^controls\.[a-z]+\.[a-z0-9_]+$"},
    "evidence": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "string", "regex": r"^[a-z][a-z0-9_]*$"},
    },
    # Optional evidence kinds (read with object.get(input, kind, [])) and the noun phrase naming
    # what the control judges. Accepted here so SM controls load; the evaluator support for both
    # lands from other branches (POPULATION / OPTIONAL EVIDENCE KINDS contracts).
    "uses": {"type": "list", "default": [], "schema": {"type": "string", "regex": r"^[a-z][a-z0-9_]*$"}},
    "population": {"type": "string", "empty": False},
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


def _param_schema(param: Parameter) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": PARAM_TYPES[param.type]}
    if param.type == "number":
        rule["type"] = ["integer", "float"]
    if param.minimum is not None:
        rule["min"] = param.minimum
    if param.maximum is not None:
        rule["max"] = param.maximum
    if param.allowed is not None:
        rule["allowed"] = list(param.allowed)
    return rule


def _build_control(doc: dict[str, Any], path: Path) -> Control:
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
        family=Family(doc["family"]),
        severity=doc["severity"],
        owner=doc["owner"],
        policy=doc["policy"],
        evidence=tuple(doc["evidence"]),
        parameters=tuple(params),
        references=tuple(Reference(r["title"], r.get("url")) for r in doc["references"]),
        remediation=" ".join(doc["remediation"].split()),
        path=path,
    )


def load_control(path: Path) -> Control:
    raw = load_yaml_lines(path)
    doc = validate(CONTROL_SCHEMA, raw, path, "control")
    control = _build_control(doc, path)
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
    package = expected_package(control.id, family)
    if control.policy != package:
        line = line_of(raw, "policy")
        raise InputError(f"{path}:{line}: policy: found {control.policy!r}, expected {package!r}")
    for param in control.parameters:
        from cerberus import Validator

        check = Validator({"v": _param_schema(param)})
        if not check.validate({"v": param.default}):
            line = line_of(raw.get("parameters", {}).get(param.name), "default")
            raise InputError(
                f"{path}:{line}: parameters.{param.name}.default: found {param.default!r}, "
                f"expected a valid {param.type} ({check.errors['v'][0]})"
            )
    return control


@dataclass
class ControlLibrary:
    """Every control, by id, in a stable order, with the parameters in force."""

    root: Path
    controls: dict[str, Control]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)

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
        """``data.params`` for the engine: every control's parameters in force."""
        return {c.id: self.params(c.id) for c in self}

    def select(self, ids: list[str]) -> ControlLibrary:
        unknown = sorted(set(ids) - set(self.controls))
        if unknown:
            raise InputError(f"unknown control id(s): {', '.join(unknown)}")
        chosen = {k: v for k, v in self.controls.items() if k in ids}
        return ControlLibrary(self.root, chosen, self.overrides)


def load_library(root: Path, params_file: Path | None = None) -> ControlLibrary:
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: controls folder not found")
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    if not files:
        raise InputError(f"{root}: no control files (*.yaml) found; an empty library would pass everything")
    controls: dict[str, Control] = {}
    for path in files:
        control = load_control(path)
        if control.id in controls:
            raise InputError(
                f"{path}: id: duplicate control id {control.id!r}, already defined in {controls[control.id].path}"
            )
        controls[control.id] = control
    library = ControlLibrary(root, controls)
    if params_file is not None:
        library.overrides = load_params(params_file, library)
    return library


def load_params(path: Path, library: ControlLibrary) -> dict[str, dict[str, Any]]:
    """Validate an organisation's parameter overrides against each control's parameter types."""
    from cerberus import Validator

    raw = load_yaml_lines(path)
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InputError(f"{path}: expected a mapping of control id to parameters, found {type(raw).__name__}")
    overrides: dict[str, dict[str, Any]] = {}
    for control_id, values in raw.items():
        line = line_of(raw, str(control_id))
        if control_id not in library.controls:
            raise InputError(f"{path}:{line}: {control_id}: unknown control id")
        control = library.controls[control_id]
        if not isinstance(values, Mapping):
            raise InputError(
                f"{path}:{line}: {control_id}: expected a mapping of parameter to value, "
                f"found {type(values).__name__}"
            )
        schema = {p.name: _param_schema(p) for p in control.parameters}
        for name, value in values.items():
            pline = line_of(values, str(name)) if isinstance(values, LineDict) else line
            if name not in schema:
                known = ", ".join(sorted(schema)) or "none"
                raise InputError(
                    f"{path}:{pline}: {control_id}.{name}: unknown parameter; {control_id} has: {known}"
                )
            check = Validator({name: schema[name]})
            if not check.validate({name: value}):
                param = next(p for p in control.parameters if p.name == name)
                expected = param.type
                if param.allowed is not None:
                    expected += " of: " + ", ".join(str(a) for a in param.allowed)
                raise InputError(
                    f"{path}:{pline}: {control_id}.{name}: found {value!r}, expected {expected}"
                    f" ({check.errors[name][0]})"
                )
        overrides[control_id] = dict(values)
    return overrides

