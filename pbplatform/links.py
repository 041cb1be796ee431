"""Absolute links for e-mail: on PUBLIC_BASE_URL, never on the address a request came in by.

A mail's link outlives the request that wrote it and carries secrets (a password-reset or
enrolment token). TRUSTED_HOSTS refuses a foreign Host, but it may list several names (a
`.domain` entry accepts every subdomain; a back-end name answers health checks), and behind a
TLS proxy without PROXY_HOPS the request is plain http: a link built on the request would name
whichever of them the sender chose, or http://. Without PUBLIC_BASE_URL (development, the
tests) a mail written inside a request links to that request's address, else to the
development default. Built on the URL map itself: a request context for the base would be
refused by TRUSTED_HOSTS unless the base were one of them.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for

DEVELOPMENT_BASE = "http://127.0.0.1:5000"


def mail_url(endpoint: str, **values: Any) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL")
    if not base and has_request_context():
        return url_for(endpoint, _external=True, **values)
    site = urlsplit(base or DEVELOPMENT_BASE)
    adapter = current_app.url_map.bind(
        site.netloc, script_name=site.path or "/", url_scheme=site.scheme
    )
    return adapter.build(endpoint, values, force_external=True)
