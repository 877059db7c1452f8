"""Control library loading: every bad-input case names the file, line and field; exit code 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.controls import load_library
from auditor.errors import ExitCode, InputError
from auditor.families import bundled_families


def test_loads_the_test_library(library: Path) -> None:
    lib = load_library(library / "controls")
    assert [c.id for c in lib] == ["PRIV-001", "SEC-001", "SEC-002"]
    sec2 = lib["SEC-002"]
    assert sec2.family == bundled_families()["security"]
    assert sec2.evidence == ("gadgets",)
    assert lib.params("SEC-002") == {"max_age_days": 90}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("severity: medium", "severity: urgent", r"SEC-002.yaml:5: severity: found 'urgent', expected one of low, medium, high, critical"),
        ("owner: Head of Security\n", "", r"SEC-002.yaml:1: owner: required field is missing"),
        ("owner: Head of Security\n", "owner: Head of Security\ncolour: blue\n", r"SEC-002.yaml:7: colour: unknown field"),
        ("default: 90", "default: ninety", r"SEC-002.yaml:15: parameters.max_age_days.default: found 'ninety'"),
        ("id: SEC-002", "id: SEC-003", r"SEC-002.yaml:1: id: found 'SEC-003', expected it to match the file name"),
        ("policy: controls.security.sec_002", "policy: controls.security.other",
         r"SEC-002.yaml:7: policy: found 'controls.security.other', expected 'controls.security.sec_002'"),
        ("evidence: [gadgets]", "evidence: []", r"SEC-002.yaml:\d+: evidence: found \[\], expected min length is 1"),
        ("evidence: [gadgets]", "evidence: [gadgets]\nuses: [gadgets]",
         r"SEC-002.yaml:\d+: uses: found 'gadgets', which is already a required kind in evidence"),
        ("evidence: [gadgets]", "evidence: [gadgets]\nuses: [identites]",
         r"SEC-002.yaml:\d+: uses: found unknown evidence kind 'identites', expected one of .*identities"),
        ("evidence: [gadgets]", "evidence: [gadgets]\nuses: identities",
         r"SEC-002.yaml:\d+: uses: .*list"),
        ("title: Gadgets", "title: [Gadgets", r"SEC-002.yaml:3:10: malformed YAML: expected .,. or .\]., but got .:."),
    ],
)
def test_bad_control_files(library: Path, old: str, new: str, message: str) -> None:
    _edit(library / "controls/security/SEC-002.yaml", old, new)
    with pytest.raises(InputError, match=message) as info:
        load_library(library / "controls")
    assert info.value.exit_code == ExitCode.INVALID_INPUT


def test_list_parameter_values_are_checked_against_allowed(library: Path, tmp_path: Path) -> None:
    control = library / "controls/security/SEC-001.yaml"
    _edit(control, "    default: []\n", "    default: []\n    allowed: [alice, bob]\n")
    params = tmp_path / "org.yaml"
    params.write_text("SEC-001:\n  exempt_owners: [Alice]\n")
    with pytest.raises(InputError, match=r"org.yaml:2: SEC-001.exempt_owners: found \['Alice'\], expected list of: alice, bob"):
        load_library(library / "controls", params)
    params.write_text("SEC-001:\n  exempt_owners: [alice]\n")
    assert load_library(library / "controls", params).params("SEC-001") == {"exempt_owners": ["alice"]}


def test_duplicate_control_id(library: Path) -> None:
    copy = library / "controls/security/extra"
    copy.mkdir()
    # Same id in another file: caught even though the folder check would also object.
    (library / "controls/privacy/PRIV-001.yaml").rename(library / "controls/privacy/keep.yaml")
    (library / "controls/privacy/PRIV-001.yaml").write_text((library / "controls/privacy/keep.yaml").read_text())
    with pytest.raises(InputError, match=r"keep.yaml:1: id: found 'PRIV-001', expected it to match the file name"):
        load_library(library / "controls")


def test_duplicate_id_in_two_folders(library: Path) -> None:
    other = library / "controls2" / "security"
    other.mkdir(parents=True)
    (other / "SEC-001.yaml").write_text((library / "controls/security/SEC-001.yaml").read_text())
    root = library / "controls2"
    (root / "more" / "security").mkdir(parents=True)
    (root / "more/security/SEC-001.yaml").write_text((library / "controls/security/SEC-001.yaml").read_text())
    with pytest.raises(InputError, match=r"duplicate control id 'SEC-001', already defined in"):
        load_library(root)


def test_wrong_family_prefix(library: Path) -> None:
    _edit(library / "controls/security/SEC-002.yaml", "family: security", "family: privacy")
    with pytest.raises(InputError, match=r"id: found 'SEC-002', expected the privacy prefix PRIV-"):
        load_library(library / "controls")


def test_empty_library_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no control files"):
        load_library(tmp_path)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ("SEC-002:\n  max_age: 30\n", r"org.yaml:2: SEC-002.max_age: unknown parameter; SEC-002 has: max_age_days"),
        ("SEC-002:\n  max_age_days: soon\n", r"org.yaml:2: SEC-002.max_age_days: found 'soon', expected integer"),
        ("SEC-002:\n  max_age_days: 0\n", r"org.yaml:2: SEC-002.max_age_days: found 0, expected integer \(min value is 1\)"),
        ("SEC-999:\n  max_age_days: 3\n", r"org.yaml:1: SEC-999: unknown control id"),
        ("SEC-002: 5\n", r"org.yaml:1: SEC-002: expected a mapping of parameter to value"),
        ("- a\n", r"org.yaml: expected a mapping of control id to parameters"),
        # values the engine's JSON cannot hold were a traceback at evaluation (exit 3)
        ("SEC-002:\n  max_age_days: 123456789012345678901234567890\n",
         r"org.yaml:2:17: malformed YAML: found integer 123456789012345678901234567890, expected one within 64 bits"),
        ("SEC-002:\n  max_age_days: .inf\n", r"org.yaml:2:17: malformed YAML: found .inf, expected a finite number"),
    ],
)
def test_bad_params(library: Path, tmp_path: Path, params: str, message: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(params)
    with pytest.raises(InputError, match=message):
        load_library(library / "controls", path)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        # YAML 1.1 reads `yes` as true, and cerberus counts a bool as an integer: SOD-001 silently weakened
        ("SEC-002:\n  max_age_days: yes\n",
         r"org.yaml:2: SEC-002.max_age_days: found True, expected integer \(a boolean is not an integer\)"),
        ("SEC-002:\n  max_age_days: 30.0\n",
         r"org.yaml:2: SEC-002.max_age_days: found 30.0, expected integer \(a number with a fraction is not an integer\)"),
        ("SEC-002:\n  max_age_days: '30'\n",
         r"org.yaml:2: SEC-002.max_age_days: found '30', expected integer \(a string is not an integer\)"),
        ("SEC-002:\n  max_age_days: 2026-01-01\n",
         r"org.yaml:2: SEC-002.max_age_days: found datetime.date\(2026, 1, 1\), expected integer \(a date is not"),
        ("SEC-002:\n  max_age_days: 2026-13-45\n",
         r"org.yaml:2:17: malformed YAML: found 2026-13-45, expected a real date \(YYYY-MM-DD\) or date-time"),
        ("SEC-001:\n  exempt_owners: alice\n",
         r"org.yaml:2: SEC-001.exempt_owners: found 'alice', expected list \(a string is not a list\)"),
        ("SEC-001:\n  exempt_owners: [alice, 3]\n",
         r"org.yaml:2: SEC-001.exempt_owners: found \['alice', 3\], expected list \(item 1 is an integer"),
        ("SEC-002:\n  max_age_days: 30\n  max_age_days: 1\n",
         r"org.yaml:3:3: malformed YAML: found duplicate key 'max_age_days' \(first at line 2\)"),
    ],
)
def test_type_confusion_in_params_is_an_error(library: Path, tmp_path: Path, params: str, message: str) -> None:
    path = tmp_path / "org.yaml"
    path.write_text(params)
    with pytest.raises(InputError, match=message) as info:
        load_library(library / "controls", path)
    assert info.value.exit_code == ExitCode.INVALID_INPUT


def test_boolean_for_an_integer_parameter_of_the_bundled_sod_001(tmp_path: Path) -> None:
    from auditor.content import bundled

    path = tmp_path / "org.yaml"
    path.write_text("SOD-001:\n  min_independent_approvals: yes\n")
    with pytest.raises(InputError, match=r"org.yaml:2: SOD-001.min_independent_approvals: found True, "
                                         r"expected integer \(a boolean is not an integer\)"):
        load_library(bundled("controls"), path)
    path.write_text("SOD-001:\n  min_independent_approvals: 2\n")
    assert load_library(bundled("controls"), path).params("SOD-001")["min_independent_approvals"] == 2


def test_boolean_default_for_an_integer_parameter_is_an_error(library: Path) -> None:
    text = (library / "controls/security/SEC-002.yaml").read_text()
    assert "default: 90" in text
    _edit(library / "controls/security/SEC-002.yaml", "default: 90", "default: on")
    with pytest.raises(InputError, match=r"SEC-002.yaml:\d+: parameters.max_age_days.default: found True, "
                                         r"expected a valid integer \(a boolean is not an integer\)"):
        load_library(library / "controls")
