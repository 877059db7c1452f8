"""``python -m auditor`` and the ``auditor`` command: signal handlers first, then the command line."""

from __future__ import annotations

import sys

from auditor import interrupt


def run() -> None:
    interrupt.install()  # before the imports below, so a SIGTERM during start-up is handled too
    try:
        from auditor.cli import main
    except interrupt.Interrupted as exc:
        sys.stderr.write(exc.message + "\n")
        sys.exit(exc.exit_code)
    except BaseException:  # a native module's own exception for the signal that landed in its import
        if not interrupt.received:
            raise
        stopped = interrupt.Interrupted(interrupt.received[0])
        sys.stderr.write(stopped.message + "\n")
        sys.exit(stopped.exit_code)
    main()


if __name__ == "__main__":
    run()
