"""The OPA server the backend tests talk to: real OPA when a binary is available, else the test double.

``OPA_BIN=/path/to/opa`` (or ``opa`` on PATH) runs the same tests against real OPA; tests that
need fault injection (``opa_double``) only run against the double, which says so in its name.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from tests.opa_double import OpaTestDouble


def opa_binary() -> str | None:
    return os.environ.get("OPA_BIN") or shutil.which("opa")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class RealOpa:
    url: str
    process: subprocess.Popen[bytes]
    kind: str = "real"


def start_real_opa(binary: str, *args: str) -> RealOpa:
    port = _free_port()
    process = subprocess.Popen(
        [binary, "run", "--server", "--addr", f"127.0.0.1:{port}", "--log-level", "error", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                return RealOpa(url, process)
        except requests.RequestException:
            pass
        if process.poll() is not None:
            raise RuntimeError(f"opa exited: {process.stderr.read().decode() if process.stderr else ''}")
        time.sleep(0.1)
    process.terminate()
    raise RuntimeError("opa did not become healthy within 20 s")


def stop_real_opa(server: RealOpa) -> None:
    server.process.terminate()
    server.process.wait(timeout=10)


@contextmanager
def running_opa() -> Iterator[OpaTestDouble | RealOpa]:
    """A real OPA when one is on PATH (or OPA_BIN), else the loopback test double."""
    binary = opa_binary()
    if binary:
        server = start_real_opa(binary)
        try:
            yield server
        finally:
            stop_real_opa(server)
    else:
        with OpaTestDouble() as double:
            yield double


@pytest.fixture
def opa_server() -> Iterator[OpaTestDouble | RealOpa]:
    """A fresh OPA (real if available, else the test double) with nothing loaded."""
    with running_opa() as server:
        yield server


@pytest.fixture
def opa_double() -> Iterator[OpaTestDouble]:
    """Always the test double: for fault injection real OPA cannot do."""
    with OpaTestDouble() as double:
        yield double


@pytest.fixture
def bundle_server(tmp_path: Path) -> Iterator[object]:
    """A factory: ``start(bundle_path)`` -> an OPA serving that bundle (real if available)."""
    started: list[OpaTestDouble | RealOpa] = []

    def start(bundle: Path, *extra: str) -> OpaTestDouble | RealOpa:
        binary = opa_binary()
        server: OpaTestDouble | RealOpa
        if binary:
            server = start_real_opa(binary, "--bundle", str(bundle), *extra)
        else:
            server = OpaTestDouble().__enter__()
            server.load_bundle(bundle)
        started.append(server)
        return server

    yield start
    for server in started:
        if isinstance(server, RealOpa):
            stop_real_opa(server)
        else:
            server.__exit__(None, None, None)
