#!/usr/bin/env python3
# ruff: noqa: E501 (dense data tables and one-line violation records)
"""Generate the privacy and AI-governance demo evidence for Brightwater Financial.

Writes evidence/examples/demo/{data_stores,deletion_jobs,dsar_requests,models}.json
and VIOLATIONS-privacy-ai.md, which lists every deliberate violation by control
and resource id. The output is deterministic: a fixed seed, a fixed collection
instant and no reads of the clock. Standard library only.

    python evidence/examples/generate_demo_privacy_ai.py [--out DIR]   # default: evidence/examples/demo

Most items are compliant. Each deliberate violation is created by a named
function below and registered with ``expect(control, resource, why)``; the
defaults of every control are assumed (for example 30 days for data subject
requests, 180 days for model cards). Controls with no deliberate violation
pass on the demo (PRIV-005, AI-004, AI-005); every control's near misses are
listed under it.

Run it before generate_demo_sod_security.py, which reads data_stores.json for
the security family's encryption-at-rest findings (``make demo`` does).
"""

from __future__ import annotations

import argparse
import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20261120
COLLECTED_AT = "2026-11-20T09:00:00Z"
NOW = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
DOMAIN = "brightwater.example"
OUT = Path(__file__).resolve().parent / "demo"

rng = random.Random(SEED)
EXPECTED: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
NOTES: list[tuple[str, str, str]] = []  # (kind, resource, why it passes although it looks odd)
UNENCRYPTED: list[tuple[str, str]] = []


def expect(control: str, resource: str, why: str) -> None:
    EXPECTED[control][resource].append(why)


def note(kind: str, resource: str, why: str) -> None:
    NOTES.append((kind, resource, why))


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


PEOPLE = [
    "Amelia Hughes", "Priya Shah", "Tom Reid", "Aisha Khan", "Daniel Okafor", "Sophie Turner",
    "Rahul Mehta", "Grace Lindqvist", "Owen Price", "Hannah Brooks", "Marcus Bell", "Chloe Evans",
    "Jakub Nowak", "Fatima Zahra", "Ben Carter", "Isla Morgan", "Samuel Adeyemi", "Lucy Chen",
    "Niamh O'Brien", "Ethan Walsh", "Zara Ahmed", "Oliver Grant", "Emily Sato", "Kwame Mensah",
]


def email(name: str) -> str:
    first, last = name.lower().replace("'", "").split(" ", 1)
    return f"{first}.{last.replace(' ', '')}@{DOMAIN}"


def uuid() -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


ACCOUNTS = {"prod": "412355678901", "data": "412355678902", "corp": "412355678903", "analytics": "412355678904"}

# ---------------------------------------------------------------------------
# Retention schedule (days) and the data inventory templates
# ---------------------------------------------------------------------------

SCHEDULE = {
    "RS-CUS-01": 2190,  # customer account records: 6 years after closure
    "RS-TXN-01": 2555,  # payment and transaction records: 7 years
    "RS-KYC-01": 1825,  # CDD / KYC under the Money Laundering Regulations: 5 years
    "RS-REC-01": 1825,  # recorded calls and electronic communications: 5 years
    "RS-MKT-01": 730,   # marketing preferences and campaign responses: 2 years
    "RS-LEAD-01": 365,  # prospects and leads without a relationship: 1 year
    "RS-CS-01": 1095,   # complaints and support cases: 3 years
    "RS-HR-01": 2190,   # employee records: 6 years after leaving
    "RS-REC-02": 180,   # unsuccessful candidates: 6 months
    "RS-LOG-01": 400,   # application and access logs with identifiers
    "RS-SES-01": 30,    # session and device data
    "RS-FRD-01": 2190,  # fraud investigations
    "RS-HLT-01": 2190,  # occupational health and vulnerability records
}

