"""Evidence freshness: how old a document of each kind may be at the evaluation instant.

Each kind's schema declares its default maximum age in days with the keyword
``x-auditor-max-age-days``; an organisation overrides it in the ``freshness:`` section
of its ``--params`` file::

    freshness:
      identities: 7        # days; 0 or more

A document collected longer before ``as_of`` than its kind allows, or collected after
``as_of`` (it cannot be evidence of an earlier instant), is not evidence: every control
that reads its kind ends ``insufficient_evidence``. A kind whose schema declares no
maximum age (an organisation's own kind) and that no override names gets
:data:`DEFAULT_MAX_AGE_DAYS`: stale evidence is never a pass, so no kind goes unlimited.

Example::

    freshness = load_freshness(Path("org.yaml"), SchemaSet())
    problems = freshness.judge(evidence.documents, "2026-11-20T09:00:00Z")
    # {"identities.json": "identities collected 2024-01-01 (identities.json), 1,054 days before ..."}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from auditor.errors import InputError
from auditor.evidence.load import parse_time
from auditor.evidence.schemas import SchemaSet
from auditor.files import line_of, load_yaml_lines
from auditor.model import EvidenceDocument

MAX_AGE_KEYWORD = "x-auditor-max-age-days"
#: the section of the --params file that overrides the defaults
SECTION = "freshness"
#: the limit of a kind whose schema declares none and that no override names
DEFAULT_MAX_AGE_DAYS = 30


def _whole_days(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _days(delta: timedelta) -> str:
    days = delta.days
    if days < 1:
        return "less than a day"
    return f"{days:,} day{'s' if days != 1 else ''}"


@dataclass(frozen=True)
class Freshness:
    """The maximum age in days per evidence kind, and where each limit was set."""

    limits: Mapping[str, int]
    origins: Mapping[str, str] = field(default_factory=dict)

    def limit(self, kind: str) -> int | None:
        return self.limits.get(kind)

    def problem(self, document: EvidenceDocument, as_of: str) -> str | None:
        """Why ``document`` is not evidence at ``as_of``, or None when it is fresh."""
        collected = parse_time(document.collected_at)
        instant = parse_time(as_of)
        day = collected.strftime("%Y-%m-%d")
        what = f"{document.kind} collected {day} ({document.relpath})"
        if collected > instant:
            return (
                f"{what}, {_days(collected - instant)} after as_of {instant:%Y-%m-%d}; "
                "evidence collected after the evaluation instant is not evidence for it"
            )
        limit = self.limit(document.kind)
        if limit is not None and collected < instant - timedelta(days=limit):
            return (
                f"{what}, {_days(instant - collected)} before as_of {instant:%Y-%m-%d}; "
                f"the limit is {limit:,} day{'s' if limit != 1 else ''}"
            )
        return None

    def judge(self, documents: Iterable[EvidenceDocument], as_of: str) -> dict[str, str]:
        """``{relpath: reason}`` for every document that is not evidence at ``as_of``."""
        found = {}
        for document in documents:
            reason = self.problem(document, as_of)
            if reason is not None:
                found[document.relpath] = reason
        return found


def default_limits(schemas: SchemaSet) -> Freshness:
    """The limits the kinds' schemas declare (exit 2 naming the schema file for a bad value)."""
    limits: dict[str, int] = {}
    origins: dict[str, str] = {}
    for kind in schemas.kinds:
        value = schemas.schema(kind).get(MAX_AGE_KEYWORD)
        if value is None:
            limits[kind] = DEFAULT_MAX_AGE_DAYS
            origins[kind] = f"the default for a kind whose schema declares no {MAX_AGE_KEYWORD}"
            continue
        if not _whole_days(value):
            raise InputError(
                f"{schemas.paths[kind]}: {MAX_AGE_KEYWORD}: found {value!r}, "
                "expected a whole number of days (0 or more)"
            )
        limits[kind] = value
        origins[kind] = str(schemas.paths[kind])
    return Freshness(limits, origins)


def load_freshness(params_file: Path | None, schemas: SchemaSet) -> Freshness:
    """The schemas' defaults with the ``freshness:`` overrides of ``params_file`` applied."""
    defaults = default_limits(schemas)
    if params_file is None:
        return defaults
    raw = load_yaml_lines(params_file)
    if not isinstance(raw, Mapping) or SECTION not in raw:
        return defaults
    section = raw[SECTION]
    where = f"{params_file}:{line_of(raw, SECTION)}"
    if not isinstance(section, Mapping):
        raise InputError(
            f"{where}: {SECTION}: found {type(section).__name__}, "
            "expected a mapping of evidence kind to maximum age in days"
        )
    limits = dict(defaults.limits)
    origins = dict(defaults.origins)
    for kind, days in section.items():
        line = line_of(section, str(kind)) or line_of(raw, SECTION)
        if kind not in schemas.kinds:
            raise InputError(
                f"{params_file}:{line}: {SECTION}.{kind}: unknown evidence kind; "
                f"expected one of: {', '.join(schemas.kinds)}"
            )
        if not _whole_days(days):
            raise InputError(
                f"{params_file}:{line}: {SECTION}.{kind}: found {days!r}, "
                "expected a whole number of days (0 or more)"
            )
        limits[kind] = days
        origins[kind] = f"{params_file}:{line}"
    return Freshness(limits, origins)
