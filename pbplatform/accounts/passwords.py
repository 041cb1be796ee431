"""Passwords: argon2id hashing (parameters come from config so tests can use cheap ones), the
password policy (length and a deny-list) and a dummy check that hides unknown e-mails."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext

from pbplatform.errors import DomainError

PASSWORD_MIN = 12
PASSWORD_MAX = 256
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


def _hasher() -> PasswordHasher:
    return PasswordHasher(**current_app.config.get("ARGON2_PARAMS", {}))


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)


# --- policy ------------------------------------------------------------------------------


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(
        line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")
    )


def password_problem(password: str, *, email: str = "", display_name: str = "") -> str | None:
    """Why `password` is not acceptable, or None. Length and a deny-list; no composition rules."""
    if len(password) < PASSWORD_MIN:
        return gettext("Use at least %(n)d characters.", n=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return gettext("Use at most %(n)d characters.", n=PASSWORD_MAX)
    folded = password.strip().casefold()
    context = {email.casefold(), email.partition("@")[0].casefold(), display_name.casefold()}
    if folded in common_passwords() or folded in context - {""} or len(set(folded)) < 3:
        return gettext("This password is too common or too easy to guess. Please choose another.")
    return None


def check_password_policy(password: str, *, email: str = "", display_name: str = "") -> None:
    problem = password_problem(password, email=email, display_name=display_name)
    if problem:
        raise DomainError("weak_password", problem)


@cache
def _dummy_hash(params: str) -> str:
    return hash_password("not a real password, only for timing")


def burn_password_check(password: str) -> None:
    """Spend the same time as a real verification, so unknown e-mails are not revealed by timing."""
    verify_password(_dummy_hash(repr(current_app.config.get("ARGON2_PARAMS"))), password)
