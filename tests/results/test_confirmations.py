"""Counting and publishing are reached through pages that say what will happen; the count
page has no button that acts on one click."""

from __future__ import annotations

import re

import sqlalchemy as sa

from pbplatform.results.models import ResultVersion
from tests.factories import login_as


def _versions(db, cycle):
    return db.session.scalars(
        sa.select(ResultVersion).where(ResultVersion.cycle_id == cycle.id)
    ).all()


def test_count_and_publish_ask_for_confirmation(client, db, counted):
    s = counted
    slug = s.cycle.slug
    login_as(client, s.counter)
    manage = client.get(f"/officer/cycles/{slug}/count").get_data(as_text=True)
    assert f'href="/officer/cycles/{slug}/count/confirm"' in manage
    assert not re.search(rf'<form method="post" action="/officer/cycles/{slug}/count"', manage)
    page = client.get(f"/officer/cycles/{slug}/count/confirm")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "stored as version 1" in text
    assert "a second officer must check and publish it" in text
    assert f'action="/officer/cycles/{slug}/count"' in text
    assert _versions(db, s.cycle) == []  # looking changed nothing
    assert client.post(f"/officer/cycles/{slug}/count").status_code == 303

    login_as(client, s.checker)
    manage = client.get(f"/officer/cycles/{slug}/count").get_data(as_text=True)
    assert f'href="/officer/cycles/{slug}/results/1/publish"' in manage
    assert f'action="/officer/cycles/{slug}/results/1/publish"' not in manage
    page = client.get(f"/officer/cycles/{slug}/results/1/publish")
    text = page.get_data(as_text=True)
    (version,) = _versions(db, s.cycle)
    assert version.content_hash[:12] in text
    assert "A published version can never be changed" in text
    assert f'action="/officer/cycles/{slug}/results/1/publish"' in text
    db.session.refresh(version)
    assert not version.is_published
    assert client.post(f"/officer/cycles/{slug}/results/1/publish").status_code == 303
    db.session.refresh(version)
    assert version.is_published
