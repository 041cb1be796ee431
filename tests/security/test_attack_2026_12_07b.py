"""Attack 2026-12-07b (docs/attack-2026-12-07b.md): links in mail written inside a request.

Notification mail links name PUBLIC_BASE_URL; password-reset, invitation and enrolment links
were built from the request's own Host and scheme. TRUSTED_HOSTS refuses a foreign Host, but
it may list several names (a `.domain` entry accepts every subdomain, a back-end name answers
health checks), and behind a proxy with PROXY_HOPS=0 the request is plain http: the secret
link then named the attacker's chosen host, or went out as http://.
"""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage


def _reset_link(app, host: str, scheme: str = "https") -> str:
    client = app.test_client()
    site = f"{scheme}://{host}"
    page = client.get("/reset", base_url=site).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": "prod@example.org", "csrf_token": token.group(1) if token else ""}
    answer = client.post("/reset", base_url=site, data=data, headers={"Referer": f"{site}/reset"})
    assert answer.status_code == 200
    with app.app_context():
        body = (
            db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id.desc()))
            .first()
            .body
        )
    return re.search(r"\S+/reset/\S+", body).group(0)


@pytest.mark.parametrize(
    ("host", "scheme"),
    [
        ("evil.pb.council.example", "https"),  # matches the `.pb.council.example` entry
        ("backend.internal:8000", "http"),  # a back-end name, reached without the proxy
        ("pb.council.example", "http"),  # behind a TLS proxy with PROXY_HOPS=0
    ],
)
def test_reset_links_name_the_public_address_whatever_the_host(production_app, host, scheme):
    production_app.config["TRUSTED_HOSTS"] = [
        "pb.council.example",
        ".pb.council.example",
        "backend.internal:8000",
    ]
    link = _reset_link(production_app, host, scheme)
    assert link.startswith("https://pb.council.example/reset/"), link
