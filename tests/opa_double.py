"""OpaTestDouble: a loopback HTTP server that speaks the subset of OPA's REST API Auditor uses.

THIS IS A TEST DOUBLE, NOT OPA. No ``opa`` binary can be installed on the machines this
project is developed on, so the OPA backend is tested against this server, which evaluates
with the embedded regorus engine. When an ``opa`` binary is available (``OPA_BIN`` or ``opa``
on PATH) the same tests run against real OPA instead (see ``tests/engine/conftest.py``).

Endpoints (as OPA documents them, docs/docs/rest-api.md):

- ``GET /health`` (``?bundles=true`` too): 200 ``{}``
- ``GET /v1/policies``: ``{"result": [{"id", "raw"}]}``; ``PUT /v1/policies/<id>`` (text/plain
  Rego; 400 ``{"code": "invalid_parameter", "errors": [...]}`` when it does not compile);
  ``DELETE /v1/policies/<id>``
- ``PUT /v1/data/<path>`` (JSON document, 204)
- ``POST /v1/query`` ``{"query", "input"}``: ``{"result": [bindings]}``, ``{}`` when undefined,
  500 ``{"code": "internal_error"}`` on an evaluation error

Knobs that real OPA does not have, for fault injection: ``token`` (401 without it),
``inject(status, times, path)`` (e.g. 503 flakiness), ``delay`` (slow answers),
``reject_policy(substring, message)`` (a compile error regorus would not raise),
``max_body`` (OPA's ``server.decoding.max_length``), ``load_bundle(path)`` (as
``opa run --server --bundle``), and ``requests`` (a log of every request).
"""

from __future__ import annotations

import io
import json
import os
import tarfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

os.environ["RUST_BACKTRACE"] = "0"
import regorus

from auditor.engine.regorus_engine import RegorusEngine, clean_message

_REGORUS = RegorusEngine.version()


@dataclass
class Logged:
    method: str
    path: str
    length: int
    status: int = 0


@dataclass
class _Fault:
    status: int
    times: int
    path: str
    min_length: int


@dataclass
class _State:
    policies: dict[str, str] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    bundle_roots: list[str] = field(default_factory=list)


