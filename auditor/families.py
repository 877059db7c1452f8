"""Control families as data: ``controls/families.yaml``, validated, and the id pattern they imply.

Example::

    from auditor.families import bundled_families
    families = bundled_families()
    families["segregation-of-duties"].prefix      # "SOD"
    families.id_pattern                           # "^(AI|PRIV|SEC|SOD)-\\d{3}$"

Each library layer may carry its own ``controls/families.yaml`` adding families; a
family id, slug or prefix defined twice is an error naming both files (exit 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.files import line_of, load_yaml_lines
from auditor.model import Family
from auditor.validation import validate

FILE_NAME = "families.yaml"
#: what any control id looks like, whatever its family: PREFIX-NNN
CONTROL_ID_SHAPE = r"^[A-Z][A-Z0-9]{1,11}-\d{3}$"

FAMILIES_SCHEMA: dict[str, Any] = {
    "families": {
        "type": "list",
        "required": True,
        "minlength": 1,
        "schema": {
            "type": "dict",
            "schema": {
                "id": {"type": "string", "required": True, "regex": r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"},
                "slug": {"type": "string", "required": True, "regex": r"^[a-z][a-z0-9]*$"},
                "prefix": {"type": "string", "required": True, "regex": r"^[A-Z][A-Z0-9]{1,11}$"},
                "title": {"type": "string", "required": True, "empty": False, "maxlength": 80},
                "description": {"type": "string", "required": True, "empty": False},
            },
        },
    },
}


@dataclass
class FamilySet:
    """Every family known to a run, in definition order (bundled first, then each layer's)."""

    families: dict[str, Family] = field(default_factory=dict)

    def __iter__(self) -> Iterator[Family]:
        return iter(self.families.values())

    def __len__(self) -> int:
        return len(self.families)

    def __contains__(self, family_id: object) -> bool:
        return family_id in self.families

    def __getitem__(self, family_id: str) -> Family:
        return self.families[family_id]

    def ids(self) -> list[str]:
        return list(self.families)

    def by_prefix(self, prefix: str) -> Family | None:
        return next((f for f in self if f.prefix == prefix), None)

    @property
    def id_pattern(self) -> str:
        """The control id pattern these families allow, e.g. ``^(AI|PRIV|SEC|SOD)-\\d{3}$``."""
        prefixes = "|".join(sorted(re.escape(f.prefix) for f in self))
        return rf"^({prefixes})-\d{{3}}$"

    def family_of_id(self, control_id: str) -> Family | None:
        """The family whose prefix starts ``control_id``."""
        return self.by_prefix(control_id.split("-", 1)[0])

    def add(self, family: Family, where: str) -> None:
        """Add ``family``; an id, slug or prefix already taken is an error naming both files."""
        for other in self:
            for attribute in ("id", "slug", "prefix"):
                if getattr(other, attribute) == getattr(family, attribute):
                    raise InputError(
                        f"{where}: {attribute}: family {attribute} {getattr(family, attribute)!r} is already "
                        f"defined by family {other.id!r} in {other.path}; a library layer adds families, "
                        "it cannot redefine one"
                    )
        self.families[family.id] = family

    def merged(self, other: FamilySet) -> FamilySet:
        out = FamilySet(dict(self.families))
        for family in other:
            out.add(family, str(family.path))
        return out


def load_families(path: Path, into: FamilySet | None = None) -> FamilySet:
    """Read one ``families.yaml`` (cerberus: exit 2 with file, line and field) into ``into`` or a new set."""
    path = Path(path)
    raw = load_yaml_lines(path)
    doc = validate(FAMILIES_SCHEMA, raw, path, "families file")
    families = into if into is not None else FamilySet()
    for index, entry in enumerate(doc["families"]):
        line = line_of(raw["families"][index], "id")
        family = Family(
            id=entry["id"],
            slug=entry["slug"],
            prefix=entry["prefix"],
            title=" ".join(entry["title"].split()),
            description=" ".join(entry["description"].split()),
            path=path,
        )
        families.add(family, f"{path}:{line} families[{index}]")
    return families


def bundled_families() -> FamilySet:
    """The families of the bundled library (``controls/families.yaml``)."""
    from auditor.content import bundled

    return base_families(bundled("controls"))


_CACHE: dict[tuple[Path, int, int], FamilySet] = {}


def base_families(controls_root: Path) -> FamilySet:
    """The families of a base library: its own ``families.yaml``, else the bundled families.

    A base library (the bundled one, or a folder given with ``--controls``) defines
    its families itself; a folder without a families file (written before families
    were data) keeps the bundled families.
    """
    own = Path(controls_root) / FILE_NAME
    if not own.is_file():
        from auditor.content import bundled

        own = bundled("controls") / FILE_NAME
    stat = own.stat()
    key = (own.resolve(), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE[key] = load_families(own)
    return FamilySet(dict(_CACHE[key].families))


def layer_families(controls_root: Path, base: FamilySet) -> FamilySet:
    """``base`` plus the families a layer adds in ``controls_root/families.yaml`` (when present)."""
    own = Path(controls_root) / FILE_NAME
    return base.merged(load_families(own)) if own.is_file() else base