# (name pattern, type, categories, subjects, basis, schedule ref, classification, purpose)
PERSONAL = [
    ("core-banking/customers", "rds", ["contact_details", "identity", "bank_account"], ["customers"], "contract", "RS-CUS-01", "restricted", "Account administration"),
    ("core-banking/accounts", "rds", ["bank_account", "financial"], ["customers"], "contract", "RS-CUS-01", "restricted", "Account administration"),
    ("payments/transactions", "rds", ["financial", "bank_account"], ["customers", "payees"], "contract", "RS-TXN-01", "restricted", "Payment processing"),
    ("cards/card-accounts", "rds", ["payment_card", "contact_details"], ["customers"], "contract", "RS-CUS-01", "restricted", "Card servicing"),
    ("lending/applications", "rds", ["financial", "identity", "employment"], ["applicants"], "contract", "RS-CUS-01", "restricted", "Credit decisioning"),
    ("lending/collections", "rds", ["financial", "contact_details"], ["customers"], "contract", "RS-CUS-01", "restricted", "Arrears management"),
    ("mortgages/cases", "rds", ["financial", "identity", "property"], ["applicants", "customers"], "contract", "RS-CUS-01", "restricted", "Mortgage servicing"),
    ("kyc/verification-results", "rds", ["identity", "government_id"], ["customers", "applicants"], "legal_obligation", "RS-KYC-01", "restricted", "Customer due diligence"),
    ("aml/case-management", "rds", ["identity", "financial", "criminal_offence"], ["customers"], "legal_obligation", "RS-KYC-01", "restricted", "Anti-money laundering investigations"),
    ("fraud/investigations", "rds", ["identity", "financial", "online_identifiers"], ["customers"], "legitimate_interests", "RS-FRD-01", "restricted", "Fraud prevention"),
    ("complaints/cases", "rds", ["contact_details", "financial"], ["customers"], "legal_obligation", "RS-CS-01", "confidential", "Complaint handling (DISP)"),
    ("vulnerable-customers/register", "rds", ["contact_details", "health"], ["customers"], "legal_obligation", "RS-HLT-01", "restricted", "Support for customers in vulnerable circumstances"),
    ("savings/isa-subscriptions", "rds", ["financial", "identity", "government_id"], ["customers"], "legal_obligation", "RS-TXN-01", "restricted", "ISA administration (HMRC reporting)"),
    ("onboarding/applications", "rds", ["contact_details", "identity", "employment"], ["applicants"], "contract", "RS-CUS-01", "confidential", "Account opening"),
    ("cards/disputes", "rds", ["payment_card", "financial", "contact_details"], ["customers", "merchants"], "contract", "RS-TXN-01", "restricted", "Chargebacks and disputes"),
    ("customer-comms/letters", "rds", ["contact_details", "financial"], ["customers"], "contract", "RS-CUS-01", "confidential", "Customer correspondence"),
    ("wealth/suitability", "rds", ["financial", "employment", "family_details"], ["customers"], "legal_obligation", "RS-CUS-01", "restricted", "Investment suitability (COBS 9A)"),
    ("business-banking/directors", "rds", ["contact_details", "identity", "government_id"], ["directors", "beneficial_owners"], "legal_obligation", "RS-KYC-01", "restricted", "Business customer due diligence"),
    ("payments/payees", "rds", ["bank_account", "contact_details"], ["payees"], "contract", "RS-TXN-01", "restricted", "Payee management"),
    ("marketing/suppression-list", "rds", ["contact_details"], ["customers", "prospects"], "legal_obligation", "RS-MKT-01", "confidential", "Marketing opt-out suppression"),
]
S3_PERSONAL = [
    ("statements", ["financial", "contact_details"], ["customers"], "contract", "RS-TXN-01", "restricted", "Customer statements"),
    ("kyc-documents", ["identity", "government_id", "biometric"], ["customers", "applicants"], "legal_obligation", "RS-KYC-01", "restricted", "Identity verification documents"),
    ("call-recordings", ["voice", "contact_details", "financial"], ["customers"], "legal_obligation", "RS-REC-01", "restricted", "Recorded telephone lines"),
    ("app-access-logs", ["online_identifiers"], ["customers"], "legitimate_interests", "RS-LOG-01", "internal", "Security monitoring"),
    ("marketing-exports", ["contact_details", "preferences"], ["customers", "prospects"], "consent", "RS-MKT-01", "confidential", "Email marketing"),
    ("hr-documents", ["contact_details", "employment", "bank_account"], ["employees"], "contract", "RS-HR-01", "restricted", "Employment administration"),
    ("complaint-attachments", ["contact_details", "financial"], ["customers"], "legal_obligation", "RS-CS-01", "confidential", "Complaint handling (DISP)"),
    ("open-banking-consents", ["bank_account", "online_identifiers"], ["customers"], "contract", "RS-CUS-01", "restricted", "Account information services"),
]
DYNAMO_PERSONAL = [
    ("app-sessions", ["online_identifiers"], ["customers"], "contract", "RS-SES-01", "confidential", "Mobile and web sessions"),
    ("device-fingerprints", ["online_identifiers"], ["customers"], "legitimate_interests", "RS-SES-01", "confidential", "Fraud prevention"),
    ("notification-preferences", ["contact_details", "preferences"], ["customers"], "consent", "RS-MKT-01", "confidential", "Marketing preferences"),
    ("chat-transcripts", ["contact_details", "financial"], ["customers"], "contract", "RS-CS-01", "confidential", "Customer support chat"),
]
SAAS_PERSONAL = [
    ("salesforce/contacts", ["contact_details"], ["customers"], "contract", "RS-CUS-01", "confidential", "Relationship management", "salesforce"),
    ("salesforce/leads", ["contact_details"], ["prospects"], "legitimate_interests", "RS-LEAD-01", "confidential", "Business development", "salesforce"),
    ("braze/audiences", ["contact_details", "preferences"], ["customers"], "consent", "RS-MKT-01", "confidential", "Email and push marketing", "braze"),
    ("zendesk/tickets", ["contact_details", "financial"], ["customers"], "contract", "RS-CS-01", "confidential", "Customer support", "zendesk"),
    ("workday/workers", ["contact_details", "employment", "bank_account", "health"], ["employees"], "contract", "RS-HR-01", "restricted", "HR administration", "workday"),
    ("greenhouse/candidates", ["contact_details", "employment"], ["candidates"], "legitimate_interests", "RS-REC-02", "confidential", "Recruitment", "greenhouse"),
    ("onetrust/consent-receipts", ["contact_details", "preferences"], ["customers", "prospects"], "legal_obligation", "RS-MKT-01", "confidential", "Consent records", "onetrust"),
    ("gong/call-library", ["voice", "contact_details"], ["prospects", "customers"], "legitimate_interests", "RS-REC-01", "confidential", "Sales call review", "gong"),
]
WAREHOUSE_PERSONAL = [
    ("CUSTOMER_360", ["contact_details", "financial", "online_identifiers"], ["customers"], "legitimate_interests", "RS-CUS-01", "restricted", "Customer analytics"),
    ("MARKETING.CAMPAIGN_RESPONSES", ["contact_details", "preferences"], ["customers", "prospects"], "consent", "RS-MKT-01", "confidential", "Campaign measurement"),
    ("RISK.CREDIT_FEATURES", ["financial"], ["customers", "applicants"], "contract", "RS-CUS-01", "restricted", "Credit model features"),
    ("FRAUD.TRANSACTION_FEATURES", ["financial", "online_identifiers"], ["customers"], "legitimate_interests", "RS-FRD-01", "restricted", "Fraud model features"),
    ("HR.PEOPLE_ANALYTICS", ["employment"], ["employees"], "legitimate_interests", "RS-HR-01", "confidential", "Workforce planning"),
    ("SERVICE.CONTACT_CENTRE", ["contact_details"], ["customers"], "legitimate_interests", "RS-CS-01", "confidential", "Service quality reporting"),
]
NON_PERSONAL = [
    ("s3", "static-website-assets", "public"), ("s3", "terraform-state", "confidential"),
    ("s3", "build-artifacts", "internal"), ("s3", "market-data-feeds", "internal"),
    ("s3", "model-artifacts", "confidential"), ("s3", "cloudtrail-archive", "confidential"),
    ("s3", "finance-reporting-aggregates", "confidential"), ("s3", "product-brochures", "public"),
    ("rds", "reference-data/currencies", "internal"), ("rds", "pricing/rate-cards", "confidential"),
    ("rds", "treasury/positions", "confidential"), ("dynamodb", "feature-flags", "internal"),
    ("dynamodb", "rate-limits", "internal"), ("warehouse", "FINANCE.GL_SUMMARY", "confidential"),
    ("warehouse", "OPS.SLA_METRICS", "internal"), ("saas", "confluence/engineering", "internal"),
    ("other", "sftp/bacs-reports-outbound", "confidential"), ("s3", "athena-query-results", "internal"),
    ("s3", "vpc-flow-logs", "internal"), ("rds", "fx/rates-history", "internal"),
    ("dynamodb", "idempotency-keys", "internal"), ("warehouse", "RISK.CAPITAL_RWA", "confidential"),
    ("saas", "jira/engineering", "internal"), ("warehouse", "MARKETING.CHANNEL_SPEND", "internal"),
]
PURPOSE_LIA = {"legitimate_interests"}
ENVS = ["prod", "dr"]


