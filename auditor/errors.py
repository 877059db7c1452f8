"""Exit codes and the one exception family users see.

Every error a user can cause is an :class:`AuditorError` raised where the fault
is known, with a message of the form ``file:line: field: found X, expected Y``;
secret-shaped values in the message are masked as it is built.
The CLI catches it once and prints the message without a traceback.
"""

from __future__ import annotations

from enum import IntEnum

import click


class ExitCode(IntEnum):
    """Documented process exit codes."""

    OK = 0  #: nothing failing at or above --fail-on
    FAILED = 1  #: controls failing (or not passing) at or above --fail-on
    INVALID_INPUT = 2  #: invalid input or usage
    INTERNAL = 3  #: engine or internal error


class AuditorError(click.ClickException):
    """Base of every user-facing error."""

    exit_code = ExitCode.INVALID_INPUT

    def __init__(self, message: str) -> None:
        # The one place messages are built: an evidence value quoted in a message (a schema error,
        # a rejected row) never shows a secret. Imported here: most runs never raise.
        from auditor.evidence.secrets import redact_text

        super().__init__(redact_text(message))

    def format_message(self) -> str:
        return self.message


class InputError(AuditorError):
    """Invalid input: a file, a field, a flag. Exit code 2."""


class EngineError(AuditorError):
    """The policy engine failed. Exit code 3."""

    exit_code = ExitCode.INTERNAL


def location(path: object, line: int | None = None) -> str:
    """``path`` or ``path:line`` for messages."""
    return f"{path}:{line}" if line else f"{path}"
