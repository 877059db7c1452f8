"""``results.json``: the full results document (the input of every other format).

Usage: ``auditor evaluate --evidence DIR --format json=out/results.json``.
"""

from __future__ import annotations

from typing import Any

from auditor.files import pretty_json
from auditor.report import FORMATS, Format
from auditor.results_model import Results


@FORMATS.register("json")
class JsonFormat(Format):
    """The results document as sorted, indented JSON (see docs/outputs.md).

    Example: ``auditor evaluate --evidence evidence/ --format json=out/results.json``
    """

    default_filename = "results.json"

    def render(self, results: Results | dict[str, Any]) -> bytes:
        return pretty_json(Results.coerce(results).to_dict())