class OpaTestDouble:
    """Start with ``with OpaTestDouble() as opa: opa.url``; binds 127.0.0.1 on a random port."""

    kind = "double"

    def __init__(self, token: str | None = None) -> None:
        self.token = token
        self.delay = 0.0
        self.delay_path = ""
        self.max_body = 268435456  # OPA's default server.decoding.max_length (256 MiB)
        self.requests: list[Logged] = []
        self._faults: list[_Fault] = []
        self._rejects: dict[str, str] = {}
        self._state = _State()
        self._prepared: Any = None
        self._lock = threading.Lock()
        # A regorus engine may only be used on the thread that created it: one worker owns them all.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="opa-double-eval")
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- lifecycle and knobs ----------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> OpaTestDouble:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._worker.submit(self._drop).result()
        self._worker.shutdown(wait=True)

    def inject(self, status: int, times: int = 1, path: str = "", min_length: int = 0) -> None:
        """Answer the next ``times`` requests to ``path...`` with a body of ``min_length`` bytes or more."""
        self._faults.append(_Fault(status, times, path, min_length))

    def reject_policy(self, substring: str, message: str) -> None:
        """Refuse any policy whose text contains ``substring``, as OPA's compiler would."""
        self._rejects[substring] = message

    def load_bundle(self, path: Path) -> None:
        """Load an OPA bundle (.tar.gz) the way ``opa run --server --bundle`` does."""
        with tarfile.open(path, "r:gz") as tar:
            files = {m.name.lstrip("/"): tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]
        manifest = json.loads(files.pop(".manifest", b"{}"))
        files.pop(".signatures.json", None)
        state = _State(bundle_roots=list(manifest.get("roots", [""])))
        for name, raw in sorted(files.items()):
            if name.endswith(".rego"):
                state.policies[name] = raw.decode("utf-8")
            elif name.endswith("data.json"):
                target = state.data
                for part in [p for p in name.split("/")[:-1] if p]:
                    target = target.setdefault(part, {})
                target.update(json.loads(raw))
        ok, message = self._on_worker(self._compile, state)
        if not ok:
            raise RuntimeError(f"bundle does not compile: {message}")
        self._state = state

    def requests_to(self, method: str, prefix: str) -> list[Logged]:
        return [r for r in self.requests if r.method == method and r.path.startswith(prefix)]

    # -- evaluation (always on the worker thread) ------------------------------------------

    def _on_worker(self, func: Any, *args: Any) -> tuple[bool, Any]:
        """Run ``func`` on the engine thread: ``(True, value)`` or ``(False, error message)``.

        Errors are turned into strings on the worker so no traceback carries an engine to
        another thread (regorus panics when an engine is dropped off its thread).
        """

        def call() -> tuple[bool, Any]:
            try:
                return True, func(*args)
            except BaseException as exc:
                if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
                    raise
                return False, clean_message(str(exc))

        return self._worker.submit(call).result()

    def _compile(self, state: _State) -> None:
        engine = regorus.Engine()
        # OPA has no line-length limit; regorus rejects lines over 1,024 columns by default, and the
        # backend's queries carry data.params on one line.
        engine.set_policy_length_config(max_col=1 << 24, max_file_bytes=1 << 26, max_lines=1 << 20)
        for policy_id, text in sorted(state.policies.items()):
            engine.add_policy(policy_id, text)
        engine.add_data_json(json.dumps(state.data))
        self._prepared = engine

    def _query(self, query: str, input_json: str | None) -> Any:
        if self._prepared is None:
            self._compile(self._state)
        engine = self._prepared.clone()
        if input_json is not None:
            engine.set_input_json(input_json)
        answer = json.loads(engine.eval_query_as_json(query))
        rows = [row.get("bindings", {}) for row in answer.get("result", [])]
        return {"result": rows} if rows else {}

    def _drop(self) -> None:
        self._prepared = None

    # -- HTTP -------------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        double = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def _send(self, status: int, doc: Any = None) -> None:
                body = b"" if doc is None else json.dumps(doc).encode()
                double.requests[-1].status = status
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _error(self, status: int, code: str, message: str, errors: list[Any] | None = None) -> None:
                doc: dict[str, Any] = {"code": code, "message": message}
                if errors:
                    doc["errors"] = errors
                self._send(status, doc)

            def _body(self) -> bytes | None:
                length = int(self.headers.get("Content-Length") or 0)
                if length > double.max_body:
                    self.rfile.read(length)
                    self._error(400, "invalid_parameter", "request body too large")
                    return None
                return self.rfile.read(length)

            def _route(self, method: str) -> None:
                path, _, _query = self.path.partition("?")
                double.requests.append(Logged(method, path, int(self.headers.get("Content-Length") or 0)))
                if double.token is not None and self.headers.get("Authorization") != f"Bearer {double.token}":
                    self._body()
                    return self._error(401, "unauthorized", "missing or invalid token")
                length = int(self.headers.get("Content-Length") or 0)
                with double._lock:
                    fault = next(
                        (f for f in double._faults
                         if f.times > 0 and path.startswith(f.path) and length >= f.min_length),
                        None,
                    )
                    if fault:
                        fault.times -= 1
                if fault:
                    self._body()
                    return self._error(fault.status, "internal_error", f"injected fault {fault.status}")
                if double.delay and path.startswith(double.delay_path):
                    time.sleep(double.delay)
                body = self._body()
                if body is None:
                    return None
                try:
                    return self._dispatch(method, path, body)
                except ConnectionError:  # the client gave up (timeout)
                    return None

            def _dispatch(self, method: str, path: str, body: bytes) -> None:
                if method == "GET" and path == "/health":
                    return self._send(200, {})
                if path == "/v1/policies" or path == "/v1/policies/":
                    items = [{"id": k, "raw": v} for k, v in sorted(double._state.policies.items())]
                    return self._send(200, {"result": items})
                if path.startswith("/v1/policies/"):
                    return self._policy(method, path[len("/v1/policies/"):], body)
                if method == "PUT" and path.startswith("/v1/data/"):
                    return self._put_data(path[len("/v1/data/"):], body)
                if method == "POST" and path == "/v1/query":
                    return self._post_query(body)
                return self._error(404, "resource_not_found", f"{method} {path} is not implemented by the test double")

            def _policy(self, method: str, policy_id: str, body: bytes) -> None:
                state = double._state
                if method == "DELETE":
                    if policy_id not in state.policies:
                        return self._error(404, "resource_not_found", f"storage_not_found_error: {policy_id}")
                    candidate = _State({k: v for k, v in state.policies.items() if k != policy_id}, state.data)
                elif method == "PUT":
                    text = body.decode("utf-8")
                    for needle, message in double._rejects.items():
                        if needle in text:
                            return self._error(
                                400, "invalid_parameter", "error(s) occurred while compiling module(s)",
                                [{"code": "rego_type_error", "message": message,
                                  "location": {"file": policy_id, "row": 1, "col": 1}}],
                            )
                    candidate = _State({**state.policies, policy_id: text}, state.data)
                else:
                    return self._error(405, "invalid_parameter", f"{method} not allowed")
                ok, message = double._on_worker(double._compile, candidate)
                if not ok:
                    return self._error(
                        400, "invalid_parameter", "error(s) occurred while compiling module(s)",
                        [{"code": "rego_compile_error", "message": message}],
                    )
                double._state = candidate
                return self._send(200, {})

            def _put_data(self, data_path: str, body: bytes) -> None:
                parts = [p for p in data_path.split("/") if p]
                if any(parts[0] == root.split("/")[0] for root in double._state.bundle_roots if root):
                    return self._error(400, "invalid_parameter", f"path /{data_path} is owned by bundle")
                value = json.loads(body)
                data = json.loads(json.dumps(double._state.data))
                target = data
                for part in parts[:-1]:
                    target = target.setdefault(part, {})
                target[parts[-1]] = value
                candidate = _State(dict(double._state.policies), data, double._state.bundle_roots)
                ok, message = double._on_worker(double._compile, candidate)
                if not ok:
                    return self._error(400, "invalid_parameter", message)
                double._state = candidate
                self.send_response(204)
                double.requests[-1].status = 204
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _post_query(self, body: bytes) -> None:
                try:
                    request = json.loads(body)
                except json.JSONDecodeError as exc:
                    return self._error(400, "invalid_parameter", f"body contains malformed input document: {exc}")
                query = request.get("query", "")
                if query == "x := opa.runtime().version":  # the backend's version probe
                    return self._send(200, {"result": [{"x": f"test-double (regorus {_REGORUS})"}]})
                input_json = json.dumps(request["input"]) if "input" in request else None
                ok, answer = double._on_worker(double._query, query, input_json)
                if not ok:
                    return self._error(500, "internal_error", answer)
                return self._send(200, answer)

            def do_GET(self) -> None:
                self._route("GET")

            def do_PUT(self) -> None:
                self._route("PUT")

            def do_POST(self) -> None:
                self._route("POST")

            def do_DELETE(self) -> None:
                self._route("DELETE")

        return Handler


def read_bundle(path: Path) -> dict[str, bytes]:
    """Every file of a bundle archive, by name (a helper for tests)."""
    with tarfile.open(fileobj=io.BytesIO(Path(path).read_bytes()), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}  # type: ignore[union-attr]


if __name__ == "__main__":  # `python -m tests.opa_double`: serve until stdin closes (used by bench/)
    import sys

    with OpaTestDouble() as served:
        print(served.url, flush=True)
        sys.stdin.read()
