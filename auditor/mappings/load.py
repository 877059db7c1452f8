"""Loading and validating catalogs and mapping files (cerberus, then cross-checks).

Two phases, as everywhere in Auditor: the structure of each file (cerberus
schemas :data:`CATALOG_SCHEMA` and :data:`MAPPING_SCHEMA`), then the references
between files (clause ids against the framework's catalog, control ids against
the control library, no entry twice). Every error names the file, the line and
the entry (``mappings[3] (SOD-001) clauses[1] (A.8.32)``) and exits 2.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.controls import ControlLibrary
from auditor.errors import InputError
from auditor.families import CONTROL_ID_SHAPE
from auditor.files import LineDict, line_of, load_yaml_lines
from auditor.validation import validate

STRENGTHS = ("full", "partial", "supporting")
#: strongest first; a clause is "covered" by full or partial mappings, "supported" by supporting ones only.
STRENGTH_RANK = {name: rank for rank, name in enumerate(STRENGTHS)}
FRAMEWORK_ID = r"^[a-z0-9][a-z0-9.\-]*$"
RATIONALE_MAX = 300  # one line: a reviewer reads it in a table cell

CATALOG_SCHEMA: dict[str, Any] = {
    "framework": {"type": "string", "required": True, "regex": FRAMEWORK_ID},
    "name": {"type": "string", "required": True, "empty": False},
    "version": {"type": "string", "required": True, "empty": False},
    "source": {"required": True},
    # optional: a regular expression every clause id of this framework matches
    "id_pattern": {"type": "string", "empty": False},
    # optional: the groups a Statement of Applicability lists (ISO/IEC 27001: Annex A); default every clause
    "soa_scope": {"type": "list", "minlength": 1, "schema": {"type": "string", "empty": False}},
    "groups": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {"type": "dict", "allow_unknown": True, "schema": {
            "id": {"type": "string", "required": True, "empty": False},
            "title": {"type": "string", "required": True, "empty": False},
            # optional: the id of an enclosing group (a NIST category's function), for roll-up totals
            "parent": {"type": "string", "empty": False},
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
    "framework": {"type": "string", "required": True, "regex": FRAMEWORK_ID},
    "owner": {"type": "string", "required": True, "empty": False},
    "last_reviewed": {"type": "date", "required": True},
    "description": {"type": "string"},
    "mappings": {
        "type": "list",
        "required": True,
        "schema": {"type": "dict", "schema": {
            "control": {"type": "string", "required": True, "regex": CONTROL_ID_SHAPE},
            "clauses": {
                "type": "list",
                "required": True,
                "minlength": 1,
                "schema": {"type": "dict", "schema": {
                    "id": {"type": ["string", "integer", "float"], "required": True},
                    "strength": {"type": "string", "required": True, "allowed": list(STRENGTHS)},
                    "rationale": {"type": "string", "required": True, "empty": False, "maxlength": RATIONALE_MAX},
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

    @property
    def parent(self) -> str | None:
        value = self.attributes.get("parent")
        return str(value) if value is not None else None


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
    _order: dict[str, int] = field(default_factory=dict, repr=False)
    soa_scope: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self._order = {clause_id: index for index, clause_id in enumerate(self.clauses)}

    def order(self, clause_id: str) -> int:
        return self._order[clause_id]

    def group(self, group_id: str) -> Group:
        return next(g for g in self.groups if g.id == group_id)

    def lineage(self, group_id: str) -> list[str]:
        """``group_id`` and its enclosing groups, innermost first (``["GOVERN 1", "GOVERN"]``)."""
        chain = [group_id]
        parent = self.group(group_id).parent
        while parent is not None:
            chain.append(parent)
            parent = self.group(parent).parent
        return chain

    def clause_groups(self) -> list[Group]:
        """Groups that clauses are filed under or roll up to: each parent followed by its children."""
        used = {g for c in self.clauses.values() for g in self.lineage(c.group)}
        ordered: list[Group] = []

        def visit(parent: str | None) -> None:
            for group in self.groups:
                if group.parent == parent and group.id in used:
                    ordered.append(group)
                    visit(group.id)

        visit(None)
        return ordered


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
    #: mapping files of library layers over the base (``auditor.layers``), adding to ``files``' frameworks
    layer_files: list[MappingFile] = field(default_factory=list)
    #: every layer's mappings folder, base first (``applicability/`` is read from each)
    roots: list[Path] = field(default_factory=list)
    #: framework -> merged applicability decisions (``auditor.mappings.applicability``)
    applicability: dict[str, Any] = field(default_factory=dict)
    #: published crosswalks (``auditor.mappings.published``) of every layer
    published: list[Any] = field(default_factory=list)

    def decisions(self, framework: str) -> Any:
        """The merged :class:`~auditor.mappings.applicability.Applicability` of ``framework``."""
        from auditor.mappings.applicability import Applicability

        self.catalog(framework)
        found = self.applicability.get(framework)
        return found if found is not None else Applicability(framework, {}, [])

    def clauses_for(self, control_id: str) -> list[MappedClause]:
        """Every clause a control is mapped to, by framework then the framework's clause order."""
        found = [m for m in self.mappings if m.control == control_id]
        return sorted(found, key=lambda m: (m.framework, self.catalogs[m.framework].order(m.clause)))

    def catalog(self, framework: str) -> Catalog:
        if framework not in self.catalogs:
            known = ", ".join(sorted(self.catalogs)) or "none"
            raise InputError(f"unknown framework {framework!r}; expected one of: {known}")
        return self.catalogs[framework]

    def for_framework(self, framework: str) -> list[MappedClause]:
        self.catalog(framework)
        return [m for m in self.mappings if m.framework == framework]

    def frameworks(self) -> list[str]:
        return sorted(self.catalogs)

    def unmapped_controls(self, framework: str, control_ids: list[str]) -> list[str]:
        """Controls (of ``control_ids``) with no mapping to ``framework``."""
        mapped = {m.control for m in self.for_framework(framework)}
        return sorted(set(control_ids) - mapped)


