"""Encryption of secrets the app must read back (TOTP secrets, queued mail bodies).

XSalsa20-Poly1305 (libsodium's SecretBox via PyNaCl) under `DATA_ENCRYPTION_KEY`, a key kept
in the deployment's configuration and never in the database, so a database dump or backup
alone reveals none of these secrets. Each purpose ("totp", "outbox") gets its own subkey
(HMAC-SHA256 of the key and a label), so a ciphertext of one kind cannot stand in for another.

In development and tests the key is derived from SECRET_KEY with a label, as the pepper is
(channels/pepper.py); production refuses to start without it (config/production.py).

Rotation: set the new key as DATA_ENCRYPTION_KEY and the old one in DATA_ENCRYPTION_OLD_KEYS
(comma-separated); every value names the key that sealed it, so both keep working, and
`flask pb reencrypt` re-seals everything under the new key, after which the old key can go.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

import nacl.exceptions
import nacl.secret
import nacl.utils
from flask import current_app

PREFIX = "enc1"


class UndecryptableError(RuntimeError):
    """A stored value sealed with a key this configuration does not have (or tampered with)."""


def _decode_key(raw: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(raw.strip().encode())
    except ValueError as exc:
        raise RuntimeError("DATA_ENCRYPTION_KEY must be urlsafe base64 of 32 bytes") from exc
    if len(key) != nacl.secret.SecretBox.KEY_SIZE:
        raise RuntimeError("DATA_ENCRYPTION_KEY must be urlsafe base64 of 32 bytes")
    return key


def _master_keys() -> list[bytes]:
    """The current key first, then any old keys still accepted for reading."""
    config = current_app.config
    configured = config.get("DATA_ENCRYPTION_KEY")
    if configured:
        current = _decode_key(configured)
    else:  # development and tests only: production.py requires the setting
        base = config["SECRET_KEY"].encode()
        current = hmac.new(base, b"pbplatform:data-encryption", hashlib.sha256).digest()
    old = [_decode_key(k) for k in (config.get("DATA_ENCRYPTION_OLD_KEYS") or "").split(",") if k]
    return [current, *old]


def _key_id(key: bytes) -> str:
    return hashlib.sha256(b"pbplatform:key-id:" + key).hexdigest()[:8]


def _box(key: bytes, purpose: str) -> nacl.secret.SecretBox:
    subkey = hmac.new(key, f"pbplatform:{purpose}".encode(), hashlib.sha256).digest()
    return nacl.secret.SecretBox(subkey)


def encrypt(purpose: str, plaintext: str) -> str:
    """Seal `plaintext` under the current key: "enc1:<key id>:<base64 nonce+ciphertext>"."""
    key = _master_keys()[0]
    sealed = _box(key, purpose).encrypt(plaintext.encode())
    return f"{PREFIX}:{_key_id(key)}:{base64.urlsafe_b64encode(bytes(sealed)).decode()}"


def decrypt(purpose: str, stored: str) -> str:
    """Open a value sealed by `encrypt` under the current or an old key."""
    prefix, _, rest = stored.partition(":")
    key_id, _, payload = rest.partition(":")
    if prefix != PREFIX:
        raise UndecryptableError("not an encrypted value")
    for key in _master_keys():
        if _key_id(key) == key_id:
            try:
                return _box(key, purpose).decrypt(base64.urlsafe_b64decode(payload)).decode()
            except (nacl.exceptions.CryptoError, ValueError) as exc:
                raise UndecryptableError("the value does not open under its key") from exc
    raise UndecryptableError("sealed with a key that is not configured")


def is_current(stored: str) -> bool:
    """Whether `stored` is sealed under the current key (else `reencrypt` should re-seal it)."""
    return stored.split(":")[1:2] == [_key_id(_master_keys()[0])]


def new_key() -> str:
    """A fresh key for DATA_ENCRYPTION_KEY."""
    return base64.urlsafe_b64encode(nacl.utils.random(nacl.secret.SecretBox.KEY_SIZE)).decode()
