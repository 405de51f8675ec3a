"""AES-256-GCM secrets with key ids: round trip, tamper detection, binding to tenant and field, rotation."""

import base64
import logging
import os
import uuid

import pytest

from app import create_app
from app.utils.crypto import CryptoConfigError, KeyRing, SecretUnreadable, load_keyring


def _key(key_id: str) -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"


TENANT, OTHER_TENANT = uuid.uuid4(), uuid.uuid4()


def test_round_trip_and_the_ciphertext_hides_the_plaintext():
    ring = KeyRing.parse(_key("k1"))
    token = ring.encrypt("client-secret-123", tenant_id=TENANT, field="client_secret")
    assert token.startswith("v1:k1:") and "client-secret-123" not in token
    assert ring.decrypt(token, tenant_id=TENANT, field="client_secret") == "client-secret-123"
    assert ring.encrypt("x", tenant_id=TENANT, field="f") != ring.encrypt("x", tenant_id=TENANT, field="f")


def test_tampering_is_detected():
    ring = KeyRing.parse(_key("k1"))
    token = ring.encrypt("client-secret-123", tenant_id=TENANT, field="client_secret")
    raw = bytearray(base64.urlsafe_b64decode(token.split(":", 2)[2]))
    raw[-1] ^= 1
    tampered = "v1:k1:" + base64.urlsafe_b64encode(bytes(raw)).decode()
    with pytest.raises(SecretUnreadable, match="does not authenticate"):
        ring.decrypt(tampered, tenant_id=TENANT, field="client_secret")


@pytest.mark.parametrize(("tenant_id", "field"), [(OTHER_TENANT, "client_secret"), (TENANT, "webhook_secret")])
def test_a_ciphertext_moved_to_another_tenant_or_field_does_not_decrypt(tenant_id, field):
    ring = KeyRing.parse(_key("k1"))
    token = ring.encrypt("client-secret-123", tenant_id=TENANT, field="client_secret")
    with pytest.raises(SecretUnreadable):
        ring.decrypt(token, tenant_id=tenant_id, field=field)


def test_a_missing_key_is_named_in_the_error():
    token = KeyRing.parse(_key("old")).encrypt("s", tenant_id=TENANT, field="f")
    with pytest.raises(SecretUnreadable, match="'old'"):
        KeyRing.parse(_key("new")).decrypt(token, tenant_id=TENANT, field="f")


def test_old_keys_still_decrypt_and_new_secrets_use_the_primary():
    old, new = _key("k1"), _key("k2")
    token = KeyRing.parse(old).encrypt("s", tenant_id=TENANT, field="f")
    ring = KeyRing.parse(f"{new},{old}")
    assert ring.decrypt(token, tenant_id=TENANT, field="f") == "s"
    assert ring.needs_rotation(token) and ring.encrypt("s", tenant_id=TENANT, field="f").startswith("v1:k2:")


@pytest.mark.parametrize(
    "spec", ["", "k1", "k1:" + base64.urlsafe_b64encode(b"short").decode(), f"{_key('a')},a:{'A' * 43}="]
)
def test_malformed_key_configuration_is_refused(spec):
    with pytest.raises(CryptoConfigError):
        KeyRing.parse(spec)


def test_development_generates_a_key_once_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        first = load_keyring({"MERIDIAN_ENV": "development", "ENCRYPTION_KEYS": ""}, str(tmp_path))
    assert "generated a development key" in caplog.text
    second = load_keyring({"MERIDIAN_ENV": "development", "ENCRYPTION_KEYS": ""}, str(tmp_path))
    assert first.keys == second.keys and len(first.keys[first.primary_id]) == 32


def test_production_refuses_to_start_without_a_key(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'prod.db'}")
    with pytest.raises(RuntimeError, match="ENCRYPTION_KEYS"):
        create_app("production", {"SECRET_KEY": "s" * 40, "JWT_SECRET_KEY": "j" * 40, "ENCRYPTION_KEYS": ""})
