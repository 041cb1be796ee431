"""Submitting proposals: the resident journey, tracking numbers, and bad input storing nothing."""

from __future__ import annotations

import pytest

from pbplatform.errors import DomainError
from pbplatform.proposals.services import ProposalInput, submit_proposal
from tests.factories import login_as
from tests.proposals.helpers import form, fresh, proposals_of


def _year(cycle) -> int:
    return next(p.starts_at.year for p in cycle.phase_dates if p.phase == "proposals")


def test_resident_journey_submit_view_edit_withdraw(client, db, make_cycle, make_user):
    cycle = make_cycle("proposals")
    area = cycle.areas[0].area
    author = make_user(area=area)
    login_as(client, author)

    page = client.get(f"/proposals/new?cycle={cycle.slug}")
    assert page.status_code == 200
    assert b'name="title"' in page.data

    response = client.post(f"/proposals/new?cycle={cycle.slug}", data=form(area=str(area.id)))
    assert response.status_code == 303
    [proposal] = proposals_of(cycle)
    number = f"TC-{_year(cycle)}-0001"
    assert proposal.tracking_number == number
    assert response.headers["Location"].endswith(f"/proposals/{number}")
    assert (proposal.status, proposal.author_id, proposal.channel) == ("pending", author.id, "web")
    assert proposal.estimated_cost_minor == 120050
    assert proposal.area_id == area.id

    shown = client.get(f"/proposals/{number}")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert number in html
    assert "Benches along the river" in html
    assert "Pending review" in html
    assert "Submitted" in html
    assert "Thank you. Your proposal has the tracking number" in html

    edit = client.post(
        f"/proposals/{number}/edit",
        data=form(title="Eight benches", area=str(area.id), estimated_cost="900"),
    )
    assert edit.status_code == 303
    proposal = fresh(proposal)
    assert proposal.title == "Eight benches"
    assert proposal.estimated_cost_minor == 90000
    assert [e.kind for e in proposal.events] == ["submitted", "edited"]

    withdrawn = client.post(f"/proposals/{number}/withdraw")
    assert withdrawn.status_code == 303
    proposal = fresh(proposal)
    assert proposal.status == "withdrawn"
    html = client.get(f"/proposals/{number}").get_data(as_text=True)
    assert "Withdrawn by the author" in html
    # Withdrawn: no more edits.
    client.post(f"/proposals/{number}/edit", data=form(title="Again"))
    assert fresh(proposal).title == "Eight benches"


def test_tracking_numbers_count_up_per_cycle(client, db, make_cycle, make_user):
    cycle = make_cycle("proposals")
    login_as(client, make_user())
    for _ in range(3):
        assert client.post(f"/proposals/new?cycle={cycle.slug}", data=form()).status_code == 303
    numbers = [p.tracking_number for p in proposals_of(cycle)]
    assert numbers == [f"TC-{_year(cycle)}-{n:04d}" for n in (1, 2, 3)]
    assert fresh(cycle).next_tracking_seq == 4


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"description": None}, "This field is required."),
        ({"estimated_cost": ""}, "This field is required."),
        ({"estimated_cost": "-5"}, "Enter an amount of 0 or more."),
        ({"estimated_cost": "twelve"}, "Not a valid decimal value."),
        ({"category": "weapons"}, "Not a valid choice."),
        ({"area": "999999"}, "Not a valid choice."),
        ({"title": "x" * 161}, "Field cannot be longer than 160 characters."),
        ({"kind": "saving"}, "A savings proposal needs the amount it saves per year."),
        ({"kind": "saving", "savings_per_year": "-1"}, "Enter an amount above 0."),
    ],
)
def test_bad_input_gives_a_form_error_and_stores_nothing(
    client, db, make_cycle, make_user, bad, message
):
    cycle = make_cycle("proposals")
    login_as(client, make_user())
    response = client.post(f"/proposals/new?cycle={cycle.slug}", data=form(**bad))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert proposals_of(cycle) == []
    assert fresh(cycle).next_tracking_seq == 1


@pytest.mark.parametrize("phase", ["draft", "review", "voting", "results"])
def test_submission_outside_the_proposals_phase_is_refused(
    client, db, make_cycle, make_user, phase
):
    cycle = make_cycle(phase)
    login_as(client, make_user())
    response = client.post(f"/proposals/new?cycle={cycle.slug}", data=form())
    assert response.status_code == 409
    assert "only be submitted in the proposals phase" in response.get_data(as_text=True)
    assert proposals_of(cycle) == []
    with pytest.raises(DomainError) as refused:
        submit_proposal(cycle, make_user(), ProposalInput(title="t", description="d"))
    assert refused.value.code == "phase_closed"


