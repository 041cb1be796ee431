"""Refused review forms keep what the officer typed and mark the field in error; merging asks
for confirmation on a page that says what will happen."""

from __future__ import annotations

import re

from tests.factories import login_as
from tests.proposals.helpers import audit_entries, fresh


def _scene(make_cycle, make_user, make_proposal):
    cycle = make_cycle("review")
    area = cycle.areas[0].area
    officer = make_user("officer", officer_areas=(area,))
    proposal = make_proposal(cycle, area=area, status="pending", cost=3500_00)
    return cycle, area, officer, proposal


def test_refused_approval_keeps_the_typed_cost_and_marks_the_field(
    client, make_cycle, make_user, make_proposal
):
    _, _, officer, proposal = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    response = client.post(
        f"/officer/proposals/{proposal.tracking_number}/approve",
        data={"officer_cost": "4200", "feasibility": "", "impact_statement": "kept too"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<input[^>]*id="officer_cost"[^>]*value="4200', html)
    assert 'value="3500' not in html  # not reset to the proposer's estimate
    assert "kept too" in html
    textarea = re.search(r"<textarea[^>]*id=\"feasibility\"[^>]*>", html).group(0)
    assert 'aria-invalid="true"' in textarea
    assert 'aria-describedby="feasibility-error"' in textarea
    assert re.search(r'<p class="error" id="feasibility-error">This field is required.</p>', html)
    summary = re.search(r'<div class="error-summary".*?</div>', html, re.S).group(0)
    assert 'role="alert"' in summary
    assert '<a href="#feasibility">Feasibility statement: This field is required.</a>' in summary
    assert 'id="officer_cost" aria-invalid' not in html  # only the field in error is marked
    assert fresh(proposal).status == "pending"


def test_merge_shows_what_will_happen_before_it_acts(client, make_cycle, make_user, make_proposal):
    cycle, area, officer, target = _scene(make_cycle, make_user, make_proposal)
    dup = make_proposal(cycle, area=area, status="pending", title="Trees please")
    login_as(client, officer)
    review = client.get(f"/officer/proposals/{target.tracking_number}").get_data(as_text=True)
    merge_form = re.search(r'<form method="get" action="[^"]*/merge"', review)
    assert merge_form, "the merge form leads to the confirmation page"
    page = client.get(
        f"/officer/proposals/{target.tracking_number}/merge",
        query_string={"originals": dup.tracking_number},
    )
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert f"{dup.tracking_number} “Trees please” is merged into {target.tracking_number}" in text
    assert "This cannot be undone." in text
    assert fresh(dup).status == "pending"  # the page changed nothing
    assert f'name="originals" value="{dup.tracking_number}"' in text
    assert (
        client.post(
            f"/officer/proposals/{target.tracking_number}/merge",
            data={"originals": dup.tracking_number},
        ).status_code
        == 303
    )
    assert fresh(dup).status == "merged"
    assert len(audit_entries("proposal.merged")) == 1


def test_merge_confirmation_refuses_unknown_numbers_beside_the_field(
    client, make_cycle, make_user, make_proposal
):
    _, _, officer, target = _scene(make_cycle, make_user, make_proposal)
    login_as(client, officer)
    page = client.get(
        f"/officer/proposals/{target.tracking_number}/merge",
        query_string={"originals": "NO-SUCH-9"},
    )
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert 'id="originals-error">There is no proposal NO-SUCH-9.' in html
    assert 'value="NO-SUCH-9"' in html
