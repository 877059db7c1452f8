"""The OPA server backend against real OPA (when a binary is present) or the loopback test double."""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
import requests

from auditor.bundle import build_bundle
from auditor.controls import load_library
from auditor.engine import create
from auditor.engine.opa_server import ConcatBody, opa_error_message
from auditor.errors import ExitCode, InputError
from auditor.evaluate import Run, evaluate
from auditor.evidence import SchemaSet, load_evidence
from auditor.model import Status
from auditor.policies import load_policies
from tests.opa_double import OpaTestDouble

FAST = {"backoff": 0.01, "timeout": 10.0}


def run(library: Path, evidence: Path, fixtures: Path, engine: str = "regorus", **options: Any) -> Run:
    params = options.pop("params", None)
    return evaluate(
        load_library(library / "controls", params),
        load_policies(library / "policies"),
        load_evidence(evidence, SchemaSet(fixtures / "schemas")),
        create(engine, **options),
    )


def outcome(r: Run) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    return {
        x.control.id: (x.status.value, [(v.resource, v.message) for v in x.violations]) for x in r.results
    }


def test_results_match_the_embedded_engine(library: Path, evidence: Path, fixtures: Path, opa_server: Any) -> None:
    embedded = run(library, evidence, fixtures)
    remote = run(library, evidence, fixtures, "opa", url=opa_server.url, **FAST)
    assert outcome(remote) == outcome(embedded)
    assert {s for s, _ in outcome(remote).values()} >= {"fail", "pass"}  # the fixture exercises both
    assert remote.exit_code() is ExitCode.FAILED
    assert remote.engine["name"] == "opa" and remote.engine["url"] == opa_server.url


def test_params_and_as_of_travel_with_every_query(
    library: Path, evidence: Path, fixtures: Path, tmp_path: Path, opa_server: Any
) -> None:
    params = tmp_path / "org.yaml"
    params.write_text("PRIV-001:\n  max_retention_days: 100\nSEC-001:\n  exempt_owners: [bob, carol]\n")
    embedded = run(library, evidence, fixtures, params=params)
    remote = run(library, evidence, fixtures, "opa", url=opa_server.url, params=params, **FAST)
    assert outcome(remote) == outcome(embedded)
    assert outcome(remote)["SEC-001"][0] == "pass"


def test_evidence_is_sent_once_for_all_controls(
    library: Path, evidence: Path, fixtures: Path, opa_double: OpaTestDouble
) -> None:
    run(library, evidence, fixtures, "opa", url=opa_double.url, **FAST)
    size = len(load_evidence(evidence, SchemaSet(fixtures / "schemas")).input_json())
    with_input = [r for r in opa_double.requests_to("POST", "/v1/query") if r.length > size]
    assert len(with_input) == 1
    assert [r.path for r in opa_double.requests_to("PUT", "/v1/policies/")] == [
        "/v1/policies/auditor/privacy/priv_001.rego",
        "/v1/policies/auditor/security/sec_001.rego",
        "/v1/policies/auditor/security/sec_002.rego",
    ]
    assert {r.path for r in opa_double.requests_to("PUT", "/v1/data/")} == {"/v1/data/params", "/v1/data/audit"}


