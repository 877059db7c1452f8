"""OPA bundles of the control library: policies + ``data.params``, deterministic, optionally signed.

Layout (loadable by ``opa run --server --bundle bundle.tar.gz``)::

    .manifest                      {"revision": ..., "roots": [...], "rego_version": 1}
    .signatures.json               only when signed: {"signatures": ["<JWT>"]}
    params/data.json               data.params: every control's parameters in force
    <family>/<id>.rego             the runtime policies (tests excluded unless asked)

Determinism: entries sorted, mtime 0, uid/gid 0, mode 0644, gzip header mtime 0, canonical
JSON; the revision defaults to the content digest. Same sources, same bytes; signed bundles
too (ES256 with RFC 6979 deterministic nonces; RS256 is deterministic by construction).

Signing follows OPA's bundle signature format: a JWS (compact JWT) whose payload is
``{"files": [{"name", "hash", "algorithm": "SHA-256"}], ...}``; ``.rego`` files are hashed
as bytes, ``data.json`` and ``.manifest`` over OPA's canonical walk of the JSON value (sorted
keys, no whitespace), exactly as OPA's verifier recomputes them.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.files import atomic_writer

if TYPE_CHECKING:
    from auditor.controls import ControlLibrary
    from auditor.policies import PolicySet

MANIFEST = ".manifest"
SIGNATURES = ".signatures.json"
PARAMS_DATA = "params/data.json"
#: Signing algorithms OPA documents for bundle keys that this module implements, by key type.
ALGORITHMS = {"EC": "ES256", "RSA": "RS256"}


def _json_bytes(value: Any) -> bytes:
    """Canonical JSON as Go's encoder writes it (sorted keys, no whitespace, no HTML escaping;
    U+2028 and U+2029 escaped, which Go always does)."""
    text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode("utf-8")


def _load_json(name: str, raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise InputError(f"{name}: not valid JSON: {exc}") from None


def opa_file_hash(name: str, raw: bytes) -> str:
    """SHA-256 hex of a bundle file as OPA's verifier computes it (structured files by value)."""
    base = name.rsplit("/", 1)[-1]
    if base in ("data.json", MANIFEST, SIGNATURES):
        return hashlib.sha256(_json_bytes(_load_json(name, raw))).hexdigest()
    return hashlib.sha256(raw).hexdigest()


@dataclass(frozen=True)
class BundleInfo:
    path: Path
    revision: str
    roots: list[str]
    files: list[str]
    signed: bool


def bundle_files(library: ControlLibrary, policies: PolicySet, include_tests: bool = False) -> dict[str, bytes]:
    """Every file of the bundle except ``.manifest`` and ``.signatures.json``."""
    files: dict[str, bytes] = {PARAMS_DATA: _json_bytes(library.params_document())}
    for source in policies.sources if include_tests else policies.runtime:
        if source.relpath in files or source.relpath.startswith("params/"):
            raise InputError(f"{source.path}: path {source.relpath} collides with a bundle file")
        files[source.relpath] = source.text.encode("utf-8")
    return files


def bundle_roots(policies: PolicySet) -> list[str]:
    """The top-level data paths the bundle owns: every policy's first package segment, and params."""
    return sorted({s.package.split(".")[0] for s in policies.sources} | {"params"})


def content_revision(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + hashlib.sha256(files[name]).digest())
    return f"sha256:{digest.hexdigest()}"


