"""Stale evidence is not evidence: maximum ages per kind, organisation overrides, bad limits rejected."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from auditor.content import bundled
from auditor.controls import load_library
from auditor.engine import create
from auditor.errors import InputError
from auditor.evaluate import evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.evidence.freshness import DEFAULT_MAX_AGE_DAYS, MAX_AGE_KEYWORD, default_limits, load_freshness
from auditor.model import Status
from auditor.policies import load_policies
from tests.conftest import CliResult

FIXTURES = Path(__file__).parent.parent / "fixtures"
IDENTITIES = FIXTURES / "controls" / "SEC-003" / "pass" / "identities.json"


def identities_collected(tmp_path: Path, collected_at: str) -> Path:
    """SEC-003's passing identities, as if collected at ``collected_at``."""
    folder = tmp_path / "evidence"
    folder.mkdir(parents=True)
    doc = json.loads(IDENTITIES.read_text())
    doc["collected_at"] = collected_at
    (folder / "identities.json").write_text(json.dumps(doc))
    return folder


def sec_003(folder: Path, as_of: str, params: Path | None = None) -> object:
    library = load_library(bundled("controls"), params).select(["SEC-003"])
    freshness = load_freshness(params, SchemaSet())
    run = evaluate(library, load_policies(bundled("policies")), load_evidence(folder), create("regorus"),
                   as_of=as_of, freshness=freshness)
    return run.results[0]


def test_every_bundled_kind_declares_a_maximum_age() -> None:
    schemas = SchemaSet()
    limits = default_limits(schemas).limits
    assert sorted(limits) == schemas.kinds
    assert limits["identities"] == 30


def test_fresh_identities_pass(tmp_path: Path) -> None:
    folder = identities_collected(tmp_path, "2026-11-10T00:00:00Z")
    result = sec_003(folder, "2026-11-20T00:00:00Z")
    assert result.status is Status.PASS, result.reason  # type: ignore[attr-defined]


def test_identities_from_2024_evaluated_in_2026_are_insufficient_not_pass(tmp_path: Path) -> None:
    """The issue's case: SEC-003 passed on identities collected 1,054 days earlier."""
    folder = identities_collected(tmp_path, "2024-01-01T00:00:00Z")
    result = sec_003(folder, "2026-11-20T00:00:00Z")
    assert result.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    assert result.reason == (  # type: ignore[attr-defined]
        "evidence not current: identities collected 2024-01-01 (identities.json), 1,054 days before as_of "
        "2026-11-20; the limit is 30 days"
    )
    assert result.population is None  # type: ignore[attr-defined]


def test_one_day_past_the_limit_is_stale_and_the_limit_itself_is_not(tmp_path: Path) -> None:
    folder = identities_collected(tmp_path, "2026-10-21T00:00:00Z")  # exactly 30 days before as_of
    assert sec_003(folder, "2026-11-20T00:00:00Z").status is Status.PASS  # type: ignore[attr-defined]
    stale = sec_003(folder, "2026-11-20T00:00:01Z")
    assert stale.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]


def test_evidence_collected_after_as_of_is_not_evidence(tmp_path: Path) -> None:
    folder = identities_collected(tmp_path, "2026-12-01T00:00:00Z")
    result = sec_003(folder, "2026-11-20T00:00:00Z")
    assert result.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    assert "11 days after as_of 2026-11-20" in result.reason  # type: ignore[attr-defined]
    assert "not evidence for it" in result.reason  # type: ignore[attr-defined]


def test_the_organisation_overrides_the_limit_in_its_params_file(tmp_path: Path) -> None:
    folder = identities_collected(tmp_path, "2026-09-01T00:00:00Z")  # 80 days before as_of
    assert sec_003(folder, "2026-11-20T00:00:00Z").status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    longer = tmp_path / "org.yaml"
    longer.write_text("freshness:\n  identities: 90\n")
    assert sec_003(folder, "2026-11-20T00:00:00Z", longer).status is Status.PASS  # type: ignore[attr-defined]
    shorter = tmp_path / "strict.yaml"
    shorter.write_text("SEC-002:\n  max_key_age_days: 60\nfreshness:\n  identities: 7\n")
    recent = identities_collected(tmp_path / "b", "2026-11-10T00:00:00Z")
    result = sec_003(recent, "2026-11-20T00:00:00Z", shorter)
    assert result.status is Status.INSUFFICIENT_EVIDENCE  # type: ignore[attr-defined]
    assert "the limit is 7 days" in result.reason  # type: ignore[attr-defined]


