"""SLO attainment from Prometheus, for the SLOs an OpenSLO v1 document defines.

    auditor collect prometheus --url http://prometheus:9090 --slo slos.yaml --at 2026-11-20T00:00:00Z --out ev/

For every ``kind: SLO`` (with its SLI inline or by ``indicatorRef``) and every
objective, the collector queries ``/api/v1/query_range`` for the SLI's good (or
bad) and total counters over the rolling window ending at ``--at``, and writes one
``slo_reports`` item: attainment (good / total), error budget remaining, the first
instant the window's budget was exhausted, and for each burn-rate condition of the
SLO's alert policies, how many samples of ``ALERTS{alertname=<policy name>,
alertstate="firing"}`` the window holds (``/api/v1/query``).

Supported OpenSLO: ``ratioMetric`` with ``counter: true`` and a Prometheus
``metricSource`` (``spec.query``), ``good`` or ``bad`` with ``total``,
``budgetingMethod: Occurrences``, one rolling ``timeWindow``. Anything else is
refused with the document, the SLO and the field (exit 2).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import yaml

from auditor.collect.base import COLLECTORS, Clock, Collector, CollectorError, Document, Option, Progress, format_time

_DURATION = re.compile(r"^([1-9][0-9]*)([mhdw])$")
_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
#: Prometheus refuses range queries of more than 11,000 points per series.
_MAX_POINTS = 10_000


def parse_duration(value: Any, where: str) -> int:
    """Seconds in an OpenSLO duration such as ``28d``."""
    match = _DURATION.match(str(value)) if isinstance(value, str) else None
    if not match:
        raise CollectorError(f"{where}: found {value!r}, expected a duration such as 28d, 12h or 30m")
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class BurnRateCondition:
    policy: str
    threshold: float | None
    lookback: str | None


@dataclass(frozen=True)
class SloSpec:
    name: str
    service: str
    sli: str
    objective: str
    target: float
    window: str
    window_seconds: int
    good: str | None
    bad: str | None
    total: str
    alerts: tuple[BurnRateCondition, ...] = field(default=())


def _get(obj: Any, key: str, where: str) -> Any:
    if not isinstance(obj, dict) or key not in obj:
        raise CollectorError(f"{where}.{key}: required field is missing")
    return obj[key]


class OpenSloDocument:
    """The SLO, SLI, AlertPolicy and AlertCondition objects of one OpenSLO v1 file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            docs = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
        except (OSError, UnicodeDecodeError) as exc:
            raise CollectorError(f"{path}: cannot read: {exc}") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise CollectorError(f"{path}{line}: malformed YAML: {getattr(exc, 'problem', exc)}") from None
        self.objects: dict[str, dict[str, dict[str, Any]]] = {}
        for index, doc in enumerate(docs):
            where = f"{path}: document {index + 1}"
            if not isinstance(doc, dict):
                raise CollectorError(f"{where}: expected an OpenSLO object (a mapping), found {type(doc).__name__}")
            api = doc.get("apiVersion")
            if api != "openslo/v1":
                raise CollectorError(f"{where}: apiVersion: found {api!r}, expected 'openslo/v1'")
            kind = _get(doc, "kind", where)
            name = _get(_get(doc, "metadata", where), "name", f"{where}.metadata")
            self.objects.setdefault(kind, {})[str(name)] = doc
        if not self.objects.get("SLO"):
            raise CollectorError(f"{path}: no 'kind: SLO' object found; nothing to collect")

    def _ref(self, kind: str, name: Any, where: str) -> dict[str, Any]:
        found = self.objects.get(kind, {}).get(str(name))
        if found is None:
            known = ", ".join(sorted(self.objects.get(kind, {}))) or "none"
            raise CollectorError(f"{where}: found {name!r}, expected the name of a {kind} in {self.path} ({known})")
        return found

    def slos(self) -> list[SloSpec]:
        specs = []
        for name, doc in sorted(self.objects["SLO"].items()):
            specs.extend(self._slo(name, doc))
        return specs

    def _slo(self, name: str, doc: dict[str, Any]) -> list[SloSpec]:
        where = f"{self.path}: SLO {name}: spec"
        spec = _get(doc, "spec", f"{self.path}: SLO {name}")
        service = str(_get(spec, "service", where))
        method = spec.get("budgetingMethod", "Occurrences")
        if method != "Occurrences":
            raise CollectorError(
                f"{where}.budgetingMethod: found {method!r}, expected 'Occurrences' (the only method supported)"
            )
        windows = _get(spec, "timeWindow", where)
        if not isinstance(windows, list) or len(windows) != 1:
            raise CollectorError(f"{where}.timeWindow: expected exactly one time window")
        window = windows[0]
        if not isinstance(window, dict) or window.get("isRolling") is not True or "calendar" in window:
            raise CollectorError(
                f"{where}.timeWindow[0].isRolling: only rolling windows are supported, found {window!r}"
            )
        duration = str(_get(window, "duration", f"{where}.timeWindow[0]"))
        seconds = parse_duration(duration, f"{where}.timeWindow[0].duration")
        if "indicator" in spec:
            indicator, sli_where = spec["indicator"], f"{where}.indicator"
        else:
            ref = _get(spec, "indicatorRef", where)
            indicator, sli_where = self._ref("SLI", ref, f"{where}.indicatorRef"), f"{self.path}: SLI {ref}"
        good, bad, total = self._ratio(indicator, sli_where)
        sli_text = str(
            indicator.get("spec", {}).get("description")
            or indicator.get("metadata", {}).get("displayName")
            or indicator.get("metadata", {}).get("name")
            or name
        )
        alerts = tuple(self._alerts(spec, where))
        objectives = _get(spec, "objectives", where)
        if not isinstance(objectives, list) or not objectives:
            raise CollectorError(f"{where}.objectives: expected at least one objective")
        out = []
        for i, objective in enumerate(objectives):
            owhere = f"{where}.objectives[{i}]"
            target = _get(objective, "target", owhere)
            if not isinstance(target, (int, float)) or isinstance(target, bool) or not 0 < target < 1:
                raise CollectorError(
                    f"{owhere}.target: found {target!r}, expected a fraction between 0 and 1 such as 0.999"
                )
            if "ratioMetric" in objective or "op" in objective:
                raise CollectorError(f"{owhere}: per-objective metrics (threshold SLIs) are not supported")
            label = name if len(objectives) == 1 else f"{name}:{objective.get('displayName') or i}"
            out.append(
                SloSpec(
                    label,
                    service,
                    sli_text,
                    str(objective.get("displayName") or label),
                    float(target),
                    duration,
                    seconds,
                    good,
                    bad,
                    total,
                    alerts,
                )
            )
        return out

    def _ratio(self, indicator: Any, where: str) -> tuple[str | None, str | None, str]:
        spec = _get(indicator, "spec", where)
        if "ratioMetric" not in spec:
            other = ", ".join(sorted(k for k in spec if k != "description")) or "nothing"
            raise CollectorError(
                f"{where}.spec: found {other}, expected ratioMetric (threshold and raw metrics are not supported)"
            )
        ratio = spec["ratioMetric"]
        rwhere = f"{where}.spec.ratioMetric"
        if ratio.get("counter") is not True:
            raise CollectorError(
                f"{rwhere}.counter: found {ratio.get('counter')!r}, expected true (only counter SLIs are supported)"
            )
        if "raw" in ratio:
            raise CollectorError(f"{rwhere}.raw: raw ratio metrics are not supported; give good or bad, and total")
        good = self._query(ratio["good"], f"{rwhere}.good") if "good" in ratio else None
        bad = self._query(ratio["bad"], f"{rwhere}.bad") if "bad" in ratio else None
        if (good is None) == (bad is None):
            raise CollectorError(f"{rwhere}: expected exactly one of good or bad")
        return good, bad, self._query(_get(ratio, "total", rwhere), f"{rwhere}.total")

    @staticmethod
    def _query(metric: Any, where: str) -> str:
        source = _get(metric, "metricSource", where)
        kind = source.get("type") if isinstance(source, dict) else None
        if not isinstance(kind, str) or kind.lower() != "prometheus":
            raise CollectorError(
                f"{where}.metricSource.type: found {kind!r}, expected 'Prometheus' (the only source supported)"
            )
        query = _get(_get(source, "spec", f"{where}.metricSource"), "query", f"{where}.metricSource.spec")
        if not isinstance(query, str) or not query.strip():
            raise CollectorError(f"{where}.metricSource.spec.query: expected a PromQL query")
        return query.strip()

    def _alerts(self, spec: dict[str, Any], where: str) -> list[BurnRateCondition]:
        found = []
        for i, entry in enumerate(spec.get("alertPolicies") or []):
            pwhere = f"{where}.alertPolicies[{i}]"
            if isinstance(entry, dict) and "alertPolicyRef" in entry:
                policy = self._ref("AlertPolicy", entry["alertPolicyRef"], f"{pwhere}.alertPolicyRef")
            elif isinstance(entry, dict) and entry.get("kind") == "AlertPolicy":
                policy = entry
            else:
                raise CollectorError(f"{pwhere}: expected an inline AlertPolicy or an alertPolicyRef")
            pname = str(_get(_get(policy, "metadata", pwhere), "name", f"{pwhere}.metadata"))
            for j, cond in enumerate(_get(_get(policy, "spec", pwhere), "conditions", f"{pwhere}.spec")):
                cwhere = f"{pwhere}.spec.conditions[{j}]"
                if isinstance(cond, dict) and "conditionRef" in cond:
                    cond = self._ref("AlertCondition", cond["conditionRef"], f"{cwhere}.conditionRef")
                body = _get(_get(cond, "spec", cwhere), "condition", f"{cwhere}.spec")
                if body.get("kind") != "burnrate":
                    raise CollectorError(
                        f"{cwhere}.spec.condition.kind: found {body.get('kind')!r}, expected 'burnrate'"
                    )
                threshold = body.get("threshold")
                found.append(
                    BurnRateCondition(
                        pname,
                        float(threshold) if isinstance(threshold, (int, float)) else None,
                        body.get("lookbackWindow"),
                    )
                )
        return found


