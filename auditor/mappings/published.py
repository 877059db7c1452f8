"""Published crosswalks: a standards body's own clause-to-clause mapping, which does not go through our controls.

``mappings/crosswalks/<from>--<to>.yaml``::

    from: nist-csf-2.0
    to: iso27001-2022
    publisher: NIST
    source: {citation: "...", url: "https://..."}
    links:
      - {from: GV.PO-01, to: ["5.2", "A.5.1"]}

Every id is checked against the two catalogs (exit 2 naming file, line and entry). ``auditor
mappings crosswalk`` shows these beside the crosswalk derived through shared controls and labels
which is which. A published crosswalk is read in either direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.files import line_of, load_yaml_lines
from auditor.mappings.load import FRAMEWORK_ID, Catalog
from auditor.validation import validate

CROSSWALK_DIR = "crosswalks"

PUBLISHED_SCHEMA: dict[str, Any] = {
    "from": {"type": "string", "required": True, "regex": FRAMEWORK_ID},
    "to": {"type": "string", "required": True, "regex": FRAMEWORK_ID},
    "publisher": {"type": "string", "required": True, "empty": False},
    "source": {"type": "dict", "required": True, "allow_unknown": True, "schema": {
        "citation": {"type": "string", "required": True, "empty": False},
        "url": {"type": "string", "required": True, "regex": r"^https?://.+"},
    }},
    "description": {"type": "string"},
    "links": {"type": "list", "required": True, "minlength": 1, "schema": {"type": "dict", "schema": {
        "from": {"type": "string", "required": True, "empty": False},
        "to": {"type": "list", "required": True, "minlength": 1, "schema": {"type": "string", "empty": False}},
    }}},
}


@dataclass(frozen=True)
class PublishedCrosswalk:
    source_framework: str
    target_framework: str
    publisher: str
    citation: str
    url: str
    links: tuple[tuple[str, tuple[str, ...]], ...]  # (from clause, to clauses), in file order
    path: Path

    def oriented(self, source: str, target: str) -> list[tuple[str, str]]:
        """(source clause, target clause) pairs read from ``source`` to ``target``, either direction."""
        pairs = [(a, b) for a, targets in self.links for b in targets]
        if (source, target) == (self.source_framework, self.target_framework):
            return pairs
        if (source, target) == (self.target_framework, self.source_framework):
            return [(b, a) for a, b in pairs]
        return []


def load_published(path: Path, catalogs: dict[str, Catalog]) -> PublishedCrosswalk:
    raw = load_yaml_lines(path)
    doc = validate(PUBLISHED_SCHEMA, raw, path, "published crosswalk")
    ends = []
    for side in ("from", "to"):
        framework = doc[side]
        if framework not in catalogs:
            raise InputError(f"{path}:{line_of(raw, side)}: {side}: found {framework!r}, expected a catalog "
                             f"(one of: {', '.join(sorted(catalogs))})")
        ends.append(catalogs[framework])
    src, dst = ends
    links = []
    for index, entry in enumerate(doc["links"]):
        line = line_of(raw["links"][index], "from")
        where = f"{path}:{line}: links[{index}] ({entry['from']})"
        if entry["from"] not in src.clauses:
            raise InputError(f"{where}.from: unknown {src.framework} clause {entry['from']!r}")
        for tindex, clause in enumerate(entry["to"]):
            if clause not in dst.clauses:
                raise InputError(f"{where}.to[{tindex}]: unknown {dst.framework} clause {clause!r}")
        links.append((entry["from"], tuple(entry["to"])))
    return PublishedCrosswalk(src.framework, dst.framework, doc["publisher"], doc["source"]["citation"],
                              doc["source"]["url"], tuple(links), path)


def published_crosswalks(roots: list[Path], catalogs: dict[str, Catalog]) -> list[PublishedCrosswalk]:
    found = []
    for root in roots:
        folder = Path(root) / CROSSWALK_DIR
        if folder.is_dir():
            found += [load_published(p, catalogs) for p in sorted(folder.glob("*.y*ml"))]
    return found
