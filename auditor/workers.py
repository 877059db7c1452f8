"""Run tasks in forked worker processes, one child per task, each bounded in time and memory.

The evaluator sets the engine's input once, then forks: each child inherits the loaded engine
(copy-on-write), evaluates one control and sends its result back through a pipe. Children run
``jobs`` at a time (regorus holds the GIL, so threads would not help); a child that exceeds its
limits, crashes or is killed ends that task as a :class:`Failed` with the reason, and the other
tasks go on. Usage::

    limits = Limits(timeout_s=60, memory_mib=2048)
    outcomes = run_forked(lambda n: n * n, [1, 2, 3], jobs=2, limits=limits)
    # [1, 4, 9], or Failed("exceeded the 60 s time limit") in place of a task that ran too long

Limits (see docs/scaling.md):

- time: the child's CPU seconds (``RLIMIT_CPU``: SIGXCPU at the limit, SIGKILL one second later),
  so a busy machine does not turn a slow control into an error; the parent also kills a child
  that has not answered after :data:`WALL_FACTOR` times the limit of wall-clock time (stopped,
  starved or thrashing).
- memory: what the child allocates beyond the memory it started with (the engine holding the
  evidence, shared with the parent). The parent polls the child's resident memory
  (``/proc/<pid>/statm``) every :data:`POLL_S` seconds and kills it once it has grown by more than
  the limit. Pages the child merely copies on write (the engine's reference counts in the shared
  evidence) do not grow it: they are bounded by the evidence, not by the policy. ``RLIMIT_AS`` in
  the child (its address space at fork plus :data:`AS_FACTOR` times the limit: mimalloc reserves
  address space in large arenas) stops an allocation burst between two polls, which the engine
  reports as a failed allocation.

The parent never waits on one child alone: every pipe is drained as data arrives, every child is
reaped, and on any exception (including KeyboardInterrupt) every running child is killed and
reaped before the exception propagates.
"""

from __future__ import annotations

import contextlib
import faulthandler
import functools
import gc
import os
import pickle
import resource
import selectors
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_TIMEOUT_S = 60
DEFAULT_MEMORY_MIB = 2048
#: the parent kills a child with no answer after this many times the time limit, in wall-clock time
WALL_FACTOR = 3
#: the child's address space may grow by this many times the memory limit (a backstop, see above)
AS_FACTOR = 2
#: seconds between two polls of a child's memory
POLL_S = 0.05
#: bytes of a child's stderr kept (its Rego ``print`` output, an allocator's last words)
STDERR_KEEP = 64 * 1024

_PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_ALLOCATION_FAILED = b"memory allocation of "
_RUST_NOTE = b"note: run with `RUST_BACKTRACE=1`"


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity), at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    return hasattr(os, "fork")


@dataclass(frozen=True)
class Limits:
    """Per-task limits: CPU seconds and MiB allocated beyond the memory shared with the parent."""

    timeout_s: int = DEFAULT_TIMEOUT_S
    memory_mib: int = DEFAULT_MEMORY_MIB

    def __post_init__(self) -> None:
        if self.timeout_s < 1 or self.memory_mib < 1:
            raise ValueError(f"limits must be positive, got {self.timeout_s} s and {self.memory_mib} MiB")

    @property
    def time_message(self) -> str:
        return f"exceeded the {self.timeout_s} s time limit"

    @property
    def memory_message(self) -> str:
        size = f"{self.memory_mib // 1024} GiB" if self.memory_mib % 1024 == 0 else f"{self.memory_mib} MiB"
        return f"exceeded the {size} memory limit"


@dataclass(frozen=True)
class Failed:
    """A task that produced no result: why, in one line."""

    reason: str


@dataclass
class _Child(Generic[T]):
    index: int
    pid: int
    fds: dict[int, bytearray]  # open read end -> bytes read so far (result pipe, stderr pipe)
    result_fd: int
    stderr_fd: int
    wall_deadline: float
    resident_at_fork: int | None
    killed_for: str | None = None
    status: int | None = None
    open_fds: set[int] = field(default_factory=set)


