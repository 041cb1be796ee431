"""Recording and confirming a decision through the HTTP stack."""

from __future__ import annotations

from flask import Flask

from tests.factories import login_as


def record(app: Flask, officer, cycle, list_key: str, entries: dict, *, session="2026-11-20"):
    """Start (or open) the draft for `list_key`, save the session, then each entry
    {tracking_number: {"status": ..., "reason": ..., "amount": ..., "changes": ...}}."""
    client = app.test_client()
    login_as(client, officer)
    base = f"/officer/cycles/{cycle.slug}/decisions/{list_key}"
    r = client.post(f"{base}/start")
    assert r.status_code == 303, r.status_code
    r = client.post(
        f"{base}/draft",
        data={"session_date": session, "minutes_url": "https://bvv.example.org/minutes/42"},
    )
    assert r.status_code == 303, r.get_data(as_text=True)
    for number, fields in entries.items():
        data = {f"{number}-{k}": v for k, v in fields.items()}
        r = client.post(f"{base}/draft/{number}", data=data, follow_redirects=True)
        assert "is saved" in r.get_data(as_text=True), r.get_data(as_text=True)
    return client


def confirm(app: Flask, officer, cycle, list_key: str):
    client = app.test_client()
    login_as(client, officer)
    return client.post(f"/officer/cycles/{cycle.slug}/decisions/{list_key}/confirm")
