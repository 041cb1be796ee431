"""The secrets-at-rest revision encrypts existing TOTP secrets and queued mail, erases sent
mail, and its downgrade gives the plain values back."""

from __future__ import annotations

import flask_migrate
import sqlalchemy as sa

from pbplatform import create_app
from pbplatform.extensions import db
from pbplatform.security import encryption

BEFORE = "96833cdc813a"


def test_upgrade_encrypts_existing_rows_and_downgrade_restores_them(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/m.db"})
    with app.app_context():
        flask_migrate.upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO users (id, email, display_name, password_hash, role, "
                    "is_active_account, session_token, totp_secret, totp_last_step, created_at) "
                    "VALUES (1, 'o@example.org', 'O', 'x', 'officer', 1, 't', "
                    "'JBSWY3DPEHPK3PXP', 5, '2026-01-01')"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO outbox_messages (id, recipient, subject, body, created_at, "
                    "sent_at) VALUES (1, 'a@example.org', 's', 'queued /reset/abc', "
                    "'2026-01-01', NULL), (2, 'b@example.org', 's', 'sent /reset/def', "
                    "'2026-01-01', '2026-01-01')"
                )
            )
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            users = " ".join(map(str, conn.execute(sa.text("SELECT * FROM users")).all()))
            [(stored,)] = conn.execute(sa.text("SELECT totp_secret_encrypted FROM users")).all()
            mail = dict(
                conn.execute(sa.text("SELECT id, body_encrypted FROM outbox_messages")).all()
            )
        assert "JBSWY3DPEHPK3PXP" not in users
        assert encryption.decrypt("totp", stored) == "JBSWY3DPEHPK3PXP"
        assert encryption.decrypt("outbox", mail[1]) == "queued /reset/abc"
        assert mail[2] is None
        flask_migrate.downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT totp_secret FROM users")).scalar() == (
                "JBSWY3DPEHPK3PXP"
            )
            bodies = dict(conn.execute(sa.text("SELECT id, body FROM outbox_messages")).all())
        assert bodies == {1: "queued /reset/abc", 2: ""}
        db.engine.dispose()