def load_catalog(path: Path) -> Catalog:
    return load_catalog_document(load_yaml_lines(path), path)


def load_catalog_document(raw: Any, path: Path | str, stem: str | None = None) -> Catalog:
    """Validate one catalog document (from a file or a git blob labelled ``path``)."""
    doc = validate(CATALOG_SCHEMA, raw, path, "framework catalog")
    groups: list[Group] = []
    for index, entry in enumerate(doc["groups"]):
        line = line_of(raw["groups"][index], "id")
        if any(g.id == entry["id"] for g in groups):
            raise InputError(f"{path}:{line}: groups[{index}].id: duplicate group id {entry['id']!r}")
        groups.append(Group(entry["id"], entry["title"], {k: v for k, v in entry.items() if k not in ("id", "title")}))
    group_ids = {g.id for g in groups}
    for index, group in enumerate(groups):
        line = line_of(raw["groups"][index], "parent")
        seen = {group.id}
        parent = group.parent
        while parent is not None:
            if parent not in group_ids:
                raise InputError(f"{path}:{line}: groups[{index}] ({group.id}).parent: found {parent!r}, "
                                 "expected the id of another group")
            if parent in seen:
                raise InputError(f"{path}:{line}: groups[{index}] ({group.id}).parent: groups form a cycle")
            seen.add(parent)
            parent = next(g for g in groups if g.id == parent).parent
    pattern = re.compile(doc["id_pattern"]) if "id_pattern" in doc else None
    clauses: dict[str, Clause] = {}
    for index, entry in enumerate(doc["clauses"]):
        line = line_of(raw["clauses"][index], "id")
        clause_id = str(entry["id"])
        if clause_id in clauses:
            raise InputError(f"{path}:{line}: clauses[{index}].id: duplicate clause id {clause_id!r}")
        if pattern is not None and not pattern.fullmatch(clause_id):
            raise InputError(f"{path}:{line}: clauses[{index}].id: found {clause_id!r}, "
                             f"expected the catalog's id_pattern {pattern.pattern!r}")
        if entry["group"] not in group_ids:
            raise InputError(
                f"{path}:{line_of(raw['clauses'][index], 'group')}: clauses[{index}] ({clause_id}).group: "
                f"found {entry['group']!r}, expected one of the groups"
            )
        extra = {k: v for k, v in entry.items() if k not in ("id", "title", "group")}
        clauses[clause_id] = Clause(clause_id, " ".join(entry["title"].split()), entry["group"], extra)
    stem = stem or Path(str(path)).stem
    if stem != doc["framework"]:
        raise InputError(f"{path}:{line_of(raw, 'framework')}: framework: found {doc['framework']!r}, "
                         f"expected the file name {stem!r}")
    scope = tuple(doc.get("soa_scope", ()))
    for group_id in scope:
        if group_id not in group_ids:
            raise InputError(f"{path}:{line_of(raw, 'soa_scope')}: soa_scope: found {group_id!r}, "
                             "expected the id of a group")
    return Catalog(doc["framework"], doc["name"], str(doc["version"]), doc["source"], groups, clauses,
                   Path(str(path)), soa_scope=scope)


