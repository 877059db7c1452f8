"""Projecting evidence to the fields the policies read changes no result.

The demo organisation and every control fixture are evaluated with the projection and without it
(``projection=False``) and must give the same status, reason, population and violations, control by
control; the scan is checked on policies that observe whole items, which must keep their kinds whole.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import orjson
import pytest

from auditor.content import bundled
from auditor.controls import ControlLibrary, load_library
from auditor.engine import create
from auditor.evaluate import evaluate, projection_of
from auditor.evidence import load_evidence
from auditor.evidence.projection import NONE, Projection, projection_for, scan
from auditor.policies import PolicySet, PolicySource, load_policies

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "evidence" / "examples" / "demo"
FIXTURES = REPO / "tests" / "fixtures" / "controls"


@cache
def library() -> ControlLibrary:
    return load_library(bundled("controls"))


@cache
def policies() -> PolicySet:
    return load_policies(bundled("policies"))


@cache
def bundled_projection() -> Projection:
    lib = library()
    return projection_for(policies().runtime, {c.policy: c.reads for c in lib}, lib.params_document())


def outcomes(evidence: Path, lib: ControlLibrary, projection: bool) -> list[tuple[object, ...]]:
    run = evaluate(lib, policies(), load_evidence(evidence), create("regorus"), jobs=1, projection=projection)
    return [
        (r.control.id, r.status.value, r.reason, r.population, [(v.resource, v.message) for v in r.violations])
        for r in run.results
    ]


def test_demo_results_identical_with_and_without_projection() -> None:
    projected = outcomes(DEMO, library(), True)
    assert projected == outcomes(DEMO, library(), False)
    assert sum(len(row[4]) for row in projected) > 50  # the demo fails many controls: a real comparison


def test_projection_drops_fields_on_the_demo() -> None:
    """The comparison above is not vacuous: the demo's items lose fields no policy reads."""
    projection = bundled_projection()
    evidence = load_evidence(DEMO)
    before = after = 0
    dropped: dict[str, set[str]] = {}
    for doc in evidence.documents:
        items = orjson.loads(doc.items_json)
        before += len(doc.items_json)
        after += len(orjson.dumps(projection.project(doc.kind, items)))
        if fields := projection.dropped(doc.kind, items):
            dropped[doc.kind] = fields
    assert after < before * 0.9
    assert "pipeline" in dropped["deployments"]  # collected, read by no policy
    assert "id" not in {f for fields in dropped.values() for f in fields}


FIXTURE_DIRS = sorted(p for p in FIXTURES.glob("*/*") if p.is_dir() and p.name in ("pass", "fail"))


@pytest.mark.parametrize("folder", FIXTURE_DIRS, ids=[f"{p.parent.name}/{p.name}" for p in FIXTURE_DIRS])
def test_fixture_results_identical_with_and_without_projection(folder: Path) -> None:
    lib = library().select([folder.parent.name])
    assert outcomes(folder, lib, True) == outcomes(folder, lib, False)


def test_engine_input_is_projected_items_in_path_order() -> None:
    evidence = load_evidence(DEMO)
    projection = bundled_projection()
    whole = orjson.loads(evidence.input_json(NONE))
    projected = orjson.loads(evidence.input_json(projection))
    assert sorted(whole) == sorted(projected)
    for kind, items in whole.items():
        assert projected[kind] == projection.project(kind, items)
        assert [i["id"] for i in projected[kind]] == [i["id"] for i in items]


def _source(text: str) -> PolicySource:
    return PolicySource(path=Path("controls/x.rego"), relpath="x.rego", package="controls.x", text=text)


def _opaque(body: str) -> tuple[str, ...]:
    return scan(_source("package controls.x\n\nimport rego.v1\n\n" + body)).opaque