def kms_key(region: str, account: str) -> str:
    return f"arn:aws:kms:{region}:{account}:key/{uuid()}"


def base_store(sid: str, name: str, stype: str, **kw: object) -> dict:
    region = kw.pop("region", "eu-west-2")
    account = kw.pop("account", ACCOUNTS["prod"])
    account_name = kw.pop("account_name", None)
    platform = {"s3": "aws", "rds": "aws", "dynamodb": "aws", "warehouse": "snowflake", "saas": None, "other": "on-premises"}[stype]
    store = {
        "id": sid, "name": name, "type": stype, "platform": kw.pop("platform", platform),
        "account": account if stype in ("s3", "rds", "dynamodb") else account_name,
        "region": region,
        "owner": email(rng.choice(PEOPLE)), "classification": "internal",
        "contains_personal_data": False, "personal_data_categories": [], "data_subjects": [],
        "processing_purpose": None, "lawful_basis": None, "consent_record_ref": None, "lia_ref": None,
        "special_category_condition": None, "ropa_ref": None,
        "retention_days": None, "retention_policy_days": None, "retention_schedule_ref": None,
        "deletion_mechanism": None, "legal_hold": False, "legal_hold_ref": None,
        "encrypted_at_rest": True, "kms_key": None,
        "created_at": iso(ago(days=rng.randint(200, 2400))),
        "tags": {"environment": "prod", "cost-centre": rng.choice(["CC-1040", "CC-2210", "CC-3105", "CC-4410"])},
    }
    if stype in ("s3", "rds", "dynamodb"):
        store["kms_key"] = kms_key(region, store["account"])
    elif stype == "warehouse":
        store["kms_key"] = "snowflake:tri-secret-secure/brightwater-cmk"
    store.update(kw)
    return store


def personal(store: dict, cats: list[str], subjects: list[str], basis: str, ref: str, cls: str, purpose: str, mechanism: str) -> dict:
    policy_days = SCHEDULE[ref]
    store.update({
        "contains_personal_data": True, "personal_data_categories": cats, "data_subjects": subjects,
        "processing_purpose": purpose, "lawful_basis": basis, "classification": cls,
        "retention_policy_days": policy_days, "retention_schedule_ref": ref,
        "retention_days": policy_days if rng.random() < 0.6 else rng.choice([d for d in (30, 90, 180, 365, 730, 1095, 1825, 2190) if d <= policy_days] or [policy_days]),
        "deletion_mechanism": mechanism, "ropa_ref": f"ROPA-{rng.randint(10, 99):03d}",
    })
    if basis == "consent":
        store["consent_record_ref"] = f"onetrust:purpose/{purpose.lower().replace(' ', '-')}"
    if basis == "legitimate_interests":
        store["lia_ref"] = f"LIA-{rng.choice([2024, 2025, 2026])}-{rng.randint(1, 40):03d}"
    if "employees" in subjects and "health" in cats:
        store["special_category_condition"] = "Art 9(2)(b) employment, social security and social protection law; DPA 2018 Sch 1 para 1"
    elif set(cats) & {"health", "biometric", "genetic", "criminal_offence"}:
        store["special_category_condition"] = {
            "health": "Art 9(2)(g) substantial public interest, DPA 2018 Sch 1 para 18 (safeguarding of economic well-being)",
            "biometric": "Art 9(2)(a) explicit consent to biometric identity verification",
            "criminal_offence": "DPA 2018 Sch 1 para 10 (preventing or detecting unlawful acts)",
        }[next(c for c in ("health", "biometric", "criminal_offence") if c in cats)]
    if set(cats) & {"payment_card", "bank_account", "health", "biometric", "genetic", "government_id", "criminal_offence"}:
        store["classification"] = "restricted"
    return store


def build_data_stores() -> list[dict]:
    stores: list[dict] = []
    for env in ENVS:
        region = "eu-west-2" if env == "prod" else "eu-west-1"
        for name, stype, cats, subjects, basis, ref, cls, purpose in PERSONAL:
            sid = f"rds:{env}-{name}"
            s = base_store(sid, f"{env}-{name}", stype, region=region, account=ACCOUNTS["prod"])
            s["tags"]["environment"] = env
            stores.append(personal(s, list(cats), list(subjects), basis, ref, cls, purpose, "deletion_job"))
        for name, cats, subjects, basis, ref, cls, purpose in S3_PERSONAL:
            sid = f"s3:bw-{env}-{name}"
            s = base_store(sid, f"bw-{env}-{name}", "s3", region=region, account=ACCOUNTS["data"])
            s["tags"]["environment"] = env
            stores.append(personal(s, list(cats), list(subjects), basis, ref, cls, purpose, "lifecycle_rule"))
        for name, cats, subjects, basis, ref, cls, purpose in DYNAMO_PERSONAL:
            sid = f"dynamodb:{env}-{name}"
            s = base_store(sid, f"{env}-{name}", "dynamodb", region=region)
            s["tags"]["environment"] = env
            stores.append(personal(s, list(cats), list(subjects), basis, ref, cls, purpose, "ttl"))
    for name, cats, subjects, basis, ref, cls, purpose, platform in SAAS_PERSONAL:
        s = base_store(f"saas:{name}", name, "saas", region=None, platform=platform, account_name=f"brightwater-{platform}")
        stores.append(personal(s, list(cats), list(subjects), basis, ref, cls, purpose, "deletion_job"))
    for db in ("ANALYTICS", "ANALYTICS_SANDBOX"):
        for name, cats, subjects, basis, ref, cls, purpose in WAREHOUSE_PERSONAL:
            if db == "ANALYTICS_SANDBOX" and rng.random() < 0.4:
                continue
            s = base_store(f"warehouse:snowflake/{db}.{name}", f"{db}.{name}", "warehouse", region="eu-west-2", account_name="brightwater.eu-west-2.aws")
            stores.append(personal(s, list(cats), list(subjects), basis, ref, cls, purpose, "deletion_job"))
    for stype, name, cls in NON_PERSONAL:
        for env in ("prod", "dr") if stype in ("s3", "rds") else ("prod",):
            prefix = {"s3": f"s3:bw-{env}-", "rds": f"rds:{env}-", "dynamodb": "dynamodb:prod-", "warehouse": "warehouse:snowflake/", "saas": "saas:", "other": "other:"}[stype]
            sname = f"bw-{env}-{name}" if stype == "s3" else (f"{env}-{name}" if stype == "rds" else name)
            s = base_store(prefix + name, sname, stype, region="eu-west-2" if env == "prod" else "eu-west-1",
                           account_name="brightwater" if stype not in ("s3", "rds", "dynamodb") else None)
            s["classification"] = cls
            if rng.random() < 0.5:
                s["retention_days"] = rng.choice([90, 365, 2555])
                s["deletion_mechanism"] = "lifecycle_rule" if stype == "s3" else "manual"
            if stype == "saas" or stype == "other":
                s["kms_key"] = None
            stores.append(s)
    for s in stores:
        if s["type"] == "saas" and s["classification"] == "restricted":
            # restricted SaaS data uses the vendor's bring-your-own-key option
            s["kms_key"] = f"byok:{s['platform']}/brightwater-tenant-key-2026"
    return stores


