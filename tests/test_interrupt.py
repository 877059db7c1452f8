"""auditor.interrupt: a signal is never swallowed where Python ignores exceptions."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from tests.conftest import REPO

# A SIGTERM that arrives inside a weakref callback (where importlib's module-lock cleanup runs, the case
# a loaded CI machine hit): Python would print "Exception ignored ... Traceback" and drop it.
SCRIPT = textwrap.dedent("""
    import signal, time, weakref
    from auditor import interrupt
    interrupt.install()
    class Thing: pass
    def callback(ref):
        signal.raise_signal(signal.SIGTERM)
        n = 0
        n += 1
    thing = Thing()
    ref = weakref.ref(thing, callback)
    try:
        del thing
        for _ in range(2000):
            time.sleep(0.001)
        print("not interrupted")
    except interrupt.Interrupted as exc:
        print("interrupted", exc.exit_code)
""")


def test_a_signal_inside_a_callback_is_delivered_again_not_lost() -> None:
    proc = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert proc.stdout.strip() == "interrupted 143", proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr


# A SIGINT that lands while a pyo3 extension runs Python code during its own start-up (seen: importing
# decimal) comes back as the extension's PanicException, a BaseException: still an interruption, 130.
PANIC_SCRIPT = textwrap.dedent("""
    import signal, sys
    from auditor import cli, interrupt
    class PanicException(BaseException):
        pass
    def command(*args, **kwargs):
        try:
            signal.raise_signal(signal.SIGINT)
        except interrupt.Interrupted:
            raise PanicException("failed to import decimal") from None
    cli.cli.main = command
    cli.main()
""")


def test_a_signal_turned_into_a_native_panic_still_exits_as_interrupted() -> None:
    done = subprocess.run([sys.executable, "-c", PANIC_SCRIPT, "evaluate"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 130, done.stderr
    assert "Interrupted." in done.stderr and "Traceback" not in done.stderr