@pytest.mark.parametrize("body", [
    'v contains sprintf("%v", [d]) if {\n\tsome d in input.deployments\n}\n',
    'v contains sprintf("%s", [e]) if {\n\tsome d in input.deployments\n\te := d\n}\n',
    'v contains sprintf("%v", [recs[0]]) if {\n\trecs := [x | some x in input.deployments]\n}\n',
    'v contains sprintf("%v", [o["a"]]) if {\n\tsome d in input.deployments\n\to := {"a": d}\n}\n',
    'v contains sprintf("%v", [label(d)]) if {\n\tsome d in input.deployments\n}\n\nlabel(x) := x\n',
    'v contains label(d) if {\n\tsome d in input.deployments\n}\n\nlabel(x) := sprintf("%v", [x])\n',
    'v contains json.marshal(d) if {\n\tsome d in input.deployments\n}\n',
    'v contains count(object.keys(d)) if {\n\tsome d in input.deployments\n}\n',
    'v contains sprintf("%v", [first]) if {\n\tfirst := max(input.deployments)\n}\n',
    # destructuring: the item sits at its position of each element
    'pairs := [[d, d.id] | some d in input.deployments]\n\n'
    'v contains sprintf("%v", [d]) if {\n\tsome [d, _] in pairs\n}\n',
    'pairs(ds) := [[x.id, x] | some x in ds]\n\n'
    'v contains sprintf("%v", [d]) if {\n\tsome [_, d] in pairs(input.deployments)\n}\n',
    # a partial set or object holds its members
    'prod contains d if {\n\tsome d in input.deployments\n}\n\n'
    'v contains sprintf("%v", [d]) if {\n\tsome d in prod\n}\n',
    'by_id[d.id] := d if {\n\tsome d in input.deployments\n}\n\n'
    'v contains sprintf("%v", [by_id["a"]]) if {\n\ttrue\n}\n',
    # a set's "key" is the element itself
    'prod contains d if {\n\tsome d in input.deployments\n}\n\n'
    'v contains sprintf("%v", [k]) if {\n\tsome k, _ in prod\n}\n',
])
def test_scan_keeps_items_whole_when_a_policy_observes_them(body: str) -> None:
    assert _opaque(body), body


@pytest.mark.parametrize("body", [
    'v contains sprintf("%s %v", [d.id, d.name]) if {\n\tsome d in input.deployments\n}\n',
    'v contains sprintf("%v", [due]) if {\n\tsome d in input.deployments\n\tdue := object.get(d, "due", 0)\n}\n',
    'v contains sprintf("%v", [label(d)]) if {\n\tsome d in input.deployments\n}\n\n'
    'label(x) := y if {\n\ty := x.name\n}\n',
    'v contains sprintf("%d", [count(input.deployments) * 2]) if {\n\ttrue\n}\n',
    'v contains d.id if {\n\tsome d in input.deployments\n\tnot "x" in object.keys(d)\n}\n',
    'pairs := [[d, d.id] | some d in input.deployments]\n\n'
    'v contains sprintf("%v", [i]) if {\n\tsome [_, i] in pairs\n}\n',
    'pairs(ds) := [[x, lower(x.id)] | some x in ds]\n\n'
    'v contains sprintf("%s", [i]) if {\n\tsome [d, i] in pairs(input.deployments)\n\td.id != ""\n}\n',
])
def test_scan_follows_values_that_are_no_items(body: str) -> None:
    assert _opaque(body) == (), body


def test_a_kind_read_by_an_observing_policy_is_kept_whole() -> None:
    observing = _source('package controls.x\n\nimport rego.v1\n\n'
                        'v contains json.marshal(d) if {\n\tsome d in input.deployments\n}\n')
    other = PolicySource(path=Path("controls/y.rego"), relpath="y.rego", package="controls.y",
                         text='package controls.y\n\nimport rego.v1\n\nv contains c.id if {\n\tsome c in input.changes\n}\n')
    projection = projection_for([observing, other], {"controls.x": ("deployments",), "controls.y": ("changes",)})
    assert projection.whole == {"deployments"}
    assert "x.rego" in projection.reasons["deployments"][0]
    item = {"id": "a", "pipeline": "p", "nested": {"pipeline": 1}}
    assert projection.project("deployments", [item]) == [item]
    assert projection.project("changes", [item]) == [{"id": "a"}]


