"""SIGINT and SIGTERM end a command the same way: unwind (cleanup runs), then exit 128 + the signal number.

The handlers raise :class:`Interrupted` in the main thread, so every ``finally`` and every temporary-file
cleanup runs (a half-written output is never left in place, a locker run is committed whole or not at
all); the command then exits 130 (SIGINT) or 143 (SIGTERM). ``auditor`` installs them before it
imports anything else (:mod:`auditor.__main__`). Stdlib only, so that happens within milliseconds.
"""

from __future__ import annotations

import signal
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """Raised by the handlers. A BaseException, like KeyboardInterrupt, so no ``except Exception`` swallows
    it; not a KeyboardInterrupt, so click does not turn it into a bare Abort."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    @property
    def message(self) -> str:
        return "Terminated." if self.signum == signal.SIGTERM else "Interrupted."


#: the first interrupting signal received (empty until one arrives): it decides the exit code
received: list[int] = []


def _on_signal(signum: int, frame: FrameType | None) -> None:
    del frame
    if received:  # a second Ctrl-C or TERM while unwinding: let the cleanup finish
        return
    received.append(signum)
    raise Interrupted(signum)


def install() -> dict[int, object]:
    """Install the handlers; returns the previous ones (for :func:`restore`)."""
    return {sig: signal.signal(sig, _on_signal) for sig in SIGNALS}


def restore(previous: dict[int, object]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)  # type: ignore[arg-type]
