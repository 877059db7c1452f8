"""One AWS session for a collection: clients with standard retries, and error recording.

Every call goes through :meth:`AwsContext.call` or :meth:`AwsContext.paginate`: an
expected "not configured" answer (no tags, no lifecycle rule) is returned as
:data:`MISSING`; any other failure (AccessDenied, a disabled region, no credentials,
throttling past the retry budget) is recorded as a collection error with its scope
and returns ``None``, so a gap in the evidence is always visible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from auditor.collect.base import Progress
from auditor.collect.redact import redact_text
from auditor.model import CollectionFailure

MAX_ATTEMPTS = 10


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

    return Config(retries={"mode": "standard", "max_attempts": MAX_ATTEMPTS}, user_agent_extra="auditor-collect")


@dataclass
class AwsContext:
    session: Any
    regions: list[str]
    progress: Progress = field(default_factory=lambda: Progress(enabled=False))
    errors: dict[str, list[CollectionFailure]] = field(default_factory=dict)
    account: str | None = None
    _clients: dict[tuple[str, str | None], Any] = field(default_factory=dict)

    def client(self, service: str, region: str | None = None) -> Any:
        """A client honouring the profile, ``AWS_ENDPOINT_URL(_<SERVICE>)`` and the retry config."""
        key = (service, region)
        if key not in self._clients:
            self._clients[key] = self.session.client(service, region_name=region, config=retry_config())
        return self._clients[key]

    def record(self, kind: str, scope: str, code: str, message: str) -> None:
        self.errors.setdefault(kind, []).append(CollectionFailure(scope=scope, code=code, message=redact_text(message)))

    def call(
        self, kind: str, scope: str, fn: Callable[..., Any], *args: Any, missing: tuple[str, ...] = (), **kwargs: Any
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
        self, kind: str, scope: str, client: Any, operation: str, progress: str | None = None, **kwargs: Any
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
        self, kind: str, scope: str, client: Any, operation: str, key: str, progress: str | None = None,
        **kwargs: Any,
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
