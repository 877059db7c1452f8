"""TEST-ONLY fault injection: make the process signal itself at a named phase of packing and recording.

The test suite proves that a run killed or interrupted at any phase leaves nothing half-made: it sets
``AUDITOR_TEST_KILL_AT=<phase>`` (and optionally ``AUDITOR_TEST_KILL_SIGNAL=TERM|INT``, default KILL)
for a real ``auditor`` subprocess. Nothing else reads these variables; never set them outside tests.

Phases, in order, of :func:`auditor.pack.locker.record_run`: ``locked``, ``cleaned``, ``synced``,
``pack-writing`` (the pack's temporary file is half written), ``built``, ``blobs``
(the run's git blobs are written), ``tree``, ``commit`` (the commit object exists, the branch has not
moved), ``ref`` (the branch moved, not yet pushed), ``pushed``, ``materialised``.
"""

from __future__ import annotations

import os
import signal

KILL_AT_ENV = "AUDITOR_TEST_KILL_AT"
KILL_SIGNAL_ENV = "AUDITOR_TEST_KILL_SIGNAL"
PHASES = ("locked", "cleaned", "synced", "pack-writing", "built", "blobs", "tree", "commit", "ref", "pushed",
          "materialised")


def phase(name: str) -> None:
    """Signal this process at phase ``name`` when :data:`KILL_AT_ENV` names it (tests only)."""
    if os.environ.get(KILL_AT_ENV) != name:
        return
    signum = getattr(signal, "SIG" + os.environ.get(KILL_SIGNAL_ENV, "KILL").upper())
    os.kill(os.getpid(), signum)
