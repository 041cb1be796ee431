"""`flask pb create-admin`."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.extensions import db
from tests.accounts.helpers import audit_actions, login

PW = "an admin passphrase that is long"


def test_create_admin(runner, client):
    result = runner.invoke(
        args=[
            "pb",
            "create-admin",
            "--email",
            "Boss@Example.org",
            "--name",
            "The Boss",
            "--password",
            PW,
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    user = db.session.scalar(sa.select(User).where(User.email == "boss@example.org"))
    assert user.role == "admin"
    assert user.password_hash.startswith("$argon2id$")
    [entry] = audit_actions("user.created")
    assert entry.object_id == str(user.id)
    assert entry.actor_label == "system"
    assert login(client, "boss@example.org", PW).status_code == 302


def test_create_admin_refuses_a_duplicate(runner, make_user):
    make_user("resident", email="dupe@example.org")
    result = runner.invoke(
        args=["pb", "create-admin", "--email", "DUPE@example.org", "--name", "X", "--password", PW]
    )
    assert result.exit_code != 0
    assert "already registered" in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id)).where(User.role == "admin")) == 0


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(
        args=[
            "pb",
            "create-admin",
            "--email",
            "w@example.org",
            "--name",
            "W",
            "--password",
            "short",
        ]
    )
    assert result.exit_code != 0
    assert "at least 12" in result.output
