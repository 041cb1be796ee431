"""Attack 2026-12-07, B5: per-address limits key an IPv6 client on its /64.

An IPv6 client holds a whole /64, so a limit keyed on the full address never held: each
attempt could come from a fresh address. `address_key` is the one key function of every
per-address limit (Flask-Limiter's default, the login throttle, the API's address limit).
"""

from __future__ import annotations

import pytest

from pbplatform.security.addresses import address_key
from tests.accounts.test_rate_limits import fail_login, limited_app  # noqa: F401  (fixture)


@pytest.mark.parametrize(
    ("remote", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("2001:DB8:1:2:0:0:0:ffff", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("fe80::1%eth0", "fe80::/64"),
        ("::1", "::/64"),
        ("not an address", "not an address"),
    ],
)
def test_the_key_of_an_address(app, remote, key):
    with app.test_request_context(environ_base={"REMOTE_ADDR": remote}):
        assert address_key() == key
    assert address_key(remote) == key


def test_failed_logins_from_one_ipv6_64_share_one_limit(limited_app):  # noqa: F811
    client = limited_app(PROXY_HOPS=0).test_client()
    for n in range(5):  # LOGIN_RATE_LIMIT: 5 a minute per address
        response = fail_login(client, f"user{n}@example.org", ip=f"2001:db8:5:6::{n + 1:x}")
        assert response.status_code == 200
    blocked = fail_login(client, "user9@example.org", ip="2001:db8:5:6:ffff:1:2:3")
    assert blocked.status_code == 429
    # another /64 and an IPv4 client are not affected
    assert fail_login(client, "user10@example.org", ip="2001:db8:5:7::1").status_code == 200
    assert fail_login(client, "user11@example.org", ip="192.0.2.50").status_code == 200