def _entry_label(raw: Any) -> Any:
    """Name mapping entries by control and clause id in cerberus messages."""

    def label(doc_path: tuple[Any, ...]) -> str:
        if len(doc_path) < 2 or doc_path[0] != "mappings" or not isinstance(doc_path[1], int):
            return ""
        try:
            entry = raw["mappings"][doc_path[1]]
        except (IndexError, KeyError, TypeError):
            return ""
        control = entry.get("control") if isinstance(entry, dict) else None
        text = f"mappings[{doc_path[1]}]" + (f" ({control})" if control else "")
        rest = list(doc_path[2:])
        if len(rest) >= 2 and rest[0] == "clauses" and isinstance(rest[1], int):
            clauses = entry.get("clauses") if isinstance(entry, dict) else None
            clause = clauses[rest[1]] if isinstance(clauses, list) and rest[1] < len(clauses) else None
            cid = clause.get("id") if isinstance(clause, dict) else None
            text += f" clauses[{rest[1]}]" + (f" ({cid})" if cid is not None else "")
            rest = rest[2:]
        return text + "".join(f".{p}" for p in rest)

    return label


@dataclass
class MappingDocument:
    """One mapping file, validated: its metadata and its entries in file order."""

    meta: MappingFile
    entries: list[MappedClause]


def parse_mapping(
    raw: Any,
    path: Path | str,
    catalogs: dict[str, Catalog] | None,
    library: ControlLibrary | None,
    stem: str | None = None,
) -> MappingDocument:
    """Validate one mapping document (from :func:`load_yaml_lines` or a git blob).

    ``catalogs=None`` checks structure only (used for historic revisions in ``diff``);
    ``stem`` is the file name without extension when ``path`` is only a label.
    """
    doc = validate(MAPPING_SCHEMA, raw, path, "mapping file", label=_entry_label(raw))
    framework = doc["framework"]
    fline = line_of(raw, "framework")
    catalog = None
    if catalogs is not None:
        if framework not in catalogs:
            raise InputError(
                f"{path}:{fline}: framework: found {framework!r}, expected a catalog in "
                f"mappings/frameworks/ (one of: {', '.join(sorted(catalogs)) or 'none'})"
            )
        catalog = catalogs[framework]
    stem = stem or Path(str(path)).stem
    if stem != framework:
        raise InputError(f"{path}:{fline}: framework: found {framework!r}, expected the file name {stem!r}")
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
        if library is not None and not library.knows(control):
            raise InputError(f"{where}.control: unknown control id {control!r}; no such control in the library")
        for cindex, clause in enumerate(entry["clauses"]):
            raw_clause = raw_entry["clauses"][cindex]
            cline = line_of(raw_clause, "id") if isinstance(raw_clause, LineDict) else line
            value = clause["id"]
            cwhere = f"{path}:{cline}: mappings[{index}] ({control}) clauses[{cindex}]"
            if isinstance(value, float):
                raise InputError(f"{cwhere}.id: found the number {value!r}, expected a quoted string "
                                 f"(YAML reads 10.10 as 10.1: write \"{value}\")")
            clause_id = str(value)
            if catalog is not None and clause_id not in catalog.clauses:
                raise InputError(f"{cwhere} ({clause_id}).id: unknown {framework} clause {clause_id!r}; "
                                 f"not in {catalog.path.name}")
            if (control, clause_id) in seen:
                raise InputError(f"{cwhere} ({clause_id}): duplicate mapping {control} -> {clause_id}; "
                                 f"first at line {seen[(control, clause_id)]}")
            seen[(control, clause_id)] = cline or 0
            rationale = " ".join(clause["rationale"].split())
            if not rationale:
                raise InputError(f"{cwhere} ({clause_id}).rationale: found only whitespace, expected one line "
                                 "saying why this control meets this clause")
            out.append(MappedClause(framework, clause_id, clause["strength"], rationale, control))
    meta = MappingFile(framework, doc["owner"], doc["last_reviewed"], Path(str(path)))
    return MappingDocument(meta, out)


