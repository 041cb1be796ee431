"""Erasure (issue 18 item 3): a person's name and e-mail leave the audit log, the chain stays.

`pseudonymise_person(user_id)` is what account erasure calls. Afterwards the chain verifies,
the person appears under one stable pseudonym, and no audit table holds their e-mail or name
(searched in every column of every row).
"""

from __future__ import annotations

import json

import sqlalchemy as sa

from pbplatform.audit import chain
from pbplatform.audit import services as audit
from pbplatform.audit.models import AuditEntry, AuditPersonal
from pbplatform.extensions import db as _db
from tests.factories import create_user, login_as

EMAIL = "zebulon.quixote@example.org"
NAME = "Zebulon Quixote"


def _audit_text() -> str:
    """Every column of every row of both audit tables, as text."""
    rows = []
    for table in (AuditEntry.__table__, AuditPersonal.__table__):
        rows += [list(r) for r in _db.session.execute(sa.select(table)).all()]
    return json.dumps(rows, default=str).lower()


def _history(app, person, admin):
    """What the log holds about a person: their own acts, acts on them, a failed login."""
    with app.test_request_context(environ_base={"REMOTE_ADDR": "198.51.100.23"}):
        audit.record("account.registered", person, actor=person, after={"email": EMAIL})
        audit.record("api_token.created", person, actor=person, after={"name": "my laptop"})
        audit.record("user.created", person, actor=admin, after={"email": EMAIL, "role": "x"})
        audit.record("auth.login_failed", after={"email": EMAIL.upper()}, outcome="denied")
        audit.record("area.create", actor=admin, after={"name": "Rummelsburg"})


def test_pseudonymising_keeps_the_chain_and_leaves_no_trace(app, db, client):
    person = create_user("resident", email=EMAIL, name=NAME)
    admin = create_user("admin", name="Ada Admin")
    _history(app, person, admin)
    assert EMAIL in _audit_text()
    assert NAME.lower() in _audit_text()

    changed = audit.pseudonymise_person(person.id)

    assert changed == 4  # the admin's own area entry is untouched
    assert audit.verify_chain() is None
    text = _audit_text()
    assert EMAIL not in text
    assert NAME.lower() not in text
    pseudonym = chain.pseudonym(person.id)
    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
    labels = {e.action: e.actor_label for e in entries}
    assert labels["account.registered"] == pseudonym
    assert labels["user.created"].startswith("Ada Admin")  # the admin is still named
    created = next(e for e in entries if e.action == "user.created")
    assert created.shown("after") == {"email": pseudonym, "role": "x"}
    failed = next(e for e in entries if e.action == "auth.login_failed")
    assert failed.shown("after") == {"email": pseudonym}
    assert [e.ip for e in entries if e.actor_id == person.id] == [None, None]  # own acts
    assert created.ip == "198.51.100.23"  # the admin's address is the admin's
    assert entries[-1].action == "audit.pseudonymised"
    assert entries[-1].actor_label == "system"

    login_as(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Hash chain verified" in page
    assert pseudonym in page
    assert EMAIL not in page


def test_the_pseudonym_is_stable_and_a_second_run_changes_nothing(app, db):
    person = create_user("resident", email=EMAIL, name=NAME)
    _history(app, person, create_user("admin"))
    assert audit.pseudonymise_person(person.id) == 4
    assert audit.pseudonymise_person(person.id) == 0
    assert audit.verify_chain() is None
    assert chain.pseudonym(person.id) == chain.pseudonym(person.id)
    assert chain.pseudonym(person.id) != chain.pseudonym(person.id + 1)


def test_erasing_oneself_in_a_request_does_not_name_one_again(app, db):
    """Erasure runs in the person's own request; the record of it is the system's."""
    person = create_user("resident", email=EMAIL, name=NAME)
    _history(app, person, create_user("admin"))
    with app.test_request_context():
        from flask_login import login_user

        login_user(person)
        audit.pseudonymise_person(person.id)
    assert EMAIL not in _audit_text()
    assert audit.verify_chain() is None


def test_personal_values_never_enter_the_chained_row(app, db):
    person = create_user("resident", email=EMAIL, name=NAME)
    _history(app, person, create_user("admin"))
    chained = json.dumps(
        [list(r) for r in db.session.execute(sa.select(AuditEntry.__table__)).all()],
        default=str,
    ).lower()
    assert EMAIL not in chained
    assert NAME.lower() not in chained
    assert "198.51.100.23" not in chained
