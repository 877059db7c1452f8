#!/usr/bin/env python3
# ruff: noqa: E501 (dense data tables and one-line violation records)
"""Generate the AWS account-settings demo evidence for Brightwater Financial (issue 18).

Writes evidence/examples/demo/{access_policies,encryption_keys,cloud_accounts}.json and
VIOLATIONS-aws.md, which lists every violation of SEC-009 to SEC-018 and PRIV-006 by control and
resource id. Those controls also read documents the other generators write (access_grants,
identities, audit_trails, data_stores): run them first (``make demo`` does). This generator reads
them and lists what each control finds there, the rule restated in plain Python beside each
section, so a change in the policies or the other generators fails tests/test_demo.py loudly.

Deterministic: fixed records, no clock, no randomness. Standard library only.

    python evidence/examples/generate_demo_aws.py [--out DIR]   # default: evidence/examples/demo
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

COLLECTED_AT = "2026-11-20T09:00:00Z"
OUT = Path(__file__).resolve().parent / "demo"
PASSES = "No deliberate violations: this control passes on the demo."
ACCOUNTS = {"prod": "412355678901", "dr": "412355678902"}
BLOCK_KEYS = ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")

TITLES = {
    "SEC-009": "no user holds administrator rights directly",
    "SEC-010": "no customer-managed or inline policy grants full access",
    "SEC-011": "administrators use MFA",
    "SEC-012": "customer-managed keys rotate",
    "SEC-013": "S3 public access blocked at account and bucket level",
    "SEC-014": "no bucket ACL or policy grants public read or list",
    "SEC-015": "data stores can be recovered",
    "SEC-016": "the password policy meets the parameters",
    "SEC-017": "no identity has two active access keys",
    "SEC-018": "trails encrypted with KMS and delivered to CloudWatch Logs",
    "PRIV-006": "stores holding personal data are not open to the public",
}

EXPECTED: dict[str, dict[str, list[str]]] = {}


def expect(control: str, resource: str, why: str) -> None:
    EXPECTED.setdefault(control, {}).setdefault(resource, []).append(why)


def policy(pid: str, name: str, kind: str, full: bool, attached: list[str]) -> dict[str, Any]:
    return {"id": pid, "name": name, "system": "aws", "account": ACCOUNTS["prod"], "policy_type": kind,
            "full_access": full, "admin": full, "attached_to": attached, "attributes": {}}


def build_policies() -> list[dict[str, Any]]:
    prod = ACCOUNTS["prod"]
    items = [
        policy(f"arn:aws:iam::{prod}:policy/read-statements", "read-statements", "customer_managed", False, [f"arn:aws:iam::{prod}:group/analysts"]),
        policy(f"arn:aws:iam::{prod}:policy/deploy-services", "deploy-services", "customer_managed", False, [f"arn:aws:iam::{prod}:role/deployer"]),
        policy(f"arn:aws:iam::{prod}:policy/legacy-everything", "legacy-everything", "customer_managed", True, []),
        policy(f"arn:aws:iam::{prod}:role/batch-runner#inline:all-access", "all-access", "inline", True, [f"arn:aws:iam::{prod}:role/batch-runner"]),
    ]
    expect("SEC-010", items[2]["id"], "customer-managed policy allowing * on *, attached to nothing (still fails: it can be attached at any time)")
    expect("SEC-010", items[3]["id"], "inline policy on the batch-runner role allowing * on *")
    return items


def build_keys() -> list[dict[str, Any]]:
    def key(account: str, n: str, rotation: bool | None, spec: str = "SYMMETRIC_DEFAULT") -> dict[str, Any]:
        return {"id": f"arn:aws:kms:eu-west-2:{account}:key/{n}", "system": "aws-kms", "account": account, "region": "eu-west-2",
                "rotation_enabled": rotation, "rotatable": spec == "SYMMETRIC_DEFAULT", "key_spec": spec,
                "attributes": {"usage": "ENCRYPT_DECRYPT" if spec == "SYMMETRIC_DEFAULT" else "SIGN_VERIFY", "origin": "AWS_KMS"}}
    items = [
        key(ACCOUNTS["prod"], "0b6e1c2a-1111-4c1e-9a51-6f7d2a000001", True),
        key(ACCOUNTS["prod"], "0b6e1c2a-1111-4c1e-9a51-6f7d2a000002", True),
        key(ACCOUNTS["dr"], "0b6e1c2a-2222-4c1e-9a51-6f7d2a000003", False),
        key(ACCOUNTS["prod"], "0b6e1c2a-1111-4c1e-9a51-6f7d2a000004", None, "RSA_2048"),
    ]
    expect("SEC-012", items[2]["id"], "symmetric customer-managed key in the DR account without automatic rotation")
    return items


def build_accounts() -> list[dict[str, Any]]:
    strong = {"minimum_length": 14, "require_uppercase": True, "require_lowercase": True, "require_numbers": True,
              "require_symbols": True, "max_age_days": None, "reuse_prevention": 24, "hard_expiry": False}
    weak = {**strong, "minimum_length": 8, "reuse_prevention": 5}
    items = [
        {"id": f"arn:aws:iam::{ACCOUNTS['prod']}:account", "system": "aws", "account": ACCOUNTS["prod"],
         "password_policy": strong, "public_access_block": {k: True for k in BLOCK_KEYS}, "attributes": {}},
        {"id": f"arn:aws:iam::{ACCOUNTS['dr']}:account", "system": "aws", "account": ACCOUNTS["dr"],
         "password_policy": weak, "public_access_block": None, "attributes": {}},
    ]
    expect("SEC-016", items[1]["id"], "minimum length 8 (14 required) and 5 passwords remembered (24 required)")
    expect("SEC-013", items[1]["id"], "the DR account has no account-wide S3 public access block")
    return items


def attr(item: dict[str, Any], name: str) -> Any:
    return (item.get("attributes") or {}).get(name)


def blocked(block: Any) -> bool:
    return isinstance(block, dict) and all(block.get(k) is True for k in BLOCK_KEYS)


def findings(docs: dict[str, list[dict[str, Any]]]) -> None:
    """The violations the controls find in the other generators' documents (each rule in brief)."""
    grants, identities = docs["access_grants"], {i["id"]: i for i in docs["identities"]}
    # grants in force at the audit instant (the demo's as-of, its collection time): not expired
    # (lib.grants.active); SEC-011, which reads identities, also leaves out disabled identities
    users = [g for g in grants if g.get("principal_type", "user") == "user"
             and not (g.get("expires_at") and g["expires_at"] <= COLLECTED_AT)]
    disabled = {i for i, who in identities.items() if who["disabled"]}
    for g in users:  # SEC-009: an AWS user holding a privileged grant with no group (via) in between
        if g["system"].lower() == "aws" and g["privileged"] and g.get("via") is None:
            expect("SEC-009", g["identity"], f"holds {g['role']} directly (grant {g['id']})")
    for g in (g for g in users if g["identity"] not in disabled):  # SEC-011: every privileged holder has MFA
        who = identities.get(g["identity"])
        if g["privileged"] and who is None:
            expect("SEC-011", g["identity"], f"holds {g['role']} on {g['system']} but is not in the identities evidence")
        elif g["privileged"] and who["mfa_enabled"] is False:
            expect("SEC-011", g["identity"], f"holds {g['role']} on {g['system']} without MFA")
    for i in docs["identities"]:  # SEC-017
        active = sum(1 for k in i["access_keys"] if k["status"] == "active")
        if active > 1:
            expect("SEC-017", i["id"], f"{active} active access keys")
    for t in docs["audit_trails"]:  # SEC-018 (judge: every_trail; CloudWatch Logs required)
        if t["system"] != "aws-cloudtrail":
            continue
        if not (isinstance(t.get("kms_key"), str) and t["kms_key"]):
            expect("SEC-018", t["id"], "log files not encrypted with a KMS key")
        group = attr(t, "cloudwatch_logs_group")
        if not (isinstance(group, str) and group and attr(t, "cloudwatch_delivered") is True):
            expect("SEC-018", t["id"], "no CloudWatch Logs delivery recorded")
    for s in docs["data_stores"]:
        if s["type"] == "s3":
            if not blocked(attr(s, "public_access_block")):  # SEC-013 bucket level
                expect("SEC-013", s["id"], "no full bucket-level public access block")
            for field in ("public_acl_grants", "public_policy_statements"):  # SEC-014
                value = attr(s, field)
                if not isinstance(value, list):
                    expect("SEC-014", s["id"], f"{field} not recorded")
                elif value:
                    expect("SEC-014", s["id"], f"{field}: {', '.join(value)}")
            if s["contains_personal_data"]:  # PRIV-006
                fields = [attr(s, f) for f in ("public_acl_grants", "public_policy_statements")]
                if any(not isinstance(v, list) or v for v in fields):
                    expect("PRIV-006", s["id"], "holds personal data and an ACL or policy grants public read or list")
                if not blocked(attr(s, "public_access_block")):
                    expect("PRIV-006", s["id"], "holds personal data without a full public access block")
            if attr(s, "versioning") != "Enabled":  # SEC-015
                expect("SEC-015", s["id"], f"versioning {attr(s, 'versioning')}")
        elif s["type"] == "dynamodb" and attr(s, "point_in_time_recovery") is not True:
            expect("SEC-015", s["id"], "point-in-time recovery off")
        elif s["type"] == "rds":
            if attr(s, "deletion_protection") is not True:
                expect("SEC-015", s["id"], "deletion protection off")
            days = attr(s, "backup_retention_days")
            if not isinstance(days, int) or days < 7:
                expect("SEC-015", s["id"], f"automated backups kept {days} days (7 required)")


