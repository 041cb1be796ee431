"""The public code page is rate limited per IP. Run in a subprocess: the limiter is a
process-wide singleton, and enabling it here would leak into every other test's app."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import sqlalchemy as sa
from pbplatform import create_app
from pbplatform.extensions import db
app = create_app({"TESTING": True, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": "memory://",
                  "SQLALCHEMY_DATABASE_URI": "sqlite://",
                  "SQLALCHEMY_ENGINE_OPTIONS": {"poolclass": sa.pool.StaticPool}})
with app.app_context():
    db.create_all()
client = app.test_client()
codes = [client.post("/vote/code", data={"code": f"WRONG{i:05d}"}).status_code for i in range(21)]
other = client.post("/vote/code", data={"code": "X"}, environ_base={"REMOTE_ADDR": "10.0.0.9"})
print(codes.count(422), codes[-1], other.status_code)
"""


def test_code_page_allows_twenty_posts_per_hour_per_ip():
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.split() == ["20", "429", "422"]