def by_id(items: list[dict]) -> dict[str, dict]:
    return {i["id"]: i for i in items}


def inject_store_violations(stores: list[dict]) -> None:
    s = by_id(stores)
    # PRIV-001 retention
    x = s["s3:bw-prod-marketing-exports"]
    x["retention_days"] = None
    x["deletion_mechanism"] = "none"
    expect("PRIV-001", x["id"], "holds personal data and has no lifecycle rule: retention_days is null")
    x = s["dynamodb:dr-chat-transcripts"]
    x["retention_days"] = None
    x["deletion_mechanism"] = "none"
    expect("PRIV-001", x["id"], "TTL not enabled on the DR replica: retention_days is null")
    x = s["s3:bw-prod-call-recordings"]
    x["retention_days"] = 3650
    expect("PRIV-001", x["id"], "lifecycle rule keeps recordings 3650 days; schedule RS-REC-01 allows 1825")
    x = s["saas:salesforce/leads"]
    x["retention_days"] = 1095
    expect("PRIV-001", x["id"], "leads kept 1095 days; schedule RS-LEAD-01 allows 365")
    x = s["warehouse:snowflake/ANALYTICS.CUSTOMER_360"]
    x["retention_policy_days"] = None
    x["retention_schedule_ref"] = None
    expect("PRIV-001", x["id"], "not on the retention schedule (retention_policy_days null)")
    x = s["rds:prod-aml/case-management"]
    x["retention_days"] = 4015
    x["legal_hold"] = True
    x["legal_hold_ref"] = "LH-2025-007 (NCA production order)"
    note("PRIV-001", x["id"], "retention 4015 days exceeds the schedule but a legal hold with a reference is recorded")
    x = s["s3:bw-prod-statements"]
    x["retention_days"] = x["retention_policy_days"]
    note("PRIV-001", x["id"], "retention equals the schedule entry exactly (boundary)")

    # PRIV-003 lawful basis
    x = s["warehouse:snowflake/ANALYTICS.SERVICE.CONTACT_CENTRE"]
    x["lawful_basis"] = None
    x["lia_ref"] = None
    expect("PRIV-003", x["id"], "no lawful basis recorded")
    x = s["s3:bw-dr-app-access-logs"]
    x["lawful_basis"] = None
    x["lia_ref"] = None
    expect("PRIV-003", x["id"], "no lawful basis recorded")
    x = s["saas:braze/audiences"]
    x["consent_record_ref"] = None
    expect("PRIV-003", x["id"], "consent is the basis but no consent records are linked")
    x = s["saas:gong/call-library"]
    x["lia_ref"] = None
    expect("PRIV-003", x["id"], "legitimate interests without a legitimate interests assessment")
    x = s["rds:dr-vulnerable-customers/register"]
    x["special_category_condition"] = None
    expect("PRIV-003", x["id"], "health data with no Article 9 condition recorded")

    # PRIV-005 passes: every store holding personal data has an owner and an allowed classification
    x = s["rds:dr-kyc/verification-results"]
    x["owner"] = "kyc-operations@brightwater.example"
    note("PRIV-005", x["id"], "owned by a team mailbox: PRIV-005 only requires an owner (AI-005 is stricter for models)")
    x = s["s3:bw-prod-app-access-logs"]
    note("PRIV-005", x["id"], "personal data classified internal: allowed, as online identifiers are not a restricted category")
    x = s["s3:bw-prod-static-website-assets"]
    x["owner"] = None
    note("PRIV-005", x["id"], "classified public and without an owner, but it holds no personal data")

    # Unencrypted stores for the security family's encryption-at-rest control
    for sid in ("s3:bw-prod-athena-query-results", "s3:bw-dr-kyc-documents", "rds:dr-pricing/rate-cards", "other:sftp/bacs-reports-outbound"):
        s[sid]["encrypted_at_rest"] = False
        s[sid]["kms_key"] = None
        UNENCRYPTED.append((sid, "encrypted_at_rest false, kms_key null"))


# ---------------------------------------------------------------------------
# Deletion jobs
# ---------------------------------------------------------------------------