def document(kind: str, source: str, items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"kind": kind, "source": source, "collected_at": COLLECTED_AT,
            "collector": {"name": "aws", "version": "0.1.0"}, "errors": [], "items": items}


def violations_md(counts: dict[str, int]) -> str:
    lines = [
        "# Deliberate violations: AWS identity, storage, key and logging settings (Brightwater Financial demo)",
        "",
        "Generated by `evidence/examples/generate_demo_aws.py`; do not edit by hand.",
        f"Evidence collected at {COLLECTED_AT}; every control with its default parameters.",
        "Each control fails on exactly the resources listed under it; a control with no deliberate violations passes.",
        "",
        "Items: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ".",
        "",
    ]
    assert set(EXPECTED) <= set(TITLES), "control without a title"
    for control in TITLES:
        lines += [f"## {control}: {TITLES[control]}", ""]
        for resource in sorted(EXPECTED.get(control, {})):
            lines.append(f"- `{resource}`: {'; '.join(EXPECTED[control][resource])}")
        if not EXPECTED.get(control):
            lines.append(PASSES)
        lines.append("")
    return "\n".join(lines)


def write(out: Path, name: str, doc: dict[str, Any]) -> None:
    (out / name).write_text(json.dumps(doc, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"output directory (default: {OUT})")
    out = parser.parse_args(argv).out
    out.mkdir(parents=True, exist_ok=True)
    docs = {}
    for kind in ("access_grants", "identities", "audit_trails", "data_stores"):
        path = out / f"{kind}.json"
        if not path.is_file():
            raise SystemExit(f"{path}: not found; run the other demo generators first (make demo)")
        docs[kind] = json.loads(path.read_text(encoding="utf-8"))["items"]
    policies, keys, accounts = build_policies(), build_keys(), build_accounts()
    findings(docs)
    write(out, "access_policies.json", document("access_policies", f"aws:{ACCOUNTS['prod']}", policies))
    write(out, "encryption_keys.json", document("encryption_keys", "aws:brightwater", keys))
    write(out, "cloud_accounts.json", document("cloud_accounts", "aws:brightwater", accounts))
    counts = {"access_policies": len(policies), "encryption_keys": len(keys), "cloud_accounts": len(accounts)}
    (out / "VIOLATIONS-aws.md").write_text(violations_md(counts), encoding="utf-8")
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
