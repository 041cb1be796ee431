"""Audit log across features (security case 39, INV-9).

A journey through the HTTP client touches accounts, moderation, area scoping, API tokens,
password reset and voting. Afterwards: the hash chain verifies; actor labels hold no
newline, carriage return or ANSI escape even for a name built to forge log lines; the audit
page shows the name escaped; and no entry's before/after, label or object id contains a
password, a password hash, a session, API or reset token, a ballot id or ballot choices.
"""

from __future__ import annotations

import json
import logging
import re

import pyotp
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.audit.models import AuditEntry
from pbplatform.audit.services import verify_chain
from pbplatform.ballotbox.models import SealedBallot
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from pbplatform.proposals.models import Proposal
from pbplatform.voting.models import Ballot
from tests.factories import PASSWORD, create_user
from tests.security.conftest import login
from tests.security.scene import build_scene

FORGER = "Mallory\n2026-01-01 00:00 admin: audit wiped\r\x1b[31mRED\x1b[0m\x07"
WRONG = "a wrong password, long enough"
NEW_PASSWORD = "another long passphrase for the test"
BALLOT_KEYS = ("choices", "selections", "stance", "points", "ballot_id")


def _sign_in(client, email: str, password: str):
    return client.post("/login", data={"email": email, "password": password})


def test_audit_journey(build_app):
    app = build_app()
    with app.app_context():
        voting, proposals = build_scene("voting"), build_scene("proposals")
        forger = create_user(
            "officer",
            email="forger@example.org",
            name=FORGER,
            officer_areas=(db.session.get(Proposal, proposals.pending_id).area,),
        )
        forger_id = forger.id
        emails = {u.id: u.email for u in db.session.scalars(sa.select(User))}
        db.session.commit()
    secrets = [PASSWORD, WRONG, NEW_PASSWORD]

    officer = app.test_client()
    with app.app_context():  # the single-use enrolment link an administrator had mailed
        from pbplatform.accounts.enrolment import issue_enrolment_token

        enrol_token = issue_enrolment_token(db.session.get(User, forger_id))
        db.session.commit()
    assert officer.get(f"/login/code/enrol/{enrol_token}").status_code == 302
    assert _sign_in(officer, "forger@example.org", PASSWORD).status_code == 302
    with app.app_context():  # the TOTP step (case 36); its secret must never be audited
        totp_secret = db.session.get(User, forger_id).totp_secret
    code = pyotp.TOTP(totp_secret).now()
    enrolled = officer.post("/login/code/setup", data={"code": code})
    assert enrolled.status_code == 200  # the recovery codes, shown once
    recovery_codes = re.findall(r"<code>([a-z0-9-]{11})</code>", enrolled.get_data(as_text=True))
    assert len(recovery_codes) == 10
    assert _sign_in(app.test_client(), "forger@example.org", WRONG).status_code == 200
    with app.app_context():
        pending = db.session.get(Proposal, proposals.pending_id).tracking_number
        elsewhere = db.session.get(Proposal, voting.pending_id).tracking_number
    approved = officer.post(
        f"/officer/proposals/{pending}/approve",
        data={"officer_cost": "1200.00", "feasibility": "Feasible."},
    )
    assert approved.status_code in (302, 303), approved.status_code
    refused = officer.post(f"/officer/proposals/{elsewhere}/hide", data={"note": "not mine"})
    assert refused.status_code == 403  # another area: refused and audited

    admin = app.test_client()
    login(app, admin, voting.admin_id)
    for role in ("officer", "resident"):
        response = admin.post(f"/admin/users/{voting.evil_id}/role", data={"role": role})
        assert response.status_code in (302, 303), response.status_code

    resident = app.test_client()
    assert _sign_in(resident, emails[voting.evil_id], PASSWORD).status_code == 302
    changed = resident.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "password": NEW_PASSWORD,
            "password_confirm": NEW_PASSWORD,
        },
    )
    assert changed.status_code in (302, 303), changed.status_code
    resident = app.test_client()
    assert _sign_in(resident, emails[voting.evil_id], NEW_PASSWORD).status_code == 302
    page = resident.post("/account/tokens", data={"token_name": "journey"})
    secrets += re.findall(r"pbp_[A-Za-z0-9_\-]{20,}", page.get_data(as_text=True))
    assert len(secrets) == 4, "the new API token was shown once"
    with app.app_context():
        proposal_id = voting.proposal_id
        slug = voting.values["slug"]
    cast = resident.post(f"/cycles/{slug}/ballot/cast", data={f"p-{proposal_id}": "1"})
    assert cast.status_code == 200
    app.test_client().post("/reset", data={"email": emails[voting.evil_id]})

    with app.app_context():
        assert verify_chain() is None
        entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        actions = {e.action for e in entries}
        assert len(entries) >= 8, actions
        assert len({a.split(".")[0] for a in actions}) >= 3, actions  # several features
        secrets += [
            m.body.split("/reset/")[1].split()[0]
            for m in db.session.scalars(sa.select(OutboxMessage))
            if "/reset/" in m.body
        ]
        assert len(secrets) == 5, "the reset mail carried a token"
        secrets += [totp_secret, enrol_token, *recovery_codes]
        secrets += [u.session_token for u in db.session.scalars(sa.select(User))]
        secrets += [u.password_hash for u in db.session.scalars(sa.select(User))]
        ballot_ids = list(db.session.scalars(sa.select(Ballot.id)))
        ballot_ids += list(db.session.scalars(sa.select(SealedBallot.id)))  # voting still open
        assert ballot_ids

        forged = [e for e in entries if e.actor_id == forger_id]
        assert forged, actions
        for entry in entries:
            label = entry.actor_label or ""
            for char in "\n\r\x1b\x07":
                assert char not in label, (entry.action, label)
            text = json.dumps([entry.before, entry.after, label, entry.object_id], default=str)
            for secret in secrets:
                assert secret not in text, entry.action
            assert "$argon2" not in text, entry.action
            for ballot_id in ballot_ids:
                assert ballot_id not in text, entry.action
            keys = json.dumps([entry.before, entry.after])
            for key in BALLOT_KEYS:
                assert f'"{key}"' not in keys, (entry.action, key)

    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Mallory" in page
    assert "<script>" not in page
    assert "\x1b" not in page