def test_fields_named_only_in_parameters_are_kept() -> None:
    policy = _source('package controls.x\n\nimport rego.v1\n\n'
                     'v contains c[data.params.x.field] if {\n\tsome c in input.changes\n}\n')
    projection = projection_for([policy], {"controls.x": ("changes",)}, {"x": {"field": "ticket"}})
    assert projection.project("changes", [{"id": "a", "ticket": "T-1", "other": 1}]) == [{"id": "a", "ticket": "T-1"}]


def test_fields_read_only_inside_a_library_function_are_kept() -> None:
    library = PolicySource(path=Path("lib/x/x.rego"), relpath="lib/x/x.rego", package="lib.x",
                           text='package lib.x\n\nimport rego.v1\n\nlate(d) if d.finished_at > d.due_at\n')
    policy = _source('package controls.x\n\nimport rego.v1\n\nimport data.lib.x\n\n'
                     'v contains d.id if {\n\tsome d in input.deployments\n\tx.late(d)\n}\n')
    projection = projection_for([library, policy], {"controls.x": ("deployments",)})
    item = {"id": "a", "finished_at": 2, "due_at": 1, "pipeline": "p"}
    assert projection.project("deployments", [item]) == [{"id": "a", "finished_at": 2, "due_at": 1}]


def test_a_library_printing_an_item_it_is_given_keeps_the_kind_whole() -> None:
    library = PolicySource(path=Path("lib/x/x.rego"), relpath="lib/x/x.rego", package="lib.x",
                           text='package lib.x\n\nimport rego.v1\n\nlabel(d) := sprintf("%v", [d])\n')
    policy = _source('package controls.x\n\nimport rego.v1\n\nimport data.lib.x\n\n'
                     'v contains x.label(d) if {\n\tsome d in input.deployments\n}\n')
    projection = projection_for([library, policy], {"controls.x": ("deployments",)})
    assert "deployments" in projection.whole


_LIBRARY = PolicySource(
    path=Path("lib/x/x.rego"), relpath="lib/x/x.rego", package="lib.x",
    text='package lib.x\n\nimport rego.v1\n\nproduction(ds) := [d |\n\tsome d in ds\n\td.status == "success"\n]\n',
)

# SOD-001's shape: the items come from a library function; each element of the concatenation holds an
# item, a collection of items and a literal kind
_FLAGGED = (
    'import data.lib.x\n\n'
    'prod := x.production(input.deployments)\n\n'
    'flagged := array.concat(\n'
    '\t[[d, peers, "shared"] |\n'
    '\t\tsome d in prod\n'
    '\t\tpeers := [p | some p in prod; p.service == d.service; p.id != d.id]\n'
    '\t\tcount(peers) > 0\n'
    '\t],\n'
    '\t[[d, [], "alone"] | some d in prod; not d.service],\n'
    ')\n\n'
)
#: a function printing fields of what it is given (an uncalled one may be given anything)
_WHERE = 'where(d) := sprintf("Deployment %s of %s", [d.id, d.service])\n\n'


def _library_reasons(body: str) -> tuple[str, ...]:
    """Why the projection keeps deployments whole for a control importing ``_LIBRARY`` (empty: it does not)."""
    policy = _source("package controls.x\n\nimport rego.v1\n\n" + body)
    projection = projection_for([_LIBRARY, policy], {"controls.x": ("deployments",)})
    return projection.reasons.get("deployments", ())


@pytest.mark.parametrize("body", [
    _FLAGGED + _WHERE + 'v contains where(d) if {\n\tsome [d, _, "shared"] in flagged\n}\n',
    _FLAGGED + 'v contains sprintf("%s: %d", [d.id, count(ps)]) if {\n\tsome [d, ps, "shared"] in flagged\n}\n',
    _FLAGGED + _WHERE + 'v contains where(d) if {\n\tsome [d, _, "alone"] in sort(flagged)\n}\n',
    _FLAGGED + _WHERE + 'v contains where(d) if {\n\tsome [d, _, _] in array.reverse(array.slice(flagged, 0, 3))\n}\n',
    _FLAGGED + _WHERE + 'v contains where(d) if {\n\tsome [d, _, _] in array.concat(flagged, [[e, [], "x"] | some e in prod])\n}\n',
])
def test_scan_follows_positions_through_a_concatenation_of_library_items(body: str) -> None:
    assert _library_reasons(body) == (), body