def load_mapping_file(
    path: Path, catalogs: dict[str, Catalog], library: ControlLibrary | None
) -> tuple[MappingFile, list[MappedClause]]:
    document = parse_mapping(load_yaml_lines(path), path, catalogs, library)
    return document.meta, document.entries


def load_catalogs(root: Path) -> dict[str, Catalog]:
    catalogs: dict[str, Catalog] = {}
    for path in sorted((Path(root) / "frameworks").glob("*.y*ml")):
        catalog = load_catalog(path)
        catalogs[catalog.framework] = catalog
    return catalogs


def load_mappings(root: Path, library: ControlLibrary | None = None) -> MappingSet:
    """Load every catalog and mapping file under ``root``; cross-check control ids against ``library``."""
    root = Path(root)
    if not root.is_dir():
        raise InputError(f"{root}: mappings folder not found")
    catalogs = load_catalogs(root)
    files: dict[str, MappingFile] = {}
    mappings: list[MappedClause] = []
    for path in sorted(root.glob("*.y*ml")):
        meta, entries = load_mapping_file(path, catalogs, library)
        if meta.framework in files:
            raise InputError(f"{path}: framework {meta.framework!r} already mapped in {files[meta.framework].path}")
        files[meta.framework] = meta
        mappings.extend(entries)
    found = MappingSet(root, catalogs, files, mappings, roots=[root])
    _load_applicability(found)
    return found


def _load_applicability(mapping_set: MappingSet) -> None:
    from auditor.mappings.applicability import check_applicability_dir, load_applicability

    for root in mapping_set.roots:
        check_applicability_dir(root, mapping_set.catalogs)
    from auditor.mappings.published import published_crosswalks

    mapping_set.applicability = {framework: load_applicability(mapping_set.roots, catalog)
                                 for framework, catalog in mapping_set.catalogs.items()}
    mapping_set.published = published_crosswalks(mapping_set.roots, mapping_set.catalogs)


def load_layered_mappings(roots: list[Path], library: ControlLibrary | None = None) -> MappingSet:
    """The base ``roots[0]`` and each layer's mappings folder over it.

    A layer adds catalogs (new frameworks) and mapping entries, for its own controls or
    ours. A framework catalog, or a (control, clause) pair, defined twice is exit 2
    naming both files.
    """
    base = load_mappings(roots[0], library)
    where: dict[tuple[str, str, str], Path] = {(m.framework, m.control, m.clause): base.files[m.framework].path
                                               for m in base.mappings}
    for root in roots[1:]:
        root = Path(root)
        for framework, catalog in load_catalogs(root).items():
            if framework in base.catalogs:
                raise InputError(f"{catalog.path}: framework {framework!r} is already defined in "
                                 f"{base.catalogs[framework].path}; a layer cannot redefine a framework catalog")
            base.catalogs[framework] = catalog
        for path in sorted(root.glob("*.y*ml")):
            meta, entries = load_mapping_file(path, base.catalogs, library)
            for entry in entries:
                key = (entry.framework, entry.control, entry.clause)
                if key in where:
                    raise InputError(f"{path}: {entry.control} -> {entry.framework} {entry.clause} is already "
                                     f"mapped in {where[key]}; map each pair once")
                where[key] = path
            if meta.framework not in base.files:
                base.files[meta.framework] = meta
            else:
                base.layer_files.append(meta)
            base.mappings.extend(entries)
        base.roots.append(root)
    _load_applicability(base)
    return base
