"""SIGINT and SIGTERM end a command the same way: unwind (cleanup runs), then exit 128 + the signal number.

The handlers raise :class:`Interrupted` in the main thread, so every ``finally`` and every temporary-file
cleanup runs (a half-written output is never left in place, a locker run is committed whole or not at
all); the command then exits 130 (SIGINT) or 143 (SIGTERM). ``auditor`` installs them before it
imports anything else (:mod:`auditor.__main__`). Stdlib only, so that happens within milliseconds.
"""

from __future__ import annotations

import signal
import sys
from types import FrameType
from typing import Any

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
    if received and not _redeliver:  # a second Ctrl-C or TERM while unwinding: let the cleanup finish
        return
    _redeliver.clear()
    if not received:
        received.append(signum)
    raise Interrupted(received[0])


#: set while a signal whose exception Python swallowed is being delivered again
_redeliver: list[bool] = []


def _unraisable(unraisable: Any) -> None:
    """A signal that lands in code whose exceptions Python ignores (a weakref callback such as
    importlib's module-lock cleanup, a ``__del__``) would print "Exception ignored ... Traceback" and be
    lost: deliver it again from a helper thread, so the main thread raises it once the ignoring code has
    returned, where it can unwind the command. ``received`` keeps it meanwhile (the exit code)."""
    if isinstance(unraisable.exc_value, Interrupted):
        import os
        import threading
        import time

        _redeliver.append(True)
        signum = unraisable.exc_value.signum

        def send() -> None:
            time.sleep(0.005)  # nanosleep: a shifted clock (faketime) does not stretch it, as a timed wait would
            os.kill(os.getpid(), signum)

        # starting a thread waits for it: keep the signals out of this hook meanwhile (the thread inherits the
        # mask, so the signal it sends goes to the main thread once this hook has returned)
        signal.pthread_sigmask(signal.SIG_BLOCK, SIGNALS)
        try:
            threading.Thread(target=send, daemon=True).start()
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, SIGNALS)
        return
    _previous_unraisable(unraisable)


_previous_unraisable = sys.unraisablehook


def install() -> dict[int, object]:
    """Install the handlers; returns the previous ones (for :func:`restore`)."""
    sys.unraisablehook = _unraisable
    return {sig: signal.signal(sig, _on_signal) for sig in SIGNALS}


def restore(previous: dict[int, object]) -> None:
    for sig, handler in previous.items():
        signal.signal(sig, handler)  # type: ignore[arg-type]
