"""The Open Policy Agent server backend: evaluate on a remote ``opa run --server`` (or a fleet behind a
load balancer) through its REST API.

Usage::

    engine = create("opa", url="https://opa.internal:8181", token=os.environ["OPA_TOKEN"])
    engine.load(policies, {"params": ..., "audit": {"as_of": ...}})   # health check, push policies
    engine.set_input(evidence.input_json())                          # kept as bytes, never parsed
    engine.query("data.controls.sod.sod_001.violations")

Design (see docs/opa.md):

- ``opa-python-client`` does the health check, the policy and data pushes; its own session
  (fixed retry policy, no retries on POST, no 503) is replaced by one with a urllib3 ``Retry``:
  connection errors and 429/502/503/504 are retried with exponential backoff, on every method
  (evaluation is read-only). 500 is not retried: OPA answers 500 for evaluation errors, which
  are deterministic.
- Queries go to ``POST /v1/query`` with ``with data.params as ... with data.audit as ...``, so a
  query carries everything it depends on except the policies: several jobs with different
  parameters or ``as_of`` can share one server or a fleet, and a preloaded bundle's
  ``data.params`` can never silently differ from the parameters recorded in the results.
- The evidence is sent once for all controls: the first query evaluates the whole
  ``data.controls`` tree in one request; if that request fails (one control's evaluation error
  fails it all), each control is queried on its own so the error stays with its control.
- The request body ``{"query": ..., "input": <evidence>}`` is streamed from the evidence bytes
  (no second copy, no ``json.loads``), with a Content-Length, rewindable for retries.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any
from urllib.parse import urlsplit

import orjson

from auditor import __version__
from auditor.engine.base import ENGINES, Engine
from auditor.errors import EngineError, InputError
from auditor.policies import PolicySource

#: Policy ids this backend owns on the server (``PUT /v1/policies/auditor/<relpath>``).
POLICY_ID_PREFIX = "auditor/"
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Unreachable(EngineError):
    """The server could not be reached or did not answer in time (as opposed to answering an error)."""


class ConcatBody:
    """A read-only, seekable file over several byte strings, without joining them.

    ``requests`` sends it with a Content-Length (``__len__``) and urllib3 rewinds it
    (``tell``/``seek``) before a retry. Reading copies one block at a time.
    """

    def __init__(self, *parts: bytes) -> None:
        self._parts = [memoryview(p) for p in parts if p]
        self._starts = []
        offset = 0
        for part in self._parts:
            self._starts.append(offset)
            offset += len(part)
        self._length = offset
        self._pos = 0

    def __len__(self) -> int:
        return self._length

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: self._length}[whence]
        self._pos = max(0, min(self._length, base + offset))
        return self._pos

    def read(self, size: int = -1) -> bytes:
        end = self._length if size is None or size < 0 else min(self._length, self._pos + size)
        chunks = []
        for start, part in zip(self._starts, self._parts, strict=True):
            stop = start + len(part)
            if stop <= self._pos or start >= end:
                continue
            chunks.append(part[max(self._pos, start) - start : min(end, stop) - start])
        self._pos = end
        return b"".join(chunks)


def _short_reason(exc: BaseException) -> str:
    """The innermost useful reason of a requests/urllib3 exception, on one line."""
    reason: Any = exc
    for _ in range(4):
        inner = getattr(reason, "reason", None) or (reason.args[0] if getattr(reason, "args", None) else None)
        if inner is None or inner is reason or isinstance(inner, str):
            break
        reason = inner
    text = str(reason)
    # urllib3 prefixes reasons with an object repr: keep the human part.
    text = re.sub(r"<[^>]*object at 0x[0-9a-f]+>:\s*", "", text)
    return " ".join(text.split()) or type(exc).__name__


def _is_timeout(exc: BaseException) -> bool:
    """requests reports a read timeout after exhausted retries as a ConnectionError: look inside."""
    from urllib3.exceptions import TimeoutError as Urllib3Timeout

    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, Urllib3Timeout) or type(seen).__name__.endswith("Timeout"):
            return True
        inner = getattr(seen, "reason", None)
        if inner is None and seen.args and isinstance(seen.args[0], BaseException):
            inner = seen.args[0]
        seen = inner if isinstance(inner, BaseException) else None
    return False


def opa_error_message(status: int, body: bytes) -> str:
    """``HTTP 400 invalid_parameter: message: file:row: code: detail; ...`` from an OPA error body."""
    try:
        doc = orjson.loads(body)
    except orjson.JSONDecodeError:
        text = " ".join(body[:200].decode("utf-8", "replace").split())
        return f"HTTP {status}: {text or 'no body'}"
    if not isinstance(doc, dict):
        return f"HTTP {status}: {doc!r}"[:300]
    parts = [f"HTTP {status} {doc.get('code', 'error')}: {doc.get('message', '')}".rstrip(": ")]
    for err in doc.get("errors") or []:
        if not isinstance(err, dict):
            continue
        loc = err.get("location") or {}
        where = f"{loc.get('file', '')}:{loc.get('row', '')}: " if loc.get("file") else ""
        parts.append(f"{where}{err.get('code', '')}: {err.get('message', '')}")
    return "; ".join(parts)


def _rego_term(value: Any) -> str:
    """A JSON value as a Rego term (JSON is valid Rego term syntax)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode("utf-8")


