from __future__ import annotations

from auditor.collect.redact import looks_sensitive, mask_key_id, redact_text, scrub

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
