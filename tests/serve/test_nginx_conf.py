"""config/nginx/pbplatform.conf agrees with the README and with the app, with or without nginx
installed (tests/serve/test_nginx.py runs it)."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Response

from pbplatform.security.headers import set_security_headers

ROOT = Path(__file__).resolve().parents[2]
CONF = (ROOT / "config" / "nginx" / "pbplatform.conf").read_text()


def _location(prefix: str) -> str:
    match = re.search(r"location " + re.escape(prefix) + r" \{(.*?)\n    \}", CONF, re.S)
    assert match, f"no location {prefix}"
    return match[1]


def test_the_readme_shows_the_file_as_it_is():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### Reverse proxy (nginx)\n", 1)[1].split("\n### ", 1)[0]
    blocks = re.findall(r"```nginx\n(.*?)```", section, re.S)
    assert blocks == [CONF]


def test_downloads_sent_by_nginx_keep_every_security_header_of_the_app():
    """nginx drops the app's headers under X-Accel-Redirect but those the location names."""
    files = _location("/_files/")
    for name, _value in set_security_headers(Response()).headers.items():
        if name.lower() in ("content-type", "content-length"):
            continue
        variable = "$upstream_http_" + name.lower().replace("-", "_")
        assert f"add_header {name} {variable};" in files, name


def test_the_body_limit_is_the_apps():
    from config import default

    match = re.search(r"client_max_body_size (\d+)m;", CONF)
    assert match
    assert int(match[1]) * 1024 * 1024 == default.MAX_CONTENT_LENGTH