@ENGINES.register("opa")
class OpaServerEngine(Engine):
    """A remote OPA server. Usage: ``create("opa", url="http://127.0.0.1:8181")``.

    Options: ``url`` (required; http or https, optional path prefix), ``token`` (bearer token),
    ``preloaded`` (policies come from a bundle already loaded; nothing is pushed), ``timeout``
    (seconds to wait for an answer), ``connect_timeout``, ``verify`` (TLS verification: True,
    False, or a CA bundle path; on by default), ``retries`` and ``backoff`` (seconds, doubled per
    retry) for connection errors and 429/502/503/504.
    """


    def __init__(
        self,
        url: str,
        token: str | None = None,
        preloaded: bool = False,
        timeout: float = 120.0,
        connect_timeout: float = 5.0,
        verify: bool | str = True,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        parts = urlsplit(url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise InputError(f"--opa-url: found {url!r}, expected http(s)://host[:port][/prefix]")
        if parts.username or parts.password:
            raise InputError("--opa-url: credentials in the URL are not accepted; use --opa-token-env")
        if timeout <= 0 or connect_timeout <= 0 or retries < 0:
            raise InputError("opa engine: timeout must be positive and retries at least 0")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise InputError(f"--opa-url: found {url!r}, expected a numeric port") from None
        self.url = f"{parts.scheme}://{parts.hostname}:{port}{parts.path.rstrip('/')}"
        self.preloaded = preloaded
        self.timeout = (connect_timeout, timeout)
        self._server_version = "unknown"
        self._with = ""
        self._input: bytes | None = None
        self._batches: dict[str, Any] = {}
        self._batch_failed: dict[str, str] = {}
        self._down: dict[str, str] = {}
        self._session = self._make_session(token, verify, retries, backoff)
        self._client = self._make_client(parts.scheme == "https", parts.hostname, port)

    # -- plumbing ---------------------------------------------------------------------------

    @staticmethod
    def _make_session(token: str | None, verify: bool | str, retries: int, backoff: float) -> Any:
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=backoff,
            status_forcelist=(429, 502, 503, 504),
            allowed_methods=None,  # every method: evaluation is read-only, pushes are idempotent PUTs
            raise_on_status=False,  # hand back the last response so OPA's message reaches the user
            respect_retry_after_header=True,
        )
        session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        session.verify = verify
        session.headers["User-Agent"] = f"auditor/{__version__}"
        if token:
            session.headers["Authorization"] = f"Bearer {token}"
        return session

    def _make_client(self, tls: bool, host: str, port: int) -> Any:
        from opa_client import OpaClient

        session = self._session

        class _Client(OpaClient):
            """opa-python-client with our session (retry policy, TLS, auth) and a path prefix."""

            def _init_session(self) -> Any:
                return session

        client = _Client(host=host, port=port, ssl=tls, timeout=self.timeout)
        client.root_url = f"{self.url}/v1"
        return client

    def _call(self, what: str, func: Any, *args: Any, **kwargs: Any) -> Any:
        """Run an opa-python-client call; every failure becomes one EngineError line."""
        import requests
        from opa_client.errors import RegoParseError

        try:
            return func(*args, **kwargs)
        except RegoParseError as exc:  # the client's error for any non-success answer with a JSON body
            details = "; ".join(
                f"{e.get('code', '')}: {e.get('message', '')}" for e in exc.errors if isinstance(e, dict)
            )
            message = f"{exc.expression}: {exc.message}" + (f": {details}" if details else "")
            raise EngineError(f"OPA at {self.url}: {what}: {message}") from None
        except requests.exceptions.Timeout:
            raise EngineError(f"OPA at {self.url}: {what}: no answer within {self.timeout[1]:g}s") from None
        except requests.exceptions.JSONDecodeError:
            raise EngineError(f"OPA at {self.url}: {what}: the server answered an error that is not JSON") from None
        except requests.exceptions.HTTPError as exc:
            status, body = (exc.response.status_code, exc.response.content) if exc.response is not None else (0, b"")
            raise EngineError(f"OPA at {self.url}: {what}: {opa_error_message(status, body)}") from None
        except requests.exceptions.RequestException as exc:
            if _is_timeout(exc):
                raise EngineError(f"OPA at {self.url}: {what}: no answer within {self.timeout[1]:g}s") from None
            raise EngineError(f"OPA at {self.url}: {what}: unreachable: {_short_reason(exc)}") from None
        except Exception as exc:  # noqa: BLE001 - the client raises its own assorted errors
            message = getattr(exc, "message", None) or str(exc)
            raise EngineError(f"OPA at {self.url}: {what}: {type(exc).__name__}: {message}") from None

    def _post(self, path: str, body: ConcatBody) -> Any:
        import requests

        try:
            response = self._session.post(
                self.url + path, data=body, headers={"Content-Type": "application/json"}, timeout=self.timeout
            )
        except requests.exceptions.Timeout:
            raise Unreachable(f"OPA at {self.url}: no answer within {self.timeout[1]:g}s (POST {path})") from None
        except requests.exceptions.RequestException as exc:
            if _is_timeout(exc):
                raise Unreachable(f"OPA at {self.url}: no answer within {self.timeout[1]:g}s (POST {path})") from None
            raise Unreachable(f"OPA at {self.url}: unreachable: {_short_reason(exc)}") from None
        if response.status_code != 200:
            raise EngineError(f"OPA at {self.url}: {opa_error_message(response.status_code, response.content)}")
        try:
            return orjson.loads(response.content)
        except orjson.JSONDecodeError:
            raise EngineError(f"OPA at {self.url}: POST {path} answered 200 with a body that is not JSON") from None

    def _diagnose_health(self, query: str) -> str:
        import requests

        try:
            response = self._session.get(f"{self.url}/health{query}", timeout=self.timeout)
        except requests.exceptions.RequestException as exc:
            return f"unreachable: {_short_reason(exc)}"
        if response.status_code == 200:
            return "healthy on a second attempt"
        return opa_error_message(response.status_code, response.content)

    # -- Engine -----------------------------------------------------------------------------

    def version(self) -> str:
        return self._server_version

    def describe(self) -> dict[str, str]:
        try:
            client_version = metadata.version("opa-python-client")
        except metadata.PackageNotFoundError:  # pragma: no cover
            client_version = "unknown"
        return {
            "name": self.name,
            "version": self._server_version,
            "url": self.url,
            "policies": "preloaded" if self.preloaded else "pushed",
            "client": f"opa-python-client {client_version}",
        }

    def load(self, policies: Sequence[PolicySource], data: Mapping[str, Any]) -> None:
        query = {"bundles": "true"} if self.preloaded else None
        healthy = self._call(
            "health check", self._client.check_health, query=query, diagnostic_url=f"{self.url}/health"
        )
        if not healthy:
            reason = self._diagnose_health("?bundles=true" if self.preloaded else "")
            raise EngineError(f"OPA at {self.url}: health check failed: {reason}")
        self._server_version = self._probe_version()
        for key in data:
            if not _IDENTIFIER.match(key):
                raise EngineError(f"opa engine: data key {key!r} is not a Rego identifier")
        self._with = "".join(f" with data.{key} as {_rego_term(value)}" for key, value in sorted(data.items()))
        if self.preloaded:
            return
        self._push_policies(policies)
        for key, value in sorted(data.items()):
            self._call(f"PUT /v1/data/{key}", self._client.update_or_create_data, dict(value), key)

    def _probe_version(self) -> str:
        try:
            doc = self._post("/v1/query", ConcatBody(b'{"query":"x := opa.runtime().version"}'))
        except EngineError:
            return "unknown"
        rows = doc.get("result") if isinstance(doc, dict) else None
        value = rows[0].get("x") if rows and isinstance(rows[0], dict) else None
        return value if isinstance(value, str) else "unknown"

    def _push_policies(self, policies: Sequence[PolicySource]) -> None:
        wanted = {POLICY_ID_PREFIX + s.relpath: s for s in policies}
        existing = self._call("GET /v1/policies", self._client.get_policies_list)
        for stale in sorted(i for i in existing if i.startswith(POLICY_ID_PREFIX) and i not in wanted):
            # A module left by an earlier run would merge its rules into a package of this run.
            self._call(f"DELETE /v1/policies/{stale}", self._client.delete_policy, stale)
        # OPA compiles each module against the modules it already has, so a module calling a
        # function of a module not pushed yet is rejected: push in passes until nothing moves.
        pending = sorted(wanted.items(), key=lambda item: (not item[1].package.startswith("lib."), item[0]))
        while pending:
            failed: list[tuple[str, PolicySource, EngineError]] = []
            for policy_id, source in pending:
                try:
                    self._call(
                        f"policy {source.relpath} rejected",
                        self._client.update_policy_from_string,
                        source.text,
                        policy_id,
                        rego_compat=False,
                    )
                except EngineError as exc:
                    failed.append((policy_id, source, exc))
            if not failed or len(failed) == len(pending):
                break
            pending = [(policy_id, source) for policy_id, source, _ in failed]
        if failed:
            raise EngineError("; ".join(exc.message for _, _, exc in failed))

    def set_input(self, input_json: bytes) -> None:
        self._input = input_json
        self._batches.clear()
        self._batch_failed.clear()
        self._down.clear()

    def _evaluate(self, ref: str) -> Any:
        if self._input is None:
            raise EngineError("opa engine: set_input was not called")
        query = f"x := {ref}{self._with}"
        body = ConcatBody(b'{"query":', orjson.dumps(query), b',"input":', self._input, b"}")
        doc = self._post("/v1/query", body)
        rows = doc.get("result") if isinstance(doc, dict) else None
        if not rows:
            return None
        if not isinstance(rows, list) or not isinstance(rows[0], dict) or "x" not in rows[0]:
            raise EngineError(f"OPA at {self.url}: unexpected query answer for {ref}")
        return rows[0]["x"]

    def query(self, ref: str) -> Any:
        segments = ref.split(".")
        if len(segments) < 3 or segments[0] != "data" or not all(_IDENTIFIER.match(s) for s in segments):
            raise EngineError(f"opa engine: cannot query {ref!r}; expected data.<package>.<rule>")
        root = ".".join(segments[:2])
        if root in self._down:  # the server is gone: do not wait for it once per control
            raise EngineError(self._down[root])
        try:
            if root not in self._batches and root not in self._batch_failed:
                try:
                    self._batches[root] = self._evaluate(root)
                except Unreachable:
                    raise
                except EngineError as exc:
                    # One control's evaluation error fails the whole tree: query controls one by one.
                    self._batch_failed[root] = exc.message
            if root in self._batch_failed:
                return self._evaluate(ref)
        except Unreachable as exc:
            self._down[root] = exc.message
            raise EngineError(exc.message) from None
        value = self._batches[root]
        if value is None:
            hint = " (is the bundle loaded? see --opa-preloaded)" if self.preloaded else ""
            raise EngineError(f"OPA at {self.url}: nothing is defined under {root}{hint}")
        for segment in segments[2:]:
            if not isinstance(value, dict) or segment not in value:
                return None
            value = value[segment]
        return value
