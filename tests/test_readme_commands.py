"""The README's `.venv/bin/flask pb ...` commands work in a fresh shell: without FLASK_APP or
--app, run from the checkout, flask finds the app (wsgi.py) and its `pb` commands."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_flask_finds_the_app_without_flask_app(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "PBP_"))}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    result = subprocess.run(
        [sys.executable, "-m", "flask", "pb", "--help"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Could not locate a Flask application" not in result.stderr
    assert result.returncode == 0, result.stderr
    for command in ("demo", "advance-phases", "create-admin", "send-mail"):
        assert command in result.stdout