def test_anonymous_cannot_submit(client, db, make_cycle):
    cycle = make_cycle("proposals")
    assert client.post(f"/proposals/new?cycle={cycle.slug}", data=form()).status_code == 401
    assert proposals_of(cycle) == []


def test_service_refuses_negative_cost_foreign_area_and_saving_without_amount(
    db, make_cycle, make_user, make_area
):
    cycle = make_cycle("proposals")
    user = make_user()
    cases = [
        (ProposalInput(title="t", description="d", estimated_cost_minor=-1), "negative_cost"),
        (ProposalInput(title="t", description="d", area_id=make_area().id), "invalid_area"),
        (ProposalInput(title="t", description="d", kind="saving"), "savings_required"),
        (ProposalInput(title=" ", description="d"), "missing_fields"),
        (ProposalInput(title="t", description="d", category="nope"), "invalid_category"),
    ]
    for data, code in cases:
        with pytest.raises(DomainError) as refused:
            submit_proposal(cycle, user, data)
        assert refused.value.code == code
    assert proposals_of(cycle) == []


def test_savings_proposal_has_its_own_label(client, db, make_cycle, make_user):
    cycle = make_cycle("proposals")
    login_as(client, make_user())
    response = client.post(
        f"/proposals/new?cycle={cycle.slug}",
        data=form(
            kind="saving",
            title="Stop printing the gazette",
            estimated_cost="0",
            savings_per_year="12000",
        ),
    )
    assert response.status_code == 303
    [proposal] = proposals_of(cycle)
    assert proposal.kind == "saving"
    assert proposal.savings_per_year_minor == 1_200_000
    html = client.get(f"/proposals/{proposal.tracking_number}").get_data(as_text=True)
    assert "Savings proposal: saves €12,000.00 a year" in html


def test_spending_proposal_ignores_a_savings_amount(client, db, make_cycle, make_user):
    cycle = make_cycle("proposals")
    login_as(client, make_user())
    client.post(f"/proposals/new?cycle={cycle.slug}", data=form(savings_per_year="50"))
    [proposal] = proposals_of(cycle)
    assert proposal.savings_per_year_minor is None


def test_mass_assignment_fields_are_ignored(client, db, make_cycle, make_user):
    cycle = make_cycle("proposals")
    author, other = make_user(), make_user()
    login_as(client, author)
    response = client.post(
        f"/proposals/new?cycle={cycle.slug}",
        data=form(
            status="approved",
            officer_cost_minor="1",
            author_id=str(other.id),
            is_hidden="1",
            tracking_number="EVIL-1",
            channel="letter",
            entered_by_id=str(other.id),
            feasibility="fine",
            cycle_id="999",
            contact_consent="y",
            contact_name="Spoof",
        ),
    )
    assert response.status_code == 303
    [proposal] = proposals_of(cycle)
    assert (proposal.status, proposal.officer_cost_minor, proposal.author_id) == (
        "pending",
        None,
        author.id,
    )
    assert not proposal.is_hidden
    assert proposal.tracking_number.startswith("TC-")
    assert (proposal.channel, proposal.entered_by_id, proposal.feasibility) == ("web", None, None)
    assert proposal.contact_name is None
    assert not proposal.contact_consent

    client.post(
        f"/proposals/{proposal.tracking_number}/edit",
        data=form(status="approved", officer_cost_minor="1", author_id=str(other.id)),
    )
    proposal = fresh(proposal)
    assert (proposal.status, proposal.officer_cost_minor, proposal.author_id) == (
        "pending",
        None,
        author.id,
    )


def test_contact_details_are_kept_only_with_consent(db, make_cycle, make_user):
    cycle = make_cycle("proposals")
    officer = make_user("officer")
    without = submit_proposal(
        cycle,
        None,
        ProposalInput(
            title="t",
            description="d",
            contact_name="Erika",
            contact_details="030 123",
            contact_consent=False,
        ),
        channel="phone",
        entered_by=officer,
    )
    with_consent = submit_proposal(
        cycle,
        None,
        ProposalInput(
            title="t",
            description="d",
            contact_name="Erika",
            contact_details="030 123",
            contact_consent=True,
        ),
        channel="phone",
        entered_by=officer,
    )
    assert (without.contact_name, without.contact_details) == (None, None)
    assert (with_consent.contact_name, with_consent.contact_details) == ("Erika", "030 123")


def test_offline_channels_need_an_officer(db, make_cycle, make_user):
    cycle = make_cycle("proposals")
    resident = make_user()
    with pytest.raises(DomainError) as refused:
        submit_proposal(
            cycle,
            resident,
            ProposalInput(title="t", description="d"),
            channel="letter",
            entered_by=resident,
        )
    assert refused.value.code == "officer_required"
    with pytest.raises(DomainError):
        submit_proposal(cycle, resident, ProposalInput(title="t", description="d"), channel="fax")
    assert proposals_of(cycle) == []
