"""What an officer's act says is written in the reader's language when read, not in the
officer's when stored: an offer accepted by an officer working in German reads in English to
a resident reading in English (the notification, the value's basis on the proposal page, the
digest e-mail), and the other way round. The events store the value, not a sentence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from pbplatform.notifications.models import Notification
from pbplatform.proposals.models import ProposalEvent
from tests.coproduction.conftest import offer_on
from tests.factories import login_as

ENGLISH = {
    "note": "Offer of help accepted, valued at €150.00.",
    "basis": "10 hours at the published rate of €15.00 per hour.",
}
GERMAN = {
    "note": "Mitwirkungsangebot angenommen, bewertet mit 150,00\xa0€.",
    "basis": "10 Stunden zum veröffentlichten Satz von 15,00\xa0€ pro Stunde.",
}


@pytest.mark.parametrize(
    ("officer_lang", "reader_lang", "read", "not_read"),
    [("de", "en", ENGLISH, GERMAN), ("en", "de", GERMAN, ENGLISH)],
)
def test_an_accepted_offer_reads_in_the_readers_language(
    app, client, db, scene, officer_lang, reader_lang, read, not_read
):
    offer = offer_on(scene["proposal"], scene["resident"], quantity="10")  # offerers follow
    officer = app.test_client()
    login_as(officer, scene["officer"])
    response = officer.post(
        f"/officer/offers/{offer.id}/accept", data={}, headers={"Accept-Language": officer_lang}
    )
    assert response.status_code == 303
    login_as(client, scene["resident"])
    lang = {"Accept-Language": reader_lang}
    notes = client.get("/notifications", headers=lang).get_data(as_text=True)
    assert read["note"] in notes
    assert not_read["note"] not in notes
    number = scene["proposal"].tracking_number
    page = client.get(f"/proposals/{number}", headers=lang).get_data(as_text=True)
    assert read["basis"] in page
    assert not_read["basis"] not in page
    # Stored: the value (minor units) and no sentence in anyone's language.
    db.session.expire_all()
    event = db.session.scalars(
        sa.select(ProposalEvent).where(ProposalEvent.kind == "offer_accepted")
    ).one()
    note = db.session.scalars(
        sa.select(Notification.note).where(Notification.kind == "offer_accepted")
    ).one()
    assert event.note == note == "15000"


def test_an_offer_accepted_before_keeps_its_stored_sentence(app, client, db, scene):
    """Rows written before notes were structured hold a sentence: it is shown as it is."""
    from pbplatform.proposals.services import add_event

    add_event(scene["proposal"], "offer_accepted", "Offer of help accepted, valued at €7.00.")
    db.session.flush()
    login_as(client, scene["resident"])
    client.post(f"/proposals/{scene['proposal'].tracking_number}/follow")
    add_event(scene["proposal"], "offer_accepted", "Offer of help accepted, valued at €8.00.")
    db.session.flush()
    page = client.get("/notifications").get_data(as_text=True)
    assert "Offer of help accepted, valued at €8.00." in page


@pytest.mark.parametrize(
    ("lang", "amount", "delivered", "other"),
    [
        ("en", "10 hours", "(2.5 hours)", "Stunden"),
        ("de", "10 Stunden", "(2,5 Stunden)", "hours"),
    ],
)
def test_volunteer_hours_are_counted_in_the_readers_language(
    app, client, db, scene, lang, amount, delivered, other
):
    """Volunteer hours are stored with the unit 'hours'; the proposal page, the officer's
    queue and review and the resident's own page read '10 Stunden' in German (was '10 hours')."""
    from pbplatform.coproduction import services

    offer = offer_on(scene["proposal"], scene["resident"], quantity="10")
    officer = app.test_client()
    login_as(officer, scene["officer"])
    headers = {"Accept-Language": lang}
    assert officer.post(f"/officer/offers/{offer.id}/accept", data={}).status_code == 303
    db.session.refresh(offer)
    services.record_delivery(
        offer,
        scene["officer"],
        delivered_on=date(2026, 5, 1),
        description="Fence",
        quantity=Decimal("2.5"),
    )
    db.session.flush()
    login_as(client, scene["resident"])
    pages = {
        "proposal": client.get(f"/proposals/{scene['proposal'].tracking_number}", headers=headers),
        "mine": client.get("/my", headers=headers),
        "review": officer.get(f"/officer/offers/{offer.id}", headers=headers),
    }
    for name, response in pages.items():
        html = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert amount in html, name
        assert f"10 {other}" not in html, name
    assert delivered in pages["proposal"].get_data(as_text=True)