def _reset_and_capture(app, caplog) -> tuple[str, str]:
    client = app.test_client()
    site = "https://pb.council.example"
    page = client.get("/reset", base_url=site).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    data = {"email": "prod@example.org", "csrf_token": token.group(1) if token else ""}
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            "/reset", base_url=site, data=data, headers={"Referer": f"{site}/reset"}
        )
    assert response.status_code in (200, 302, 303)
    with app.app_context():
        body = db.session.scalars(sa.select(OutboxMessage)).one().body
    return body.split("/reset/")[1].split()[0], caplog.text


def test_production_logs_never_hold_a_reset_token(production_app, caplog):
    token, logged = _reset_and_capture(production_app, caplog)
    assert len(token) >= 20
    assert token not in logged
    assert "prod@example.org" not in logged


def test_development_still_logs_mail_for_the_developer(build_app, caplog):
    app = build_app(TESTING=False, ENV_NAME="development", WTF_CSRF_ENABLED=False)
    with app.app_context():
        create_user("resident", email="prod@example.org")
        db.session.commit()
    token, logged = _reset_and_capture(app, caplog)
    assert token in logged


def test_production_database_errors_hide_statement_parameters(production_app):
    """A failed statement's message (logged by transaction.py) names no parameter values."""
    from sqlalchemy.exc import IntegrityError

    with production_app.app_context():
        assert db.engine.hide_parameters
        twin = create_user("resident", email="twin@example.org")
        secrets = (twin.session_token, twin.password_hash)
        db.session.commit()
        try:
            create_user("resident", email="twin@example.org")
        except IntegrityError as exc:
            message = str(exc)
        else:
            raise AssertionError("the duplicate e-mail was not refused")
        finally:
            db.session.rollback()
    assert "twin@example.org" not in message
    for secret in secrets:
        assert secret[:16] not in message
