"""A locker created by racing first runs, and lockers or output folders that cannot take a run."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from auditor.errors import InputError
from auditor.files import DestinationError, write_atomic
from auditor.pack.locker import verify_locker
from tests.pack.crash import Bench, committed_run_ids, leftovers


def test_first_runs_racing_to_create_a_new_locker_all_land(tmp_path: Path) -> None:
    bench = Bench.create(tmp_path, locker=tmp_path / "deep" / "new-locker")
    ids = [f"f{n}" for n in range(5)]
    results = [bench.results(run_id, n) for n, run_id in enumerate(ids)]
    procs = [subprocess.Popen(bench.command(r, out=tmp_path / "out" / f"{r.stem}.zip"),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for r in results]
    outcomes = [(p.wait(120), p.stderr.read() if p.stderr else "") for p in procs]
    for proc in procs:
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert [code for code, _ in outcomes] == [0] * len(ids), outcomes
    assert sorted(committed_run_ids(bench.locker)) == ids
    report = verify_locker(bench.locker)
    assert report.valid, report.problems
    assert not [p for p in bench.locker.parent.iterdir() if p.name != "new-locker"]  # no staging folder left


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A real 2 MiB tmpfs (needs root and mount); skipped where the sandbox cannot mount."""
    where = tmp_path / "tiny"
    where.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(where)], capture_output=True,
                          check=False)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _fill(folder: Path) -> None:
    with (folder / "filler").open("wb") as handle:
        try:
            while True:
                handle.write(b"\0" * 65536)
                handle.flush()
        except OSError:
            pass


def test_full_output_folder_is_exit_2_naming_the_path(tmp_path: Path, tiny_fs: Path) -> None:
    bench = Bench.create(tmp_path)
    assert bench.run(bench.results("base", 0)).returncode == 0
    out = tiny_fs / "out"
    out.mkdir()
    _fill(tiny_fs)
    proc = bench.run(bench.results("full", 1), out=out / "pack.zip")
    assert proc.returncode == 2, proc.stderr
    assert f"{out / 'pack.zip'}: cannot write: no space left on the device" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert leftovers(out) == [] and not (out / "pack.zip").exists()
    assert committed_run_ids(bench.locker) == ["base"] and verify_locker(bench.locker).valid


def test_full_locker_is_a_storage_error_and_still_verifies(tmp_path: Path, tiny_fs: Path) -> None:
    bench = Bench.create(tmp_path, locker=tiny_fs / "locker")
    assert bench.run(bench.results("base", 0)).returncode == 0
    _fill(tiny_fs)
    for n in range(2):  # and again: a failed run leaves nothing that breaks the next one
        proc = bench.run(bench.results(f"full{n}", n + 1))
        assert proc.returncode == 3, proc.stderr
        assert re.search(rf"{re.escape(str(bench.locker))}: git [a-z-]+ failed: .*(space|diskspace)", proc.stderr)
        assert "the locker is left as it was" in proc.stderr and "Traceback" not in proc.stderr
        report = verify_locker(bench.locker)
        assert report.valid and committed_run_ids(bench.locker) == ["base"], report.problems
    (tiny_fs / "filler").unlink()
    assert bench.run(bench.results("after", 5)).returncode == 0
    assert committed_run_ids(bench.locker) == ["base", "after"] and verify_locker(bench.locker).valid


def test_read_only_locker_is_refused_and_still_verifies(tmp_path: Path) -> None:
    """A read-only bind mount (root) of the locker; root ignores chmod, so a mount is the honest test."""
    bench = Bench.create(tmp_path)
    assert bench.run(bench.results("base", 0)).returncode == 0
    ro = tmp_path / "ro-locker"
    ro.mkdir()
    if subprocess.run(["mount", "--bind", "-o", "ro", str(bench.locker), str(ro)], capture_output=True,
                      check=False).returncode != 0:
        pytest.skip("cannot bind-mount read-only here")
    try:
        proc = bench.run(bench.results("ro", 1), locker=ro)
        assert proc.returncode == 2, proc.stderr
        assert f"{ro}: the locker is not writable" in proc.stderr and "Traceback" not in proc.stderr
        assert verify_locker(ro).valid and committed_run_ids(ro) == ["base"]
    finally:
        subprocess.run(["umount", "-l", str(ro)], check=False)


def test_read_only_output_folder(tmp_path: Path) -> None:
    out = tmp_path / "ro-out"
    out.mkdir()
    source = tmp_path / "src"
    source.mkdir()
    if subprocess.run(["mount", "--bind", "-o", "ro", str(source), str(out)], capture_output=True,
                      check=False).returncode != 0:
        pytest.skip("cannot bind-mount read-only here")
    try:
        with pytest.raises(DestinationError, match=rf"{out}/results.json: cannot write: read-only file system"):
            write_atomic(out / "results.json", b"{}")
        assert isinstance(DestinationError("x"), InputError)
        assert list(out.iterdir()) == []
    finally:
        subprocess.run(["umount", "-l", str(out)], check=False)


def test_write_error_midway_removes_the_temporary_file(tmp_path: Path, tiny_fs: Path) -> None:
    target = tiny_fs / "big.bin"
    write_atomic(target, b"old")
    with pytest.raises(DestinationError, match=rf"{target}: cannot write: no space left on the device"):
        write_atomic(target, b"x" * (4 << 20))
    assert target.read_bytes() == b"old" and leftovers(tiny_fs) == []


def test_unwritable_parent_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(DestinationError, match=rf"{blocker}/out.json: cannot write: "):
        write_atomic(blocker / "out.json", b"{}")
