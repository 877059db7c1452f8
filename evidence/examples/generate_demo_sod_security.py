#!/usr/bin/env python3
# ruff: noqa: E501 (dense data tables and one-line violation records)
"""Generate the segregation-of-duties and security demo evidence for Brightwater Financial.

Writes evidence/examples/demo/{changes,deployments,identities,access_grants,
access_reviews,audit_trails}.json and VIOLATIONS-sod-security.md, which lists
every deliberate violation by control and resource id. The output is
deterministic: a fixed seed, a fixed collection instant and no reads of the
clock. Standard library only.

    python evidence/examples/generate_demo_sod_security.py [--out DIR]   # default: evidence/examples/demo

Most items are compliant. Each deliberate violation is built by a named
function below and registered with ``expect(control, resource, why)``; one
defect may break several controls and is then registered under each. The
defaults of every control are assumed (90 days for key rotation and privileged
access reviews, 45 days for unused credentials, one independent approval).

SEC-005 (encryption at rest) reads data_stores.json, which is written by
generate_demo_privacy_ai.py; its findings are read from that file, so run that
generator first (``make demo`` does).

Controls with no deliberate violation pass on the demo (SEC-003, SEC-008,
SOD-004, SOD-007); their near misses are listed under them. SOD-008 (four-eyes from git
history) and the release ranges of SOD-001 and SEC-004 are built last, so they change no earlier draw.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

SEED = 20261120
COLLECTED_AT = "2026-11-20T09:00:00Z"
NOW = datetime(2026, 11, 20, 9, 0, 0, tzinfo=UTC)
DOMAIN = "brightwater.example"
OUT = Path(__file__).resolve().parent / "demo"
AWS_PROD = "411122223333"
AWS_SANDBOX = "511122223333"
AWS_MGMT = "311122223333"
GITHUB_WEB_FLOW_KEY = "B5690EEEBB952194"

rng = random.Random(SEED)
EXPECTED: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
NOTES: list[tuple[str, str, str]] = []


def expect(controls: str | list[str], resource: str, why: str) -> None:
    for control in [controls] if isinstance(controls, str) else controls:
        EXPECTED[control][resource].append(why)


def note(kind: str, resource: str, why: str) -> None:
    NOTES.append((kind, resource, why))


def iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ago(days: float = 0, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


def sha(*parts: object) -> str:
    return hashlib.sha1("/".join(str(p) for p in parts).encode()).hexdigest()


def key_id(*parts: object) -> str:
    digest = hashlib.sha1("/".join(str(p) for p in parts).encode()).hexdigest().upper()
    return "****" + "".join(c for c in digest if c.isalnum())[:4]


# ---------------------------------------------------------------------------
# People. (name, team, flags). Usernames are first.last; GitHub logins differ.
# ---------------------------------------------------------------------------

PEOPLE_SPEC = [
    # engineering: product teams
    ("Amelia Hughes", "payments"), ("Priya Shah", "payments"), ("Tom Reid", "payments"),
    ("Aisha Khan", "payments"), ("Daniel Okafor", "payments"),
    ("Sophie Turner", "ledger"), ("Rahul Mehta", "ledger"), ("Grace Lindqvist", "ledger"),
    ("Owen Price", "ledger"), ("Hannah Brooks", "ledger"),
    ("Marcus Bell", "portal"), ("Chloe Evans", "portal"), ("Jakub Nowak", "portal"),
    ("Fatima Zahra", "portal"), ("Ben Carter", "portal"),
    ("Isla Morgan", "mobile"), ("Samuel Adeyemi", "mobile"), ("Lucy Chen", "mobile"),
    ("Niamh O'Brien", "mobile"),
    # platform / SRE
    ("Ethan Walsh", "platform"), ("Zara Ahmed", "platform"), ("Oliver Grant", "platform"),
    ("Emily Sato", "platform"), ("Kwame Mensah", "platform"),
    # data / DBAs
    ("Leo Fischer", "data"), ("Maya Kapoor", "data"), ("Ravi Nair", "data"),
    # security
    ("Helen Park", "security"), ("Victor Alvarez", "security"), ("Nora Lindgren", "security"),
    # IT / identity and access management
    ("Ingrid Holm", "it"), ("Callum Fraser", "it"), ("Yusuf Demir", "it"),
    # leadership and managers
    ("Catherine Wu", "leadership"), ("James Whitfield", "leadership"), ("Mei Tanaka", "leadership"),
    ("Robert Osei", "leadership"),
    # business
    ("Sarah Collins", "finance"), ("Paul Dubois", "finance"), ("Anna Kowalski", "operations"),
    ("Liam Murphy", "operations"), ("Olivia Bennett", "compliance"), ("George Hall", "compliance"),
    ("Ella Novak", "operations"), ("Tariq Aziz", "finance"),
    # leavers (accounts disabled)
    ("Peter Lang", "portal"), ("Rosa Mendes", "payments"),
]
LEAVERS = {"Peter Lang", "Rosa Mendes"}
ENGINEERING_TEAMS = {"payments", "ledger", "portal", "mobile", "platform", "data"}


class Person:
    def __init__(self, index: int, name: str, team: str) -> None:
        self.id = f"p-{index:04d}"
        self.name = name
        self.team = team
        first, last = name.lower().replace("'", "").split(" ", 1)
        self.username = f"{first}.{last.replace(' ', '')}"
        self.email = f"{self.username}@{DOMAIN}"
        self.login = rng.choice([f"{first}-{last[:3]}", f"{first[0]}{last}", f"{first}{last[0]}-bw", f"{last}{first[0]}"])
        self.gh_numeric = 41000 + index * 37
        self.leaver = name in LEAVERS

    @property
    def noreply(self) -> str:
        return f"{self.gh_numeric}+{self.login}@users.noreply.github.com"

    def who(self) -> dict:
        return {"name": self.name, "email": self.email}


PEOPLE = [Person(i + 1, n, t) for i, (n, t) in enumerate(PEOPLE_SPEC)]
BY_NAME = {p.name: p for p in PEOPLE}
ENGINEERS = [p for p in PEOPLE if p.team in ENGINEERING_TEAMS and not p.leaver]
REPO_TEAMS = {
    "brightwater/payments-api": "payments",
    "brightwater/ledger-service": "ledger",
    "brightwater/customer-portal": "portal",
    "brightwater/mobile-bff": "mobile",
    "brightwater/infra-terraform": "platform",
}
SERVICES = {
    "brightwater/payments-api": "payments-api",
    "brightwater/ledger-service": "ledger-service",
    "brightwater/customer-portal": "customer-portal",
    "brightwater/mobile-bff": "mobile-bff",
}


def P(name: str) -> Person:
    return BY_NAME[name]


# People with a second GitHub account (both resolve to the same person).
ALT_ACCOUNTS = {
    "Rahul Mehta": ("rahul-m-oss", "rahul.mehta.dev@gmail.com"),
    "Chloe Evans": ("chloe-evans-test", "chloe.evans+test@brightwater.example"),
}

# ---------------------------------------------------------------------------
# Identities
# ---------------------------------------------------------------------------

identities: list[dict] = []


def identity(id_: str, person: str, name: str, emails: list[str], type_: str, system: str, *, account: str | None = None,
             username: str | None = None, console: bool = True, mfa: bool = True, keys: list[dict] | None = None,
             roles: list[str] | None = None, created: datetime, last_login: datetime | str | None = "omit",
             disabled: bool = False) -> dict:
    item = {
        "id": id_, "person": person, "display_name": name, "emails": emails, "type": type_, "system": system,
        "account": account, "username": username, "console_access": console, "mfa_enabled": mfa,
        "access_keys": keys or [], "roles": sorted(roles or []), "created_at": iso(created), "disabled": disabled,
    }
    if last_login != "omit":
        item["last_login_at"] = iso(last_login) if isinstance(last_login, datetime) else None
    identities.append(item)
    return item


def access_key(owner: str, n: int, *, created_days: float, used_days: float | None, active: bool = True) -> dict:
    return {
        "id": key_id(owner, n), "status": "active" if active else "inactive",
        "created_at": iso(ago(days=created_days)),
        "last_used_at": None if used_days is None else iso(ago(days=used_days, hours=rng.randint(1, 20))),
    }


AWS_HUMANS = ["Ethan Walsh", "Zara Ahmed", "Oliver Grant", "Emily Sato", "Kwame Mensah", "Leo Fischer", "Maya Kapoor",
              "Ravi Nair", "Sophie Turner", "Amelia Hughes", "Marcus Bell", "Jakub Nowak"]


def aws_user_id(p: Person, account: str = AWS_PROD) -> str:
    return f"aws:{account}:user/{p.username}"


def build_identities() -> None:
    for p in PEOPLE:
        created = ago(days=rng.randint(200, 1900))
        last_login = ago(days=rng.randint(0, 9), hours=rng.randint(1, 12))
        identity(f"okta:{p.username}", p.id, p.name, [p.email], "human", "okta", account="brightwater.okta.com",
                 username=p.username, mfa=not p.leaver, roles=[f"team:{p.team}"], created=created,
                 last_login=ago(days=rng.randint(120, 300)) if p.leaver else last_login, disabled=p.leaver)
        if p.team in ENGINEERING_TEAMS or p.team == "security":
            identity(f"github:{p.login}", p.id, p.name, [p.email, p.noreply], "human", "github", account="brightwater",
                     username=p.login, created=created + timedelta(days=3), disabled=p.leaver,
                     mfa=True, roles=["member"])
    for name, (login, email) in sorted(ALT_ACCOUNTS.items()):
        p = P(name)
        identity(f"github:{login}", p.id, p.name, [email, f"{p.gh_numeric + 1}+{login}@users.noreply.github.com"], "human",
                 "github", account="brightwater", username=login, created=ago(days=rng.randint(300, 600)), roles=["member"])
    for name in AWS_HUMANS:
        p = P(name)
        n_keys = rng.choice([0, 1, 1, 2]) if p.team in {"platform", "data"} else 0
        keys = [access_key(aws_user_id(p), k, created_days=rng.randint(5, 80), used_days=rng.randint(0, 6)) for k in range(n_keys)]
        identity(aws_user_id(p), p.id, p.name, [p.email], "human", "aws", account=AWS_PROD, username=p.username, keys=keys,
                 created=ago(days=rng.randint(300, 1200)), last_login=ago(days=rng.randint(0, 12), hours=3), roles=[])
    # service accounts
    identity(f"aws:{AWS_PROD}:user/svc-ci-deployer", "svc-ci-deployer", "CI deployer", [f"svc-ci-deployer@{DOMAIN}"], "service", "aws",
             account=AWS_PROD, username="svc-ci-deployer", console=False, mfa=False,
             keys=[access_key("svc-ci-deployer", 1, created_days=31, used_days=0)], created=ago(days=900))
    identity(f"aws:{AWS_PROD}:user/svc-legacy-reports", "svc-legacy-reports", "Legacy reports export", [f"svc-legacy-reports@{DOMAIN}"],
             "service", "aws", account=AWS_PROD, username="svc-legacy-reports", console=False, mfa=False,
             keys=[access_key("svc-legacy-reports", 1, created_days=410, used_days=300, active=False),
                   access_key("svc-legacy-reports", 2, created_days=60, used_days=1)], created=ago(days=1500))
    note("identities", f"aws:{AWS_PROD}:user/svc-legacy-reports", "has a 410-day-old key, but it is inactive (SEC-002 and SEC-007 pass)")
    identity("github:bw-deploy-bot", "svc-deploy-bot", "Brightwater deploy bot", [f"deploy-bot@{DOMAIN}"], "service", "github",
             account="brightwater", username="bw-deploy-bot", console=False, mfa=False, created=ago(days=1100), roles=["member"])
    identity("github:bw-renovate", "svc-renovate", "Renovate dependency bot", [f"renovate@{DOMAIN}"], "service", "github",
             account="brightwater", username="bw-renovate", console=False, mfa=False, created=ago(days=700), roles=["member"])
    identity("okta:svc-scim-provisioner", "svc-scim", "SCIM provisioner", [f"scim@{DOMAIN}"], "service", "okta",
             account="brightwater.okta.com", username="svc-scim-provisioner", console=False, mfa=False, created=ago(days=1300))
    identity(f"aws:{AWS_SANDBOX}:root", f"root-{AWS_SANDBOX}", "Sandbox account root", [f"aws-sandbox-root@{DOMAIN}"], "root", "aws",
             account=AWS_SANDBOX, username="root", mfa=True, created=ago(days=1600), last_login=ago(days=20))


def sec_violations_identities() -> None:
    # SEC-001: console access without MFA
    p = P("Anna Kowalski")
    i = next(i for i in identities if i["id"] == f"okta:{p.username}")
    i["mfa_enabled"] = False
    expect("SEC-001", i["id"], "Okta user with console sign-in and no MFA factor enrolled")
    p = P("Ravi Nair")
    i = next(i for i in identities if i["id"] == aws_user_id(p))
    i["mfa_enabled"] = False
    expect("SEC-001", i["id"], "IAM user with a console password and no MFA device")
    p = P("Ben Carter")
    i = next(i for i in identities if i["id"] == f"github:{p.login}")
    i["mfa_enabled"] = False
    expect("SEC-001", i["id"], "GitHub member without two-factor authentication")
    for leaver in sorted(LEAVERS):
        note("identities", f"okta:{P(leaver).username}", "leaver without MFA, but the account is disabled (SEC-001 passes)")
    note("identities", "okta:svc-scim-provisioner", "service account without MFA and without console access (SEC-001 passes)")

    # SEC-002: active keys older than 90 days
    identity(f"aws:{AWS_PROD}:user/svc-etl-loader", "svc-etl-loader", "ETL loader", [f"svc-etl-loader@{DOMAIN}"], "service", "aws",
             account=AWS_PROD, username="svc-etl-loader", console=False, mfa=False,
             keys=[access_key("svc-etl-loader", 1, created_days=212, used_days=0)], created=ago(days=800))
    expect("SEC-002", f"aws:{AWS_PROD}:user/svc-etl-loader", "active key created 212 days ago")
    p = P("Oliver Grant")
    i = next(i for i in identities if i["id"] == aws_user_id(p))
    i["access_keys"] = [access_key(i["id"], 9, created_days=133, used_days=2)]
    expect("SEC-002", i["id"], "human IAM user's active key created 133 days ago")
    p = P("Leo Fischer")
    i = next(i for i in identities if i["id"] == aws_user_id(p))
    i["access_keys"] = [access_key(i["id"], 8, created_days=91, used_days=1), access_key(i["id"], 7, created_days=10, used_days=0)]
    expect("SEC-002", i["id"], "rotation overdue by a day: one active key created 91 days ago (the other is 10 days old)")
    p = P("Emily Sato")
    i = next(i for i in identities if i["id"] == aws_user_id(p))
    i["access_keys"] = [access_key(i["id"], 6, created_days=89, used_days=0)]
    note("identities", i["id"], "active key 89 days old: just inside the 90-day limit (SEC-002 passes)")

    # SEC-003 passes: neither root user has an access key.
    root_id = f"aws:{AWS_PROD}:root"
    identity(root_id, f"root-{AWS_PROD}", "Production account root", [f"aws-prod-root@{DOMAIN}"], "root", "aws", account=AWS_PROD,
             username="root", mfa=True, keys=[], created=ago(days=2400), last_login=ago(days=30))
    rng.randint(1, 20)  # the draw of the root key this identity once had, so the rest of the demo keeps its ids
    note("identities", root_id, "production root signed in 30 days ago, with MFA and no access keys (SEC-001, SEC-002 and SEC-003 pass)")
    note("identities", f"aws:{AWS_SANDBOX}:root", "sandbox root with MFA and no access keys (SEC-001 and SEC-003 pass)")

    # SEC-007: unused credentials
    identity(f"aws:{AWS_PROD}:user/svc-backup-verify", "svc-backup-verify", "Backup verification job", [f"svc-backup@{DOMAIN}"],
             "service", "aws", account=AWS_PROD, username="svc-backup-verify", console=False, mfa=False,
             keys=[access_key("svc-backup-verify", 1, created_days=52, used_days=None)], created=ago(days=52))
    expect("SEC-007", f"aws:{AWS_PROD}:user/svc-backup-verify", "active key created 52 days ago and never used")
    p = P("Kwame Mensah")
    i = next(i for i in identities if i["id"] == aws_user_id(p))
    i["access_keys"] = [access_key(i["id"], 5, created_days=75, used_days=61)]
    expect("SEC-007", i["id"], "active key last used 61 days ago")
    p = P("Liam Murphy")
    i = next(i for i in identities if i["id"] == f"okta:{p.username}")
    i["last_login_at"] = iso(ago(days=104))
    expect("SEC-007", i["id"], "Okta console login not used for 104 days (long-term leave, account not suspended)")
    p = P("Zara Ahmed")
    i = next(i for i in identities if i["id"] == aws_user_id(p))
    i["access_keys"] = [access_key(i["id"], 4, created_days=40, used_days=None)]
    note("identities", i["id"], "active key never used, but only 40 days old (SEC-007 passes)")


# ---------------------------------------------------------------------------
# Access grants and reviews
# ---------------------------------------------------------------------------

grants: list[dict] = []
ADMINS = "iam-admins@" + DOMAIN


def grant(p: Person | str, identity_id: str, system: str, role: str, privileged: bool, *, days: float, by: str,
          expires: datetime | None = None, ticket: bool = True) -> dict:
    person = p.id if isinstance(p, Person) else p
    gid = f"grant-{system}-{sha(identity_id, system, role)[:8]}"
    item = {
        "id": gid, "identity": identity_id, "person": person, "system": system, "role": role, "privileged": privileged,
        "granted_at": iso(ago(days=days)), "granted_by": by,
        "request_ref": f"ACC-{rng.randint(1000, 9999)}" if ticket else None,
        "expires_at": iso(expires) if expires else None,
    }
    grants.append(item)
    return item


APPROVERS = {"Catherine Wu", "Mei Tanaka", "Robert Osei", "Sarah Collins"}  # okta Access Request Approver
IAM_TEAM = ["Ingrid Holm", "Callum Fraser", "Yusuf Demir"]


def build_grants() -> None:
    approver_mail = {n: P(n).email for n in APPROVERS}

    def approver_for(p: Person) -> str:
        return approver_mail[rng.choice(sorted(n for n in APPROVERS if n != p.name))]

    for p in PEOPLE:
        if p.leaver:
            continue
        grant(p, f"okta:{p.username}", "google-workspace", "user", False, days=rng.randint(200, 900), by=f"scim@{DOMAIN}", ticket=False)
        grant(p, f"okta:{p.username}", "slack", "member", False, days=rng.randint(200, 900), by=f"scim@{DOMAIN}", ticket=False)
    for p in ENGINEERS + [P(n) for n in ("Helen Park", "Victor Alvarez", "Nora Lindgren")]:
        grant(p, f"github:{p.login}", "github", "member", False, days=rng.randint(150, 900), by=approver_for(p))
    for name in ("Sophie Turner", "Marcus Bell", "Isla Morgan", "Amelia Hughes", "Ethan Walsh"):
        p = P(name)
        grant(p, f"github:{p.login}", "github", "maintain", False, days=rng.randint(100, 400), by=approver_for(p))
    for name in ("James Whitfield", "Ethan Walsh", "Helen Park"):
        p = P(name)
        gid = f"github:{p.login}" if p.team in ENGINEERING_TEAMS | {"security"} else f"okta:{p.username}"
        grant(p, gid, "github", "owner", True, days=rng.randint(300, 800), by=approver_for(p))
    # AWS production
    for name in AWS_HUMANS:
        p = P(name)
        if p.team == "platform":
            role, priv = ("AdministratorAccess", True) if name in ("Ethan Walsh", "Zara Ahmed") else ("PowerUserAccess", True)
        elif p.team == "data":
            role, priv = "PowerUserAccess", True
        else:
            role, priv = "ReadOnlyAccess", False
        grant(p, aws_user_id(p), "aws", role, priv, days=rng.randint(150, 700), by=approver_for(p))
    grant("svc-ci-deployer", f"aws:{AWS_PROD}:user/svc-ci-deployer", "aws", "DeployRole", True, days=880, by=P("Ethan Walsh").email)
    grant("svc-etl-loader", f"aws:{AWS_PROD}:user/svc-etl-loader", "aws", "EtlLoaderRole", False, days=790, by=P("Leo Fischer").email)
    # Okta administration
    for name in ("Ingrid Holm", "Callum Fraser"):
        p = P(name)
        grant(p, f"okta:{p.username}", "okta", "Super Administrator", True, days=rng.randint(300, 800), by=P("Catherine Wu").email)
    grant(P("Yusuf Demir"), f"okta:{P('Yusuf Demir').username}", "okta", "Help Desk Admin", True, days=400, by=P("Mei Tanaka").email)
    for name in ("Helen Park", "Victor Alvarez", "Nora Lindgren"):
        p = P(name)
        grant(p, f"okta:{p.username}", "okta", "Read Only Admin", False, days=rng.randint(100, 500), by=P("Catherine Wu").email)
    for name in sorted(APPROVERS):
        p = P(name)
        grant(p, f"okta:{p.username}", "okta", "Access Request Approver", False, days=rng.randint(200, 700), by=ADMINS)
    # Ledger database
    for name in ("Maya Kapoor", "Leo Fischer"):
        p = P(name)
        grant(p, f"okta:{p.username}", "ledger-db", "db_owner", True, days=rng.randint(200, 500), by=P("Robert Osei").email)
    for name in ("Sophie Turner", "Rahul Mehta", "Grace Lindqvist", "Owen Price", "Ravi Nair", "Sarah Collins"):
        p = P(name)
        grant(p, f"okta:{p.username}", "ledger-db", "read_only", False, days=rng.randint(60, 500), by=approver_for(p))
    # Leavers' grants were removed by SCIM; one break-glass grant that expired
    p = P("Robert Osei")
    g = grant(p, f"okta:{p.username}", "aws", "AdministratorAccess", True, days=40, by=P("Catherine Wu").email,
              expires=ago(days=39))
    note("access_grants", g["id"], "approver Robert Osei's break-glass AdministratorAccess expired a day after it was granted (SOD-003 passes)")


def sod_violations_grants() -> None:
    # SOD-003: administrator + access request approver
    p = P("Kwame Mensah")  # SRE manager
    grant(p, f"okta:{p.username}", "okta", "Access Request Approver", False, days=150, by=ADMINS)
    g = next(g for g in grants if g["identity"] == aws_user_id(p))
    g["role"] = "AdministratorAccess"
    expect("SOD-003", p.id, "Kwame Mensah (SRE manager) holds AdministratorAccess on AWS and Access Request Approver in Okta")
    p = P("Ingrid Holm")  # IAM lead
    grant(p, f"okta:{p.username}", "okta", "Access Request Approver", False, days=95, by=ADMINS)
    expect("SOD-003", p.id, "Ingrid Holm (IAM lead) holds Okta Super Administrator and Access Request Approver")

    # SOD-007 passes: no privileged grant was approved by its recipient, under any of their accounts.
    p = P("Yusuf Demir")
    g = next(g for g in grants if g["person"] == p.id and g["role"] == "Help Desk Admin")
    note("access_grants", g["id"], f"Yusuf Demir, who also has a separate Okta admin account, holds Help Desk Admin granted by "
         f"{g['granted_by']}, not by either of his accounts (SOD-007 passes)")
    identity(f"okta:{p.username}.admin", p.id, f"{p.name} (admin)", [f"{p.username}.admin@{DOMAIN}"], "human", "okta",
             account="brightwater.okta.com", username=f"{p.username}.admin", created=ago(days=420), last_login=ago(days=3),
             roles=["team:it"])
    p = P("Maya Kapoor")
    g = grant(p, f"okta:{p.username}", "slack", "workspace-admin-request", False, days=20, by=p.email)
    note("access_grants", g["id"], "self-granted, but not privileged (SOD-007 passes)")


reviews: list[dict] = []


def review(scope: str, reviewer: Person, days: float, *, findings: int = 0, privileged: bool = True,
           ticket: str | None = None) -> dict:
    completed = ago(days=days)
    item = {
        "id": f"uar-{completed:%Y%m%d}-{scope.replace(':', '-').replace(' ', '-').lower()}",
        "scope": scope, "reviewer": reviewer.email, "completed_at": iso(completed), "privileged": privileged,
        "findings_open": findings, "ticket": ticket or f"GRC-{rng.randint(200, 999)}",
    }
    reviews.append(item)
    return item


def build_reviews() -> None:
    helen, victor, nora = P("Helen Park"), P("Victor Alvarez"), P("Nora Lindgren")
    for days, reviewer in ((285, victor), (190, nora), (98, victor), (17, helen)):
        review("aws", reviewer, days, findings=1 if days == 17 else 0)
    for days in (300, 210, 120, 51):
        review("okta", P("Olivia Bennett"), days)
    for days in (250, 160, 70):
        review("aws:DeployRole", helen, days)
    for days in (200, 110):
        review("github:maintain", P("Mei Tanaka"), days, privileged=False)
    for days in (320, 233, 140):
        review("github:owner", P("Mei Tanaka"), days)
    for days in (330, 240, 150, 60):
        review("github:member", P("Robert Osei"), days, privileged=False)
    for days in (270, 90):
        review("ledger-db:read_only", P("Robert Osei"), days, privileged=False)
    old = review("aws", P("Ethan Walsh"), 400)
    note("access_reviews", old["id"], "signed off by an AWS administrator, but 400 days ago, outside the 365-day lookback (SOD-006 passes)")


def sod_violations_reviews() -> None:
    # SOD-004 passes: every privileged role was reviewed within 90 days (fixed tickets keep the random sequence unchanged)
    r = review("github:owner", P("Mei Tanaka"), 48, ticket="GRC-1012")
    note("access_reviews", r["id"], "GitHub organisation owners reviewed 48 days ago, after a gap: the previous review was 140 days ago (SOD-004 passes)")
    r = review("ledger-db:db_owner", P("Olivia Bennett"), 89, ticket="GRC-1013")
    note("access_reviews", r["id"], "first review of the ledger database owners, 89 days ago: one day inside the 90-day cycle (SOD-004 passes)")
    note("access_reviews", "okta", "Okta privileged roles are covered by the system-wide 'okta' review 51 days ago (SOD-004 passes)")
    # SOD-006: reviewer holds access in the scope
    r = review("aws", P("Kwame Mensah"), 130)
    expect("SOD-006", r["id"], "AWS review signed off by Kwame Mensah, who holds AdministratorAccess there")
    r = review("ledger-db:read_only", P("Sophie Turner"), 178, privileged=False)
    g = next(g for g in grants if g["person"] == P("Sophie Turner").id and g["role"] == "read_only")
    g["granted_at"] = iso(ago(days=420))
    expect("SOD-006", r["id"], "ledger-db read-only review signed off by Sophie Turner, a read-only holder")


# ---------------------------------------------------------------------------
# Changes and deployments
# ---------------------------------------------------------------------------

changes: list[dict] = []
deployments: list[dict] = []
MAIN: dict[str, list[dict]] = defaultdict(list)  # repo -> normal main commits, oldest first (candidates for deployment)
SUBJECTS = [
    "Add idempotency keys to {x}", "Fix rounding in {x}", "Refactor {x} client", "Bump {x} to latest patch",
    "Add metrics for {x}", "Handle timeout in {x}", "Remove dead code in {x}", "Tighten validation of {x}",
    "Add feature flag for {x}", "Improve logging around {x}", "Cache {x} lookups", "Migrate {x} to new schema",
]
TOPICS = ["card authorisation", "refunds", "FX rates", "statement export", "direct debits", "KYC checks",
          "ledger postings", "interest accrual", "login flow", "push notifications", "session handling", "audit events"]
GH = {"name": "GitHub", "email": "noreply@github.com"}
pr_counter = defaultdict(lambda: 400)


def subject() -> str:
    return rng.choice(SUBJECTS).format(x=rng.choice(TOPICS))


def team_of(repo: str) -> list[Person]:
    team = [p for p in ENGINEERS if p.team == REPO_TEAMS[repo]]
    return team + [p for p in ENGINEERS if p.team == "platform"][:2]


def approval(p: Person, at: datetime, *, email: str | None = None, login: str | None = None, source: str = "github") -> dict:
    return {"name": p.name, "email": email or p.email, "login": login or (p.login if source == "github" else None),
            "source": source, "at": iso(at)}


def change(repo: str, *, when: datetime, author: Person, approvers: list[Person] | None = None, approvals: list[dict] | None = None,
           branch: str = "main", merge: bool = False, squash: bool = True, co_authors: list[Person] | None = None,
           reviewed: bool | None = None, tests: bool | None = True, signature: dict | None = None, summary: str | None = None,
           parent: str | None = None, tag: str = "") -> dict:
    cid = sha(repo, branch, iso(when), author.username, tag)
    n_pr = None
    merged = []
    if merge or squash:
        pr_counter[repo] += rng.randint(1, 4)
        n_pr = pr_counter[repo]
        for k, a in enumerate([author] * rng.randint(1, 3) + (co_authors or [])):
            merged.append({"id": sha(cid, "pr", k), "author": a.who()})
    if approvals is None:
        approvals = [approval(a, when - timedelta(hours=rng.randint(1, 30))) for a in (approvers or [])]
    merger = author if not merge else rng.choice([p for p in team_of(repo) if p is not author])
    item = {
        "id": cid, "repository": repo, "branch": branch,
        "author": merger.who() if merge else author.who(),
        "committer": GH if (merge or squash) else author.who(),
        "authored_at": iso(when - timedelta(hours=rng.randint(2, 72))), "committed_at": iso(when),
        "parents": [parent or sha(repo, "parent", iso(when))] + ([sha(cid, "pr", 0)] if merge else []),
        "is_merge": merge,
        "message_summary": summary or (f"Merge pull request #{n_pr} from brightwater/{author.login}/work" if merge else
                                       f"{subject()}" + (f" (#{n_pr})" if n_pr else "")),
        "signature": signature or ({"present": True, "verified": True, "key_id": GITHUB_WEB_FLOW_KEY, "signer": "GitHub"} if (merge or squash)
                                   else {"present": True, "verified": True, "key_id": f"SHA256:{sha(author.email)[:20]}", "signer": author.email}),
        "approvals": approvals,
        "reviewed": bool(approvals) if reviewed is None else reviewed,
        "tests_passed": tests,
        "pull_request": f"#{n_pr}" if n_pr else None,
    }
    if merged:
        item["merged_commits"] = merged
    changes.append(item)
    return item


def build_changes() -> None:
    start = ago(days=170)
    for repo in sorted(REPO_TEAMS):
        team = team_of(repo)
        when = start + timedelta(hours=rng.randint(1, 40))
        n = 58 if repo != "brightwater/infra-terraform" else 30
        for _ in range(n):
            author = rng.choice(team)
            others = [p for p in team if p is not author]
            co = [rng.choice(others)] if rng.random() < 0.12 else []
            pool = [p for p in others if p not in co]
            approvers = rng.sample(pool, 2 if rng.random() < 0.3 else 1)
            merge = rng.random() < 0.1
            c = change(repo, when=when, author=author, approvers=approvers, co_authors=co, merge=merge, squash=not merge)
            MAIN[repo].append(c)
            when += timedelta(hours=rng.randint(30, 75))
        # unreviewed, unsigned work-in-progress on feature branches: out of scope of every control
        for k in range(5):
            author = rng.choice(team)
            c = change(repo, when=ago(days=rng.randint(1, 30)), author=author, branch=f"feature/{author.login}-{k}", squash=False,
                       approvers=[], tests=rng.choice([True, False, None]),
                       signature={"present": False, "verified": None, "key_id": None, "signer": None}, tag=f"wip{k}")
    note("changes", "feature/*", "25 unsigned, unreviewed commits on feature branches; only protected branches are checked (SOD-005, SEC-008 pass)")


def deployment(service: str, env: str, commit: str, when: datetime, *, actor: dict | None = None, approver: dict | None = None,
               status: str = "success", source: str = "ci", ref: str | None = None) -> dict:
    run = str(6_100_000_000 + rng.randint(0, 99_999_999))
    item = {
        "id": f"deploy-{service}-{env[:4]}-{when:%Y%m%d%H%M}",
        "environment": env, "service": service, "commit": commit, "ref": ref or "main",
        "actor": {"name": "Brightwater deploy bot", "login": "bw-deploy-bot", "email": f"deploy-bot@{DOMAIN}"} if actor is None else actor,
        "approver": approver, "started_at": iso(when), "finished_at": iso(when + timedelta(minutes=rng.randint(4, 25))),
        "status": status,
        "pipeline": {"platform": "github" if source == "ci" else ("unknown" if source == "import" else "other"),
                     "run_id": run if source == "ci" else None,
                     "url": f"https://github.com/{service}/actions/runs/{run}" if source == "ci" else None},
        "source": source,
    }
    deployments.append(item)
    return item


def build_deployments() -> None:
    for repo, service in sorted(SERVICES.items()):
        commits = MAIN[repo]
        version = [2, rng.randint(1, 9), 0]
        for k, c in enumerate(commits[4::2]):
            when = datetime.strptime(c["committed_at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC) + timedelta(minutes=rng.randint(20, 240))
            if when >= NOW:
                continue
            deployment(service, "staging", c["id"], when)
            if k % 2 == 0:
                version[1] += 1
                ref = "v{}.{}.{}".format(*version)
                status = "success" if rng.random() > 0.06 else rng.choice(["failed", "cancelled"])
                authors = {m["author"]["email"] for m in c.get("merged_commits", [])} | {c["author"]["email"]}
                if rng.random() < 0.25:
                    # manual release by a team member who did not write the change, approved at the environment gate
                    deployer = rng.choice([p for p in team_of(repo) if p.email not in authors])
                    gate = rng.choice([p for p in team_of(repo) if p is not deployer])
                    deployment(service, "production", c["id"], when + timedelta(hours=3), ref=ref, status=status,
                               actor={"name": deployer.name, "email": deployer.email, "login": deployer.login},
                               approver={"name": gate.name, "email": gate.email, "login": gate.login})
                else:
                    deployment(service, "production", c["id"], when + timedelta(hours=3), ref=ref, status=status)
    # an author releasing their own change is fine when someone else approved the deployment
    c = MAIN["brightwater/mobile-bff"][-3]
    author = next(p for p in PEOPLE if p.email == c["author"]["email"]) if not c["is_merge"] else None
    if author:
        gate = P("Isla Morgan") if author is not P("Isla Morgan") else P("Lucy Chen")
        d = deployment("mobile-bff", "production", c["id"], ago(days=2, hours=5), ref="v2.99.1",
                       actor={"name": author.name, "email": author.email, "login": author.login},
                       approver={"name": gate.name, "email": gate.email, "login": gate.login})
        note("deployments", d["id"], "deployed by the change's author, but approved at the environment gate by another engineer (SOD-002 passes)")


def sod_sec_violations_changes() -> None:
    def at(days: float) -> datetime:
        return ago(days=days)

    # SOD-001 + SEC-004: direct push to main, no review, deployed by the pipeline
    a = P("Amelia Hughes")
    h1 = change("brightwater/payments-api", when=at(12), author=a, squash=False, approvals=[], reviewed=False,
                summary="Hotfix: raise card authorisation timeout to 8s", tag="h1")
    d = deployment("payments-api", "production", h1["id"], at(12) + timedelta(minutes=25), ref="v2.31.1")
    expect(["SOD-001", "SEC-004"], d["id"], "hotfix pushed straight to main with no review, deployed to production by the pipeline")

    # SOD-001 + SOD-005: approved on GitHub by the author's second account
    r = P("Rahul Mehta")
    login, email = ALT_ACCOUNTS[r.name]
    h2 = change("brightwater/ledger-service", when=at(9), author=r,
                approvals=[approval(r, at(9) - timedelta(hours=2), email=email, login=login)],
                summary="Change FX rounding to banker's rounding (#611)", tag="h2")
    d = deployment("ledger-service", "production", h2["id"], at(9) + timedelta(hours=2), ref="v2.40.0")
    expect("SOD-001", d["id"], "only approval came from rahul-m-oss, Rahul Mehta's second GitHub account")
    expect("SOD-005", h2["id"], "approved by rahul-m-oss, the author's second GitHub account")

    # SOD-001 + SOD-005 + SEC-004: 'Approved-by' trailer naming the author, no pull request
    m = P("Marcus Bell")
    h3 = change("brightwater/customer-portal", when=at(7), author=m, squash=False, reviewed=False,
                approvals=[approval(m, at(7), source="trailer")], summary="Disable CAPTCHA on password reset", tag="h3")
    d = deployment("customer-portal", "production", h3["id"], at(7) + timedelta(hours=1), ref="v2.52.3")
    expect(["SOD-001", "SEC-004"], d["id"], "commit approved only by an 'Approved-by' trailer naming its author, no pull request")
    expect("SOD-005", h3["id"], "'Approved-by' trailer names the author's own address")

    # SOD-001 + SEC-004: deployed commit missing from the collected history (force-pushed away)
    s = P("Samuel Adeyemi")
    d = deployment("mobile-bff", "production", sha("mobile-bff", "force-pushed"), at(5), ref="v2.77.4", source="git-tag",
                   actor={"name": s.name, "email": s.email})
    expect(["SOD-001", "SEC-004"], d["id"], "tagged release of a commit that is not in the main history (force-pushed away)")

    # SOD-002: author deploys their own change with no deployment approval
    t = P("Tom Reid")
    h5 = change("brightwater/payments-api", when=at(20), author=t, approvers=[P("Priya Shah")], tag="h5")
    d = deployment("payments-api", "production", h5["id"], at(20) + timedelta(hours=4), ref="v2.30.0",
                   actor={"name": t.name, "email": t.email, "login": t.login})
    expect("SOD-002", d["id"], "Tom Reid deployed his own change to production with no deployment approval")
    g = P("Grace Lindqvist")
    h6 = change("brightwater/ledger-service", when=at(15), author=g, approvers=[P("Owen Price")], tag="h6")
    d = deployment("ledger-service", "production", h6["id"], at(15) + timedelta(hours=2), ref="v2.39.2",
                   actor={"login": g.login})
    expect("SOD-002", d["id"], f"deployed by GitHub login {g.login}, who is the change's sole author Grace Lindqvist")
    c = MAIN["brightwater/customer-portal"][-6]
    d = deployment("customer-portal", "production", c["id"], at(24), ref="v2.50.0", source="import", actor={})
    expect("SOD-002", d["id"], "deployment imported from the old release log with no record of who deployed it")

    # SOD-005 only: approval from the author's other account on a change not yet deployed
    ch = P("Chloe Evans")
    login, email = ALT_ACCOUNTS[ch.name]
    h8 = change("brightwater/customer-portal", when=at(3), author=ch,
                approvals=[approval(ch, at(3), email=email, login=login), approval(P("Jakub Nowak"), at(3))],
                summary="Add consent banner variants (#902)", tag="h8")
    expect("SOD-005", h8["id"], "approved by chloe-evans-test, the author's test account (alongside a genuine review)")

    # SEC-004: failed and unknown CI checks
    o = P("Owen Price")
    h9 = change("brightwater/ledger-service", when=at(4), author=o, approvers=[P("Sophie Turner")], tests=False, tag="h9")
    d = deployment("ledger-service", "production", h9["id"], at(4) + timedelta(hours=1), ref="v2.41.0")
    expect("SEC-004", d["id"], "deployed commit's required checks failed (flaky integration suite overridden)")
    lu = P("Lucy Chen")
    h10 = change("brightwater/mobile-bff", when=at(6), author=lu, approvers=[P("Isla Morgan")], tests=None, tag="h10")
    d = deployment("mobile-bff", "production", h10["id"], at(6) + timedelta(hours=1), ref="v2.78.0")
    expect("SEC-004", d["id"], "deployed commit has no CI check result (checks were skipped)")
    d = deployment("payments-api", "production", h1["id"], at(13), ref="v2.31.1-rc1", status="failed")
    note("deployments", d["id"], "failed production deployment of the unreviewed hotfix: it never reached production (controls pass)")

    # SEC-008 passes: commits on main not merged through GitHub's web flow are signed with the author's registered key
    b = P("Ben Carter")
    s1 = change("brightwater/customer-portal", when=at(30), author=b, approvers=[P("Fatima Zahra")], squash=False,
                summary="Rebase-merge: update cookie policy text", tag="s1")
    note("changes", s1["id"], "rebase-merged onto main, so not signed by GitHub, but signed with the author's registered SSH key (SEC-008 passes)")
    k = P("Emily Sato")
    s2 = change("brightwater/infra-terraform", when=at(26), author=k, approvers=[P("Ethan Walsh")], squash=False,
                signature={"present": True, "verified": True, "key_id": "4AEE18F83AFDEB23", "signer": k.email},
                summary="Open egress to payments partner range", tag="s2")
    note("changes", s2["id"], "signed with a GPG key rather than SSH; the key is registered to the author, so it verifies (SEC-008 passes)")
    h = P("Hannah Brooks")
    change("brightwater/ledger-service", when=at(33), author=h, approvers=[P("Rahul Mehta")], squash=False,
           summary="Pin JDK base image digest", tag="s3")


def release_range_and_four_eyes() -> None:
    """Built last, so every earlier random draw (and so the rest of the demo) is unchanged."""
    # SOD-008: the self-approved and unreviewed commits above also reached main without an independent approval
    by_tag = {c["message_summary"]: c for c in changes}
    expect("SOD-008", by_tag["Hotfix: raise card authorisation timeout to 8s"]["id"], "pushed straight to main with no approval")
    expect("SOD-008", by_tag["Change FX rounding to banker's rounding (#611)"]["id"], "only approval came from the author's second GitHub account")
    expect("SOD-008", by_tag["Disable CAPTCHA on password reset"]["id"], "only approval is an 'Approved-by' trailer naming the author")
    # SOD-008 only: a direct push to main that was never deployed
    e = P("Ethan Walsh")
    c = change("brightwater/infra-terraform", when=ago(days=2), author=e, squash=False, approvals=[], reviewed=False,
               summary="Raise NAT gateway idle timeout", tag="fe1")
    expect("SOD-008", c["id"], "pushed straight to main with no approval; not deployed, so only the four-eyes control sees it")
    # SOD-008 only: a merge bringing in two topic commits; one carries its own Reviewed-by trailer, the other no review
    k, f = P("Emily Sato"), P("Fatima Zahra")
    m = change("brightwater/infra-terraform", when=ago(days=1, hours=6), author=k, merge=True, squash=False, approvals=[],
               reviewed=False, summary="Merge branch 'emily/egress-rules'", tag="fe2")
    m["merged_commits"] = [
        {"id": sha(m["id"], "topic", 1), "author": k.who(), "person": f"email:{k.email}",
         "approvals": [{"name": e.name, "email": e.email, "source": "trailer"}]},
        {"id": sha(m["id"], "topic", 2), "author": f.who(), "person": f"email:{f.email}", "approvals": []},
    ]
    m["author"] = {"name": "Lucy Chen", "email": P("Lucy Chen").email}
    expect("SOD-008", m["id"], "merge brought in a topic commit by Fatima Zahra with no review; the other topic commit's Reviewed-by trailer counts for it")
    # SOD-001 + SEC-004: a release ships every change since the previous production deployment, not only its tip
    a, b = P("Amelia Hughes"), P("Tom Reid")
    branch = "release/2.32"
    history = []
    for n, (author, approvers, summary) in enumerate([
        (a, [b], "Prepare 2.32 release notes"),
        (b, [], "Bump card network certificate bundle"),
        (a, [b], "Tune retry backoff for settlement calls"),
    ], start=1):
        c = change("brightwater/payments-api", when=ago(days=3, hours=-6 * n), author=author, approvers=approvers, branch=branch,
                   squash=False, reviewed=bool(approvers), summary=summary, tag=f"rel{n}")
        c["sequence"] = 900 + n
        history.append(c)
    first = deployment("payments-api", "production", history[0]["id"], ago(days=2, hours=12), ref="v2.32.0")
    note("deployments", first["id"], "release from release/2.32 whose changes were all reviewed (SOD-001, SEC-004 pass)")
    second = deployment("payments-api", "production", history[2]["id"], ago(days=1, hours=12), ref="v2.32.1")
    second["previous_commit"] = history[0]["id"]
    expect(["SOD-001", "SEC-004"], second["id"], "the release's own commit was reviewed, but it also shipped an unreviewed commit pushed to release/2.32 since the previous release")


# ---------------------------------------------------------------------------
# Audit trails
# ---------------------------------------------------------------------------

trails = [
    {"id": f"arn:aws:cloudtrail:eu-west-2:{AWS_MGMT}:trail/bw-org-trail", "system": "aws-cloudtrail", "account": AWS_MGMT,
     "name": "bw-org-trail", "logging_enabled": True, "multi_region": True, "log_file_validation": True, "retention_days": 2555,
     "destination": "s3://bw-org-cloudtrail-logs", "kms_key": f"arn:aws:kms:eu-west-2:{AWS_MGMT}:alias/cloudtrail"},
    {"id": f"arn:aws:cloudtrail:eu-west-2:{AWS_PROD}:trail/prod-data-events", "system": "aws-cloudtrail", "account": AWS_PROD,
     "name": "prod-data-events", "logging_enabled": True, "multi_region": True, "log_file_validation": False, "retention_days": 400,
     "destination": "s3://bw-prod-data-events", "kms_key": None},
    {"id": f"arn:aws:cloudtrail:eu-west-1:{AWS_SANDBOX}:trail/sandbox-trail", "system": "aws-cloudtrail", "account": AWS_SANDBOX,
     "name": "sandbox-trail", "logging_enabled": True, "multi_region": False, "log_file_validation": True, "retention_days": 90,
     "destination": "s3://bw-sandbox-trail", "kms_key": None},
]


def trail_violations() -> None:
    expect("SEC-006", trails[1]["id"], "production data-events trail has log file validation turned off")
    expect("SEC-006", trails[2]["id"], "sandbox trail is single-region (eu-west-1) and keeps logs for only 90 days")


def encryption_findings(out: Path) -> list[tuple[str, str]]:
    """SEC-005 findings in data_stores.json (written by generate_demo_privacy_ai.py), with default parameters."""
    path = out / "data_stores.json"
    if not path.exists():
        return []
    found = []
    for s in json.loads(path.read_text(encoding="utf-8"))["items"]:
        if s.get("encrypted_at_rest") is not True:
            found.append((s["id"], "not encrypted at rest"))
        elif str(s.get("classification") or "").lower() == "restricted" and not (s.get("kms_key") or "").strip():
            found.append((s["id"], "restricted data with a provider-managed key"))
    return sorted(found)


# ---------------------------------------------------------------------------
# Output
# ---------------------------------------------------------------------------

def document(kind: str, source: str, collector: str, items: list[dict]) -> dict:
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), f"duplicate ids in {kind}"
    return {"kind": kind, "source": source, "collected_at": COLLECTED_AT,
            "collector": {"name": collector, "version": "0.1.0"}, "errors": [],
            "items": sorted(items, key=lambda i: i["id"])}


def write(out: Path, name: str, doc: dict) -> None:
    (out / name).write_text(json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


TITLES = {
    "SOD-001": "production changes approved by someone other than the author",
    "SOD-002": "deployer of a production release is not its sole author",
    "SOD-003": "no administrator who is also an access approver",
    "SOD-004": "privileged access reviewed every 90 days",
    "SOD-005": "no self-approval under another identity",
    "SOD-006": "access reviewers do not hold the access reviewed",
    "SOD-007": "privileged access not granted by its recipient",
    "SOD-008": "four-eyes on protected branches from git history",
    "SEC-001": "MFA for console access",
    "SEC-002": "access keys rotated within 90 days",
    "SEC-003": "no root access keys",
    "SEC-004": "production deployments only from reviewed, tested commits",
    "SEC-005": "data stores encrypted at rest",
    "SEC-006": "audit logging multi-region with validation and retention",
    "SEC-007": "credentials unused for 45 days disabled",
    "SEC-008": "verified signatures on protected branches",
}


PASSES = "No deliberate violations: this control passes on the demo."


def violations_md(counts: dict[str, int], encryption: list[tuple[str, str]]) -> str:
    lines = [
        "# Deliberate violations: segregation of duties and security (Brightwater Financial demo)",
        "",
        "Generated by `evidence/examples/generate_demo_sod_security.py`; do not edit by hand.",
        f"Evidence collected at {COLLECTED_AT}; every control with its default parameters.",
        "Each control fails on exactly the resources listed under it; a control with no deliberate violations passes.",
        "",
        "Items: " + ", ".join(f"{k} {v}" for k, v in counts.items()) + ".",
        "",
        "Every control reports its population (\"N of M in scope passed\"); none is empty on the demo.",
        "Stale evidence is not evidence: evaluated with `--as-of 2026-11-28T09:00:00Z`, eight days after",
        "collection, the changes, deployments, deletion jobs, change requests, incidents and SLO reports",
        "(maximum age 7 days) are out of date, so SOD-001, SOD-002, SOD-005, SOD-008, SEC-004, SEC-008,",
        "PRIV-002, SM-001, SM-002, SM-003, SM-004, SM-005, SM-007 and SM-008 end `insufficient_evidence`",
        "(\"changes collected 2026-11-20 (changes.json), 8 days before as_of 2026-11-28; the limit is 7 days\").",
        "On git-only evidence (`auditor collect git`), whose release tags have environment `unknown`, SEC-004",
        "ends `insufficient_evidence`: \"no production deployments in the evidence\".",
        "",
    ]
    for control in TITLES:
        lines += [f"## {control}: {TITLES[control]}", ""]
        if control == "SEC-005":
            lines += ["Read from `data_stores.json` (written by `generate_demo_privacy_ai.py`).", ""]
            entries = {r: [why] for r, why in encryption}
        else:
            entries = EXPECTED.get(control, {})
        for resource in sorted(entries):
            lines.append(f"- `{resource}`: {'; '.join(entries[resource])}")
        if not entries:
            lines += [PASSES]
            near = [(kind, resource, why) for kind, resource, why in sorted(NOTES) if re.search(rf"\b{control}\b", why)]
            if near:
                lines += ["", "Near misses that pass:", ""]
                lines += [f"- {kind} `{resource}`: {why}" for kind, resource, why in near]
        lines.append("")
    lines += ["## Look odd but pass", ""]
    for kind, resource, why in sorted(NOTES):
        lines.append(f"- {kind} `{resource}`: {why}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None, help=f"output directory (default: {OUT})")
    parser.add_argument("out_dir", nargs="?", type=Path, help=argparse.SUPPRESS)  # older positional form
    args = parser.parse_args(argv)
    out = args.out or args.out_dir or OUT
    out.mkdir(parents=True, exist_ok=True)
    build_identities()
    sec_violations_identities()
    build_grants()
    sod_violations_grants()
    build_reviews()
    sod_violations_reviews()
    build_changes()
    build_deployments()
    sod_sec_violations_changes()
    trail_violations()
    release_range_and_four_eyes()
    docs = {
        "changes": document("changes", "github:brightwater (5 repositories)", "git-history", changes),
        "deployments": document("deployments", "github-actions:brightwater", "deployments", deployments),
        "identities": document("identities", "okta+aws-iam+github:brightwater", "identities", identities),
        "access_grants": document("access_grants", "okta-iga+aws-iam+github:brightwater", "access-grants", grants),
        "access_reviews": document("access_reviews", "okta-iga:access-certifications", "access-reviews", reviews),
        "audit_trails": document("audit_trails", "aws-cloudtrail:brightwater-organization", "audit-trails", trails),
    }
    for kind, doc in docs.items():
        write(out, f"{kind}.json", doc)
    counts = {kind: len(doc["items"]) for kind, doc in docs.items()}
    (out / "VIOLATIONS-sod-security.md").write_text(violations_md(counts, encryption_findings(out)), encoding="utf-8")
    print(f"wrote {', '.join(f'{k} ({v})' for k, v in counts.items())} to {out}")


if __name__ == "__main__":
    main()
