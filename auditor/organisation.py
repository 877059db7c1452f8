"""The organisation's name on the reports: ``--org``, else the evidence's own ``organisation``, never invented.

Any evidence document may name the organisation it describes (envelope field ``organisation``;
the demo's service catalogue does). Every document that names it must name the same one: two
names are an input error naming both documents. results.json keeps the name on each evidence entry
that gave it, so the reports read it from there. With neither ``--org`` nor a name in the evidence
the reports say so (:data:`UNNAMED`) instead of making one up.

Usage::

    name = report_organisation(results, org=None)   # "Brightwater Financial", or UNNAMED
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError

if TYPE_CHECKING:
    from auditor.results_model import Results

#: what the reports print when neither --org nor the evidence names the organisation
UNNAMED = "Organisation not named"
UNNAMED_NOTE = ("The evidence does not name the organisation (no document sets 'organisation') and no --org "
                "was given.")


def organisation_of(named: Iterable[tuple[str, str | None]], where: str) -> str | None:
    """The one name given by ``(document path, organisation)`` pairs, ``None`` when none gives one."""
    first: tuple[str, str] | None = None
    for path, name in named:
        if not name:
            continue
        if first is None:
            first = (path, name)
        elif name != first[1]:
            raise InputError(f"{where}: {first[0]} names the organisation {first[1]!r} but {path} names {name!r}; "
                             "expected one organisation per run: give every document the same 'organisation' "
                             "(or none)")
    return first[1] if first else None


def results_organisation(results: Results | Mapping[str, Any], where: str = "results.json") -> str | None:
    """The organisation the evidence a results.json lists names, if any (a results document is checked
    and typed first, as every renderer's)."""
    from auditor.results_model import Results

    typed = Results.coerce(dict(results)) if isinstance(results, Mapping) else results
    return organisation_of(((e.path, e.organisation) for e in typed.evidence), where)


def report_organisation(results: Results | Mapping[str, Any], org: str | None = None,
                        where: str = "results.json") -> str:
    """``--org`` when given, else the evidence's name, else :data:`UNNAMED`."""
    if org and org.strip():
        return " ".join(org.split())
    return results_organisation(results, where) or UNNAMED
