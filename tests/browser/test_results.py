"""Journey 4: the published funding list, and the notice before publication."""

from __future__ import annotations

import pytest

from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.services import cast_ballot
from tests.browser.helpers import assert_accessible, committed, log_in, screenshot, unique
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.sealed import unseal

pytestmark = pytest.mark.browser


def _counted_cycle(live_app, *, publish: bool):
    """Five ballots in one area (budget 100,000), counted; published only if asked."""
    with committed(live_app):
        home = create_area(unique("Rummelsburg"))
        cycle = create_cycle(
            "voting",
            areas=[home],
            area_budget=100_000_00,
            district_budget=200_000_00,
            tie_seed="browser",
        )
        a = create_proposal(cycle, area=home, cost=60_000_00, title=unique("Playground"))
        b = create_proposal(cycle, area=home, cost=50_000_00, title=unique("Tree avenue"))
        c = create_proposal(cycle, area=home, cost=30_000_00, title=unique("Benches"))
        d = create_proposal(cycle, area=None, cost=150_000_00, title=unique("Cycle lanes"))
        for n, choices in enumerate(
            ({a.id: 1, d.id: 1}, {a.id: 1}, {a.id: 1}, {b.id: 1, c.id: 1}, {b.id: 1})
        ):
            cast_ballot(cycle, f"browser:{cycle.slug}:{n}", choices, area_id=home.id)
        unseal(cycle)  # as the cycles feature does when voting closes
        cycle.phase = "counting"
        version = run_count(cycle, create_user("officer"))
        if publish:
            publish_results(version, create_user("admin"))
        resident = create_user("resident", area=home)
        return (cycle.slug, home.name, [a.title, b.title, c.title], d.title, resident.email)


def test_published_results_show_the_ranked_list(page, live_app, live_url):
    slug, area, (first, second, third), district, _ = _counted_cycle(live_app, publish=True)
    page.goto(f"{live_url}/results")
    assert_accessible(page)
    page.locator(f"a[href='/cycles/{slug}/results']").click()
    assert_accessible(page)
    screenshot(page, "results-desktop")

    section = page.locator("section", has=page.get_by_role("heading", name=area, exact=True))
    summary = section.locator("dl.figures").inner_text()
    for amount in ("Budget\n€100,000.00", "Funded\n€90,000.00", "Left\n€10,000.00"):
        assert amount in summary
    rows = section.locator("table.results tbody tr")
    cells = [rows.nth(i).locator("td").all_inner_texts() for i in range(rows.count())]
    # Rank, project, weighted score, net cost, funded: greedy by votes, skipping what no
    # longer fits. Funded rows are marked as such, not only by a word.
    assert [(r[0], r[1].split(" TC-")[0], r[2], r[-1]) for r in cells] == [
        ("1", first, "3", "Funded"),
        ("2", second, "2", "Not funded"),
        ("3", third, "1", "Funded"),
    ]
    assert [rows.nth(i).get_attribute("class") for i in range(3)] == [
        "funded",
        "unfunded",
        "funded",
    ]
    why = rows.nth(1).locator("details").text_content()
    assert "did not fit: €40,000.00 left" in why
    assert "Running total" in rows.nth(0).locator("details").text_content()
    header = section.locator("table.results thead").inner_text()
    assert "Score (weighted)" in header
    assert "Funded" in header
    district_section = page.locator(
        "section", has=page.get_by_role("heading", name="District-wide", exact=True)
    )
    assert district in district_section.inner_text()


def test_before_publication_residents_see_only_the_notice(page, live_app, live_url):
    slug, _, (first, *_), _, resident = _counted_cycle(live_app, publish=False)
    log_in(page, live_url, resident)
    page.goto(f"{live_url}/cycles/{slug}/results")
    assert_accessible(page)
    assert page.get_by_role("status").inner_text() == ("Results will be published after the count.")
    text = page.locator("main").inner_text()
    assert first not in text
    assert "Score" not in text
    assert "Funded" not in text
