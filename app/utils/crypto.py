"""Secrets at rest: AES-256-GCM with key ids, so keys can rotate (docs/architecture.md "Secrets").

A stored secret is the text `v1:<key id>:<base64url(nonce || ciphertext+tag)>`. The tenant id and the
field name are bound as associated data, so a ciphertext copied to another tenant's row or to another
field does not decrypt. `ENCRYPTION_KEYS` is `id:base64key,...` (32-byte keys), the first is primary:
new secrets use it, the others only decrypt until `flask crypto rotate` has re-encrypted everything.
"""

import base64
import logging
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

FORMAT_VERSION = "v1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
DEV_KEY_FILE = "encryption.key"


class CryptoConfigError(RuntimeError):
    """ENCRYPTION_KEYS is missing or malformed."""


class SecretUnreadable(Exception):
    """A stored secret cannot be decrypted: its key is not configured, or it was tampered with or moved.
    The message never contains the ciphertext or the plaintext."""


@dataclass(frozen=True)
class KeyRing:
    keys: dict  # key id -> 32 raw bytes, in configuration order
    primary_id: str

    @classmethod
    def parse(cls, spec: str) -> "KeyRing":
        keys: dict[str, bytes] = {}
        for item in (part.strip() for part in spec.split(",")):
            if not item:
                continue
            key_id, sep, encoded = item.partition(":")
            if not sep or not _KEY_ID.match(key_id):
                raise CryptoConfigError("ENCRYPTION_KEYS entries look like 'id:base64key' (id: letters, digits, - _)")
            try:
                raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
            except ValueError:
                raise CryptoConfigError(f"ENCRYPTION_KEYS key {key_id!r} is not base64") from None
            if len(raw) != 32:
                raise CryptoConfigError(f"ENCRYPTION_KEYS key {key_id!r} must be 32 bytes (AES-256), not {len(raw)}")
            if key_id in keys:
                raise CryptoConfigError(f"ENCRYPTION_KEYS lists key id {key_id!r} twice")
            keys[key_id] = raw
        if not keys:
            raise CryptoConfigError("ENCRYPTION_KEYS is empty")
        return cls(keys=keys, primary_id=next(iter(keys)))

    # -- the two operations ---------------------------------------------------------------------

    def encrypt(self, plaintext: str, *, tenant_id, field: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.primary_id]).encrypt(nonce, plaintext.encode(), _aad(tenant_id, field))
        return f"{FORMAT_VERSION}:{self.primary_id}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, tenant_id, field: str) -> str:
        _version, key_id, body = _split(token)
        key = self.keys.get(key_id)
        if key is None:
            raise SecretUnreadable(f"it was encrypted with key {key_id!r}, which ENCRYPTION_KEYS does not list")
        try:
            raw = base64.urlsafe_b64decode(body)
            return AESGCM(key).decrypt(raw[:12], raw[12:], _aad(tenant_id, field)).decode()
        except (InvalidTag, ValueError):
            raise SecretUnreadable(
                "it does not authenticate (tampered, or copied from another tenant or field)"
            ) from None

    def needs_rotation(self, token: str) -> bool:
        return _split(token)[1] != self.primary_id


def key_id_of(token: str) -> str:
    return _split(token)[1]


def _split(token: str) -> tuple[str, str, str]:
    parts = (token or "").split(":", 2)
    if len(parts) != 3 or parts[0] != FORMAT_VERSION:
        raise SecretUnreadable("it is not in the v1:<key id>:<data> format")
    return parts[0], parts[1], parts[2]


def _aad(tenant_id, field: str) -> bytes:
    return f"meridian|{tenant_id}|{field}".encode()


def generate_key_spec(key_id: str = "k1") -> str:
    return f"{key_id}:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"


def load_keyring(config: dict, instance_path: str) -> KeyRing:
    """The app's key ring. Production without keys refuses to start (see app._check_production_settings);
    development without keys generates one into instance/ once and says so."""
    spec = config.get("ENCRYPTION_KEYS") or ""
    if spec:
        return KeyRing.parse(spec)
    if config.get("MERIDIAN_ENV") == "production":
        raise CryptoConfigError("production needs ENCRYPTION_KEYS")
    path = os.path.join(instance_path, DEV_KEY_FILE)
    if not os.path.exists(path):
        os.makedirs(instance_path, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(generate_key_spec("dev1") + "\n")
        log.warning(
            "ENCRYPTION_KEYS is not set: generated a development key into %s. "
            "Set ENCRYPTION_KEYS for anything but a laptop.",
            path,
        )
    with open(path) as handle:
        return KeyRing.parse(handle.read().strip())


def keyring():
    from flask import current_app

    return current_app.extensions["crypto"]


def encrypt(plaintext: str, *, tenant_id, field: str) -> str:
    return keyring().encrypt(plaintext, tenant_id=tenant_id, field=field)


def decrypt(token: str, *, tenant_id, field: str) -> str:
    return keyring().decrypt(token, tenant_id=tenant_id, field=field)