def _load_signing_key(path: Path) -> tuple[bytes, str]:
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    try:
        pem = path.read_bytes()
        key = load_pem_private_key(pem, password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(f"{path}: --sign-key: cannot load a PEM private key: {exc}") from None
    if isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1":
        return pem, ALGORITHMS["EC"]
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size >= 2048:
        return pem, ALGORITHMS["RSA"]
    raise InputError(
        f"{path}: --sign-key: found a {type(key).__name__}, expected an EC P-256 (ES256) or RSA >= 2048 (RS256) "
        "private key; these are the bundle signing algorithms OPA documents"
    )


def _jws_registry() -> Any:
    """joserfc's registry with ES256 signing using RFC 6979 deterministic nonces (same input, same JWT)."""
    from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from joserfc._rfc7518.jws_algs import ESAlgorithm
    from joserfc.jws import JWSRegistry

    class DeterministicES256(ESAlgorithm):
        def sign(self, msg: bytes, key: Any) -> bytes:
            op_key = key.get_op_key("sign")
            r, s = decode_dss_signature(op_key.sign(msg, ECDSA(self.hash_alg(), deterministic_signing=True)))
            size = (key.curve_key_size + 7) // 8
            return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    class Registry(JWSRegistry):
        algorithms = {**JWSRegistry.algorithms, "ES256": DeterministicES256("ES256", "P-256", 256)}

    return Registry(algorithms=["ES256", "RS256"])


def sign_files(files: dict[str, bytes], key_path: Path, key_id: str, scope: str | None = None) -> bytes:
    """``.signatures.json`` for these files, signed with the PEM private key at ``key_path``."""
    from joserfc import jws
    from joserfc.jwk import ECKey, RSAKey

    pem, alg = _load_signing_key(key_path)
    jwk = ECKey.import_key(pem) if alg == "ES256" else RSAKey.import_key(pem)
    payload: dict[str, Any] = {
        "files": [{"name": n, "hash": opa_file_hash(n, files[n]), "algorithm": "SHA-256"} for n in sorted(files)],
    }
    if scope:
        payload["scope"] = scope
    token = jws.serialize_compact(
        {"alg": alg, "kid": key_id}, _json_bytes(payload), jwk, registry=_jws_registry()
    )
    return _json_bytes({"signatures": [token]})


def verify_signatures(files: dict[str, bytes], public_key_pem: bytes, scope: str | None = None) -> list[str]:
    """Check ``.signatures.json`` the way OPA does; returns the verified file names or raises InputError."""
    from joserfc import jws
    from joserfc.errors import JoseError
    from joserfc.jwk import ECKey, RSAKey

    if SIGNATURES not in files:
        raise InputError("bundle is not signed: no .signatures.json")
    document = _load_json(SIGNATURES, files[SIGNATURES])
    tokens = document.get("signatures") if isinstance(document, dict) else None
    if not isinstance(tokens, list) or len(tokens) != 1 or not isinstance(tokens[0], str):
        tokens = tokens if isinstance(tokens, list) else []
        raise InputError(f".signatures.json: found {len(tokens)} JWTs, expected exactly one")
    try:
        key = ECKey.import_key(public_key_pem) if _is_ec(public_key_pem) else RSAKey.import_key(public_key_pem)
        token = jws.deserialize_compact(tokens[0], key, registry=_jws_registry())
    except (JoseError, ValueError) as exc:
        raise InputError(f".signatures.json: signature does not verify: {exc}") from None
    payload = _load_json(f"{SIGNATURES} payload", token.payload)
    listed = payload.get("files") if isinstance(payload, dict) else None
    if not isinstance(listed, list) or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in listed):
        raise InputError(f"{SIGNATURES}: the payload has no 'files' list of {{name, hash, algorithm}}")
    if payload.get("scope") != scope:
        raise InputError(f".signatures.json: scope mismatch: found {payload.get('scope')!r}, expected {scope!r}")
    signed = {f["name"]: f for f in listed}
    present = {n for n in files if n != SIGNATURES}
    if set(signed) != present:
        missing, extra = sorted(present - set(signed)), sorted(set(signed) - present)
        raise InputError(f".signatures.json: files not signed: {missing}; signed but absent: {extra}")
    for name in sorted(present):
        if signed[name].get("algorithm") != "SHA-256" or signed[name].get("hash") != opa_file_hash(name, files[name]):
            raise InputError(f"{name}: digest mismatch with .signatures.json")
    return sorted(present)


def _is_ec(public_key_pem: bytes) -> bool:
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    return isinstance(load_pem_public_key(public_key_pem), ec.EllipticCurvePublicKey)


def write_archive(path: Path, files: dict[str, bytes]) -> None:
    """A deterministic .tar.gz: sorted entries, fixed metadata, gzip header without time or name."""
    with (
        atomic_writer(path) as handle,
        gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=9) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for name in sorted(files):
            info = tarfile.TarInfo(name)
            info.size = len(files[name])
            info.mtime = 0
            info.mode = 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(files[name]))


def read_archive(path: Path) -> dict[str, bytes]:
    """The files of a bundle archive (regular files only; rejects links and absolute or '..' paths)."""
    files: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as tar:
            for member in tar.getmembers():
                name = member.name.lstrip("/")
                if not member.isfile() or ".." in name.split("/"):
                    raise InputError(f"{path}: {member.name}: only regular files with relative paths are allowed")
                if name in files:  # OPA verifies the first copy and rejects the second; tar extracts the last
                    raise InputError(f"{path}: {name} is in the bundle more than once")
                files[name] = tar.extractfile(member).read()  # type: ignore[union-attr]
    except (OSError, tarfile.TarError) as exc:
        raise InputError(f"{path}: not a readable .tar.gz bundle: {exc}") from None
    return files


def build_bundle(
    library: ControlLibrary,
    policies: PolicySet,
    out: Path,
    *,
    revision: str | None = None,
    sign_key: Path | None = None,
    key_id: str = "auditor",
    scope: str | None = None,
    include_tests: bool = False,
) -> BundleInfo:
    files = bundle_files(library, policies, include_tests)
    roots = bundle_roots(policies)
    revision = revision or content_revision(files)
    files[MANIFEST] = _json_bytes({"revision": revision, "roots": roots, "rego_version": 1})
    if sign_key is not None:
        files[SIGNATURES] = sign_files(files, sign_key, key_id, scope)
    write_archive(out, files)
    return BundleInfo(out, revision, roots, sorted(files), sign_key is not None)
