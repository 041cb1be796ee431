"""One officer cannot change a count (issue 12, case 1).

Hiding abusive text hides the text only: the project stays on the ballot and in the count,
and a placeholder shows instead of its title. Withdrawing a project once voting has opened
needs a second officer, a reason, and states on the results page what happened to its votes.
Area-limited officers see only their own areas' lists of an unpublished count.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from pbplatform.errors import DomainError
from pbplatform.moderation.services import hide_proposal
from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.models import BallotChoice
from tests.factories import create_user, login_as

PLACEHOLDER = "Text hidden by moderation"


def _selected(version):
    return {lst["key"]: lst["tally"]["selected"] for lst in version.outcome["lists"]}


def test_hiding_after_the_close_changes_neither_the_count_nor_the_funded_set(client, db, counted):
    s = counted
    before = run_count(s.cycle, s.counter)
    assert str(s.d.id) in _selected(before)["district"]
    hide_proposal(s.d, create_user("officer"), "Insults in the title")
    after = run_count(s.cycle, s.counter)
    assert _selected(after) == _selected(before)
    district = next(lst for lst in after.outcome["lists"] if lst["key"] == "district")
    row = next(r for r in district["projects"] if r["id"] == str(s.d.id))
    assert row["hidden"] is True
    assert row["title"] != "Cycle lanes"
    publish_results(after, s.checker)
    page = client.get(f"/cycles/{s.cycle.slug}/results").get_data(as_text=True)
    assert "Cycle lanes" not in page
    assert PLACEHOLDER in page
    german = client.get(
        f"/cycles/{s.cycle.slug}/results", headers={"Accept-Language": "de"}
    ).get_data(as_text=True)
    assert "Text von der Moderation ausgeblendet" in german
    export = client.get(f"/cycles/{s.cycle.slug}/results/ballots.pb?area=district")
    assert "Cycle lanes" not in export.get_data(as_text=True)


def test_area_officer_previews_only_their_areas_of_an_unpublished_count(client, db, counted):
    s = counted
    version = run_count(s.cycle, s.counter)
    login_as(client, create_user("officer", officer_areas=(s.home,)))
    page = client.get(f"/officer/cycles/{s.cycle.slug}/results/{version.version}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Playground" in html  # their own area
    assert "Skate park" not in html  # another area's list
    assert "Cycle lanes" not in html  # the district-wide list
    login_as(client, create_user("officer", officer_areas=(s.other,)))
    html = client.get(f"/officer/cycles/{s.cycle.slug}/results/1").get_data(as_text=True)
    assert "Playground" not in html
    assert "Skate park" in html
    publish_results(version, s.checker)
    html = client.get(f"/officer/cycles/{s.cycle.slug}/results/1").get_data(as_text=True)
    assert "Playground" in html  # once published, everyone sees everything


def _choices_of(db, proposal):
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(BallotChoice)
        .where(BallotChoice.proposal_id == proposal.id)
    )


def test_withdrawal_after_the_close_needs_two_officers_and_is_stated_in_the_count(
    client, db, counted
):
    from pbplatform.moderation.withdrawal import confirm_withdrawal, propose_withdrawal

    s = counted
    first, second = create_user("officer"), create_user("officer")
    # (Area-limited officers are refused on district-wide items: tests/moderation/test_insiders)
    with pytest.raises(DomainError):
        propose_withdrawal(s.d, first, "   ")  # a reason is required
    propose_withdrawal(s.d, first, "The land is not available")
    assert s.d.status == "approved"  # one officer alone changes nothing
    with pytest.raises(DomainError) as same:
        confirm_withdrawal(s.d, first)
    assert same.value.code == "four_eyes"
    confirm_withdrawal(s.d, second)
    assert s.d.status == "withdrawn"
    assert _choices_of(db, s.d) == 2  # its votes stay stored
    version = run_count(s.cycle, s.counter)
    district = next(lst for lst in version.outcome["lists"] if lst["key"] == "district")
    assert str(s.d.id) not in {r["id"] for r in district["projects"]}
    [line] = district["withdrawn"]
    assert line["tracking_number"] == s.d.tracking_number
    assert line["reason"] == "The land is not available"
    assert line["ballots"] == 2
    publish_results(version, s.checker)
    page = client.get(f"/cycles/{s.cycle.slug}/results").get_data(as_text=True)
    assert "The land is not available" in page
    assert s.d.tracking_number in page
    assert "withdrawn" in page.lower()
