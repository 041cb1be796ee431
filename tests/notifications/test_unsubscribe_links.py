"""One-click unsubscribe links (RFC 8058): signed for one person and one purpose, valid for
UNSUBSCRIBE_LINK_MAX_AGE_DAYS, tied to the signing key's version. A stale link shows a page
that sends the person to sign in and choose there; it never writes and never fails."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from pbplatform.db import utcnow
from pbplatform.notifications.models import NotificationSetting
from pbplatform.notifications.services import unsubscribe_token


def _setting(db, user):
    db.session.expire_all()
    row = db.session.get(NotificationSetting, user.id)
    return row.email if row is not None else None


def _link(token: str) -> str:
    return f"/notifications/unsubscribe/{token}"


def test_a_fresh_link_stops_e_mail(app, db, make_user):
    user = make_user()
    link = _link(unsubscribe_token(user))
    anonymous = app.test_client()
    page = anonymous.get(link)
    assert page.status_code == 200
    assert "Stop e-mails" in page.get_data(as_text=True)
    assert _setting(db, user) is None  # the page wrote nothing
    assert anonymous.post(link).status_code == 200
    assert _setting(db, user) == "never"


def test_a_link_older_than_the_max_age_is_refused_with_a_way_to_sign_in(app, db, make_user):
    user = make_user()
    days = app.config["UNSUBSCRIBE_LINK_MAX_AGE_DAYS"]
    stale = unsubscribe_token(user, issued_at=utcnow() - timedelta(days=days, minutes=1))
    still = unsubscribe_token(user, issued_at=utcnow() - timedelta(days=days - 1))
    anonymous = app.test_client()
    for method in (anonymous.get, anonymous.post):
        response = method(_link(stale))
        assert response.status_code == 410
        html = response.get_data(as_text=True)
        assert "This link has expired" in html
        assert "/login?next=/notifications" in html
        assert f"{days} days" in html
    assert _setting(db, user) is None  # nothing written
    assert anonymous.post(_link(still)).status_code == 200  # a day younger: still works
    assert _setting(db, user) == "never"


def test_a_link_signed_under_an_earlier_secret_key_is_refused_as_expired(app, db, make_user):
    user = make_user()
    old_token = unsubscribe_token(user)
    key = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "a rotated secret key"
    try:
        assert unsubscribe_token(user).split(".")[0] != old_token.split(".")[0]  # new version
        response = app.test_client().post(_link(old_token))
        assert response.status_code == 410
        assert "earlier key" in response.get_data(as_text=True)
    finally:
        app.config["SECRET_KEY"] = key
    assert _setting(db, user) is None


def _payload(token: str) -> list:
    version, _, signed = token.partition(".")
    body = signed.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _with_payload(token: str, payload: list) -> str:
    version, _, signed = token.partition(".")
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode())
    return f"{version}.{body.decode().rstrip('=')}.{signed.split('.', 1)[1]}"


@pytest.mark.parametrize("change", ["another user", "another purpose", "younger", "bad version"])
def test_a_link_for_another_user_or_purpose_cannot_be_forged(app, db, make_user, change):
    me, victim = make_user(), make_user()
    token = unsubscribe_token(me)
    payload = _payload(token)
    assert payload[0] == me.id
    if change == "another user":
        payload[0] = victim.id
    elif change == "another purpose":
        payload[1] = "everything"
    elif change == "younger":
        payload[2] += 10**6
    else:
        payload[3] = "0" * len(payload[3])
    forged = _with_payload(token, payload)
    response = app.test_client().post(_link(forged))
    assert response.status_code == 404
    assert _setting(db, victim) is None
    assert _setting(db, me) is None


def test_a_token_signed_for_another_purpose_is_no_unsubscribe_link(app, db, make_user):
    """The known-device cookie is signed with the same SECRET_KEY, under another salt."""
    from itsdangerous import URLSafeSerializer

    user = make_user()
    version = unsubscribe_token(user).split(".")[0]
    device = URLSafeSerializer(app.config["SECRET_KEY"], salt="pbplatform:known-device")
    other = URLSafeSerializer(app.config["SECRET_KEY"], salt="pbplatform:unsubscribe")
    for token in (
        f"{version}.{device.dumps([user.id, 'email', 0, version])}",
        f"{version}.{other.dumps(user.id)}",  # signed, but not a link's content
        "not-a-real-token",
    ):
        assert app.test_client().post(_link(token)).status_code == 404, token
        assert app.test_client().get(_link(token)).status_code == 404, token
    # A link of the first form (a signed id, no age, no key version) has expired.
    legacy = app.test_client().post(_link(other.dumps(user.id)))
    assert legacy.status_code == 410
    assert "This link has expired" in legacy.get_data(as_text=True)
    assert _setting(db, user) is None
