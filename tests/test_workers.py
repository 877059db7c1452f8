"""The forked worker pool: results in order, limits enforced, every child reaped, nothing hangs."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest

from auditor.workers import Failed, Limits, available_cores, run_forked

SMALL = Limits(timeout_s=1, memory_mib=64)


def square(n: int) -> int:
    return n * n


def test_results_come_back_in_task_order_whatever_the_jobs() -> None:
    tasks = list(range(12))
    for jobs in (1, 2, 5):
        assert run_forked(square, tasks, jobs=jobs, limits=SMALL) == [n * n for n in tasks]


def test_on_start_and_on_done_see_every_task_once() -> None:
    started: list[int] = []
    done: dict[int, object] = {}
    run_forked(square, [3, 1, 2], jobs=1, limits=SMALL, on_start=started.append,
               on_done=lambda i, o: done.__setitem__(i, o))
    assert started == [0, 1, 2]  # one at a time, in the order given
    assert done == {0: 9, 1: 1, 2: 4}


def test_a_result_larger_than_a_pipe_buffer_arrives_whole() -> None:
    def big(n: int) -> bytes:
        return bytes([n]) * (16 * 1024 * 1024)

    out = run_forked(big, [1, 2], jobs=2, limits=Limits(timeout_s=20, memory_mib=256))
    assert out == [b"\x01" * (16 * 1024 * 1024), b"\x02" * (16 * 1024 * 1024)]


def spin(_: int) -> int:
    n = 0
    while True:
        n += 1


def test_cpu_time_limit_ends_the_task_not_the_run() -> None:
    t0 = time.monotonic()
    spun, squared = run_forked(spin, [0], jobs=1, limits=SMALL) + run_forked(square, [4], jobs=1, limits=SMALL)
    assert isinstance(spun, Failed)
    assert spun.reason.startswith("exceeded the 1 s time limit")  # (no answer after 3 s...) on a busy machine
    assert squared == 16
    assert time.monotonic() - t0 < 10


def sleep_forever(_: int) -> int:
    time.sleep(3600)  # no CPU used: only the parent's wall-clock deadline can end it
    return 0


def test_wall_clock_deadline_kills_a_child_that_uses_no_cpu() -> None:
    t0 = time.monotonic()
    (out,) = run_forked(sleep_forever, [0], jobs=1, limits=SMALL)
    assert out == Failed("exceeded the 1 s time limit (no answer after 3 s of wall-clock time)")
    assert time.monotonic() - t0 < 10


def hog(_: int) -> int:
    chunks = []
    while True:
        chunks.append(bytearray(8 * 1024 * 1024))  # zero-filled: every page is touched


def test_memory_limit_ends_the_task() -> None:
    assert run_forked(hog, [0, 1], jobs=2, limits=SMALL) == [Failed("exceeded the 64 MiB memory limit")] * 2


def test_memory_limit_counts_only_what_the_child_adds(tmp_path: Path) -> None:
    # The parent holds 200 MiB; a child reading all of it shares it and stays within 64 MiB.
    shared = bytearray(os.urandom(1024)) * (200 * 1024)

    def read_all(_: int) -> int:
        return sum(shared[::4096])

    assert run_forked(read_all, [0], jobs=1, limits=SMALL) == [sum(shared[::4096])]


def killed(_: int) -> int:
    os.kill(os.getpid(), signal.SIGKILL)  # what the kernel's out-of-memory killer does
    return 0


def crashes(_: int) -> int:
    os.kill(os.getpid(), signal.SIGSEGV)
    return 0


def exits(_: int) -> int:
    os._exit(3)


def raises(_: int) -> int:
    raise ValueError("bad task")


def test_a_child_killed_crashed_or_failed_is_reported_with_the_reason() -> None:
    out = run_forked(lambda f: f(0), [killed, crashes, exits, raises], jobs=2, limits=SMALL)
    assert out == [
        Failed("worker was killed (SIGKILL), most likely by the kernel's out-of-memory killer"),
        Failed("worker ended by signal SIGSEGV (a crash; usually recursion too deep for the stack)"),
        Failed("worker exited with status 3 and no result"),
        Failed("worker failed: ValueError: bad task"),
    ]


def test_an_exception_in_the_parent_kills_and_reaps_every_child(tmp_path: Path) -> None:
    def record_and_sleep(n: int) -> int:
        (tmp_path / f"{n}.pid").write_text(str(os.getpid()))
        if n:
            time.sleep(3600)
        return n

    def stop(index: int, outcome: object) -> None:
        raise KeyboardInterrupt

    while_running = 0

    def on_start(index: int) -> None:
        nonlocal while_running
        while_running += 1

    with pytest.raises(KeyboardInterrupt):
        run_forked(record_and_sleep, [0, 1, 2], jobs=3, limits=Limits(timeout_s=60), on_start=on_start, on_done=stop)
    assert while_running == 3
    for pid_file in tmp_path.glob("*.pid"):
        with pytest.raises(ProcessLookupError):  # gone and reaped: not even a zombie is left
            os.kill(int(pid_file.read_text()), 0)


def test_what_a_child_prints_reaches_stderr_never_stdout() -> None:
    written: list[bytes] = []

    def chatty(n: int) -> int:
        os.write(1, f"stdout {n}\n".encode())
        os.write(2, f"stderr {n}\n".encode())
        return n

    assert run_forked(chatty, [1], jobs=1, limits=SMALL, stderr=written.append) == [1]
    assert written == [b"stdout 1\nstderr 1\n"]


def test_limits_are_positive_and_worded_for_people() -> None:
    assert Limits().time_message == "exceeded the 60 s time limit"
    assert Limits().memory_message == "exceeded the 2 GiB memory limit"
    assert Limits(memory_mib=256).memory_message == "exceeded the 256 MiB memory limit"
    with pytest.raises(ValueError):
        Limits(timeout_s=0)
    with pytest.raises(ValueError):
        run_forked(square, [1], jobs=0, limits=SMALL)
    assert available_cores() >= 1