def run_forked(
    func: Callable[[T], R],
    tasks: Sequence[T],
    *,
    jobs: int,
    limits: Limits,
    on_start: Callable[[int], None] | None = None,
    on_done: Callable[[int, R | Failed], None] | None = None,
    stderr: Callable[[bytes], None] | None = None,
) -> list[R | Failed]:
    """``[func(t) for t in tasks]``, each call in its own forked child, ``jobs`` at a time, in order given.

    ``func``'s return value must pickle. ``on_start(index)`` is called just before a task's child
    is forked, ``on_done(index, outcome)`` in the parent as each
    task ends (in completion order); ``stderr`` receives each child's stderr output (default: the
    parent's stderr) once that child has ended, so the output of two tasks never interleaves.
    """
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    outcomes: list[Any] = [None] * len(tasks)
    pending = list(range(len(tasks)))
    pending.reverse()  # pop() from the end takes tasks in the order given
    running: dict[int, _Child[T]] = {}
    selector = selectors.DefaultSelector()
    _prctl()
    write_stderr = stderr or _write_parent_stderr
    try:
        while pending or running:
            while pending and len(running) < jobs:
                index = pending.pop()
                if on_start is not None:
                    on_start(index)
                child = _spawn(func, tasks[index], index, limits, running, selector)
                running[child.pid] = child
            _pump(running, selector, limits)
            for pid in [pid for pid, c in running.items() if c.status is not None and not c.open_fds]:
                child = running.pop(pid)
                outcome = _outcome(child, limits)
                outcomes[child.index] = outcome
                text = _printed(child.fds[child.stderr_fd])
                if text:
                    write_stderr(text)
                if on_done is not None:
                    on_done(child.index, outcome)
    finally:
        for child in running.values():
            _kill(child.pid)
        for child in running.values():
            if child.status is None:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(child.pid, 0)
            for fd in child.open_fds:
                with contextlib.suppress(OSError):
                    selector.unregister(fd)
                os.close(fd)
        selector.close()
    return [o if o is not None else Failed("no result") for o in outcomes]


def _write_parent_stderr(text: bytes) -> None:
    sys.stderr.flush()
    with contextlib.suppress(OSError):
        os.write(2, text)


def _spawn(
    func: Callable[[T], R],
    task: T,
    index: int,
    limits: Limits,
    running: dict[int, _Child[T]],
    selector: selectors.BaseSelector,
) -> _Child[T]:
    result_r, result_w = os.pipe()
    stderr_r, stderr_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    resident = _resident(os.getpid())
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(result_r)
        os.close(stderr_r)
        for other in running.values():
            for fd in other.open_fds:
                with contextlib.suppress(OSError):
                    os.close(fd)
        _child_main(func, task, limits, result_w, stderr_w)
    os.close(result_w)
    os.close(stderr_w)
    for fd in (result_r, stderr_r):
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    return _Child(
        index=index,
        pid=pid,
        fds={result_r: bytearray(), stderr_r: bytearray()},
        result_fd=result_r,
        stderr_fd=stderr_r,
        wall_deadline=time.monotonic() + WALL_FACTOR * limits.timeout_s,
        resident_at_fork=resident,
        open_fds={result_r, stderr_r},
    )


