"""Issue 13.2: each list opens with a summary (budget, funded, left, ballots per channel with
their weight) and an SVG chart with a text alternative; turnout agrees with the lists."""

from __future__ import annotations

import re

from pbplatform.results.services import publish_results, run_count
from tests.results.test_exact_recount import _add_codes_and_meeting


def _page(client, db, counted, lang="en"):
    _add_codes_and_meeting(db, counted)
    publish_results(run_count(counted.cycle, counted.counter), counted.checker)
    return client.get(
        f"/cycles/{counted.cycle.slug}/results", headers={"Accept-Language": lang}
    ).get_data(as_text=True)


def test_turnout_is_the_lists_ballots_valid_and_invalid(client, db, counted):
    text = _page(client, db, counted)
    # The fixture: 4 online ballots at home and 1 in the other area; 1 paper, 1 invalid paper.
    assert "Paper ballots: 2 ballots (1 valid, 1 invalid; weight × 1)" in text
    assert "Online: 5 ballots (5 valid, 0 invalid; weight × 1)" in text
    assert "Voting codes: 3 ballots (3 valid, 0 invalid; weight × 2)" in text
    assert "Meetings (totals): attendance 30 (weight × 0.5)" in text
    assert "Turnout is the number of ballots received in each channel" in text


def test_each_list_has_a_summary_and_a_chart(client, db, counted):
    text = _page(client, db, counted)
    home = text[text.index(f'id="list-area-{counted.home.id}"') :]
    home = home[: home.index("</section>")]
    assert "Budget</dt><dd>€100,000.00" in home
    assert "Left</dt>" in home
    assert re.search(r"Voting codes</th>\s*<td class=\"num\">3</td>", home)
    svg = home[home.index('<svg class="chart"') : home.index("</svg>")]
    assert 'role="img"' in svg
    assert "<title" in svg
    assert "<desc" in svg
    assert svg.count('fill-opacity="0.35"') >= 1  # unfunded bars drawn differently
    assert "Tree avenue" in svg
    assert 'class="funded"' in home
    assert 'class="unfunded"' in home
    assert "raw, " in home  # per-channel numbers labelled raw and weighted
    assert "Score (weighted)" in home


def test_german_page(client, db, counted):
    text = _page(client, db, counted, lang="de")
    assert "Übrig" in text
    assert "Gewicht × 0,5" in text
    assert "Punktzahl (gewichtet)" in text


def test_the_publication_day_reads_in_the_readers_language(client, db, counted):
    """The version line and the versions table gave the day as ISO in every language."""
    import sqlalchemy as sa
    from babel.dates import get_timezone

    from pbplatform.results.models import ResultVersion

    _page(client, db, counted)
    published = db.session.scalar(sa.select(ResultVersion.published_at))
    zone = get_timezone(client.application.config["BABEL_DEFAULT_TIMEZONE"])
    d = published.astimezone(zone).date()
    for lang, day in (("en", f"{d:%b} {d.day}, {d.year}"), ("de", f"{d:%d.%m.%Y}")):
        html = client.get(
            f"/cycles/{counted.cycle.slug}/results", headers={"Accept-Language": lang}
        ).get_data(as_text=True)
        text = re.sub(r"<[^>]+>", "", html)  # what is read, not <time datetime="…">
        assert f"{'published' if lang == 'en' else 'veröffentlicht'} {day}" in text
        assert published.date().isoformat() not in text


def test_each_lists_download_link_names_its_list(client, db, counted):
    """Six links read 'Download the anonymous ballots (Pabulib) to recount' alike: a screen
    reader's list of links could not tell which list each one downloads (the walk of
    2026-12-07). Each link's text now ends with its list's name, hidden from sight only."""
    _page(client, db, counted)  # counts and publishes
    for lang, district in (("en", "District-wide"), ("de", "Bezirksweit")):
        html = client.get(
            f"/cycles/{counted.cycle.slug}/results", headers={"Accept-Language": lang}
        ).get_data(as_text=True)
        links = re.findall(r'<a href="[^"]*ballots\.pb[^"]*">(.*?)</a>', html)
        names = [re.sub(r"<[^>]+>", "", link).split(":")[-1].strip() for link in links]
        assert len(links) >= 2
        assert len(set(links)) == len(links), links  # no two links read alike
        assert district in names, names
        assert counted.home.name in names, names