def test_a_stale_document_of_an_unread_kind_does_not_touch_other_controls(tmp_path: Path) -> None:
    folder = identities_collected(tmp_path, "2026-11-19T00:00:00Z")
    models = {"kind": "models", "source": "s", "collected_at": "2020-01-01T00:00:00Z", "items": []}
    (folder / "models.json").write_text(json.dumps(models))
    assert sec_003(folder, "2026-11-20T00:00:00Z").status is Status.PASS  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("section", "match"),
    [
        ("freshness:\n  identities: -1\n", r"org.yaml:2: freshness.identities: found -1, expected a whole number"),
        ("freshness:\n  identities: 1.5\n", r"org.yaml:2: freshness.identities: found 1.5, expected a whole number"),
        ("freshness:\n  identities: yes\n", r"org.yaml:2: freshness.identities: found True, expected a whole"),
        ("freshness:\n  identitys: 30\n", r"org.yaml:2: freshness.identitys: unknown evidence kind; expected one of: "
                                          r"access_grants, .*identities"),
        ("freshness: [identities]\n", r"org.yaml:1: freshness: found list, expected a mapping"),
    ],
)
def test_bad_freshness_overrides_are_rejected(tmp_path: Path, section: str, match: str) -> None:
    params = tmp_path / "org.yaml"
    params.write_text(section)
    with pytest.raises(InputError, match=match):
        load_freshness(params, SchemaSet())


def test_a_bad_schema_default_names_the_schema_file(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    schemas.mkdir()
    (schemas / "widgets.schema.json").write_text(json.dumps({"type": "object", MAX_AGE_KEYWORD: -3}))
    with pytest.raises(InputError, match=r"widgets.schema.json: x-auditor-max-age-days: found -3, expected"):
        default_limits(SchemaSet(schemas))


def test_an_organisation_kind_declares_its_own_default(tmp_path: Path) -> None:
    schemas = tmp_path / "schemas"
    shutil.copytree(FIXTURES / "schemas", schemas)
    (schemas / "widgets.schema.json").write_text(json.dumps({"type": "object", MAX_AGE_KEYWORD: 3}))
    limits = default_limits(SchemaSet(schemas)).limits
    assert limits["widgets"] == 3
    assert limits["gadgets"] == DEFAULT_MAX_AGE_DAYS  # declares none: never unlimited


def test_a_kind_declaring_no_limit_goes_stale_after_the_default(tmp_path: Path) -> None:
    """Stale evidence is never a pass, for an organisation's own kind too."""
    evidence = tmp_path / "evidence"
    shutil.copytree(FIXTURES / "evidence" / "basic", evidence)
    freshness = default_limits(SchemaSet(FIXTURES / "schemas"))
    documents = load_evidence(evidence, SchemaSet(FIXTURES / "schemas")).documents
    late = freshness.judge(documents, "2027-01-30T00:00:00Z")
    assert sorted(late) == ["gadgets.json", "ledgers.yaml"]
    assert f"the limit is {DEFAULT_MAX_AGE_DAYS} days" in late["gadgets.json"]
    assert freshness.judge(documents, "2026-12-01T00:00:00Z") == {}


def test_cli_rejects_a_negative_max_age_with_exit_2(
    cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    folder = identities_collected(tmp_path, "2026-11-19T00:00:00Z")
    params = tmp_path / "org.yaml"
    params.write_text("freshness:\n  identities: -5\n")
    result = cli("evaluate", "--evidence", folder, "--params", params, "--out", tmp_path / "out" / "results.json")
    assert result.code == 2
    assert "org.yaml:2: freshness.identities: found -5" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "out" / "results.json").exists()


def test_controls_validate_checks_the_freshness_section(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    params = tmp_path / "org.yaml"
    params.write_text("freshness:\n  modles: 30\n")
    result = cli("controls", "validate", "--params", params)
    assert result.code == 2
    assert "org.yaml:2: freshness.modles: unknown evidence kind" in result.err
