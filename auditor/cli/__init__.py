"""The ``auditor`` command line.

Each command group lives in its own module and imports heavy dependencies
inside the command, so ``auditor --help`` stays fast. Errors a user can cause
are :class:`auditor.errors.AuditorError`: printed as one message, exit code 2
(or the error's own code), no traceback unless ``--verbose``.
"""

from __future__ import annotations

import sys
import traceback

import click

from auditor import __version__
from auditor.errors import ExitCode


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


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args or "--verbose" in args
    try:
        code = cli.main(args=args, prog_name="auditor", standalone_mode=False)
    except click.exceptions.Exit as exc:
        code = exc.exit_code
    except click.ClickException as exc:
        exc.show()
        code = exc.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):  # click turns Ctrl-C into Abort
        click.echo("Interrupted.", err=True)
        code = 130
    except Exception as exc:  # noqa: BLE001 - the one top-level handler
        if verbose:
            traceback.print_exc()
        from auditor.evidence.secrets import redact_text

        detail = redact_text(str(exc))  # an internal error may quote an evidence value
        click.echo(f"internal error: {type(exc).__name__}: {detail} (run with --verbose for details)", err=True)
        code = ExitCode.INTERNAL
    sys.exit(int(code or 0))
