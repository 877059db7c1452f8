"""Loading and validating catalogs and mapping files (cerberus, then cross-checks)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.controls import ID_PATTERN, ControlLibrary
from auditor.errors import InputError
from auditor.files import LineDict, line_of, load_yaml_lines
from auditor.validation import validate

STRENGTHS = ("full", "partial", "supporting")

CATALOG_SCHEMA: dict[str, Any] = {
    "framework": {"type": "string", "required": True, "regex": r"^[a-z0-9][a-z0-9.\-]*$"},
    "name": {"type": "string", "required": True, "empty": False},
    "version": {"type": "string", "required": True, "empty": False},
    "source": {"required": True},
    "groups": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "dict", "allow_unknown": True, "schema": {
            "id": {"type": "string", "required": True, "empty": False},
            "title": {"type": "string", "required": True, "empty": False},
        }},
    },
    "clauses": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "dict", "allow_unknown": True, "schema": {
            "id": {"type": "string", "required": True, "empty": False},
            "title": {"type": "string", "required": True, "empty": False},
            "group": {"type": "string", "required": True, "empty": False},
        }},
    },
}

MAPPING_SCHEMA: dict[str, Any] = {
    "framework": {"type": "string", "required": True},
    "owner": {"type": "string", "required": True, "empty": False},
    "last_reviewed": {"type": "date", "required": True},
    "description": {"type": "string"},
    "mappings": {
        "type": "list",
        "required": True,
        "schema": {"type": "dict", "schema": {
            "control": {"type": "string", "required": True, "regex": ID_PATTERN},
            "clauses": {
                "type": "list",
                "required": True,
                "minlength": 1,
                "schema": {"type": "dict", "schema": {
                    "id": {"type": ["string", "number"], "required": True},
                    "strength": {"type": "string", "required": True, "allowed": list(STRENGTHS)},
                    "rationale": {"type": "string", "required": True, "empty": False},
                }},
            },
        }},
    },
}


@dataclass(frozen=True)
class Group:
    id: str
    title: str
    attributes: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    group: str
    attributes: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass
class Catalog:
    framework: str
    name: str
    version: str
    source: Any
    groups: list[Group]
    clauses: dict[str, Clause]  # in the framework's own order
    path: Path

    def order(self, clause_id: str) -> int:
        return list(self.clauses).index(clause_id)


@dataclass(frozen=True)
class MappedClause:
    framework: str
    clause: str
    strength: str
    rationale: str
    control: str

    def label(self) -> str:
        return self.clause

    def to_dict(self) -> dict[str, str]:
        return {"framework": self.framework, "clause": self.clause, "strength": self.strength,
                "rationale": self.rationale}


@dataclass
class MappingFile:
    framework: str
    owner: str
    last_reviewed: dt.date
    path: Path


@dataclass
class MappingSet:
    root: Path
    catalogs: dict[str, Catalog]
    files: dict[str, MappingFile]
    mappings: list[MappedClause]

    def clauses_for(self, control_id: str) -> list[MappedClause]:
        """Every clause a control is mapped to, by framework then the framework's clause order."""
        found = [m for m in self.mappings if m.control == control_id]
        return sorted(found, key=lambda m: (m.framework, self.catalogs[m.framework].order(m.clause)))

    def for_framework(self, framework: str) -> list[MappedClause]:
        if framework not in self.catalogs:
            raise InputError(f"unknown framework {framework!r}; expected one of: {', '.join(sorted(self.catalogs))}")
        return [m for m in self.mappings if m.framework == framework]

    def frameworks(self) -> list[str]:
        return sorted(self.catalogs)


