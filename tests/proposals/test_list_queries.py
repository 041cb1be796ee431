"""The proposals list's statements do not grow with the number of areas (issue 17: it once
issued one `areas` query per area) nor with the proposals on the page."""

from __future__ import annotations

from tests.factories import create_cycle, create_proposal
from tests.results.test_results_day import statements


def _listed(db, client, areas: int, per_area: int) -> list[str]:
    cycle = create_cycle("voting", areas=areas)
    for link in cycle.areas:
        for _ in range(per_area):
            create_proposal(cycle, area=link.area)
    create_proposal(cycle, area=None)
    db.session.flush()
    url = f"/proposals?cycle={cycle.slug}"
    assert client.get(url).status_code == 200  # warm: per-process caches filled
    with statements() as seen:
        page = client.get(url)
    assert page.status_code == 200
    assert page.get_data(as_text=True).count(cycle.areas[-1].area.name) >= 1
    return seen


def test_the_statements_do_not_grow_with_areas(db, client):
    few = _listed(db, client, areas=2, per_area=2)
    many = _listed(db, client, areas=9, per_area=2)
    assert len(many) == len(few), (few, many)
    per_area_lookups = [s for s in many if "FROM areas" in s and "areas.id =" in s]
    assert per_area_lookups == []


def test_the_statements_do_not_grow_with_proposals(db, client):
    few = _listed(db, client, areas=3, per_area=1)
    many = _listed(db, client, areas=3, per_area=6)
    assert len(many) == len(few), (few, many)
