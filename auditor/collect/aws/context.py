"""One AWS session for a collection: clients with standard retries, and error recording.

Every call goes through :meth:`AwsContext.call` or :meth:`AwsContext.paginate`: an
expected "not configured" answer (no tags, no lifecycle rule) is returned as
:data:`MISSING`; any other failure (AccessDenied, a disabled region, no credentials,
throttling past the retry budget) is recorded as a collection error with its scope
and returns ``None``, so a gap in the evidence is always visible.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

from auditor.collect.base import Progress
from auditor.collect.redact import redact_text
from auditor.model import CollectionFailure

MAX_ATTEMPTS = 10
#: Per-resource calls (a bucket's settings, a user's keys) run this many at a time: a round trip is
#: mostly waiting, and AWS's own throttling is handled by the retry mode. Bounded so one account never
#: opens more connections than the client pool holds.
WORKERS = 8

T = TypeVar("T")
R = TypeVar("R")


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: Returned when AWS answers that the thing asked about is not configured.
MISSING: Any = _Missing()


def retry_config() -> Any:
    """botocore's standard retry mode (throttling and transient errors, with backoff)."""
    from botocore.config import Config

    return Config(retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS}, user_agent_extra="auditor-collect",
                  max_pool_connections=WORKERS + 2)


@dataclass
class AwsContext:
    session: Any
    regions: list[str]
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))
    errors: dict[str, list[CollectionFailure]] = field(default_factory=dict)
    account: str | None = None
    workers: int = WORKERS
    _clients: dict[tuple[str, str | None], Any] = field(default_factory=dict)
    _local: threading.local = field(default_factory=threading.local)

    def client(self, service: str, region: str | None = None) -> Any:
        """A client honouring the profile, ``AWS_ENDPOINT_URL(_<SERVICE>)`` and the retry config."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region, config=retry_config())
        return self._clients[key]

    def record(self, kind: str | tuple[str, ...], scope: str, code: str, message: str) -> None:
        """Record a failure in the document of ``kind`` (or of every kind in a tuple: each one it feeds)."""
        # inside map(): the task's own buffer, merged in item order so the evidence stays deterministic
        errors = getattr(self._local, "errors", None)
        if errors is None:
            errors = self.errors
        for one in (kind,) if isinstance(kind, str) else kind:
            error = CollectionFailure(scope=scope, code=code, message=redact_text(message))
            errors.setdefault(one, []).append(error)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> Iterator[R]:
        """``fn`` over ``items``, up to ``workers`` at a time (boto3 clients are thread-safe; make them
        before, with :meth:`client`). Results come back in item order, and so do the errors each task
        recorded, so the documents are the same bytes as a one-at-a-time collection."""

        def run(item: T) -> tuple[R, dict[str, list[CollectionFailure]]]:
            buffer: dict[str, list[CollectionFailure]] = {}
            self._local.errors = buffer
            try:
                return fn(item), buffer
            finally:
                self._local.errors = None

        if self.workers <= 1:
            for item in items:
                yield fn(item)
            return
        with ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="auditor-aws") as pool:
            for result, buffer in pool.map(run, items):
                for kind, errors in buffer.items():
                    self.errors.setdefault(kind, []).extend(errors)
                yield result

    def call(
        self, kind: str | tuple[str, ...], scope: str, fn: Callable[..., Any], *args: Any,
        missing: tuple[str, ...] = (), **kwargs: Any,
    ) -> Any:
        """``fn(*args, **kwargs)``; MISSING for an expected not-found code, None (recorded) on failure."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(*args, **kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            code = str(error.get("Code", "ClientError"))
            if code in missing:
                return MISSING
            self.record(kind, scope, code, str(error.get("Message") or exc))
        except BotoCoreError as exc:
            self.record(kind, scope, type(exc).__name__, str(exc))
        return None

    def pages(
        self, kind: str | tuple[str, ...], scope: str, client: Any, operation: str, progress: str | None = None,
        **kwargs: Any,
    ) -> list[dict[str, Any]] | None:
        """Every page of ``operation``, or None (recorded) when a page fails."""
        from botocore.exceptions import BotoCoreError, ClientError

        pages: list[dict[str, Any]] = []
        try:
            with self.progress.task(progress or operation, None) as advance:
                for page in client.get_paginator(operation).paginate(**kwargs):
                    pages.append(page)
                    advance(1)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            self.record(kind, scope, str(error.get("Code", "ClientError")), str(error.get("Message") or exc))
            return None
        except BotoCoreError as exc:
            self.record(kind, scope, type(exc).__name__, str(exc))
            return None
        return pages

    def paginate(
        self, kind: str | tuple[str, ...], scope: str, client: Any, operation: str, key: str,
        progress: str | None = None, **kwargs: Any,
    ) -> list[Any] | None:
        """Every item of ``key`` across all pages, or None (recorded) when a page fails."""
        pages = self.pages(kind, scope, client, operation, progress, **kwargs)
        if pages is None:
            return None
        return [item for page in pages for item in page.get(key, [])]


def iso(value: Any) -> str | None:
    """A boto datetime (or ISO string) as ``YYYY-MM-DDTHH:MM:SSZ`` in UTC."""
    from datetime import UTC, datetime

    if value is None or value == "" or value is MISSING:
        return None
    if isinstance(value, str):
        if value in ("N/A", "no_information", "not_supported"):
            return None
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))


def tag_map(tags: Any, key: str = "Key", value: str = "Value") -> dict[str, str]:
    if not tags:
        return {}
    return {str(t[key]): str(t.get(value, "")) for t in tags}
