"""The ballot's running total: the server recalculates it on "Update total" (no JavaScript),
keeps the choices, stores nothing, and marks a list that is over its budget."""

from __future__ import annotations

import re

from tests.factories import login_as

from .conftest import count_rows


def _line(html: str, key: str) -> str:
    return re.search(rf'<p data-total-section="{key}".*?</p>', html, re.S).group(0)


def test_update_total_recalculates_on_the_server(client, db, scene):
    login_as(client, scene.resident)
    url = f"/cycles/{scene.cycle.slug}/ballot"
    first = client.get(url).get_data(as_text=True)
    assert "€0.00" in _line(first, "area")
    assert 'src="/static/ballot-total.js"' in first
    assert "<script>" not in first  # no inline script (CSP)
    body = {
        f"p-{scene.a60.id}": "1",
        f"p-{scene.a70.id}": "1",
        f"p-{scene.d40.id}": "1",
        "step": "total",
    }
    page = client.post(f"{url}/review", data=body)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    area, district = _line(html, "area"), _line(html, "district")
    assert "€130,000.00" in area
    assert "of €100,000.00" in area
    assert re.search(r'class="over" data-total-over\s*>', area)  # 130,000 > 100,000: shown
    assert "€40,000.00" in district
    assert re.search(r'class="over" data-total-over\s+hidden', district)
    assert re.search(rf'id="p-{scene.a60.id}"[^>]*checked', html)  # choices kept
    assert not re.search(rf'id="p-{scene.a30.id}"[^>]*checked', html)
    assert "Check your ballot" not in html  # still the sheet, not the review
    assert count_rows(db) == (0, 0, 0)


def test_total_is_formatted_for_german_pages(client, db, scene):
    login_as(client, scene.resident)
    client.post("/language", data={"lang": "de", "next": "/"})
    html = client.post(
        f"/cycles/{scene.cycle.slug}/ballot/review",
        data={f"p-{scene.a60.id}": "1", "step": "total"},
    ).get_data(as_text=True)
    assert "60.000,00\xa0€" in _line(html, "area")
