"""A forge REST client shared by the GitHub and GitLab collectors: token header, pagination, rate limits.

Pages follow ``Link: rel="next"`` (GitHub, GitLab keyset and offset pagination) or, when a GitLab
instance sends no ``Link`` header, ``X-Next-Page``. Rate limits are respected by urllib3's ``Retry``:
``Retry-After``, and for a 403/429 whose remaining budget is spent, the wait until the reset instant
(``X-RateLimit-Reset`` on GitHub, ``RateLimit-Reset`` on GitLab, both epoch seconds), with backoff and a
ceiling (:data:`MAX_WAIT_SECONDS`): a job should fail, not hang.

The token goes into one request header and nowhere else: messages carry the URL without its query
string, never a header.

Example::

    client = ForgeClient("https://gitlab.example.com/api/v4", token, auth_header="PRIVATE-TOKEN", auth_prefix="")
    merge_requests = client.pages("/projects/42/merge_requests", {"state": "merged"}, limit=200)
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import urllib3
from urllib3.util.retry import Retry

from auditor.collect.base import CollectorError

_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
#: the longest wait for a rate-limit reset before giving up (a job should fail, not hang)
MAX_WAIT_SECONDS = 300
#: (remaining, reset) header pairs: GitHub's, then GitLab's
_RATE_HEADERS = (("X-RateLimit-Remaining", "X-RateLimit-Reset"), ("RateLimit-Remaining", "RateLimit-Reset"))


def rate_limit_spent(headers: Mapping[str, str]) -> bool:
    """The answer says the rate-limit budget is spent (either forge's headers)."""
    return any(headers.get(remaining) == "0" for remaining, _ in _RATE_HEADERS)


class RateLimitRetry(Retry):
    """urllib3's Retry, also waiting until the forge's rate-limit reset (epoch seconds) when the limit is spent."""

    def get_retry_after(self, response: Any) -> float | None:
        after = super().get_retry_after(response)
        if after is not None:
            return min(after, MAX_WAIT_SECONDS)
        for remaining, reset in _RATE_HEADERS:
            if response.headers.get(remaining) == "0":
                value = response.headers.get(reset, "")
                if value.isdigit():
                    return float(min(max(int(value) - int(time.time()), 1), MAX_WAIT_SECONDS))
        return None


def retry_policy(total: int = 5, backoff: float = 0.5) -> Retry:
    """Retries for GETs: rate limits (403/429, waiting as the headers say) and passing server errors.
    A 403 that is no rate limit (a missing permission) is retried with plain backoff too; the message
    after the last try says which it was."""
    return RateLimitRetry(total=total, backoff_factor=backoff, status_forcelist=(403, 429, 500, 502, 503, 504),
                          allowed_methods=frozenset({"GET"}), respect_retry_after_header=True,
                          raise_on_status=False)


class ForgeClient:
    """GET JSON pages from a forge REST API with a token header, retries and pagination."""

    def __init__(self, base_url: str, token: str | None, *, auth_header: str = "Authorization",
                 auth_prefix: str = "Bearer ", headers: Mapping[str, str] | None = None,
                 retries: Retry | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self._headers = {"User-Agent": "auditor", **(headers or {})}
        if token:
            self._headers[auth_header] = auth_prefix + token
        self._http = urllib3.PoolManager(retries=retries or retry_policy(), timeout=urllib3.Timeout(30))

    def _get(self, url: str) -> urllib3.BaseHTTPResponse:
        try:
            response = self._http.request("GET", url, headers=self._headers)
        except urllib3.exceptions.MaxRetryError as exc:
            raise CollectorError(f"{public(url)}: no answer after retries ({type(exc.reason).__name__})") from None
        return response

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        url = self._url(path, params)
        response = self._get(url)
        return self._json(url, response)

    def pages(self, path: str, params: dict[str, Any] | None = None, limit: int | None = None) -> list[Any]:
        """Every item of a paginated list, following ``Link: rel="next"``, else ``X-Next-Page``."""
        url: str | None = self._url(path, {**(params or {}), "per_page": 100})
        items: list[Any] = []
        while url:
            response = self._get(url)
            page = self._json(url, response)
            if not isinstance(page, list):
                raise CollectorError(f"{public(url)}: expected a JSON list, found {type(page).__name__}")
            items.extend(page)
            if limit is not None and len(items) >= limit:
                return items[:limit]
            url = next_page(url, response.headers)
        return items

    def _url(self, path: str, params: dict[str, Any] | None) -> str:
        query = f"?{urlencode(params)}" if params else ""
        return f"{self.base_url}{path}{query}"

    @staticmethod
    def _json(url: str, response: urllib3.BaseHTTPResponse) -> Any:
        if response.status >= 400:
            detail = ""
            with contextlib.suppress(ValueError, AttributeError):
                body = json.loads(response.data)
                detail = str(body.get("message") or body.get("error") or "")[:200]
            hint = " (rate limit: retries exhausted)" if response.status in (403, 429) and \
                rate_limit_spent(response.headers) else ""
            raise CollectorError(f"{public(url)}: HTTP {response.status}{hint}: {detail}".rstrip(": "))
        try:
            return json.loads(response.data)
        except ValueError:
            raise CollectorError(f"{public(url)}: the answer is not JSON") from None


def next_page(url: str, headers: Mapping[str, str]) -> str | None:
    """The next page's URL: the ``Link`` header's ``rel="next"``, else ``X-Next-Page`` (GitLab offset pages)."""
    match = _NEXT.search(headers.get("Link", ""))
    if match:
        return match.group(1)
    number = (headers.get("X-Next-Page") or "").strip()
    if not number:
        return None
    if not number.isdigit():
        raise CollectorError(f"{public(url)}: X-Next-Page: found {number[:20]!r}, expected a page number")
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "page"] + [("page", number)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def public(url: str) -> str:
    """A URL fit for a message: no query string and no user info (never carries a token here, but keep it so)."""
    parts = urlsplit(url.split("?", 1)[0])
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[-1]))