class PrometheusClient:
    """The two Prometheus HTTP API calls the collector makes, with retries and backoff."""

    def __init__(self, url: str, session: Any = None, timeout: float = 30.0) -> None:
        self.url = url.rstrip("/")
        self.timeout = timeout
        if session is None:
            import requests
            from requests.adapters import HTTPAdapter
            from urllib3.util.retry import Retry

            session = requests.Session()
            retry = Retry(
                total=4,
                backoff_factor=0.5,
                status_forcelist=(429, 502, 503, 504),
                allowed_methods=frozenset({"GET"}),
                raise_on_status=False,
            )
            session.mount("http://", HTTPAdapter(max_retries=retry))
            session.mount("https://", HTTPAdapter(max_retries=retry))
        self.session = session

    def _get(self, path: str, params: dict[str, str], what: str) -> Any:
        import requests

        try:
            response = self.session.get(self.url + path, params=params, timeout=self.timeout)
        except requests.RequestException as exc:
            raise CollectorError(f"prometheus {self.url}: cannot query {what}: {type(exc).__name__}") from None
        try:
            body = response.json()
        except ValueError:
            raise CollectorError(
                f"prometheus {self.url}{path}: HTTP {response.status_code}, expected a JSON API response"
            ) from None
        if response.status_code != 200 or body.get("status") != "success":
            raise CollectorError(
                f"prometheus {self.url}: {what}: "
                f"{body.get('errorType', 'error')}: {body.get('error', response.status_code)}"
            )
        return body["data"]

    def query_range(self, query: str, start: datetime, end: datetime, step: int, what: str) -> list[dict[str, Any]]:
        data = self._get(
            "/api/v1/query_range",
            {
                "query": query,
                "start": str(int(start.timestamp())),
                "end": str(int(end.timestamp())),
                "step": f"{step}s",
            },
            what,
        )
        if data.get("resultType") != "matrix":
            raise CollectorError(
                f"prometheus: {what}: found a {data.get('resultType')} result, expected a range vector (matrix)"
            )
        return list(data["result"])

    def query(self, query: str, at: datetime, what: str) -> list[dict[str, Any]]:
        data = self._get("/api/v1/query", {"query": query, "time": str(int(at.timestamp()))}, what)
        return list(data.get("result", []))


