"""`auditor collect prometheus` against a real Prometheus server on loopback.

The server (Debian's ``prometheus`` package; ``make test`` installs it) serves a
known history written by ``promtool tsdb create-blocks-from openmetrics`` from
tests/fixtures/collect/prometheus/history.om: two days of payments API request
counters, 1,000 requests every five minutes with one 5xx, except 12:00-14:00 on
19 November, when 100 of every 1,000 failed; and a fast-burn alert firing
12:30-13:30. Every window ends at the fixed instant 2026-11-20T00:00:00Z.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
import requests

from auditor.collect.base import CollectorError
from auditor.collect.prometheus import OpenSloDocument, PrometheusCollector, cumulative_increase
from auditor.evidence import SchemaSet

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "collect" / "prometheus"
AT = "2026-11-20T00:00:00Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def prometheus(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    binary, promtool = shutil.which("prometheus"), shutil.which("promtool")
    if not binary or not promtool:
        pytest.skip("prometheus/promtool not installed (Debian: apt-get install prometheus; make test installs it)")
    root = tmp_path_factory.mktemp("prometheus")
    data = root / "data"
    subprocess.run(
        [promtool, "tsdb", "create-blocks-from", "openmetrics", str(FIXTURES / "history.om"), str(data)],
        check=True,
        capture_output=True,
    )
    config = root / "prometheus.yml"
    config.write_text("global:\n  evaluation_interval: 1m\nscrape_configs: []\n")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.tsdb.path={data}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--storage.tsdb.retention.time=50y",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(root / "prometheus.log").open("wb"),
    )
    try:
        for _ in range(300):
            try:
                if requests.get(f"{url}/-/ready", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if proc.poll() is not None:
                pytest.fail(f"prometheus exited: {(root / 'prometheus.log').read_text()[-2000:]}")
            time.sleep(0.1)
        else:
            pytest.fail("prometheus did not become ready in 30 s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _collect(cli: Any, url: str, tmp_path: Path, slo: Path = FIXTURES / "slos.yaml", *extra: str) -> dict:
    out = tmp_path / "ev"
    result = cli(
        "collect", "prometheus", "--url", url, "--slo", slo, "--at", AT, "--collected-at", AT, "--out", out, *extra
    )
    assert result.code == 0, result.err
    (path,) = out.glob("*.json")
    doc = orjson.loads(path.read_bytes())
    SchemaSet().validate_document(doc, str(path))
    return doc


def test_attainment_error_budget_and_alerts_are_exact(cli: Any, prometheus: str, tmp_path: Path) -> None:
    doc = _collect(cli, prometheus, tmp_path)
    assert doc["kind"] == "slo_reports" and doc["source"] == f"prometheus:{prometheus}"
    reports = {r["slo"]: r for r in doc["items"]}
    assert sorted(reports) == ["availability", "availability-strict"]
    # 288 five-minute steps in the day: 288,000 requests; 264 steps with 1 failure and 24 with 100 -> 2,664 bad.
    loose = reports["availability"]
    assert (loose["total_events"], loose["good_events"]) == (288000, 285336)
    assert loose["attainment"] == pytest.approx(285336 / 288000, abs=1e-9)
    assert loose["attainment"] == pytest.approx(0.99075, abs=1e-9)
    assert loose["error_budget_remaining"] == pytest.approx(1 - 2664 / 2880, abs=1e-9)  # 0.075
    assert loose["error_budget_exhausted_at"] is None
    assert loose["window_start"] == "2026-11-19T00:00:00Z" and loose["window_end"] == AT
    assert loose["id"] == f"payments-api/availability/{AT}"
    # the alert fired at 13 five-minute samples, 12:30 to 13:30
    assert loose["burn_rate_alerts"] == [
        {"name": "payments-fast-burn", "threshold": 14.4, "lookback": "1h", "configured": True, "fired": 13}
    ]
    strict = reports["availability-strict"]
    assert strict["attainment"] == pytest.approx(0.99075, abs=1e-9)
    assert strict["error_budget_remaining"] == pytest.approx(1 - 2664 / 1440, abs=1e-9)  # -0.85
    # budget 1,440 bad: 144 before the burst, then +100 a step: exceeded at the 13th burst step, 13:05
    assert strict["error_budget_exhausted_at"] == "2026-11-19T13:05:00Z"
    assert strict["burn_rate_alerts"] == []


def test_step_does_not_change_the_result(cli: Any, prometheus: str, tmp_path: Path) -> None:
    doc = _collect(cli, prometheus, tmp_path, FIXTURES / "slos.yaml", "--step", "300")
    strict = next(r for r in doc["items"] if r["slo"] == "availability-strict")
    assert strict["attainment"] == pytest.approx(0.99075, abs=1e-9)
    assert strict["error_budget_exhausted_at"] == "2026-11-19T13:05:00Z"


def test_no_data_gives_null_attainment(cli: Any, prometheus: str, tmp_path: Path) -> None:
    slo = tmp_path / "empty.yaml"
    slo.write_text((FIXTURES / "slos.yaml").read_text().replace('service="payments-api"', 'service="no-such-service"'))
    doc = _collect(cli, prometheus, tmp_path, slo)
    assert {r["attainment"] for r in doc["items"]} == {None}
    assert {r["error_budget_remaining"] for r in doc["items"]} == {None}


def test_same_inputs_same_bytes(cli: Any, prometheus: str, tmp_path: Path) -> None:
    a = _collect(cli, prometheus, tmp_path / "a")
    b = _collect(cli, prometheus, tmp_path / "b")
    assert a == b


def test_bad_promql_is_a_clear_error(cli: Any, prometheus: str, tmp_path: Path) -> None:
    slo = tmp_path / "bad.yaml"
    slo.write_text(
        (FIXTURES / "slos.yaml").read_text().replace('sum(http_requests_total{service="payments-api"})', "sum((")
    )
    result = cli("collect", "prometheus", "--url", prometheus, "--slo", slo, "--at", AT, "--out", tmp_path / "ev")
    assert result.code == 2
    assert "bad_data" in result.err and "total" in result.err
    assert "Traceback" not in result.err
    assert not (tmp_path / "ev").exists() or not list((tmp_path / "ev").glob("*.json"))


def test_unreachable_server_is_a_clear_error(cli: Any, tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    result = cli(
        "collect", "prometheus", "--url", url, "--slo", FIXTURES / "slos.yaml", "--at", AT, "--out", tmp_path / "ev"
    )
    assert result.code == 2
    assert f"prometheus {url}: cannot query" in result.err


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "apiVersion: openslo/v1\nkind: SLO\nmetadata:\n  name: availability\n",
            "apiVersion: openslo/v2\nkind: SLO\nmetadata:\n  name: availability\n",
            "apiVersion: found 'openslo/v2'",
        ),
        (
            "  budgetingMethod: Occurrences\n  timeWindow:\n    - duration: 1d\n      isRolling: true\n  objectives:\n    - displayName",
            "  budgetingMethod: Timeslices\n  timeWindow:\n    - duration: 1d\n      isRolling: true\n  objectives:\n    - displayName",
            "SLO availability: spec.budgetingMethod: found 'Timeslices'",
        ),
        (
            "    counter: true\n    good:",
            "    counter: false\n    good:",
            "SLI payments-availability.spec.ratioMetric.counter: found False",
        ),
        (
            '        type: Prometheus\n        spec:\n          query: sum(http_requests_total{service="payments-api",code!~',
            '        type: Datadog\n        spec:\n          query: sum(http_requests_total{service="payments-api",code!~',
            "good.metricSource.type: found 'Datadog'",
        ),
        (
            "    - duration: 1d\n      isRolling: true\n  objectives:\n    - displayName",
            "    - duration: 1d\n      isRolling: false\n  objectives:\n    - displayName",
            "timeWindow[0].isRolling: only rolling windows",
        ),
        ("      target: 0.99\n", "      target: 99\n", "objectives[0].target: found 99"),
        ("alertPolicyRef: payments-fast-burn", "alertPolicyRef: nope", "alertPolicyRef: found 'nope'"),
        (
            "    - duration: 1d\n      isRolling: true\n  objectives:\n    - displayName",
            "    - duration: 1 day\n      isRolling: true\n  objectives:\n    - displayName",
            "duration: found '1 day'",
        ),
    ],
)
def test_unsupported_openslo_names_the_field(tmp_path: Path, old: str, new: str, message: str) -> None:
    text = (FIXTURES / "slos.yaml").read_text()
    assert old in text
    slo = tmp_path / "slos.yaml"
    slo.write_text(text.replace(old, new, 1))
    with pytest.raises(CollectorError) as err:
        OpenSloDocument(slo).slos()
    assert message in str(err.value)
    assert str(slo) in str(err.value)


def test_threshold_metric_is_refused(tmp_path: Path) -> None:
    slo = tmp_path / "t.yaml"
    slo.write_text(
        "apiVersion: openslo/v1\nkind: SLO\nmetadata: {name: latency}\nspec:\n  service: api\n"
        "  indicator:\n    metadata: {name: lat}\n    spec:\n      thresholdMetric: {metricSource: {type: Prometheus}}\n"
        "  timeWindow: [{duration: 28d, isRolling: true}]\n  objectives: [{target: 0.9}]\n"
    )
    with pytest.raises(CollectorError, match=r"indicator.spec: found thresholdMetric, expected ratioMetric"):
        OpenSloDocument(slo).slos()


def test_cumulative_increase_handles_counter_resets() -> None:
    series = [{"values": [[0, "10"], [60, "15"], [120, "3"], [180, "8"]]}, {"values": [[60, "1"], [180, "4"]]}]
    assert cumulative_increase(series) == [(0.0, 0.0), (60.0, 5.0), (120.0, 8.0), (180.0, 16.0)]


def test_collector_declares_its_contract() -> None:
    assert PrometheusCollector.kinds == ("slo_reports",)
    assert PrometheusCollector.permissions


def test_collected_reports_drive_sm_007(cli: Any, prometheus: str, tmp_path: Path) -> None:
    from auditor.content import bundled
    from auditor.controls import load_library
    from auditor.engine import create
    from auditor.evaluate import evaluate
    from auditor.evidence import load_evidence
    from auditor.model import Status
    from auditor.policies import load_policies

    _collect(cli, prometheus, tmp_path)
    library = load_library(bundled("controls")).select(["SM-007"])
    run = evaluate(library, load_policies(bundled("policies")), load_evidence(tmp_path / "ev"), create("regorus"))
    (result,) = run.results
    assert result.status is Status.FAIL
    assert [v.resource for v in result.violations] == [f"payments-api/availability-strict/{AT}"]
    assert "attained 99.075%" in result.violations[0].message
