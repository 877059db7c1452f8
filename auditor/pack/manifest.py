"""``manifest.json``: every other member's path, size and sha256 (the attestation excepted)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from auditor.files import pretty_json

MANIFEST = "manifest.json"
ATTESTATION = "signature/attestation.dsse.json"
PUBLIC_KEY = "signature/public-key.pem"
RESULTS = "results.json"
OSCAL = "oscal/assessment-results.json"
SCHEMA_VERSION = "1"


@dataclass(frozen=True)
class Entry:
    path: str
    size: int
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "sha256": self.sha256, "size": self.size}


def render(entries: list[Entry], run_id: str, library: dict[str, Any]) -> bytes:
    return pretty_json({
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "library": library,
        "members": [e.to_dict() for e in sorted(entries, key=lambda e: e.path)],
    })


class ManifestError(ValueError):
    pass


def parse(raw: bytes) -> dict[str, Entry]:
    try:
        doc = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"manifest.json is not valid JSON ({exc.msg})") from None
    members = doc.get("members") if isinstance(doc, dict) else None
    if not isinstance(members, list):
        raise ManifestError("manifest.json has no 'members' list")
    entries: dict[str, Entry] = {}
    for item in members:
        if not (isinstance(item, dict) and isinstance(item.get("path"), str)
                and isinstance(item.get("sha256"), str) and isinstance(item.get("size"), int)):
            raise ManifestError("manifest.json: a member entry lacks path, size or sha256")
        if item["path"] in entries:
            raise ManifestError(f"manifest.json lists {item['path']} twice")
        entries[item["path"]] = Entry(item["path"], item["size"], item["sha256"])
    return entries
