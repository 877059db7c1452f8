"""Writing output formats: ``--format NAME[=PATH]`` requests, atomic writes, the step summary."""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.files import write_atomic
from auditor.report import FORMATS

if TYPE_CHECKING:
    from auditor.results_model import Results

#: Modules that register a machine-readable format in FORMATS (imported on first use).
FORMAT_MODULES = ("auditor.report.json_format", "auditor.report.junit", "auditor.report.sarif",
                  "auditor.report.markdown", "auditor.report.oscal")


def load_formats() -> None:
    """Register the built-in formats and those of installed packages (group ``auditor.formats``)."""
    for module in FORMAT_MODULES:
        importlib.import_module(module)
    FORMATS.load_entry_points()


@dataclass(frozen=True)
class FormatRequest:
    name: str
    path: Path | None = None

    @classmethod
    def parse(cls, text: str) -> FormatRequest:
        """``junit`` or ``junit=out/x.xml``; unknown names are exit 2 with the known ones listed."""
        load_formats()
        name, sep, path = text.partition("=")
        name = name.strip()
        if sep and not path.strip():
            raise InputError(f"--format {text}: expected NAME or NAME=PATH, found an empty PATH")
        FORMATS.get(name)
        return cls(name, Path(path.strip()) if sep else None)


def write_outputs(results: Results | dict[str, Any], requests: list[FormatRequest], default_dir: Path) -> list[Path]:
    """Render every requested format from the run's typed results; each file is written atomically."""
    from auditor.results_model import Results

    load_formats()
    typed = Results.coerce(results) if requests else None
    written = []
    targets: dict[Path, str] = {}
    for request in requests:
        renderer = FORMATS.get(request.name)()
        path = request.path or default_dir / renderer.default_filename
        if path in targets and targets[path] != request.name:
            raise InputError(f"--format {request.name}: {path} is also the output of --format {targets[path]}")
        targets[path] = request.name
        write_atomic(path, renderer.render(typed or results))
        written.append(path)
    return written


def append_step_summary(results: Results | dict[str, Any], environ: dict[str, str] | None = None) -> Path | None:
    """Append the Markdown summary to ``$GITHUB_STEP_SUMMARY`` when it is set (GitHub Actions)."""
    env = os.environ if environ is None else environ
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    load_formats()
    text = FORMATS.get("markdown")().render(results)
    path = Path(target)
    try:
        with path.open("ab") as handle:
            handle.write(text + b"\n")
    except OSError as exc:
        raise InputError(f"$GITHUB_STEP_SUMMARY: cannot append to {path}: {exc.strerror}") from None
    return path
