"""Journey 3: voting with the keyboard only (Tab, Space, Enter); an over-budget ballot."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from pbplatform.accounts.models import User
from pbplatform.cycles.models import Cycle
from pbplatform.extensions import db
from pbplatform.money import format_money
from pbplatform.voting.models import Ballot, BallotChoice, Participation
from pbplatform.voting.services import voter_key_for
from tests.browser.helpers import (
    assert_accessible,
    committed,
    log_in,
    press_and_wait,
    screenshot,
    tab_to_button,
    tab_to_id,
    unique,
)
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.sealed import unseal

pytestmark = pytest.mark.browser


@pytest.fixture
def voting_scene(live_app):
    """A voting cycle: three projects in the home area (budget 100,000), one district-wide."""
    with committed(live_app):
        home = create_area(unique("Fennpfuhl"))
        cycle = create_cycle(
            "voting",
            areas=[home, create_area()],
            area_budget=100_000_00,
            district_budget=200_000_00,
        )
        a = create_proposal(cycle, area=home, cost=60_000_00, title=unique("Playground"))
        b = create_proposal(cycle, area=home, cost=50_000_00, title=unique("Tree avenue"))
        c = create_proposal(cycle, area=home, cost=30_000_00, title=unique("Benches"))
        d = create_proposal(cycle, area=None, cost=150_000_00, title=unique("Cycle lanes"))
        voter = create_user("resident", area=home)
        other = create_user("resident", area=home)
        return SimpleNamespace(
            slug=cycle.slug,
            cycle_id=cycle.id,
            area=home.name,
            a=a.id,
            b=b.id,
            c=c.id,
            d=d.id,
            voter=voter.email,
            other=other.email,
        )


def _ballots(cycle_id: int) -> list[Ballot]:
    """The cycle's ballots, unsealed first as closing voting does (committed: the live server
    shares the SQLite file and must not wait for this session)."""
    unseal(db.session.get(Cycle, cycle_id))
    db.session.commit()
    return list(db.session.scalars(sa.select(Ballot).where(Ballot.cycle_id == cycle_id)))


def _has_voted(cycle_id: int, email: str) -> bool:
    user = db.session.scalar(sa.select(User).where(User.email == email))
    return (
        db.session.scalar(
            sa.select(Participation.channel).where(
                Participation.cycle_id == cycle_id, Participation.voter_key == voter_key_for(user)
            )
        )
        is not None
    )


def test_ballot_by_keyboard_only(page, live_app, live_url, voting_scene):
    s = voting_scene
    log_in(page, live_url, s.voter)
    page.goto(f"{live_url}/cycles/{s.slug}/ballot")
    assert page.locator("h1").inner_text().startswith("Your ballot for")
    assert_accessible(page)
    screenshot(page, "ballot-desktop")

    # From here on: keys only. The skip link first, then Tab/Space/Enter.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    for project in (s.a, s.c, s.d):
        tab_to_id(page, f"p-{project}")
        page.keyboard.press("Space")
    for project, chosen in ((s.a, True), (s.b, False), (s.c, True), (s.d, True)):
        assert page.locator(f"#p-{project}").is_checked() is chosen
    tab_to_button(page, "Review my ballot")
    press_and_wait(page)

    assert page.locator("h1").inner_text() == "Check your ballot"
    assert_accessible(page)
    review = page.locator("main").inner_text()
    with live_app.test_request_context():
        spent, budget = format_money(90_000_00, "EUR"), format_money(100_000_00, "EUR")
    assert f"your choices cost {spent} of {budget}" in review
    with live_app.app_context():
        assert _ballots(s.cycle_id) == []  # reviewing stores nothing
    tab_to_button(page, "Cast my ballot")
    press_and_wait(page)

    assert page.locator("h1").inner_text() == "Thank you: your ballot was recorded"
    assert "was recorded on" in page.get_by_role("status").inner_text()
    assert_accessible(page)
    with live_app.app_context():
        (ballot,) = _ballots(s.cycle_id)
        chosen = set(
            db.session.scalars(
                sa.select(BallotChoice.proposal_id).where(BallotChoice.ballot_id == ballot.id)
            )
        )
        assert chosen == {s.a, s.c, s.d}
        assert _has_voted(s.cycle_id, s.voter)

    # Casting is final: the ballot page now says so instead of offering a sheet.
    page.goto(f"{live_url}/cycles/{s.slug}/ballot")
    assert page.locator(f"#p-{s.a}").count() == 0


def test_over_budget_ballot_names_the_amounts_and_stores_nothing(
    page, live_app, live_url, voting_scene
):
    s = voting_scene
    log_in(page, live_url, s.other)
    page.goto(f"{live_url}/cycles/{s.slug}/ballot")
    for project in (s.a, s.b):  # 60,000 + 50,000 > 100,000
        tab_to_id(page, f"p-{project}")
        page.keyboard.press("Space")
    tab_to_button(page, "Review my ballot")
    press_and_wait(page)

    with live_app.test_request_context():
        total, budget = format_money(110_000_00, "EUR"), format_money(100_000_00, "EUR")
    alert = page.get_by_role("alert")
    assert f"Your choices for {s.area} cost {total} but the budget is {budget}." in (
        alert.inner_text()
    )
    assert "Nothing was recorded" in alert.inner_text()
    # The sheet comes back as filled in, ready to change.
    assert page.locator(f"#p-{s.a}").is_checked()
    assert page.locator(f"#p-{s.b}").is_checked()
    assert_accessible(page)
    screenshot(page, "ballot-over-budget-desktop")

    # A forged cast of the same choices (skipping the review) is refused on the server too.
    token = page.locator("input[name=csrf_token]").first.input_value()
    answer = page.request.post(
        f"{live_url}/cycles/{s.slug}/ballot/cast",
        form={"csrf_token": token, f"p-{s.a}": "1", f"p-{s.b}": "1"},
    )
    assert answer.status == 422
    with live_app.app_context():
        assert _ballots(s.cycle_id) == []
        assert not _has_voted(s.cycle_id, s.other)