def healthy_job(store: dict, n: int) -> dict:
    weekly = store["type"] == "saas" or rng.random() < 0.2
    interval = 168 if weekly else 24
    last = ago(hours=rng.randint(1, interval - 1))
    due = rng.randint(0, 4000)
    backlog = rng.random() < 0.15
    slug = store["name"].lower().replace("/", "-").replace(".", "-").replace("_", "-")
    return {
        "id": f"del-{slug}",
        "name": f"Retention purge: {store['name']}",
        "data_store": store["id"],
        "enabled": True,
        "method": rng.choice(["hard_delete", "hard_delete", "anonymise", "archive_then_delete"]),
        "schedule": "0 3 * * 0" if weekly else f"{rng.randint(0, 59)} {rng.randint(1, 5)} * * *",
        "interval_hours": interval,
        "sla_hours": 720 if weekly else rng.choice([72, 168]),
        "last_run_at": iso(last),
        "last_status": "success",
        "last_error": None,
        "records_due": due,
        "records_deleted": due,
        "oldest_overdue_at": iso(last - timedelta(hours=rng.randint(1, 20))) if backlog else None,
        "owner": email(rng.choice(PEOPLE)),
        "runbook_ref": f"RB-DATA-{rng.randint(100, 199)}",
        "attributes": {"scheduler": "airflow" if store["type"] != "saas" else "workato", "dag": f"retention__{slug}"},
    }


#: Deliberate gaps in the AWS settings the security controls SEC-013 to SEC-015 and PRIV-006 read
#: (issue 18); documented, with their violations, by generate_demo_aws.py in VIOLATIONS-aws.md.
AWS_GAPS: dict[str, dict[str, object]] = {
    "s3:bw-dr-marketing-exports": {"public_acl_grants": ["AllUsers:READ"], "public_access_block": None},
    "s3:bw-dr-app-access-logs": {"versioning": "Suspended"},
    "dynamodb:prod-rate-limits": {"point_in_time_recovery": False},
    "rds:dr-aml/case-management": {"deletion_protection": False, "backup_retention_days": 1},
}
BLOCK_ALL = {"BlockPublicAcls": True, "IgnorePublicAcls": True, "BlockPublicPolicy": True, "RestrictPublicBuckets": True}


def add_aws_settings(stores: list[dict]) -> None:
    """Backup and public-access settings as the AWS collector records them (no randomness)."""
    for store in stores:
        settings: dict[str, object] = {
            "s3": {"versioning": "Enabled", "public_acl_grants": [], "public_policy_statements": [],
                   "public_access_block": dict(BLOCK_ALL)},
            "dynamodb": {"point_in_time_recovery": True},
            "rds": {"deletion_protection": True, "backup_retention_days": 14},
        }.get(store["type"], {})
        if settings:
            store["attributes"] = {**settings, **AWS_GAPS.get(store["id"], {})}


def build_deletion_jobs(stores: list[dict]) -> list[dict]:
    jobs = []
    for i, store in enumerate(stores):
        if store["deletion_mechanism"] == "deletion_job" and store["contains_personal_data"]:
            jobs.append(healthy_job(store, i))
            if store["type"] == "rds" and rng.random() < 0.6:
                # a second job anonymising soft-deleted and closed records in place
                second = healthy_job(store, i)
                second["id"] = "anon-" + second["id"].removeprefix("del-")
                second["name"] = f"Anonymise closed records: {store['name']}"
                second["method"] = "anonymise"
                jobs.append(second)
    # A few purge jobs for non-personal stores (out of scope for PRIV-002)
    for sid in ("rds:prod-treasury/positions", "warehouse:snowflake/OPS.SLA_METRICS"):
        store = by_id(stores)[sid]
        jobs.append(healthy_job(store, 0))
    j = by_id(jobs)
    x = j["del-ops-sla-metrics"]
    x["last_status"] = "failed"
    x["last_error"] = "warehouse role lacks DELETE on OPS.SLA_METRICS"
    note("PRIV-002", x["id"], "failed, but its store holds no personal data, so PRIV-002 ignores it")

    x = j["del-prod-payments-transactions"]
    x.update(last_status="failed", last_error="lock wait timeout exceeded; try restarting transaction", records_deleted=0,
             last_run_at=iso(ago(hours=9)), oldest_overdue_at=iso(ago(days=2)))
    expect("PRIV-002", x["id"], "last run failed (lock wait timeout)")
    x = j["del-analytics-sandbox-risk-credit-features"] if "del-analytics-sandbox-risk-credit-features" in j else j["del-analytics-risk-credit-features"]
    x.update(last_run_at=None, last_status="never_run", records_due=0, records_deleted=0, oldest_overdue_at=None)
    expect("PRIV-002", x["id"], "created but has never run")
    x = j["del-dr-lending-collections"]
    x.update(last_run_at=iso(ago(days=6, hours=4)), oldest_overdue_at=None)
    expect("PRIV-002", x["id"], "daily job last ran 6 days ago (more than 2 intervals)")
    x = j["del-prod-mortgages-cases"]
    x.update(last_status="partial", records_due=1840, records_deleted=1211, last_error="1840 due, 629 skipped: foreign key from mortgages/arrears")
    expect("PRIV-002", x["id"], "deleted 1211 of 1840 records due")
    x = j["del-workday-workers"]
    x.update(oldest_overdue_at=iso(ago(days=41)))
    expect("PRIV-002", x["id"], "records overdue for 41 days against a 720-hour SLA")
    x = j["del-greenhouse-candidates"]
    x.update(enabled=False)
    expect("PRIV-002", x["id"], "job disabled")
    expect("PRIV-002", x["data_store"], "relies on a deletion job but its only job is disabled")
    # a store relying on a deletion job that does not exist
    jobs = [jj for jj in jobs if jj["data_store"] != "rds:dr-complaints/cases"]
    expect("PRIV-002", "rds:dr-complaints/cases", "deletion_mechanism is deletion_job but no job targets it")
    # near misses
    x = by_id(jobs)["del-prod-core-banking-customers"]
    x.update(interval_hours=24, last_run_at=iso(ago(hours=48)))
    note("PRIV-002", x["id"], "last ran exactly 48 hours ago: the boundary of 2 x 24h intervals")
    x = by_id(jobs)["del-prod-aml-case-management"]
    x.update(enabled=False, last_error=None)
    note("PRIV-002", x["id"], "disabled while its store is under legal hold LH-2025-007")
    return jobs


# ---------------------------------------------------------------------------
# Data subject requests
# ---------------------------------------------------------------------------

REASONS = [
    "Request spans 11 systems including archived call recordings",
    "Requester made 4 linked requests across joint and sole accounts",
    "Third-party data in 2,300 emails requires redaction review",
    "Portability export for 9 years of transactions needs manual reconciliation",
]


