"""Only same-origin relative paths are followed after login, logout or a language switch."""

from urllib.parse import urlsplit

from flask import url_for


def safe_next(target: str | None, default_endpoint: str = "main.index") -> str:
    fallback = url_for(default_endpoint)
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ch in target for ch in "\\\r\n\t"):
        return fallback
    return target