def cumulative_increase(series: list[dict[str, Any]]) -> list[tuple[float, float]]:
    """[(timestamp, increase since the first sample)] summed over every series, counter resets allowed for."""
    per_series: list[list[tuple[float, float]]] = []
    for one in series:
        points = [(float(t), float(v)) for t, v in one.get("values", [])]
        total, out = 0.0, []
        for k, (t, v) in enumerate(points):
            if k:
                prev = points[k - 1][1]
                total += v - prev if v >= prev else v  # a drop is a reset: the counter restarted from zero
            out.append((t, total))
        per_series.append(out)
    stamps = sorted({t for cum in per_series for t, _ in cum})
    result = []
    cursors = [0] * len(per_series)
    latest = [0.0] * len(per_series)
    for t in stamps:
        for i, cum in enumerate(per_series):
            while cursors[i] < len(cum) and cum[cursors[i]][0] <= t:
                latest[i] = cum[cursors[i]][1]
                cursors[i] += 1
        result.append((t, sum(latest)))
    return result


@COLLECTORS.register("prometheus")
class PrometheusCollector(Collector):
    """SLO attainment (slo_reports) from Prometheus for the SLOs of an OpenSLO v1 document.

    Example::

        auditor collect prometheus --url http://prom:9090 --slo slos.yaml --at 2026-11-20T00:00:00Z --out ev/
    """

    version: ClassVar[str] = "0.1.0"
    kinds: ClassVar[tuple[str, ...]] = ("slo_reports",)
    permissions: ClassVar[tuple[str, ...]] = (
        "read access to the Prometheus HTTP API (/api/v1/query, /api/v1/query_range)",
    )
    help: ClassVar[str] = "SLO attainment and error budgets (slo_reports) from Prometheus for an OpenSLO document."
    options: ClassVar[tuple[Option, ...]] = (
        Option("url", "Prometheus base URL, e.g. http://prometheus:9090.", required=True),
        Option("slo_file", "OpenSLO v1 document (SLO, SLI, AlertPolicy).", type="file", flag="--slo", required=True),
        Option("at", "End of every SLO window (RFC 3339); default: the collection instant."),
        Option("step", "Range query resolution in seconds (default: window / 10000, at least 60).", type="int",
               minimum=1),
    )

    def __init__(
        self,
        url: str,
        slo_file: Path,
        at: str | None = None,
        step: int | None = None,
        client: PrometheusClient | None = None,
        clock: Clock | None = None,
        progress: Progress | None = None,
    ) -> None:
        super().__init__(clock, progress)
        from auditor.collect.base import parse_instant

        self.url = url
        self.slo_file = Path(slo_file)
        self.at = parse_instant(at, "--at") if at else None
        self.step = step
        self.client = client or PrometheusClient(url)

    def collect(self) -> list[Document]:
        specs = OpenSloDocument(self.slo_file).slos()
        end = self.at or self.clock.now()
        items = [self._report(spec, end) for spec in specs]
        return [
            Document(
                "slo_reports", f"prometheus:{self.url}", items, name=f"prometheus-slo_reports-{self.slo_file.stem}"
            )
        ]

    def _report(self, spec: SloSpec, end: datetime) -> dict[str, Any]:
        start = end - timedelta(seconds=spec.window_seconds)
        step = self.step or max(60, math.ceil(spec.window_seconds / _MAX_POINTS))
        what = f"SLO {spec.name}"
        total = cumulative_increase(self.client.query_range(spec.total, start, end, step, f"{what} total"))
        counted = spec.good if spec.good is not None else spec.bad
        part = cumulative_increase(
            self.client.query_range(str(counted), start, end, step, f"{what} {'good' if spec.good else 'bad'}")
        )
        total_by_t = dict(total)
        part_by_t = dict(part)
        total_events = total[-1][1] if total else 0.0
        part_events = part[-1][1] if part else 0.0
        good_events = part_events if spec.good is not None else total_events - part_events
        attainment = good_events / total_events if total_events > 0 else None
        remaining = None if attainment is None else 1 - (1 - attainment) / (1 - spec.target)
        budget = (1 - spec.target) * total_events
        exhausted = None
        if total_events > 0:
            for t in sorted(total_by_t):
                p = part_by_t.get(t, 0.0)
                bad = (total_by_t[t] - p) if spec.good is not None else p
                if bad > budget:
                    exhausted = format_time(datetime.fromtimestamp(t, UTC))
                    break
        alerts = []
        for cond in spec.alerts:
            query = (
                f'sum(count_over_time(ALERTS{{alertname="{cond.policy}",alertstate="firing"}}[{spec.window_seconds}s]))'
            )
            result = self.client.query(query, end, f"{what} alert {cond.policy}")
            fired = int(float(result[0]["value"][1])) if result else 0
            alerts.append(
                {
                    "name": cond.policy,
                    "threshold": cond.threshold,
                    "lookback": cond.lookback,
                    "configured": True,
                    "fired": fired,
                }
            )
        window_end = format_time(end)
        return {
            "id": f"{spec.service}/{spec.name}/{window_end}",
            "service": spec.service,
            "slo": spec.name,
            "sli": spec.sli,
            "target": spec.target,
            "window": spec.window,
            "window_start": format_time(start),
            "window_end": window_end,
            "good_events": round(good_events, 6) if total_events > 0 else None,
            "total_events": round(total_events, 6) if total_events > 0 else None,
            "attainment": None if attainment is None else round(attainment, 9),
            "error_budget_remaining": None if remaining is None else round(remaining, 9),
            "error_budget_exhausted_at": exhausted,
            "burn_rate_alerts": sorted(alerts, key=lambda a: (a["name"], a["lookback"] or "")),
        }
