"""The ``auditor`` command line.

Each command group lives in its own module and imports heavy dependencies
inside the command, so ``auditor --help`` stays fast. Errors a user can cause
are :class:`auditor.errors.AuditorError`: printed as one message, exit code 2
(or the error's own code), no traceback unless ``--verbose``.
"""

from __future__ import annotations

import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import click

from auditor import __version__, interrupt
from auditor.errors import ExitCode
from auditor.interrupt import Interrupted


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="auditor")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks for internal errors.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Auditor: compliance-as-code controls, evaluated against evidence, packed and signed.

    \b
    Exit codes:
      0  nothing failing at or above --fail-on
      1  controls failing (or lacking evidence) at or above --fail-on
      2  invalid input or usage
      3  engine or internal error
    """
    ctx.ensure_object(dict)
    ctx.obj["verbose"] = verbose


#: Command modules, each exposing ``COMMANDS``; listed in the order of `auditor --help`'s pipeline.
COMMAND_MODULES = [
    "collect_cmd",
    "evaluate_cmd",
    "run_cmd",
    "controls_cmd",
    "policies_cmd",
    "mappings_cmd",
    "bundle_cmd",
    "report_cmd",
    "baseline_cmd",
    "pack_cmd",
]


def _register() -> None:
    import importlib

    for name in COMMAND_MODULES:
        module = importlib.import_module(f"auditor.cli.{name}")
        for command in module.COMMANDS:
            cli.add_command(command)


_register()


@contextmanager
def _interruptible(restore: bool) -> Iterator[None]:
    """SIGINT and SIGTERM raise :class:`auditor.interrupt.Interrupted` while the command runs.

    ``restore``: put the previous handlers back afterwards (when called in-process, e.g. by tests); the real
    command keeps them until it exits, so a signal arriving as it exits still gives 130 or 143.
    """
    previous = interrupt.install()
    try:
        yield
    finally:
        if restore:
            interrupt.restore(previous)


def _run(args: list[str], verbose: bool) -> int:
    received = interrupt.received
    try:
        code = cli.main(args=args, prog_name="auditor", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        if received:  # e.g. a git child killed by the same Ctrl-C: the interruption is what happened
            raise Interrupted(received[0]) from None
        exc.show()
        code = exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns a KeyboardInterrupt into Abort
        raise Interrupted(received[0] if received else signal.SIGINT) from None
    except Exception as exc:  # noqa: BLE001 - the one top-level handler
        if received:
            raise Interrupted(received[0]) from None
        if verbose:
            traceback.print_exc()
        from auditor.evidence.secrets import redact_text

        detail = redact_text(str(exc))  # an internal error may quote an evidence value
        click.echo(f"internal error: {type(exc).__name__}: {detail} (run with --verbose for details)", err=True)
        code = ExitCode.INTERNAL
    except BaseException as exc:
        if received and _native_wrapper(exc):  # native code turned the signal's exception into its own
            raise Interrupted(received[0]) from None
        raise
    return int(code or 0)


def _native_wrapper(exc: BaseException) -> bool:
    """A BaseException a native extension raised for the :class:`Interrupted` it met: pyo3 modules
    (regorus, jiter, orjson, cryptography) turn a Python exception inside their own start-up (an import
    they make while a signal lands) into a ``PanicException``, which is no ``Exception``."""
    return not isinstance(exc, (Interrupted, SystemExit, GeneratorExit)) and type(exc).__name__ == "PanicException"


def main(argv: list[str] | None = None) -> None:
    """Entry point. Exit codes as documented in ``auditor --help``; interrupted: 130 (SIGINT), 143 (SIGTERM).

    An interrupted command unwinds normally (see :mod:`auditor.interrupt`), then exits 128 + the signal number.
    """
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args or "--verbose" in args
    if argv is not None:
        interrupt.received.clear()
    signum: int | None = None
    with _interruptible(restore=argv is not None):
        try:
            try:
                code = _run(args, verbose)
            except Interrupted as exc:
                signum = exc.signum
            if argv is None:
                # From here to the exit, block the signals: the interpreter's shutdown puts the default
                # handlers back, and a signal then would kill a finished command by signal, not 130/143.
                signal.pthread_sigmask(signal.SIG_BLOCK, interrupt.SIGNALS)
        except Interrupted as exc:  # arrived between the command's end and the mask
            signum = exc.signum
        if argv is None:
            pending = sorted(set(interrupt.SIGNALS) & signal.sigpending())
            if pending and not interrupt.received:
                interrupt.received.append(int(pending[0]))
        if interrupt.received:  # the first signal decides, also when it came as the command finished
            signum = interrupt.received[0]
        if signum is not None:
            click.echo(Interrupted(signum).message, err=True)
            code = 128 + signum
    sys.exit(code)
