"""The accountability report's statements do not grow with the number of deliverables (it
once read the published version once per funded proposal)."""

from __future__ import annotations

from pbplatform.results.services import publish_results, run_count
from pbplatform.voting.services import cast_ballot
from tests.delivery.test_report import _figure
from tests.factories import create_area, create_cycle, create_proposal, create_user
from tests.sealed import unseal
from tests.statements import statements


def _published_with(db, funded: int):
    """A cycle in its results phase whose published count funds `funded` proposals."""
    home = create_area()
    cycle = create_cycle("voting", areas=[home], area_budget=100_000_00, district_budget=0)
    chosen = [create_proposal(cycle, area=home, cost=1_000_00) for _ in range(funded)]
    cast_ballot(cycle, f"test:{cycle.slug}", {p.id: 1 for p in chosen}, area_id=home.id)
    unseal(cycle)
    cycle.phase = "counting"
    counter = create_user("officer")
    publish_results(run_count(cycle, counter), create_user("admin"))
    cycle.phase = "results"
    db.session.flush()
    return cycle


def _report(db, client, funded: int) -> list[str]:
    cycle = _published_with(db, funded)
    url = f"/cycles/{cycle.slug}/report"
    assert client.get(url).status_code == 200  # warm: per-process caches filled
    with statements() as seen:
        page = client.get(url)
    assert page.status_code == 200
    assert _figure(page.get_data(as_text=True), "adopted") == str(funded)
    return seen


def test_the_report_statements_do_not_grow_with_deliverables(db, client):
    few = _report(db, client, funded=2)
    many = _report(db, client, funded=8)
    assert len(many) == len(few), (len(few), len(many), many)
    per_row = [s for s in many if "FROM result_versions" in s]
    assert len(per_row) <= 1, "\n".join(many)
