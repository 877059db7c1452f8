"""IAM as ``identities``: users, roles and the root account, with admin detection.

Users, groups, roles and policies come from one paginated
``GetAccountAuthorizationDetails``; per user, the login profile (console access), MFA
devices and access keys (masked to their last four characters, with age, status and
last use); the root account from the account summary and the credential report.
"""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.parse
from typing import Any

from auditor.collect.aws.context import MISSING, AwsContext, iso, tag_map
from auditor.collect.redact import mask_key_id

IDENTITIES = "identities"
GRANTS = "access_grants"
POLICIES = "access_policies"
ACCOUNTS = "cloud_accounts"
#: GetAccountAuthorizationDetails feeds all three: its failure makes each incomplete.
IAM_KINDS = (IDENTITIES, GRANTS, POLICIES)
#: What IAM does not record about a grant: listed in attributes.unknown (controls needing them fail closed).
GRANT_UNKNOWN = ["granted_at", "granted_by"]
ADMIN_POLICY_ARNS = frozenset({
    "arn:aws:iam::aws:policy/AdministratorAccess",
    "arn:aws:iam::aws:policy/IAMFullAccess",
})
PERSON_TAGS = ("email", "person", "owner-email")
TYPE_TAGS = ("identity-type", "type")


def _document(value: Any) -> dict[str, Any]:
    """A policy document as returned by IAM: a dict, or URL-encoded JSON."""
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = json.loads(urllib.parse.unquote(value))
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_admin_document(document: Any) -> bool:
    """True when a statement allows every action (``*`` or ``iam:*``) on every resource."""
    for statement in _as_list(_document(document).get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow" or "Condition" in statement:
            continue
        actions = {str(a).lower() for a in _as_list(statement.get("Action"))}
        resources = {str(r) for r in _as_list(statement.get("Resource"))}
        if actions & {"*", "*:*", "iam:*"} and "*" in resources:
            return True
    return False


def grants_full_access(document: Any) -> bool:
    """True when a statement allows ``*`` (or ``*:*``) on ``*``, whatever its condition (CIS 1.16)."""
    for statement in _as_list(_document(document).get("Statement")):
        if not isinstance(statement, dict) or statement.get("Effect") != "Allow":
            continue
        actions = {str(a) for a in _as_list(statement.get("Action"))}
        if actions & {"*", "*:*"} and "*" in {str(r) for r in _as_list(statement.get("Resource"))}:
            return True
    return False


def default_version_document(policy: dict[str, Any]) -> Any:
    for version in policy.get("PolicyVersionList", []):
        if version.get("IsDefaultVersion"):
            return version.get("Document")
    return None


def credential_report(
    ctx: AwsContext, client: Any, wait: float = 0.5, attempts: int = 20
) -> list[dict[str, str]] | None:
    """The account credential report's rows (generated if needed), or None (recorded)."""
    for _ in range(attempts):
        state = ctx.call(IDENTITIES, "iam:GenerateCredentialReport", client.generate_credential_report)
        if state is None:
            return None
        if state.get("State") == "COMPLETE":
            break
        time.sleep(wait)
    report = ctx.call(IDENTITIES, "iam:GetCredentialReport", client.get_credential_report,
                      missing=("ReportNotPresent", "ReportInProgress", "ReportExpired"))
    if report is MISSING:
        ctx.record(IDENTITIES, "iam:GetCredentialReport", "ReportNotPresent", "the credential report was not ready")
        return None
    if report is None:
        return None
    content = report["Content"]
    text = content.decode("utf-8") if isinstance(content, bytes) else str(content)
    return list(csv.DictReader(io.StringIO(text)))


def _bool(value: str | None) -> bool | None:
    if value is None or value in ("N/A", "not_supported", ""):
        return None
    return value.lower() == "true"


class IamCollection:
    """Reads IAM once and builds both kinds from the same answers."""

    def __init__(self, ctx: AwsContext) -> None:
        self.ctx = ctx
        self.client = ctx.client("iam", ctx.regions[0])
        self.users: list[dict[str, Any]] = []
        self.groups: dict[str, dict[str, Any]] = {}
        self.roles: list[dict[str, Any]] = []
        self.policies: dict[str, dict[str, Any]] = {}
        self.report: list[dict[str, str]] | None = None
        self.password_policy_unread = False

    def read(self) -> None:
        pages = self.ctx.pages(
            IAM_KINDS, "iam:GetAccountAuthorizationDetails", self.client, "get_account_authorization_details",
            progress="IAM authorization details", Filter=["User", "Group", "Role", "LocalManagedPolicy"],
        )
        if pages is None:
            return
        details: dict[str, list[Any]] = {
            key: [entry for page in pages for entry in page.get(key, [])]
            for key in ("UserDetailList", "GroupDetailList", "RoleDetailList", "Policies")
        }
        self.users = details["UserDetailList"]
        self.groups = {g["GroupName"]: g for g in details["GroupDetailList"]}
        self.roles = details["RoleDetailList"]
        self.policies = {p["Arn"]: p for p in details["Policies"]}
        self.report = credential_report(self.ctx, self.client)

    def policy_is_admin(self, arn: str) -> bool:
        if arn in ADMIN_POLICY_ARNS:
            return True
        policy = self.policies.get(arn)
        return policy is not None and is_admin_document(default_version_document(policy))

    # -- identities -----------------------------------------------------------------

    def password_policy(self) -> dict[str, Any] | None:
        """The account password policy in the ``cloud_accounts`` shape; None when none is set
        (or, recorded, when it could not be read)."""
        answer = self.ctx.call(ACCOUNTS, "iam:GetAccountPasswordPolicy", self.client.get_account_password_policy,
                               missing=("NoSuchEntity",))
        self.password_policy_unread = answer is None
        if not answer:
            return None
        policy = answer["PasswordPolicy"]
        return {
            "minimum_length": int(policy.get("MinimumPasswordLength", 6)),
            "require_uppercase": bool(policy.get("RequireUppercaseCharacters")),
            "require_lowercase": bool(policy.get("RequireLowercaseCharacters")),
            "require_numbers": bool(policy.get("RequireNumbers")),
            "require_symbols": bool(policy.get("RequireSymbols")),
            "max_age_days": policy.get("MaxPasswordAge") if policy.get("ExpirePasswords") else None,
            "reuse_prevention": policy.get("PasswordReusePrevention"),
            "hard_expiry": bool(policy.get("HardExpiry")),
        }

    def user(self, detail: dict[str, Any], report: dict[str, dict[str, str]]) -> dict[str, Any]:
        name = detail["UserName"]
        scope = f"iam:user:{name}"
        ctx, client = self.ctx, self.client
        profile = ctx.call(IDENTITIES, f"{scope}:GetLoginProfile", client.get_login_profile, UserName=name,
                           missing=("NoSuchEntity",))
        mfa = ctx.call(IDENTITIES, f"{scope}:ListMFADevices", client.list_mfa_devices, UserName=name)
        keys = ctx.call(IDENTITIES, f"{scope}:ListAccessKeys", client.list_access_keys, UserName=name)
        access_keys = []
        for key in (keys or {}).get("AccessKeyMetadata", []):
            used = ctx.call(IDENTITIES, f"{scope}:GetAccessKeyLastUsed", client.get_access_key_last_used,
                            AccessKeyId=key["AccessKeyId"])
            access_keys.append({
                "id": mask_key_id(key["AccessKeyId"]),
                "status": str(key.get("Status", "")).lower(),
                "created_at": iso(key.get("CreateDate")),
                "last_used_at": iso((used or {}).get("AccessKeyLastUsed", {}).get("LastUsedDate")),
            })
        tags = tag_map(detail.get("Tags"))
        lowered = {k.lower(): v for k, v in tags.items()}
        email = next((lowered[t].strip().lower() for t in PERSON_TAGS if "@" in lowered.get(t, "")), None)
        declared = next((lowered[t].strip().lower() for t in TYPE_TAGS if lowered.get(t, "").strip()), None)
        unknown = []
        if profile is None:  # the call failed (recorded): fail closed, assume console access
            unknown.append("console_access")
        if mfa is None:  # assume no MFA
            unknown.append("mfa_enabled")
        if keys is None:
            unknown.append("access_keys")
        console = profile is None or profile is not MISSING
        if declared in ("human", "service"):
            kind, kind_source = declared, "tag"
        else:
            kind, kind_source = ("human" if console else "service"), "console_access"
        row = report.get(name, {})
        admin = [g["policy_name"] for g in self.user_grants(detail) if g["admin"]]
        arn = detail["Arn"]
        return {
            "id": arn,
            "person": email or arn,
            "display_name": name,
            "username": name,
            "emails": [email] if email else [],
            "type": kind,
            "system": "aws",
            "account": self.ctx.account,
            "console_access": console,
            "mfa_enabled": bool((mfa or {}).get("MFADevices")),
            "access_keys": sorted(access_keys, key=lambda k: (k["created_at"] or "", k["id"])),
            "roles": sorted(detail.get("GroupList", [])),
            "created_at": iso(detail.get("CreateDate")),
            "last_login_at": iso(row.get("password_last_used")),
            "disabled": False,
            "attributes": {
                "admin": bool(admin), "admin_policies": sorted(set(admin)), "type_source": kind_source,
                "tags": tags, "user_id": detail.get("UserId"), "unknown": sorted(unknown),
                "in_credential_report": bool(row),
            },
        }

    def user_is_admin(self, detail: dict[str, Any]) -> bool:
        return any(g["admin"] for g in self.user_grants(detail))

    def root(self) -> dict[str, Any] | None:
        """The root account from the credential report's ``<root_account>`` row (plus the account
        summary); None, with a collection error, when the report has no such row."""
        summary = self.ctx.call(IDENTITIES, "iam:GetAccountSummary", self.client.get_account_summary)
        values = (summary or {}).get("SummaryMap", {})
        row = next((r for r in self.report or [] if r.get("user") == "<root_account>"), None)
        if row is None:
            if self.report is not None:
                self.ctx.record(IDENTITIES, "iam:credential-report:root", "RootAccountMissing",
                                "the credential report has no <root_account> row; root MFA and keys are unknown")
            return None
        keys = []
        for n in ("1", "2"):
            active = _bool(row.get(f"access_key_{n}_active"))
            rotated = iso(row.get(f"access_key_{n}_last_rotated"))
            if active is None or rotated is None:
                continue
            keys.append({
                # the report gives no key id: a stable placeholder in the masked shape
                "id": f"****ROO{n}",
                "status": "active" if active else "inactive",
                "created_at": rotated,
                "last_used_at": iso(row.get(f"access_key_{n}_last_used_date")),
            })
        mfa = _bool(row.get("mfa_active"))
        if mfa is None and summary is not None:
            mfa = bool(values.get("AccountMFAEnabled"))
        account = self.ctx.account or "unknown"
        return {
            "id": f"arn:aws:iam::{account}:root",
            "person": f"arn:aws:iam::{account}:root",
            "display_name": "root",
            "username": None,
            "emails": [],
            "type": "root",
            "system": "aws",
            "account": self.ctx.account,
            "console_access": _bool(row.get("password_enabled")) is not False,
            "mfa_enabled": bool(mfa),
            "access_keys": keys,
            "roles": [],
            "created_at": iso(row.get("user_creation_time")),
            "last_login_at": iso(row.get("password_last_used")),
            "disabled": False,
            "attributes": {
                "admin": True,
                "access_keys_present": values.get("AccountAccessKeysPresent") if summary else None,
            },
        }

    def identities(self) -> list[dict[str, Any]]:
        report = {r["user"]: r for r in self.report or [] if r.get("user")}
        items = []
        with self.ctx.progress.task("IAM users", len(self.users)) as advance:
            for item in self.ctx.map(lambda detail: self.user(detail, report), self.users):
                items.append(item)
                advance(1)
        items += [self.role(detail) for detail in self.roles]
        root = self.root()
        if root is not None:
            items.append(root)
        return items

    # -- grants ---------------------------------------------------------------------

    def _grants(self, principal: str, principal_type: str, attached: list[dict[str, Any]],
                inline: list[dict[str, Any]], via: str | None = None) -> list[dict[str, Any]]:
        out = []
        for policy in attached:
            out.append({
                "policy": policy["PolicyArn"], "policy_name": policy.get("PolicyName"), "policy_type": "managed",
                "admin": self.policy_is_admin(policy["PolicyArn"]),
                "principal": principal, "principal_type": principal_type, "via": via,
            })
        for policy in inline:
            out.append({
                "policy": f"{principal}#inline:{policy['PolicyName']}", "policy_name": policy["PolicyName"],
                "policy_type": "inline", "admin": is_admin_document(policy.get("PolicyDocument")),
                "principal": principal, "principal_type": principal_type, "via": via,
            })
        return out

    def user_grants(self, detail: dict[str, Any]) -> list[dict[str, Any]]:
        arn = detail["Arn"]
        grants = self._grants(arn, "user", detail.get("AttachedManagedPolicies", []), detail.get("UserPolicyList", []))
        for group_name in detail.get("GroupList", []):
            group = self.groups.get(group_name, {})
            grants += self._grants(arn, "user", group.get("AttachedManagedPolicies", []),
                                   group.get("GroupPolicyList", []), via=f"group:{group_name}")
        return grants

    def role(self, detail: dict[str, Any]) -> dict[str, Any]:
        """An IAM role: a service identity (no console password, no keys of its own)."""
        arn = detail["Arn"]
        grants = self._grants(arn, "role", detail.get("AttachedManagedPolicies", []), detail.get("RolePolicyList", []))
        admin = sorted({g["policy_name"] for g in grants if g["admin"]})
        trust = _document(detail.get("AssumeRolePolicyDocument"))
        principals = sorted({
            str(p) for st in _as_list(trust.get("Statement")) if isinstance(st, dict)
            for value in (st.get("Principal") or {}).values() if isinstance(st.get("Principal"), dict)
            for p in _as_list(value)
        })
        last_used = (detail.get("RoleLastUsed") or {}).get("LastUsedDate")
        return {
            "id": arn,
            "person": arn,
            "display_name": detail["RoleName"],
            "username": detail["RoleName"],
            "emails": [],
            "type": "service",
            "system": "aws",
            "account": self.ctx.account,
            "console_access": False,
            "mfa_enabled": False,
            "access_keys": [],
            "roles": [],
            "created_at": iso(detail.get("CreateDate")),
            "last_login_at": iso(last_used),
            "disabled": False,
            "attributes": {
                "admin": bool(admin), "admin_policies": admin, "principal_kind": "role",
                "service_linked": str(detail.get("Path", "")).startswith("/aws-service-role/"),
                "trusted_principals": principals, "tags": tag_map(detail.get("Tags")),
            },
        }


    # -- access_grants and access_policies --------------------------------------------------------

    def access_grants(self, identities: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """One grant per (user or role, policy, group it comes through). IAM records neither when
        nor by whom a policy was attached: ``granted_at``/``granted_by`` are null and listed in
        ``attributes.unknown``."""
        person = {i["id"]: i["person"] for i in identities}
        grants = [g for detail in self.users for g in self.user_grants(detail)]
        grants += [g for detail in self.roles for g in self._grants(
            detail["Arn"], "role", detail.get("AttachedManagedPolicies", []), detail.get("RolePolicyList", []))]
        items = []
        for g in grants:
            items.append({
                "id": f"{g['principal']}|{g['via'] or 'direct'}|{g['policy']}",
                "identity": g["principal"],
                "person": person.get(g["principal"], g["principal"]),
                "role": g["policy_name"] or g["policy"],
                "privileged": g["admin"],
                "granted_at": None,
                "granted_by": None,
                "system": "aws",
                "via": g["via"],
                "principal_type": g["principal_type"],
                "attributes": {
                    "policy": g["policy"], "policy_type": self.policy_type(g["policy"], g["policy_type"]),
                    "principal_type": g["principal_type"], "unknown": GRANT_UNKNOWN,
                },
            })
        return sorted(items, key=lambda i: i["id"])

    def policy_type(self, arn: str, kind: str) -> str:
        if kind == "inline":
            return "inline"
        return "aws_managed" if arn.startswith("arn:aws:iam::aws:policy/") else "customer_managed"

    def access_policies(self) -> list[dict[str, Any]]:
        """Customer-managed policies (default version) and every inline policy, with full-access detection."""
        attached: dict[str, list[str]] = {}
        owners = [(u["Arn"], u.get("AttachedManagedPolicies", []), u.get("UserPolicyList", [])) for u in self.users]
        owners += [(g["Arn"], g.get("AttachedManagedPolicies", []), g.get("GroupPolicyList", []))
                   for g in self.groups.values()]
        owners += [(r["Arn"], r.get("AttachedManagedPolicies", []), r.get("RolePolicyList", [])) for r in self.roles]
        items = []
        for owner, managed, inline in owners:
            for policy in managed:
                attached.setdefault(policy["PolicyArn"], []).append(owner)
            for policy in inline:
                document = policy.get("PolicyDocument")
                items.append(self._policy(f"{owner}#inline:{policy['PolicyName']}", policy["PolicyName"], "inline",
                                          document, [owner]))
        for arn, policy in self.policies.items():
            items.append(self._policy(arn, policy.get("PolicyName") or arn, "customer_managed",
                                      default_version_document(policy), sorted(attached.get(arn, []))))
        return sorted(items, key=lambda i: i["id"])

    def _policy(self, ident: str, name: str, kind: str, document: Any, owners: list[str]) -> dict[str, Any]:
        return {
            "id": ident, "name": name, "system": "aws", "account": self.ctx.account, "policy_type": kind,
            "full_access": grants_full_access(document), "admin": is_admin_document(document),
            "attached_to": owners, "attributes": {},
        }
