"""Applicability: which clauses of a framework an organisation has declared applicable, and why not.

``mappings/applicability/<framework>.yaml`` (the Statement of Applicability decisions,
ISO/IEC 27001:2022 clause 6.1.3 d)::

    framework: iso27001-2022
    owner: Head of GRC               # default owner of every entry
    review_date: 2027-05-31          # default next review of every entry
    clauses:
      - {id: A.7.5, applicable: false, justification: "No premises of our own: ...", owner: ..., review_date: ...}
      - {id: A.5.1, applicable: true}

A clause the file does not list is applicable (the conservative default: it counts
against coverage until someone decides otherwise). An exclusion needs a justification.

Layers: each library layer may bring its own ``applicability/<framework>.yaml``. The
decisions are merged clause by clause, later (organisation) layers over earlier ones: an
organisation's decision about a clause replaces the bundled one, and a clause no layer
mentions stays applicable. The file that made each decision is kept (``source``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.files import line_of, load_yaml_lines
from auditor.mappings.load import FRAMEWORK_ID, Catalog
from auditor.validation import validate

APPLICABILITY_DIR = "applicability"
JUSTIFICATION_MAX = 500

APPLICABILITY_SCHEMA: dict[str, Any] = {
    "framework": {"type": "string", "required": True, "regex": FRAMEWORK_ID},
    "owner": {"type": "string", "required": True, "empty": False},
    "review_date": {"type": "date", "required": True},
    "description": {"type": "string"},
    "clauses": {
        "type": "list",
        "required": True,
        "schema": {"type": "dict", "schema": {
            "id": {"type": "string", "required": True, "empty": False},
            "applicable": {"type": "boolean", "required": True},
            "justification": {"type": "string", "empty": False, "maxlength": JUSTIFICATION_MAX},
            "owner": {"type": "string", "empty": False},
            "review_date": {"type": "date"},
        }},
    },
}


@dataclass(frozen=True)
class Decision:
    clause: str
    applicable: bool
    justification: str | None
    owner: str
    review_date: dt.date
    source: Path | None  # the file that made the decision; None for the default (applicable, undecided)

    @property
    def declared(self) -> bool:
        return self.source is not None

    def to_dict(self) -> dict[str, Any]:
        return {"applicable": self.applicable, "justification": self.justification, "owner": self.owner,
                "review_date": self.review_date.isoformat() if self.declared else None,
                "declared": self.declared, "source": str(self.source) if self.source else None}


@dataclass
class Applicability:
    framework: str
    decisions: dict[str, Decision]  # only declared clauses
    files: list[Path]
    owner: str | None = None  # the top file's owner: owns the clauses no file lists

    def decision(self, clause_id: str) -> Decision | None:
        return self.decisions.get(clause_id)

    def applicable(self, clause_id: str) -> bool:
        decision = self.decisions.get(clause_id)
        return True if decision is None else decision.applicable


def _label(raw: Any) -> Any:
    def label(doc_path: tuple[Any, ...]) -> str:
        if len(doc_path) < 2 or doc_path[0] != "clauses" or not isinstance(doc_path[1], int):
            return ""
        try:
            entry = raw["clauses"][doc_path[1]]
        except (IndexError, KeyError, TypeError):
            return ""
        cid = entry.get("id") if isinstance(entry, dict) else None
        return f"clauses[{doc_path[1]}]" + (f" ({cid})" if cid is not None else "") + "".join(
            f".{p}" for p in doc_path[2:])

    return label


def parse_applicability(raw: Any, path: Path | str, catalog: Catalog | None, stem: str | None = None) -> Applicability:
    """Validate one applicability document; ``catalog=None`` checks structure only (history)."""
    if isinstance(raw, dict) and isinstance(raw.get("clauses"), list):
        for entry in raw["clauses"]:  # YAML reads 10.10 as a float: refuse it before cerberus says "string"
            if isinstance(entry, dict) and isinstance(entry.get("id"), (int, float)) and not isinstance(
                    entry.get("id"), bool):
                raise InputError(f"{path}:{line_of(entry, 'id')}: clauses (id {entry['id']!r}): found a number, "
                                 f"expected a quoted clause id (write \"{entry['id']}\")")
    doc = validate(APPLICABILITY_SCHEMA, raw, path, "applicability file", label=_label(raw))
    framework = doc["framework"]
    stem = stem or Path(str(path)).stem
    if stem != framework:
        raise InputError(f"{path}:{line_of(raw, 'framework')}: framework: found {framework!r}, "
                         f"expected the file name {stem!r}")
    decisions: dict[str, Decision] = {}
    lines: dict[str, int] = {}
    for index, entry in enumerate(doc["clauses"]):
        line = line_of(raw["clauses"][index], "id") or 0
        clause_id = entry["id"]
        where = f"{path}:{line}: clauses[{index}] ({clause_id})"
        if catalog is not None and clause_id not in catalog.clauses:
            raise InputError(f"{where}.id: unknown {framework} clause {clause_id!r}; not in {catalog.path.name}")
        if clause_id in decisions:
            raise InputError(f"{where}: duplicate entry for {clause_id}; first at line {lines[clause_id]}")
        justification = " ".join(entry.get("justification", "").split()) or None
        if not entry["applicable"] and justification is None:
            raise InputError(f"{where}.justification: required when applicable is false: say why the clause "
                             "does not apply (an auditor reads it in the Statement of Applicability)")
        lines[clause_id] = line
        decisions[clause_id] = Decision(clause_id, entry["applicable"], justification,
                                        entry.get("owner", doc["owner"]), entry.get("review_date", doc["review_date"]),
                                        Path(str(path)))
    return Applicability(framework, decisions, [Path(str(path))], doc["owner"])


def applicability_path(root: Path, framework: str) -> Path | None:
    for suffix in (".yaml", ".yml"):
        path = Path(root) / APPLICABILITY_DIR / f"{framework}{suffix}"
        if path.is_file():
            return path
    return None


def check_applicability_dir(root: Path, catalogs: dict[str, Catalog]) -> None:
    """Every file under ``applicability/`` names a known framework (a typo is not silently ignored)."""
    folder = Path(root) / APPLICABILITY_DIR
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if path.suffix in (".yaml", ".yml") and path.stem not in catalogs:
            raise InputError(f"{path}: no framework catalog {path.stem!r} (expected one of: "
                             f"{', '.join(sorted(catalogs)) or 'none'})")


def load_applicability(roots: list[Path], catalog: Catalog) -> Applicability:
    """The merged decisions of every layer's ``applicability/<framework>.yaml``, later layers winning per clause."""
    merged = Applicability(catalog.framework, {}, [])
    for root in roots:
        path = applicability_path(root, catalog.framework)
        if path is None:
            continue
        layer = parse_applicability(load_yaml_lines(path), path, catalog)
        merged.decisions.update(layer.decisions)
        merged.files.append(path)
        merged.owner = layer.owner
    return merged
