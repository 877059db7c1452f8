from __future__ import annotations

from auditor.collect.redact import REDACTED, looks_sensitive, mask_key_id, redact_text, scrub

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"


def test_mask_key_id_keeps_the_last_four() -> None:
    assert mask_key_id("AKIAIOSFODNN7EXAMPLE") == "****MPLE"
    assert mask_key_id("abc") == "****"
    assert mask_key_id(None) is None


def test_scrub_drops_secret_fields_and_replaces_secret_shapes() -> None:
    value = {
        "password": "hunter2", "client_secret": "s3cr3t", "session_token": "tok", "password_enabled": True,
        "password_last_used": "2026-01-01", "notes": [f"key AKIAIOSFODNN7EXAMPLE secret {SECRET}"],
        "url": "https://deploy:pa55w0rd@git.example.com/x.git", "pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n",
        "auth": "Bearer abcdefghijklmnopqrstuvwxyz012345", "sha": "0123456789abcdef0123456789abcdef01234567",
        "slack": "xoxb-123456789012-abcdefghij",
    }
    out = scrub(value)
    assert "password" not in out and "client_secret" not in out and "session_token" not in out
    assert out["password_enabled"] is True and out["password_last_used"] == "2026-01-01"
    assert out["notes"] == ["key ****MPLE secret [REDACTED]"]
    assert out["url"] == "https://deploy:[REDACTED]@git.example.com/x.git"
    assert "MIIE" not in out["pem"] and out["auth"] == "[REDACTED]" and out["slack"] == "[REDACTED]"
    assert out["sha"] == value["sha"]  # commit SHAs are not secrets


def test_clean_values_skip_the_walk() -> None:
    clean = {"id": "0123456789abcdef0123456789abcdef01234567", "name": "Alice", "tokens_used": 3}
    assert not looks_sensitive(clean)
    assert scrub(clean) is clean
    assert redact_text("nothing here") == "nothing here"


def test_secret_fields_in_camel_case_or_with_non_string_values_are_dropped() -> None:
    value = {"apiToken": "tok123", "dbPassword": "hunter2", "clientSecret": "s3", "AWSSecretAccessKey": SECRET,
             "accessToken": "t", "password": 1234, "token": ["abc"], "credentials": {"user": "u", "key": "k"},
             "password_enabled": True, "password_last_used": "2026-01-01", "tokens_used": 3, "pin": None}
    out = scrub(value)
    assert out == {"password_enabled": True, "password_last_used": "2026-01-01", "tokens_used": 3, "pin": None}


def test_secret_shapes_next_to_equals_signs_and_in_odd_urls_are_replaced() -> None:
    assert redact_text(f"AWS_SECRET_ACCESS_KEY={SECRET}") == f"AWS_SECRET_ACCESS_KEY={REDACTED}"
    assert looks_sensitive({"m": f"export AWS_SECRET_ACCESS_KEY={SECRET}"})
    assert redact_text("HTTPS://ci:s3cr3tpass@ci.example.com/x") == f"HTTPS://ci:{REDACTED}@ci.example.com/x"
    assert looks_sensitive({"u": "https://:hunter2@host/x"})
    assert redact_text("https://:hunter2@host/x") == f"https://:{REDACTED}@host/x"
    assert "ss@host" not in redact_text("clone https://user:p@ss@host/x now")
    assert "host/x now" in redact_text("clone https://user:p@ss@host/x now")


def test_gitlab_token_families_are_replaced() -> None:
    # CI_JOB_TOKEN (glcbt-), deploy, runner, trigger, feed and OAuth tokens, not only personal ones
    for prefix in ("glpat-", "glcbt-64_", "gldt-", "glrt-", "glptt-", "glft-", "gloas-", "glsoat-"):
        token = prefix + "a1B2c3D4e5F6g7H8i9J0k1L2"
        assert looks_sensitive({"m": f"x {token} y"}), prefix
        assert redact_text(f"x {token} y") == f"x {REDACTED} y", prefix
