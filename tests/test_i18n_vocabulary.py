"""No English left on German pages, including values that come from the database vocabulary
(phases, statuses, channels): every code has a translated label, and German pages show the
labels, German numbers (0,5) and German dates, never the raw codes."""

from __future__ import annotations

import re
from datetime import date

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

from pbplatform.channels.models import Meeting, MeetingStatus
from pbplatform.cycles.models import Phase
from pbplatform.templating import VOCABULARY
from tests.factories import login_as
from tests.test_i18n import PO

# Every vocabulary enum (pbplatform/vocabulary.py): each member's `label` is translated.
ENUMS = list(VOCABULARY.values())


@pytest.mark.parametrize("vocabulary", ENUMS, ids=lambda e: e.__name__)
def test_every_vocabulary_member_has_a_translated_label(app, vocabulary):
    with PO.open("rb") as f:
        catalogue = read_po(f, locale="de")
    for member in vocabulary:
        with app.test_request_context(), force_locale("en"):
            msgid = member.label
        entry = catalogue.get(msgid)
        assert entry is not None, f"{member!r}: {msgid!r} not in the catalogue"
        assert entry.string, f"{member!r}: {msgid!r} not translated"
        with app.test_request_context(), force_locale("de"):
            assert member.label == entry.string


def _german(client):
    client.post("/language", data={"lang": "de"})


def test_home_page_shows_german_phase_names(client, make_cycle):
    for phase in Phase.DRAFT.later:
        make_cycle(phase)
    _german(client)
    html = client.get("/").get_data(as_text=True)
    shown = re.findall(r"Phase: <strong>([^<]+)</strong>", html)
    assert sorted(shown) == sorted(
        ["Vorschläge", "Prüfung", "Abstimmung", "Auszählung", "Ergebnisse"]
    )


def test_german_meeting_list_has_no_english_status_and_german_dates(
    client, db, make_cycle, make_user
):
    cycle = make_cycle("voting")
    area = cycle.areas[0].area
    for status in MeetingStatus:
        db.session.add(
            Meeting(
                cycle_id=cycle.id,
                area_id=area.id,
                held_on=date(2026, 6, 1),
                place="Hall",
                status=status,
            )
        )
    db.session.flush()
    login_as(client, make_user("officer"))
    _german(client)
    html = client.get(f"/officer/meetings/{cycle.slug}").get_data(as_text=True)
    cells = re.findall(r"<td>([^<]*)</td></tr>", html)
    assert len(cells) == 3
    for english in ("confirmed", "needs_correction", "open"):
        assert english not in cells
    assert "bestätigt" in cells
    assert "01.06.2026" in html
    assert "2026-06-01" not in html


def test_german_cycle_page_writes_decimals_with_a_comma(client, make_cycle):
    cycle = make_cycle(
        "voting",
        ballot_rule="cumulative",
        points_total=5,
        max_points_per_project="2.5",
        channel_weights={"meeting": "0.5"},
    )
    _german(client)
    html = client.get(f"/cycles/{cycle.slug}").get_data(as_text=True)
    assert "0,5" in html
    assert "2,5" in html
    assert not re.search(r"\b0\.5\b|\b2\.5\b", html)
    assert "Phase: results" not in html


def test_every_labelled_enum_is_in_the_vocabulary(app):
    """A new StrEnum with a `label` joins the template globals (and so the test above)."""
    import enum
    import importlib
    import pkgutil

    import pbplatform

    labelled = set()
    for info in pkgutil.walk_packages(pbplatform.__path__, "pbplatform."):
        if not info.name.endswith(".models"):
            continue
        for obj in vars(importlib.import_module(info.name)).values():
            if isinstance(obj, type) and issubclass(obj, enum.StrEnum) and hasattr(obj, "label"):
                labelled.add(obj)
    assert labelled - set(VOCABULARY.values()) == set()
