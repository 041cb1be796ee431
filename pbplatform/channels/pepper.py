"""Peppered hashes for voting codes and census entries.

The pepper is `CODE_PEPPER` from the settings, or else derived from SECRET_KEY. It lives in the
configuration, never in the database, so a database dump alone cannot test guesses.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app


def pepper(purpose: str) -> bytes:
    configured = current_app.config.get("CODE_PEPPER")
    base = (configured or current_app.config["SECRET_KEY"]).encode()
    return hmac.new(base, f"pbplatform:{purpose}".encode(), hashlib.sha256).digest()


def peppered_hash(purpose: str, value: str) -> str:
    return hmac.new(pepper(purpose), value.encode(), hashlib.sha256).hexdigest()