def _child_main(func: Callable[[T], R], task: T, limits: Limits, result_w: int, stderr_w: int) -> None:
    code = 0
    try:
        faulthandler.disable()  # a crash is reported by the parent, not dumped by Python into its stderr
        gc.disable()  # collections would write to every inherited object's header: copy-on-write for nothing
        signal.signal(signal.SIGINT, signal.SIG_DFL)  # the parent decides what an interrupt means
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        _die_with_parent()
        os.dup2(stderr_w, 2)
        os.dup2(stderr_w, 1)  # nothing a policy prints can reach the parent's stdout (e.g. --format json -)
        os.close(stderr_w)
        _set_limits(limits)
        try:
            message: tuple[str, object] = ("ok", func(task))
            payload = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        except MemoryError:
            payload = pickle.dumps(("memory", None))
        except RecursionError:
            payload = pickle.dumps(("failed", "recursion too deep"))
        _write_all(result_w, payload)
    except BaseException as exc:  # noqa: BLE001 - the child reports everything, then exits
        code = 1
        with contextlib.suppress(BaseException):
            _write_all(result_w, pickle.dumps(("failed", f"worker failed: {type(exc).__name__}: {exc}")))
    finally:
        os._exit(code)


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """Linux's prctl(2), loaded once in the parent (not once per child)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
        return prctl
    except (OSError, AttributeError):  # pragma: no cover
        return None


def _die_with_parent() -> None:
    """Linux: SIGKILL this child if the parent dies (elsewhere the CPU limit ends it)."""
    prctl = _prctl()
    if prctl is not None:
        pr_set_pdeathsig = 1
        prctl(pr_set_pdeathsig, signal.SIGKILL)


def _set_limits(limits: Limits) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crash leaves no multi-GB core file behind
    _, cpu_hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = limits.timeout_s
    hard = soft + 1 if cpu_hard == resource.RLIM_INFINITY else min(cpu_hard, soft + 1)
    resource.setrlimit(resource.RLIMIT_CPU, (min(soft, hard), hard))
    address_space = _address_space()
    if address_space is not None:
        allowed = address_space + AS_FACTOR * limits.memory_mib * 1024 * 1024
        _, as_hard = resource.getrlimit(resource.RLIMIT_AS)
        if as_hard == resource.RLIM_INFINITY or allowed < as_hard:
            resource.setrlimit(resource.RLIMIT_AS, (allowed, allowed if as_hard == resource.RLIM_INFINITY
                                                    else as_hard))


def _address_space() -> int | None:
    return _statm(os.getpid(), 0)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _pump(running: dict[int, _Child[T]], selector: selectors.BaseSelector, limits: Limits) -> None:
    """Read what the children wrote, reap the ones that ended, enforce the limits: one round."""
    owner = {fd: c for c in running.values() for fd in c.open_fds}
    for key, _ in selector.select(timeout=POLL_S):
        fd = int(key.fd)
        child = owner.get(fd)
        if child is not None:
            _drain(child, fd, selector)
    now = time.monotonic()
    for child in running.values():
        if child.status is None:
            # Both pipes at end of file: the child is exiting (it closes them only by exiting).
            pid, status = os.waitpid(child.pid, 0 if not child.open_fds else os.WNOHANG)
            if pid:
                child.status = status
                for fd in list(child.open_fds):  # the child is gone: read what is left, to EOF
                    os.set_blocking(fd, True)
                    _drain(child, fd, selector)
                continue
        if child.status is not None or child.killed_for is not None:
            continue
        if now > child.wall_deadline:
            child.killed_for = (
                f"{limits.time_message} (no answer after {WALL_FACTOR * limits.timeout_s} s of wall-clock time)"
            )
            _kill(child.pid)
            continue
        resident = _resident(child.pid)
        if (resident is not None and child.resident_at_fork is not None
                and resident - child.resident_at_fork > limits.memory_mib * 1024 * 1024):
            child.killed_for = limits.memory_message
            _kill(child.pid)


def _drain(child: _Child[T], fd: int, selector: selectors.BaseSelector) -> None:
    buffer = child.fds[fd]
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return
        if not chunk:
            selector.unregister(fd)
            os.close(fd)
            child.open_fds.discard(fd)
            return
        if fd == child.stderr_fd:
            buffer.extend(chunk)
            if len(buffer) > 2 * STDERR_KEEP:
                del buffer[: len(buffer) - STDERR_KEEP]
        else:
            buffer.extend(chunk)


def _resident(pid: int) -> int | None:
    """Resident bytes of process ``pid`` (Linux ``/proc``; ``None`` elsewhere or once it is gone)."""
    return _statm(pid, 1)


def _statm(pid: int, field_index: int) -> int | None:
    """Bytes in field ``field_index`` of ``/proc/<pid>/statm`` (0: address space, 1: resident)."""
    try:
        return int(Path(f"/proc/{pid}/statm").read_bytes().split()[field_index]) * _PAGE_SIZE
    except (OSError, ValueError, IndexError):
        return None


def _kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def _outcome(child: _Child[T], limits: Limits) -> Any:
    status = child.status if child.status is not None else 0
    err = bytes(child.fds[child.stderr_fd])
    if child.killed_for is not None:
        return Failed(child.killed_for)
    data = bytes(child.fds[child.result_fd])
    if os.WIFEXITED(status) and data:
        try:
            kind, value = pickle.loads(data)
        except Exception:  # noqa: BLE001 - a truncated answer is a failed task, not a crash of the run
            return Failed("worker sent an unreadable result")
        if kind == "ok":
            return value
        if kind == "memory":
            return Failed(limits.memory_message)
        return Failed(str(value))
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGXCPU:
            return Failed(limits.time_message)
        if _ALLOCATION_FAILED in err:
            return Failed(limits.memory_message)
        if sig == signal.SIGKILL:
            return Failed("worker was killed (SIGKILL), most likely by the kernel's out-of-memory killer")
        return Failed(f"worker ended by signal {_signal_name(sig)}{_SIGNAL_HINTS.get(sig, '')}")
    return Failed(f"worker exited with status {os.WEXITSTATUS(status)} and no result")


_SIGNAL_HINTS: dict[int, str] = {
    signal.SIGSEGV: " (a crash; usually recursion too deep for the stack)",
    signal.SIGABRT: " (the engine aborted)",
}


def _signal_name(sig: int) -> str:
    try:
        return signal.Signals(sig).name
    except ValueError:
        return f"signal {sig}"


def _printed(err: bytearray) -> bytes:
    """A child's stderr without the allocator's abort lines (those become the reason instead)."""
    lines = bytes(err).splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith((_ALLOCATION_FAILED, _RUST_NOTE))]
    return b"".join(kept)
