"""Issue 12, broken case 8: /reset answered in 12 ms for an existing account and 8 ms for an
unknown one. Both paths must do the same work: the same expensive steps (token, hash, mail
text, encryption, audit entry) and the very same SQL statements, whose WHERE clause alone
decides whether rows are written."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from pbplatform.accounts import reset as reset_module
from pbplatform.accounts.models import PasswordResetToken
from pbplatform.extensions import db
from pbplatform.mail.models import OutboxMessage
from pbplatform.security import encryption


@contextmanager
def recorded_work(monkeypatch) -> Iterator[dict]:
    """The SQL statements run (text only, parameters aside) and the expensive calls made."""
    work: dict = {"sql": [], "calls": Counter()}

    def on_sql(conn, cursor, statement, parameters, context, executemany):
        text = re.sub(r"\s+", " ", statement).strip()
        work["sql"].append(re.sub(r"sa_savepoint_\d+", "sa_savepoint", text))  # test harness

    def spy(module, name):
        real = getattr(module, name)

        def wrapper(*args, **kwargs):
            work["calls"][name] += 1
            return real(*args, **kwargs)

        patch.setattr(module, name, wrapper)

    with monkeypatch.context() as patch:
        spy(encryption, "encrypt")
        spy(reset_module, "new_reset_token")
        spy(reset_module, "_token_hash")
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", on_sql)
        try:
            yield work
        finally:
            sa.event.remove(sa.engine.Engine, "before_cursor_execute", on_sql)


def _request(client, email, monkeypatch) -> dict:
    with recorded_work(monkeypatch) as work:
        assert client.post("/reset", data={"email": email}).status_code == 200
    return work


@pytest.mark.parametrize("known_first", [True, False])
def test_known_and_unknown_addresses_do_the_same_work(client, make_user, monkeypatch, known_first):
    make_user("resident", email="known@example.org")
    emails = ["known@example.org", "nobody@example.org"]
    if not known_first:
        emails.reverse()
    first, second = (_request(client, e, monkeypatch) for e in emails)
    assert first["calls"] == second["calls"]
    assert first["calls"]["encrypt"] >= 1
    assert first["calls"]["new_reset_token"] == 1
    writes = [s for s in first["sql"] if s.split(" ")[0] in ("INSERT", "UPDATE", "DELETE")]
    assert any("password_reset_tokens" in s for s in writes)
    assert any("outbox_messages" in s for s in writes)
    assert first["sql"] == second["sql"]
    # ... and yet only the real account got a token and a mail.
    assert db.session.scalar(sa.select(sa.func.count(PasswordResetToken.id))) == 1
    recipients = db.session.scalars(sa.select(OutboxMessage.recipient)).all()
    assert recipients == ["known@example.org"]


def test_a_deactivated_account_does_the_same_work_and_gets_nothing(client, make_user, monkeypatch):
    user = make_user("resident", email="gone@example.org")
    user.is_active_account = False
    db.session.flush()
    gone = _request(client, "gone@example.org", monkeypatch)
    unknown = _request(client, "never@example.org", monkeypatch)
    assert gone["sql"] == unknown["sql"]
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
