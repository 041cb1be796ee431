"""The offer life cycle through the HTTP client and the real database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.coproduction.models import Offer, OfferDelivery
from pbplatform.db import today
from pbplatform.proposals.models import ProposalEvent
from tests.coproduction.conftest import audit_actions, offer_count, offer_on
from tests.factories import login_as

HELP = {
    "help-kind": "volunteer_hours",
    "help-quantity": "12",
    "help-unit": "hours",
    "help-description": "Planting and watering the trees",
    "help-schedule": "Saturdays",
    "help-only_if_funded": "y",
}


def url(scene, suffix=""):
    return f"/proposals/{scene['proposal'].tracking_number}/offers{suffix}"


def only_offer(db) -> Offer:
    return db.session.scalars(sa.select(Offer)).one()


def test_resident_offers_help_on_a_proposal(client, db, scene):
    login_as(client, scene["resident"])
    response = client.post(url(scene), data=HELP)
    assert response.status_code == 303
    offer = only_offer(db)
    assert (offer.status, offer.kind, offer.quantity, offer.offerer_id) == (
        "offered",
        "volunteer_hours",
        Decimal("12.00"),
        scene["resident"].id,
    )
    assert offer.only_if_funded
    assert offer.value_minor is None
    page = client.get(url(scene)).get_data(as_text=True)
    assert "Planting and watering the trees" in page
    assert "offers 12 hours" in page
    assert scene["resident"].display_name in page


def test_full_life_cycle_accept_deliver_partly_then_fully(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"], quantity="10")
    login_as(client, scene["officer"])
    # Accept with no value given: 10 hours x 15.00 = 150.00, basis stated.
    response = client.post(f"/officer/offers/{offer.id}/accept", data={})
    assert response.status_code == 303
    db.session.refresh(offer)
    assert (offer.status, offer.value_minor) == ("accepted", 150_00)
    assert "published rate" in offer.shown_basis
    assert offer.reviewed_by_id == scene["officer"].id

    response = client.post(
        f"/officer/offers/{offer.id}/deliveries",
        data={
            f"offer{offer.id}-delivered_on": today().isoformat(),
            f"offer{offer.id}-description": "First six hours",
            f"offer{offer.id}-quantity": "6",
        },
    )
    assert response.status_code == 303
    db.session.refresh(offer)
    assert offer.status == "partly_fulfilled"

    response = client.post(
        f"/officer/offers/{offer.id}/deliveries",
        data={
            f"offer{offer.id}-delivered_on": today().isoformat(),
            f"offer{offer.id}-description": "The rest",
            f"offer{offer.id}-quantity": "4",
        },
    )
    assert response.status_code == 303
    db.session.refresh(offer)
    assert offer.status == "fulfilled"
    log = db.session.scalars(sa.select(OfferDelivery).order_by(OfferDelivery.id)).all()
    assert [d.confirmed_by_id for d in log] == [scene["officer"].id] * 2
    assert audit_actions(db) == [
        "offer.accepted",
        "offer.delivery_recorded",
        "offer.delivery_recorded",
    ]
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).first()
    assert entry.before["status"] == "offered"
    assert entry.after["status"] == "accepted"
    assert entry.area_id == scene["area"].id


def test_officer_sets_a_value_and_basis_for_materials(client, db, scene):
    offer = offer_on(
        scene["proposal"], scene["resident"], quantity="20", kind="materials", unit="bags of soil"
    )
    login_as(client, scene["officer"])
    response = client.post(
        f"/officer/offers/{offer.id}/accept",
        data={f"offer{offer.id}-value": "240.50", f"offer{offer.id}-basis": "Supplier price list"},
    )
    assert response.status_code == 303
    db.session.refresh(offer)
    assert (offer.value_minor, offer.value_basis) == (240_50, "Supplier price list")


def test_materials_without_a_value_are_refused_with_a_message(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"], kind="materials", unit="bags")
    login_as(client, scene["officer"])
    response = client.post(f"/officer/offers/{offer.id}/accept", data={})
    assert response.status_code == 422
    assert "Enter the money value" in response.get_data(as_text=True)
    db.session.refresh(offer)
    assert offer.status == "offered"
    assert offer.value_minor is None
    assert audit_actions(db) == []


def test_decline_needs_a_reason_and_is_final(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    login_as(client, scene["officer"])
    response = client.post(
        f"/officer/offers/{offer.id}/decline", data={f"offer{offer.id}-reason": "  "}
    )
    assert response.status_code == 422
    db.session.refresh(offer)
    assert offer.status == "offered"

    response = client.post(
        f"/officer/offers/{offer.id}/decline",
        data={f"offer{offer.id}-reason": "Needs a qualified arborist"},
    )
    assert response.status_code == 303
    db.session.refresh(offer)
    assert (offer.status, offer.decline_reason) == ("declined", "Needs a qualified arborist")
    # The transition table: a declined offer cannot be accepted afterwards.
    response = client.post(f"/officer/offers/{offer.id}/accept", data={})
    assert response.status_code == 409
    db.session.refresh(offer)
    assert offer.status == "declined"
    assert offer.value_minor is None
    assert audit_actions(db) == ["offer.declined"]


def test_resident_withdraws_own_offer_but_not_someone_elses(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    login_as(client, scene["other_resident"])
    assert client.post(f"/offers/{offer.id}/withdraw").status_code == 403
    db.session.refresh(offer)
    assert offer.status == "offered"

    login_as(client, scene["resident"])
    mine = client.get("/offers/mine").get_data(as_text=True)
    assert "Painting the fence" in mine
    assert f"Withdraw offer #{offer.id}" in mine
    assert client.post(f"/offers/{offer.id}/withdraw").status_code == 303
    db.session.refresh(offer)
    assert offer.status == "withdrawn"
    # Twice: a clear refusal, nothing changes.
    assert client.post(f"/offers/{offer.id}/withdraw").status_code == 409


def test_anonymous_offer_shows_a_resident_in_public(client, db, scene):
    offer_on(scene["proposal"], scene["resident"], is_anonymous=True)
    page = client.get(url(scene)).get_data(as_text=True)
    assert "a resident" in page
    assert scene["resident"].display_name not in page
    login_as(client, scene["officer"])
    page = client.get(url(scene)).get_data(as_text=True)
    assert scene["resident"].display_name in page  # officers see who it is


def test_offer_without_a_proposal_then_linked_by_an_officer(client, db, scene):
    login_as(client, scene["resident"])
    form = client.get("/offers/new").get_data(as_text=True)
    assert "Offer help without a proposal" in form
    assert "offerer_name" not in form
    data = {
        "cycle": str(scene["cycle"].id),
        "kind": "equipment_venue",
        "quantity": "1",
        "unit": "hall for an evening",
        "description": "Our community hall",
        "offerer_name": "Someone Else",
    }  # ignored for residents
    response = client.post("/offers/new", data=data)
    assert response.status_code == 303
    offer = only_offer(db)
    assert offer.proposal_id is None
    assert offer.offerer_id == scene["resident"].id
    assert offer.offerer_name is None
    assert offer.entered_by_id is None

    login_as(client, scene["officer"])
    queue = client.get("/officer/offers").get_data(as_text=True)
    assert "Our community hall" not in queue or "not linked" in queue
    response = client.post(
        f"/officer/offers/{offer.id}/link",
        data={f"offer{offer.id}-proposal": scene["proposal"].tracking_number},
    )
    assert response.status_code == 303
    db.session.refresh(offer)
    assert offer.proposal_id == scene["proposal"].id
    assert audit_actions(db) == ["offer.linked"]


def test_officer_enters_an_offer_on_a_residents_behalf(client, db, scene):
    login_as(client, scene["officer"])
    response = client.post(
        "/offers/new",
        data={
            "cycle": str(scene["cycle"].id),
            "proposal": scene["proposal"].tracking_number,
            "kind": "money",
            "quantity": "200",
            "description": "Pledge by letter",
            "offerer_name": "Frau Schmidt",
        },
    )
    assert response.status_code == 303
    offer = only_offer(db)
    assert (offer.offerer_id, offer.offerer_name, offer.entered_by_id) == (
        None,
        "Frau Schmidt",
        scene["officer"].id,
    )
    assert offer.unit == scene["cycle"].currency
    assert audit_actions(db) == ["offer.entered"]
    # Money is valued at face value when accepted.
    client.post(f"/officer/offers/{offer.id}/accept", data={})
    db.session.refresh(offer)
    assert offer.value_minor == 200_00


def test_lapse_after_results_is_shown_on_the_proposal_page(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    login_as(client, scene["officer"])
    client.post(f"/officer/offers/{offer.id}/accept", data={})
    note = "The parks team will do the planting in spring."
    lapse = {f"offer{offer.id}-note": note}
    # Before the results: refused, nothing changes.
    assert client.post(f"/officer/offers/{offer.id}/lapse", data=lapse).status_code == 409
    scene["cycle"].phase = "results"
    db.session.flush()
    assert client.post(f"/officer/offers/{offer.id}/lapse", data=lapse).status_code == 303
    db.session.refresh(offer)
    assert (offer.status, offer.lapse_note) == ("lapsed", note)
    events = db.session.scalars(
        sa.select(ProposalEvent).where(ProposalEvent.proposal_id == scene["proposal"].id)
    ).all()
    assert [e.kind for e in events] == ["offer_accepted", "offer_lapsed"]
    assert events[-1].note == note
    page = client.get(url(scene)).get_data(as_text=True)
    assert "An accepted offer of help lapsed." in page
    assert note in page
    assert audit_actions(db)[-1] == "offer.lapsed"


def test_costs_cannot_change_while_voting(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    scene["cycle"].phase = "voting"
    db.session.flush()
    login_as(client, scene["officer"])
    response = client.post(f"/officer/offers/{offer.id}/accept", data={})
    assert response.status_code == 409
    assert "while voting" in response.get_data(as_text=True)
    db.session.refresh(offer)
    assert offer.status == "offered"
    assert audit_actions(db) == []
    assert audit_actions(db, "refused") == ["offer.accept"]


def test_delivery_date_in_the_future_is_refused(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    login_as(client, scene["officer"])
    client.post(f"/officer/offers/{offer.id}/accept", data={})
    response = client.post(
        f"/officer/offers/{offer.id}/deliveries",
        data={
            f"offer{offer.id}-delivered_on": (today() + timedelta(days=3)).isoformat(),
            f"offer{offer.id}-description": "Too early",
        },
    )
    assert response.status_code == 422
    db.session.refresh(offer)
    assert offer.status == "accepted"
    assert not offer.deliveries


# --- bad input: a clear refusal and nothing stored ----------------------------------------


def test_negative_quantity_is_refused_and_nothing_stored(client, db, scene):
    login_as(client, scene["resident"])
    for bad in ("-5", "0", "abc", "NaN", "1e20", "1.234"):
        response = client.post(url(scene), data={**HELP, "help-quantity": bad})
        assert response.status_code == 422, bad
        page = response.get_data(as_text=True)
        assert 'class="error"' in page, bad
    assert offer_count(db) == 0
    response = client.post(url(scene), data={**HELP, "help-quantity": "-5"})
    assert "The quantity must be more than zero." in response.get_data(as_text=True)


def test_offer_on_a_withdrawn_proposal_is_refused(client, db, scene, make_proposal):
    withdrawn = make_proposal(scene["cycle"], area=scene["area"], status="withdrawn")
    login_as(client, scene["resident"])
    response = client.post(f"/proposals/{withdrawn.tracking_number}/offers", data=HELP)
    assert response.status_code == 409
    assert "withdrawn, rejected or merged" in response.get_data(as_text=True)
    assert offer_count(db) == 0


def test_offer_outside_an_open_cycle_is_refused(client, db, scene):
    scene["cycle"].phase = "results"
    db.session.flush()
    login_as(client, scene["resident"])
    response = client.post(url(scene), data=HELP)
    assert response.status_code == 409
    assert offer_count(db) == 0


def test_resident_cannot_value_an_offer(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    login_as(client, scene["resident"])
    for action in ("accept", "decline", "deliveries", "lapse", "link"):
        response = client.post(
            f"/officer/offers/{offer.id}/{action}", data={f"offer{offer.id}-value": "999999"}
        )
        assert response.status_code == 403, action
    db.session.refresh(offer)
    assert offer.status == "offered"
    assert offer.value_minor is None
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.outcome == "ok")
        )
        == 0
    )


def test_officer_of_another_area_cannot_review(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    login_as(client, scene["other_officer"])
    assert client.get(f"/officer/offers/{offer.id}").status_code == 403
    assert client.post(f"/officer/offers/{offer.id}/accept", data={}).status_code == 403
    queue = client.get("/officer/offers").get_data(as_text=True)
    assert f"/officer/offers/{offer.id}" not in queue
    assert audit_actions(db, "denied") == ["authz.denied", "authz.denied"]
    db.session.refresh(offer)
    assert offer.status == "offered"


def test_unknown_offer_is_404(client, db, scene):
    login_as(client, scene["officer"])
    assert client.get("/officer/offers/999999").status_code == 404
    assert client.post("/offers/999999/withdraw").status_code == 404
    assert client.get("/proposals/NOPE-1/offers").status_code == 404


def test_offers_page_escapes_user_text(client, db, scene):
    offer_on(scene["proposal"], scene["resident"], description="<script>alert(1)</script>")
    page = client.get(url(scene)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_officer_controls_on_the_proposal_page_return_there(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"])
    login_as(client, scene["officer"])
    page = client.get(url(scene)).get_data(as_text=True)
    accept_action = f"/officer/offers/{offer.id}/accept?next=/proposals/"
    assert accept_action in page
    assert f"/officer/offers/{offer.id}/decline?next=" in page
    response = client.post(f"/officer/offers/{offer.id}/accept?next={url(scene)}", data={})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(url(scene))
    page = client.get(url(scene)).get_data(as_text=True)
    assert f"/officer/offers/{offer.id}/deliveries?next=" in page
    # Residents never see the controls.
    login_as(client, scene["other_resident"])
    assert "/officer/offers/" not in client.get(url(scene)).get_data(as_text=True)


def test_extra_fields_cannot_set_status_or_value(client, db, scene):
    login_as(client, scene["resident"])
    response = client.post(
        url(scene),
        data={
            **HELP,
            "help-status": "accepted",
            "help-value_minor": "99999999",
            "status": "accepted",
            "value_minor": "99999999",
            "help-offerer_name": "The Mayor",
            "offerer_id": "1",
        },
    )
    assert response.status_code == 303
    offer = only_offer(db)
    assert (offer.status, offer.value_minor) == ("offered", None)
    assert (offer.offerer_id, offer.offerer_name) == (scene["resident"].id, None)


def test_hidden_proposal_offers_are_not_public(client, db, scene, make_proposal):
    hidden = make_proposal(scene["cycle"], area=scene["area"], is_hidden=True, title="Rude")
    # Moderation hides the text only (issue 12): the page shows a placeholder, no offers.
    page = client.get(f"/proposals/{hidden.tracking_number}/offers")
    assert page.status_code == 200
    assert "Rude" not in page.get_data(as_text=True)
    login_as(client, scene["resident"])
    response = client.post(f"/proposals/{hidden.tracking_number}/offers", data=HELP)
    assert response.status_code == 409
    assert offer_count(db) == 0
    login_as(client, scene["officer"])
    assert client.get(f"/proposals/{hidden.tracking_number}/offers").status_code == 200


def test_savings_have_no_offers_section(client, db, scene, make_proposal):
    saving = make_proposal(scene["cycle"], area=scene["area"], kind="saving")
    page = client.get(f"/proposals/{saving.tracking_number}/offers").get_data(as_text=True)
    assert "Offers of help" not in page.split("</h1>", 1)[1]


def test_value_must_be_a_plain_amount(client, db, scene):
    offer = offer_on(scene["proposal"], scene["resident"], kind="materials", unit="bags")
    login_as(client, scene["officer"])
    for bad in ("1.000,50", "-5", "abc", "12.345", "1e5"):
        response = client.post(
            f"/officer/offers/{offer.id}/accept",
            data={f"offer{offer.id}-value": bad, f"offer{offer.id}-basis": "quote"},
        )
        assert response.status_code == 422, bad
        assert "without thousands separators" in response.get_data(as_text=True)
    db.session.refresh(offer)
    assert offer.status == "offered"
    response = client.post(
        f"/officer/offers/{offer.id}/accept",
        data={f"offer{offer.id}-value": "1000,5", f"offer{offer.id}-basis": "quote"},
    )
    assert response.status_code == 303
    db.session.refresh(offer)
    assert offer.value_minor == 1_000_50