def build_dsars() -> list[dict]:
    items = []
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    span = (NOW - timedelta(days=1) - start).total_seconds()
    times = sorted(start + timedelta(seconds=rng.random() * span) for _ in range(200))
    types = ["access"] * 55 + ["erasure"] * 25 + ["rectification"] * 8 + ["portability"] * 5 + ["objection"] * 7
    for n, received in enumerate(times, start=1):
        rid = f"DSAR-2026-{n:04d}"
        received = received.replace(microsecond=0)
        age = (NOW - received).days
        verified = received + timedelta(hours=rng.randint(1, 72))
        item = {
            "id": rid, "type": rng.choice(types),
            "channel": rng.choice(["web_form", "web_form", "email", "in_app", "post", "phone", "third_party"]),
            "received_at": iso(received), "verified_at": iso(verified) if verified < NOW else None,
            "completed_at": None, "status": "open", "extension_reason": None, "extension_notified_at": None,
            "rejection_reason": None, "handler": email(rng.choice(PEOPLE[:8])),
            "systems_searched": [],
        }
        extended = age > 95 and rng.random() < 0.05
        if (age < 27 and rng.random() < 0.6) or received > NOW - timedelta(days=4):
            pass  # still open, within the deadline
        elif extended:
            item["status"] = "completed"
            item["extension_reason"] = rng.choice(REASONS)
            item["extension_notified_at"] = iso(received + timedelta(days=rng.randint(10, 25)))
            item["completed_at"] = iso(received + timedelta(days=rng.randint(35, 85), hours=rng.randint(0, 8)))
        else:
            done = received + timedelta(days=rng.randint(2, 27), hours=rng.randint(0, 20))
            if done >= NOW:
                done = NOW - timedelta(hours=2)
            verified = min(verified, done - timedelta(hours=1))
            item["verified_at"] = iso(verified)
            item["completed_at"] = iso(max(done, verified + timedelta(hours=1)))
            if rng.random() < 0.06:
                item["status"] = "rejected"
                item["rejection_reason"] = rng.choice(["Manifestly unfounded", "Manifestly excessive: repeat of DSAR within 30 days"])
            else:
                item["status"] = "completed"
        if item["completed_at"] or item["status"] != "open":
            item["systems_searched"] = sorted(rng.sample(["core-banking", "salesforce", "zendesk", "braze", "call-recordings", "snowflake", "email-archive"], 3))
        items.append(item)

    d = by_id(items)
    ids = sorted(d)

    def pick(pred, exclude=()):
        for rid in ids:
            if rid not in exclude and pred(d[rid]) and rid not in used:
                used.add(rid)
                return d[rid]
        raise SystemExit("no DSAR fits")

    used: set[str] = set()
    def months_ago(r, lo, hi):
        return lo <= (NOW - datetime.fromisoformat(r["received_at"].replace("Z", "+00:00"))).days <= hi

    r = pick(lambda r: months_ago(r, 120, 200) and r["status"] == "completed" and not r["extension_reason"])
    r["completed_at"] = iso(datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")) + timedelta(days=41))
    expect("PRIV-004", r["id"], "completed 41 days after receipt, no extension")
    r = pick(lambda r: months_ago(r, 60, 110) and r["status"] == "completed" and not r["extension_reason"])
    r["type"] = "rectification"
    r["completed_at"] = iso(datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")) + timedelta(days=33, hours=2))
    expect("PRIV-004", r["id"], "rectification completed 33 days after receipt")
    r = pick(lambda r: months_ago(r, 45, 60) and not r["extension_reason"])
    r.update(status="open", completed_at=None, systems_searched=["core-banking", "zendesk"], type="access")
    expect("PRIV-004", r["id"], "still open 45-60 days after receipt")
    r = pick(lambda r: months_ago(r, 70, 85) and not r["extension_reason"])
    received = datetime.fromisoformat(r["received_at"].replace("Z", "+00:00"))
    r.update(status="extended", completed_at=None, extension_reason=None, extension_notified_at=iso(received + timedelta(days=19)), type="erasure")
    expect("PRIV-004", r["id"], "marked extended without a reason: the 30-day deadline applies and has passed")
    r = pick(lambda r: months_ago(r, 50, 80) and not r["extension_reason"])
    received = datetime.fromisoformat(r["received_at"].replace("Z", "+00:00"))
    r.update(status="extended", completed_at=None, extension_reason=REASONS[2], extension_notified_at=iso(received + timedelta(days=44)), type="access")
    expect("PRIV-004", r["id"], "extension notified on day 44, after the first month, so it is not valid")
    r = pick(lambda r: months_ago(r, 20, 200) and r["status"] == "completed")
    r["completed_at"] = None
    expect("PRIV-004", r["id"], "marked completed with no completed_at date")
    # Valid extended requests still open, and a boundary case
    r = pick(lambda r: months_ago(r, 40, 80) and not r["extension_reason"])
    received = datetime.fromisoformat(r["received_at"].replace("Z", "+00:00"))
    r.update(status="extended", completed_at=None, extension_reason=REASONS[0], extension_notified_at=iso(received + timedelta(days=21)), type="access")
    note("PRIV-004", r["id"], "open past 30 days but validly extended to 90 (reason recorded, notified on day 21)")
    r = pick(lambda r: months_ago(r, 100, 200) and r["status"] == "completed")
    r["completed_at"] = iso(datetime.fromisoformat(r["received_at"].replace("Z", "+00:00")) + timedelta(days=30))
    note("PRIV-004", r["id"], "answered exactly 30 days after receipt (boundary)")
    return items


# ---------------------------------------------------------------------------
# Models
# ---------------------------------------------------------------------------

MODELS = [
    # name, use case, type, risk tier, stage plan [(version, stage)]
    ("credit-risk-pd", "Probability of default for unsecured lending decisions", "gradient boosted trees", "high", [("6", "retired"), ("7", "production"), ("8", "staging")]),
    ("mortgage-affordability", "Affordability assessment for mortgage applications", "logistic regression", "high", [("3", "production")]),
    ("fraud-card-txn", "Real-time card transaction fraud scoring", "gradient boosted trees", "high", [("11", "retired"), ("12", "production"), ("13", "staging")]),
    ("aml-alert-triage", "Prioritisation of transaction monitoring alerts", "random forest", "high", [("4", "production")]),
    ("app-fraud-scam-detect", "Authorised push payment scam warnings", "neural network", "high", [("2", "production"), ("3", "development")]),
    ("collections-propensity", "Propensity to pay for arrears treatment strategies", "gradient boosted trees", "medium", [("5", "production")]),
    ("churn-current-account", "Current account attrition risk for retention offers", "gradient boosted trees", "medium", [("9", "production")]),
    ("next-best-offer", "Next best product offer in the mobile app", "contextual bandit", "medium", [("14", "production"), ("15", "staging")]),
    ("complaint-classifier", "Routing and DISP categorisation of complaints", "fine-tuned transformer", "medium", [("3", "production")]),
    ("kyc-doc-ocr", "Extraction of fields from identity documents", "vision transformer", "medium", [("2", "production")]),
    ("call-summariser", "Post-call summaries for contact centre agents", "LLM (hosted, prompt-engineered)", "medium", [("1", "production")]),
    ("cash-forecast-atm", "ATM cash replenishment forecast", "time series (Prophet)", "low", [("6", "production")]),
    ("marketing-uplift", "Uplift model for email campaign targeting", "two-model uplift", "low", [("4", "production"), ("5", "development")]),
    ("ticket-deduplicator", "Duplicate detection of IT service tickets", "sentence embeddings", "low", [("2", "production")]),
    ("vulnerability-detector", "Flags indicators of customer vulnerability in call transcripts", "fine-tuned transformer", "high", [("1", "staging")]),
    ("merchant-categoriser", "Merchant category enrichment for spending insights", "gradient boosted trees", "low", [("7", "production"), ("6", "retired")]),
    ("income-verification", "Income estimation from open banking transactions", "gradient boosted trees", "high", [("2", "development")]),
]


def good_model(name: str, version: str, stage: str, use: str, mtype: str, tier: str, owner: str) -> dict:
    deployed = ago(days=rng.randint(20, 400)) if stage in ("production", "staging") else (ago(days=rng.randint(420, 900)) if stage == "retired" else None)
    card_updated = (deployed + timedelta(days=rng.randint(0, 10))) if deployed else ago(days=rng.randint(5, 60))
    if card_updated > NOW:
        card_updated = NOW - timedelta(days=1)
    evaluated = (deployed - timedelta(days=rng.randint(3, 30))) if deployed else ago(days=rng.randint(1, 30))
    mid = f"{name}:{version}"
    return {
        "id": mid, "name": name, "version": version, "stage": stage,
        "deployed_at": iso(deployed) if deployed else None,
        "use_case": use, "model_type": mtype, "registry": "mlflow:brightwater-prod",
        "owner": {"name": owner, "email": email(owner), "role": rng.choice(["Model Owner", "Head of Decision Science", "Product Owner"])},
        "model_card": {"url": f"https://models.{DOMAIN}/cards/{name}/{version}", "updated_at": iso(card_updated)},
        "bias_evaluation": {
            "completed_at": iso(evaluated),
            "method": rng.choice([
                "Disparate impact ratio and equal opportunity difference across sex and age band (Fairlearn)",
                "Adverse impact ratio by protected characteristic proxies (BISG) with threshold 0.8",
                "Subgroup calibration and false positive rate parity across age band, sex and region",
            ]),
            "result": "pass" if tier == "high" or rng.random() < 0.8 else "conditional",
            "report_ref": f"MRM-BIAS-{evaluated.year}-{rng.randint(1, 60):03d}",
            "protected_attributes": ["age_band", "sex"] + (["disability_proxy"] if tier == "high" else []),
        } if stage != "development" or rng.random() < 0.5 else None,
        "monitoring": {
            "enabled": stage in ("production", "staging"),
            "drift_alerts": stage in ("production", "staging"),
            "dashboard": f"https://grafana.{DOMAIN}/d/ml-{name}" if stage in ("production", "staging") else None,
            "alert_channel": f"#ml-alerts-{name}" if stage in ("production", "staging") else None,
        },
        "rollback": {
            "documented": True,
            "fallback": rng.choice([
                "Revert to previous registered version", "Rules-based scorecard v3", "Manual underwriting queue",
                "Previous champion model via feature flag",
            ]),
            "runbook_ref": f"RB-ML-{rng.randint(10, 60):03d}",
            "last_tested_at": iso(ago(days=rng.randint(10, 300))),
        } if stage != "development" else None,
        "risk_tier": tier,
        "attributes": {"framework": rng.choice(["xgboost", "scikit-learn", "pytorch", "lightgbm"]), "approval_ref": f"MRC-{rng.randint(100, 400)}"},
    }


def build_models() -> list[dict]:
    models = []
    for i, (name, use, mtype, tier, plan) in enumerate(MODELS):
        owner = PEOPLE[(i * 5) % len(PEOPLE)]
        for version, stage in plan:
            models.append(good_model(name, version, stage, use, mtype, tier, owner))
    m = by_id(models)

    # AI-001 model card
    x = m["churn-current-account:9"]
    x["model_card"] = None
    expect("AI-001", x["id"], "production model with no model card")
    x = m["collections-propensity:5"]
    x["deployed_at"] = iso(ago(days=300))
    x["model_card"]["updated_at"] = iso(ago(days=420))
    x["bias_evaluation"]["completed_at"] = iso(ago(days=310))
    expect("AI-001", x["id"], "card last updated 420 days ago, before the deployment 300 days ago")
    x = m["next-best-offer:15"]
    x["model_card"] = None
    note("AI-001", x["id"], "staging model without a card: AI-001 covers production only by default")
    x = m["cash-forecast-atm:6"]
    x["deployed_at"] = iso(ago(days=700))
    x["model_card"]["updated_at"] = iso(ago(days=690))
    x["bias_evaluation"]["completed_at"] = iso(ago(days=720))
    note("AI-001", x["id"], "card 690 days old but updated after the version was deployed")

    # AI-002 bias evaluation
    x = m["call-summariser:1"]
    x["bias_evaluation"] = None
    expect("AI-002", x["id"], "no bias evaluation recorded")
    x = m["kyc-doc-ocr:2"]
    x["deployed_at"] = iso(ago(days=150))
    x["model_card"]["updated_at"] = iso(ago(days=148))
    x["bias_evaluation"]["completed_at"] = iso(ago(days=138))
    expect("AI-002", x["id"], "bias evaluation completed 12 days after deployment")
    x = m["complaint-classifier:3"]
    x["bias_evaluation"]["result"] = "fail"
    expect("AI-002", x["id"], "bias evaluation failed (subgroup false negative rate gap)")
    x = m["mortgage-affordability:3"]
    x["bias_evaluation"]["result"] = "conditional"
    expect("AI-002", x["id"], "conditional result on a high-risk model")
    x = m["marketing-uplift:4"]
    x["bias_evaluation"]["result"] = "conditional"
    note("AI-002", x["id"], "conditional result accepted on a low-risk model")

    # AI-003 monitoring
    x = m["ticket-deduplicator:2"]
    x["monitoring"] = {"enabled": False, "drift_alerts": False, "dashboard": None, "alert_channel": None}
    expect("AI-003", x["id"], "monitoring disabled")
    x = m["app-fraud-scam-detect:2"]
    x["monitoring"]["drift_alerts"] = False
    expect("AI-003", x["id"], "monitoring on but drift alerts off")
    x = m["next-best-offer:14"]
    x["monitoring"]["dashboard"] = None
    expect("AI-003", x["id"], "medium-risk model with no monitoring dashboard")
    x = m["merchant-categoriser:7"]
    x["monitoring"]["dashboard"] = None
    note("AI-003", x["id"], "low-risk model without a dashboard: dashboards are required for medium and high risk")

    # AI-004 passes: every production model has a documented, tested rollback
    x = m["aml-alert-triage:4"]
    x["rollback"]["last_tested_at"] = iso(ago(days=360))
    note("AI-004", x["id"], "high-risk model whose rollback was last tested 360 days ago: inside the 365-day limit")
    x = m["app-fraud-scam-detect:3"]
    note("AI-004", x["id"], "development model with no rollback plan: AI-004 covers production only by default")

    # AI-005 passes: every production and staging model has a named owner at brightwater.example
    x = m["income-verification:2"]
    x["owner"] = None
    note("AI-005", x["id"], "development model without an owner: AI-005 covers production and staging")
    x = m["credit-risk-pd:6"]
    x["owner"] = {"name": "Credit Risk Modelling", "email": f"team-credit-models@{DOMAIN}", "role": None}
    note("AI-005", x["id"], "retired model still owned by the team mailbox team-credit-models@: out of scope once retired")
    return models


# ---------------------------------------------------------------------------

def document(kind: str, source: str, collector: str, items: list[dict]) -> dict:
    return {
        "kind": kind, "source": source, "collected_at": COLLECTED_AT,
        "collector": {"name": collector, "version": "0.1.0"}, "errors": [],
        "items": sorted(items, key=lambda i: i["id"]),
    }


def write(out: Path, name: str, doc: dict) -> None:
    (out / name).write_text(json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


TITLES = {
    "PRIV-001": "personal data kept no longer than the retention schedule allows",
    "PRIV-002": "personal data deleted within its deletion SLA",
    "PRIV-003": "recorded lawful basis for processing personal data",
    "PRIV-004": "data subject requests answered within the statutory deadline",
    "PRIV-005": "personal data only in stores with an owner and a classification",
    "AI-001": "production models have a current model card",
    "AI-002": "bias and fairness evaluation before deployment",
    "AI-003": "production models monitored for performance and drift",
    "AI-004": "documented rollback and fallback for production models",
    "AI-005": "named accountable owner for each model",
}
PASSES = "No deliberate violations: this control passes on the demo."


def violations_md(counts: dict[str, int]) -> str:
    lines = [
        "# Deliberate violations: privacy and AI governance (Brightwater Financial demo)",
        "",
        "Generated by `evidence/examples/generate_demo_privacy_ai.py`; do not edit by hand.",
        f"Evidence collected at {COLLECTED_AT}; every control with its default parameters.",
        "Each control fails on exactly the resources listed under it; a control with no deliberate violations passes.",
        "",
        "Items: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())) + ".",
        "",
    ]
    assert set(EXPECTED) <= set(TITLES) and {c for c, _, _ in NOTES} <= set(TITLES), "control without a title"
    for control in TITLES:
        lines += [f"## {control}: {TITLES[control]}", ""]
        for resource in sorted(EXPECTED.get(control, {})):
            lines.append(f"- `{resource}`: {'; '.join(EXPECTED[control][resource])}")
        if not EXPECTED.get(control):
            lines.append(PASSES)
        near = sorted((resource, why) for c, resource, why in NOTES if c == control)
        if near:
            lines += ["", "Near misses that pass:", ""]
            lines += [f"- {control} `{resource}`: {why}" for resource, why in near]
        lines.append("")
    lines += ["## Unencrypted data stores (for the security family's encryption-at-rest control)", ""]
    for resource, why in sorted(UNENCRYPTED):
        lines.append(f"- `{resource}`: {why}")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help=f"output directory (default: {OUT})")
    parser.add_argument("out_dir", nargs="?", type=Path, help=argparse.SUPPRESS)  # older positional form
    args = parser.parse_args(argv)
    out = args.out or args.out_dir or OUT
    out.mkdir(parents=True, exist_ok=True)
    stores = build_data_stores()
    inject_store_violations(stores)
    add_aws_settings(stores)
    jobs = build_deletion_jobs(stores)
    dsars = build_dsars()
    models = build_models()
    write(out, "data_stores.json", document("data_stores", "collibra:brightwater-data-catalogue+aws-config", "data-inventory", stores))
    write(out, "deletion_jobs.json", document("deletion_jobs", "airflow:brightwater-retention", "retention-jobs", jobs))
    write(out, "dsar_requests.json", document("dsar_requests", "onetrust:brightwater-dsar", "dsar", dsars))
    write(out, "models.json", document("models", "mlflow:brightwater-prod", "model-registry", models))
    counts = {"data_stores": len(stores), "deletion_jobs": len(jobs), "dsar_requests": len(dsars), "models": len(models)}
    (out / "VIOLATIONS-privacy-ai.md").write_text(violations_md(counts), encoding="utf-8")
    print(", ".join(f"{k}: {v}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