@pytest.mark.parametrize("body", [
    # the item itself, and an item of the collection at the next position, are printed
    _FLAGGED + 'v contains sprintf("%v", [d]) if {\n\tsome [d, _, "shared"] in flagged\n}\n',
    _FLAGGED + 'v contains sprintf("%v", [ps[0]]) if {\n\tsome [_, ps, "shared"] in flagged\n}\n',
    _FLAGGED + 'v contains sprintf("%v", [d]) if {\n\tsome [d, _, _] in array.slice(sort(flagged), 0, 1)\n}\n',
    # the item sits at position 1 of one argument's elements and 0 of the other's: both positions may hold it
    'import data.lib.x\n\n'
    'pairs := array.concat([[d.id, d] | some d in x.production(input.deployments)],\n'
    '\t[[d, d.id] | some d in x.production(input.deployments)])\n\n'
    'v contains sprintf("%s", [i]) if {\n\tsome [i, _] in pairs\n}\n',
    'import data.lib.x\n\n'
    'pairs := array.concat([[d.id, d] | some d in x.production(input.deployments)],\n'
    '\t[[d, d.id] | some d in x.production(input.deployments)])\n\n'
    'v contains sprintf("%s", [i]) if {\n\tsome [_, i] in pairs\n}\n',
    # an argument built where the scan cannot see its elements' positions: any position may hold an item
    'import data.lib.x\n\n'
    'pairs := array.concat([[d.id, "a"] | some d in input.deployments], [x.production(input.deployments)])\n\n'
    'v contains sprintf("%s", [i]) if {\n\tsome [i, _] in pairs\n}\n',
])
def test_scan_keeps_items_whole_printed_from_a_concatenation(body: str) -> None:
    assert any("may be a whole item" in why for why in _library_reasons(body)), body


def test_the_bundled_policies_keep_no_kind_whole() -> None:
    """Every kind is projected: a policy change that defeats the scan fails here, with the scan's reason."""
    projection = projection_of(library(), policies())
    assert projection.whole == frozenset(), projection.reasons


def test_evidence_projected_at_load_gives_identical_results() -> None:
    """``auditor evaluate`` loads the evidence already projected: same results as projecting at set_input."""
    lib = library()
    projection = bundled_projection()
    evidence = load_evidence(DEMO, projection=projection)
    assert evidence.projection == projection
    assert sum(len(d.items_json) for d in evidence.documents) < sum(
        len(d.items_json) for d in load_evidence(DEMO).documents) * 0.9
    run = evaluate(lib, policies(), evidence, create("regorus"), jobs=1)
    projected = [(r.control.id, r.status.value, r.reason, r.population,
                  [(v.resource, v.message) for v in r.violations]) for r in run.results]
    assert projected == outcomes(DEMO, lib, False)


def test_evidence_projected_at_load_is_not_evaluated_whole() -> None:
    evidence = load_evidence(DEMO, projection=bundled_projection())
    with pytest.raises(ValueError, match="projected"):
        evaluate(library(), policies(), evidence, create("regorus"), jobs=1, projection=False)


def test_projection_of_is_computed_once_per_library_and_policies() -> None:
    from auditor.content import bundled
    from auditor.controls import load_library
    from auditor.evaluate import projection_of
    from auditor.evidence.projection import projection_for
    from auditor.policies import load_policies

    library, policies = load_library(bundled("controls")), load_policies(bundled("policies"))
    first = projection_of(library, policies)
    assert projection_of(load_library(bundled("controls")), load_policies(bundled("policies"))) is first
    reads = {control.policy: control.reads for control in library}
    assert first == projection_for(policies.runtime, reads, library.params_document())
