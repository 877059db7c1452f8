"""A loopback forge (GitHub or GitLab REST API) serving recorded responses, for collector and CI tests.

Routes are keyed by path (after ``prefix``, e.g. ``/api/v4``); a paginated list is recorded as
``<path>?page=1``, ``<path>?page=2``..., and served with the next page announced the way the route's
style says: ``"link"`` (``Link: <...>; rel="next"``) or ``"x-next-page"`` (GitLab's offset headers
only). One request per path can be answered with a rate-limit response first (``limit_once``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse


class ForgeDouble:
    def __init__(self, routes: Mapping[str, Any], *, prefix: str = "", aliases: Mapping[str, str] | None = None,
                 paging: Mapping[str, str] | None = None,
                 limit_once: Mapping[str, tuple[int, dict[str, str]]] | None = None,
                 status: Mapping[str, int] | None = None) -> None:
        self.routes = dict(routes)
        self.prefix = prefix
        self.aliases = dict(aliases or {})       # path prefix -> the recorded one (e.g. /projects/acme%2Fapp)
        self.paging = dict(paging or {})         # path -> "link" | "x-next-page"
        self.limit_once = dict(limit_once or {})  # path -> (status, headers), answered once before the record
        self.status = dict(status or {})         # path -> status answered every time
        self.requests: list[tuple[str, dict[str, str]]] = []
        double = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def do_GET(self) -> None:
                double.requests.append((self.path, {k.lower(): v for k, v in self.headers.items()}))
                url = urlparse(self.path)
                path = url.path.removeprefix(double.prefix)
                for alias, recorded in double.aliases.items():
                    if path.startswith(alias):
                        path = recorded + path[len(alias):]
                if path in double.limit_once:
                    code, headers = double.limit_once.pop(path)
                    self._send(code, {"message": "429 Too Many Requests" if code == 429 else
                                      "API rate limit exceeded"}, headers)
                    return
                if path in double.status:
                    self._send(double.status[path], {"message": "403 Forbidden"})
                    return
                headers: dict[str, str] = {}
                key = path
                if f"{path}?page=1" in double.routes:
                    page = int(parse_qs(url.query).get("page", ["1"])[0])
                    key = f"{path}?page={page}"
                    if f"{path}?page={page + 1}" in double.routes:
                        if double.paging.get(path, "link") == "link":
                            headers["Link"] = (f'<{double.url}{url.path}?page={page + 1}&per_page=100>; '
                                               'rel="next"')
                        else:
                            headers.update({"X-Next-Page": str(page + 1), "X-Page": str(page), "X-Per-Page": "100"})
                    elif double.paging.get(path) == "x-next-page":
                        headers.update({"X-Next-Page": "", "X-Page": str(page), "X-Per-Page": "100"})
                if key not in double.routes:
                    self._send(404, {"message": "404 Not Found"})
                    return
                self._send(200, double.routes[key], headers)

            def _send(self, code: int, body: Any, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]

    def __enter__(self) -> ForgeDouble:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