def test_unreachable_server_errors_every_control(library: Path, evidence: Path, fixtures: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once the block ends: connection refused
    result = run(library, evidence, fixtures, "opa", url=f"http://127.0.0.1:{port}", retries=1, backoff=0.01)
    assert {r.status for r in result.results} == {Status.ERROR}
    assert all("health check failed" in r.reason and "unreachable" in r.reason for r in result.results)
    assert result.exit_code() is ExitCode.INTERNAL


def test_policy_rejected_by_the_compiler_errors_every_control(
    library: Path, evidence: Path, fixtures: Path, opa_double: OpaTestDouble
) -> None:
    opa_double.reject_policy("package controls.security.sec_002", "undefined function time.fancy")
    result = run(library, evidence, fixtures, "opa", url=opa_double.url, **FAST)
    assert {r.status for r in result.results} == {Status.ERROR}
    reason = result.results[0].reason
    assert "policy security/sec_002.rego rejected" in reason and "undefined function time.fancy" in reason
    assert result.exit_code() is ExitCode.INTERNAL


def test_syntax_error_is_reported_with_opas_message(
    library: Path, evidence: Path, fixtures: Path, opa_server: Any
) -> None:
    policy = library / "policies/security/sec_002.rego"
    policy.write_text(policy.read_text() + "\nviolations contains x if {\n")
    result = run(library, evidence, fixtures, "opa", url=opa_server.url, **FAST)
    assert {r.status for r in result.results} == {Status.ERROR}
    assert "policy security/sec_002.rego rejected" in result.results[0].reason


def test_evaluation_error_stays_with_its_control(
    library: Path, evidence: Path, fixtures: Path, opa_server: Any
) -> None:
    policy = library / "policies/security/sec_002.rego"
    # A complete rule with several values: a conflict error at evaluation time on both engines.
    policy.write_text(policy.read_text() + "\nconflict := g.id if { some g in input.gadgets }\n"
                      "violations contains {\"resource\": conflict, \"message\": \"x\"} if conflict\n")
    embedded = outcome(run(library, evidence, fixtures))
    remote = outcome(run(library, evidence, fixtures, "opa", url=opa_server.url, **FAST))
    assert remote["SEC-002"][0] == embedded["SEC-002"][0] == "error"
    assert {k: v for k, v in remote.items() if k != "SEC-002"} == {k: v for k, v in embedded.items() if k != "SEC-002"}


def test_retries_5xx_then_succeeds(library: Path, evidence: Path, fixtures: Path, opa_double: OpaTestDouble) -> None:
    embedded = run(library, evidence, fixtures)
    size = len(load_evidence(evidence, SchemaSet(fixtures / "schemas")).input_json())
    opa_double.inject(503, times=2, path="/v1/query", min_length=size)  # the evaluation request itself
    opa_double.inject(502, times=1, path="/v1/policies/")  # the listing before the pushes
    remote = run(library, evidence, fixtures, "opa", url=opa_double.url, **FAST)
    assert outcome(remote) == outcome(embedded)
    assert [(r.method, r.status) for r in opa_double.requests if r.status >= 500] == [
        ("GET", 502), ("POST", 503), ("POST", 503)
    ]
    evaluations = [r for r in opa_double.requests_to("POST", "/v1/query") if r.length > size]
    assert [r.status for r in evaluations] == [503, 503, 200]  # rewound and re-sent whole


def test_persistent_5xx_is_an_error_with_the_status(
    library: Path, evidence: Path, fixtures: Path, opa_double: OpaTestDouble
) -> None:
    opa_double.inject(503, times=100, path="/v1/query")
    result = run(library, evidence, fixtures, "opa", url=opa_double.url, retries=2, backoff=0.01)
    assert {r.status for r in result.results} == {Status.ERROR}
    assert "HTTP 503" in result.results[0].reason
    # The version probe gets 3 attempts, the batch 3, and then each control 3 (OPA answered: not down).
    assert len(opa_double.requests_to("POST", "/v1/query")) == 3 + 3 + 3 * 3


def test_timeout_errors_every_control_without_waiting_per_control(
    library: Path, evidence: Path, fixtures: Path, opa_double: OpaTestDouble
) -> None:
    opa_double.delay, opa_double.delay_path = 1.0, "/v1/query"
    result = run(library, evidence, fixtures, "opa", url=opa_double.url, timeout=0.2, retries=0)
    assert {r.status for r in result.results} == {Status.ERROR}
    assert "no answer within 0.2s" in result.results[0].reason
    assert len(opa_double.requests_to("POST", "/v1/query")) == 2  # version probe + one batch, then no more


def test_bearer_token(library: Path, evidence: Path, fixtures: Path) -> None:
    with OpaTestDouble(token="s3cret-token") as double:
        denied = run(library, evidence, fixtures, "opa", url=double.url, **FAST)
        assert {r.status for r in denied.results} == {Status.ERROR}
        assert "401" in denied.results[0].reason and "s3cret" not in denied.results[0].reason
        allowed = run(library, evidence, fixtures, "opa", url=double.url, token="s3cret-token", **FAST)
        assert {r.status for r in allowed.results} != {Status.ERROR}
        assert "s3cret" not in json.dumps(allowed.engine)


def test_request_body_limit_is_reported(
    library: Path, evidence: Path, fixtures: Path, opa_double: OpaTestDouble
) -> None:
    opa_double.max_body = 300  # policies and params fit; the evidence does not
    result = run(library, evidence, fixtures, "opa", url=opa_double.url, **FAST)
    errored = [r for r in result.results if r.status is Status.ERROR]
    assert errored and "request body too large" in errored[0].reason


def test_stale_policies_from_an_earlier_run_are_removed(
    library: Path, evidence: Path, fixtures: Path, opa_double: OpaTestDouble
) -> None:
    embedded = run(library, evidence, fixtures)
    run(library, evidence, fixtures, "opa", url=opa_double.url, **FAST)
    # An earlier layout left a module in the same package, adding a bogus violation.
    stale = library / "policies/security/sec_001.rego"
    package = stale.read_text().split("\n", 1)[0]
    extra = package + '\nimport rego.v1\nviolations contains {"resource": "z", "message": "m"}\n'

    assert requests.put(f"{opa_double.url}/v1/policies/auditor/old/sec_001.rego", data=extra, timeout=5).ok
    remote = run(library, evidence, fixtures, "opa", url=opa_double.url, **FAST)
    assert outcome(remote) == outcome(embedded)
    assert "auditor/old/sec_001.rego" not in opa_double._state.policies


def test_preloaded_bundle(library: Path, evidence: Path, fixtures: Path, tmp_path: Path, bundle_server: Any) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    build_bundle(load_library(library / "controls"), load_policies(library / "policies"), bundle)
    server = bundle_server(bundle)
    embedded = run(library, evidence, fixtures)
    remote = run(library, evidence, fixtures, "opa", url=server.url, preloaded=True, **FAST)
    assert outcome(remote) == outcome(embedded)
    assert remote.engine["policies"] == "preloaded"
    if isinstance(server, OpaTestDouble):
        assert server.requests_to("PUT", "/") == []


def test_preloaded_without_a_bundle_errors(library: Path, evidence: Path, fixtures: Path, opa_server: Any) -> None:
    result = run(library, evidence, fixtures, "opa", url=opa_server.url, preloaded=True, **FAST)
    assert {r.status for r in result.results} == {Status.ERROR}
    assert "nothing is defined under data.controls" in result.results[0].reason


@pytest.mark.parametrize("url", ["ftp://x", "opa:8181", "http://user:pw@host:8181", "http://host:port"])
def test_bad_url_is_input_error(url: str) -> None:
    with pytest.raises(InputError, match="--opa-url"):
        create("opa", url=url)


def test_concat_body_reads_seeks_and_never_joins() -> None:
    body = ConcatBody(b'{"input":', b"[1,2,3]", b"", b"}")
    assert len(body) == 17
    assert body.read(4) + body.read(6) + body.read() == b'{"input":[1,2,3]}'
    assert body.read(5) == b""
    body.seek(9)
    assert body.tell() == 9 and body.read(3) == b"[1,"


def test_opa_error_message_names_file_and_line() -> None:
    body = json.dumps({
        "code": "invalid_parameter",
        "message": "error(s) occurred while compiling module(s)",
        "errors": [{"code": "rego_parse_error", "message": "unexpected eof token",
                    "location": {"file": "auditor/sod/sod_001.rego", "row": 7, "col": 1}}],
    }).encode()
    assert opa_error_message(400, body) == (
        "HTTP 400 invalid_parameter: error(s) occurred while compiling module(s); "
        "auditor/sod/sod_001.rego:7: rego_parse_error: unexpected eof token"
    )
    assert opa_error_message(502, b"<html>Bad Gateway</html>") == "HTTP 502: <html>Bad Gateway</html>"