def load_catalog(path: Path) -> Catalog:
    raw = load_yaml_lines(path)
    doc = validate(CATALOG_SCHEMA, raw, path, "framework catalog")
    groups = [Group(g["id"], g["title"], {k: v for k, v in g.items() if k not in ("id", "title")})
              for g in doc["groups"]]
    group_ids = {g.id for g in groups}
    clauses: dict[str, Clause] = {}
    for index, entry in enumerate(doc["clauses"]):
        line = line_of(raw["clauses"][index], "id")
        clause_id = str(entry["id"])
        if clause_id in clauses:
            raise InputError(f"{path}:{line}: clauses[{index}].id: duplicate clause id {clause_id!r}")
        if entry["group"] not in group_ids:
            raise InputError(
                f"{path}:{line}: clauses[{index}].group: found {entry['group']!r}, expected one of the groups"
            )
        extra = {k: v for k, v in entry.items() if k not in ("id", "title", "group")}
        clauses[clause_id] = Clause(clause_id, entry["title"], entry["group"], extra)
    if path.stem != doc["framework"]:
        raise InputError(f"{path}: framework: found {doc['framework']!r}, expected the file name {path.stem!r}")
    return Catalog(doc["framework"], doc["name"], str(doc["version"]), doc["source"], groups, clauses, path)


def load_mapping_file(
    path: Path, catalogs: dict[str, Catalog], library: ControlLibrary | None
) -> tuple[MappingFile, list[MappedClause]]:
    raw = load_yaml_lines(path)
    doc = validate(MAPPING_SCHEMA, raw, path, "mapping file")
    framework = doc["framework"]
    if framework not in catalogs:
        raise InputError(
            f"{path}:{line_of(raw, 'framework')}: framework: found {framework!r}, expected a catalog in "
            f"mappings/frameworks/ (one of: {', '.join(sorted(catalogs))})"
        )
    if path.stem != framework:
        raise InputError(f"{path}: framework: found {framework!r}, expected the file name {path.stem!r}")
    catalog = catalogs[framework]
    seen: dict[tuple[str, str], int] = {}
    seen_controls: dict[str, int] = {}
    out: list[MappedClause] = []
    for index, entry in enumerate(doc["mappings"]):
        raw_entry = raw["mappings"][index]
        line = line_of(raw_entry, "control")
        control = entry["control"]
        where = f"{path}:{line}: mappings[{index}] ({control})"
        if control in seen_controls:
            raise InputError(f"{where}: duplicate entry for {control}; first at line {seen_controls[control]}")
        seen_controls[control] = line or 0
        if library is not None and control not in library.controls:
            raise InputError(f"{where}: control: unknown control id {control!r}")
        for cindex, clause in enumerate(entry["clauses"]):
            raw_clause = raw_entry["clauses"][cindex]
            cline = line_of(raw_clause, "id") if isinstance(raw_clause, LineDict) else line
            clause_id = str(clause["id"])
            cwhere = f"{path}:{cline}: mappings[{index}] ({control}) clauses[{cindex}]"
            if clause_id not in catalog.clauses:
                raise InputError(f"{cwhere}: id: unknown {framework} clause {clause_id!r}")
            if (control, clause_id) in seen:
                raise InputError(f"{cwhere}: duplicate mapping {control} -> {clause_id}")
            seen[(control, clause_id)] = cline or 0
            out.append(MappedClause(framework, clause_id, clause["strength"], " ".join(clause["rationale"].split()),
                                    control))
    last_reviewed = doc["last_reviewed"]
    return MappingFile(framework, doc["owner"], last_reviewed, path), out


def load_mappings(root: Path, library: ControlLibrary | None = None) -> MappingSet:
    """Load every catalog and mapping file under ``root``; cross-check control ids against ``library``."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: mappings folder not found")
    catalogs: dict[str, Catalog] = {}
    for path in sorted((root / "frameworks").glob("*.y*ml")):
        catalog = load_catalog(path)
        catalogs[catalog.framework] = catalog
    files: dict[str, MappingFile] = {}
    mappings: list[MappedClause] = []
    for path in sorted(root.glob("*.y*ml")):
        meta, entries = load_mapping_file(path, catalogs, library)
        files[meta.framework] = meta
        mappings.extend(entries)
    return MappingSet(root, catalogs, files, mappings)
