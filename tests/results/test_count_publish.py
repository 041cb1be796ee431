"""Count, four-eyes publication, public results, versions and the immutable published record."""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa

from pbplatform.audit.models import AuditEntry
from pbplatform.errors import DomainError
from pbplatform.results.models import ResultVersion
from pbplatform.results.services import content_hash, publish_results, run_count
from tests.factories import create_user, login_as


def _versions(db, cycle):
    return db.session.scalars(
        sa.select(ResultVersion)
        .where(ResultVersion.cycle_id == cycle.id)
        .order_by(ResultVersion.version)
    ).all()


def _lists(version):
    return {lst["key"]: lst for lst in version.outcome["lists"]}


def test_greedy_count_per_area_and_district(db, counted):
    s = counted
    version = run_count(s.cycle, s.counter)
    home = _lists(version)[f"area-{s.home.id}"]
    assert home["name"] == "Fennpfuhl"
    assert home["tally"]["selected"] == [str(s.a.id), str(s.c.id)]  # B skipped: did not fit
    assert (home["budget"], home["spent"], home["left"]) == (100_000_00, 90_000_00, 10_000_00)
    rows = {r["id"]: r for r in home["projects"]}
    assert [r["id"] for r in home["projects"]] == [str(s.a.id), str(s.b.id), str(s.c.id)]
    assert rows[str(s.a.id)]["score"] == 3
    assert rows[str(s.a.id)]["running_total"] == 60_000_00
    assert rows[str(s.b.id)]["selected"] is False
    assert rows[str(s.b.id)]["running_total"] is None
    assert rows[str(s.b.id)]["channel_scores"] == {"online": 1, "paper": 1}
    assert rows[str(s.c.id)]["running_total"] == 90_000_00
    assert rows[str(s.b.id)]["reason"] == "did_not_fit"
    assert (rows[str(s.a.id)]["gross"], rows[str(s.a.id)]["net"]) == (60_000_00, 60_000_00)
    assert home["ballots_per_channel"] == {"online": 4, "paper": 1}
    assert home["invalid_per_channel"] == {"paper": 1}
    district = _lists(version)["district"]
    assert district["ballots_per_channel"] == {"online": 5, "paper": 1}
    assert {r["id"]: r["score"] for r in district["projects"]} == {str(s.d.id): 2, str(s.e.id): 1}
    assert version.outcome["turnout"] == {"online": 5, "paper": 1}
    assert version.config["rule"] == "greedy"
    assert version.config["seed"] == "lichtenberg-2026"
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "results.count"))


def test_content_hash_is_sha256_of_canonical_json(db, counted):
    version = run_count(counted.cycle, counted.counter)
    db.session.expire_all()
    stored = db.session.get(ResultVersion, version.id)
    canonical = json.dumps(
        {"config": stored.config, "outcome": stored.outcome},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert stored.content_hash == hashlib.sha256(canonical.encode()).hexdigest()
    assert content_hash(stored.config, stored.outcome) == stored.content_hash


def test_count_needs_voting_closed(db, counted):
    counted.cycle.phase = "voting"
    db.session.flush()
    with pytest.raises(DomainError) as err:
        run_count(counted.cycle, counted.counter)
    assert err.value.code == "not_counting"
    assert _versions(db, counted.cycle) == []


def test_publication_needs_a_second_officer(client, db, counted):
    s = counted
    login_as(client, s.counter)
    assert client.post(f"/officer/cycles/{s.cycle.slug}/count").status_code == 303
    (version,) = _versions(db, s.cycle)
    refused = client.post(f"/officer/cycles/{s.cycle.slug}/results/1/publish")
    assert refused.status_code == 403
    assert "A second officer must publish" in refused.get_data(as_text=True)
    db.session.refresh(version)
    assert not version.is_published
    denial = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "results.publish")
    ).one()
    assert denial.outcome == "refused"
    assert denial.actor_id == s.counter.id

    login_as(client, s.checker)
    assert client.post(f"/officer/cycles/{s.cycle.slug}/results/1/publish").status_code == 303
    db.session.refresh(version)
    assert version.is_published
    assert version.published_by_id == s.checker.id
    ok = db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "results.publish", AuditEntry.outcome == "ok"
        )
    ).one()
    assert ok.after["content_hash"] == version.content_hash
    # Published means published: a second publication is refused.
    with pytest.raises(DomainError) as err:
        publish_results(version, create_user("admin"))
    assert err.value.code == "already_published"


def test_unpublished_results_are_invisible_to_the_public(client, db, counted):
    s = counted
    version = run_count(s.cycle, s.counter)
    url = f"/cycles/{s.cycle.slug}/results"
    for user in (None, s.resident):
        if user is not None:
            login_as(client, user)
        page = client.get(url)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert "Results will be published after the count" in text
        for leak in ("Playground", "Benches", version.content_hash, "Funded"):
            assert leak not in text
        assert client.get(f"{url}?version=1").status_code == 404
        assert client.get(f"{url}/ballots.pb").status_code == 404
        assert s.cycle.name not in client.get("/results").get_data(as_text=True)
    assert client.get(f"/officer/cycles/{s.cycle.slug}/results/1").status_code == 403
    assert client.get(f"/officer/cycles/{s.cycle.slug}/count").status_code == 403
    # Officers preview the unpublished version, clearly marked.
    login_as(client, s.checker)
    preview = client.get(f"/officer/cycles/{s.cycle.slug}/results/1")
    assert preview.status_code == 200
    assert "is NOT published" in preview.get_data(as_text=True)
    assert "Playground" in preview.get_data(as_text=True)


def test_published_results_page(client, db, counted):
    s = counted
    version = run_count(s.cycle, s.counter)
    publish_results(version, s.checker)
    page = client.get(f"/cycles/{s.cycle.slug}/results")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for expected in (
        "Playground",
        "Tree avenue",
        "Benches",
        "Fennpfuhl",
        "District-wide",
        version.content_hash,
        "lichtenberg-2026",
        "greedy",
        "Left</dt><dd>€10,000.00",
        "€90,000.00",
        "did not fit",
    ):
        assert expected in text, expected
    table = text[text.index("Ranked projects") :]
    assert table.index("Playground") < table.index("Tree avenue") < table.index("Benches")
    assert s.cycle.name in client.get("/results").get_data(as_text=True)


def test_recount_is_a_new_version_and_history_stays(client, db, counted):
    s = counted
    first = run_count(s.cycle, s.counter)
    publish_results(first, s.checker)
    second = run_count(s.cycle, s.counter)
    assert second.version == 2
    assert not second.is_published
    assert second.content_hash == first.content_hash  # same ballots, same rule: same result
    text = client.get(f"/cycles/{s.cycle.slug}/results").get_data(as_text=True)
    assert "version=1" in text
    assert "version=2" not in text
    with pytest.raises(DomainError) as err:  # an older version cannot be published any more
        publish_results(first, s.checker)
    assert err.value.code in ("already_published", "superseded")
    publish_results(second, s.checker)
    text = client.get(f"/cycles/{s.cycle.slug}/results").get_data(as_text=True)
    assert "version=1" in text
    assert "version=2" in text
    assert client.get(f"/cycles/{s.cycle.slug}/results?version=1").status_code == 200


def test_published_version_is_immutable(db, counted):
    version = run_count(counted.cycle, counted.counter)
    publish_results(version, counted.checker)
    version.outcome = {"lists": []}
    with pytest.raises(ValueError, match="published"):
        db.session.flush()


def test_area_limited_officers_look_but_do_not_count_or_publish(client, db, counted, make_user):
    s = counted
    limited = make_user("officer", officer_areas=(s.home,))
    version = run_count(s.cycle, s.counter)
    login_as(client, limited)
    page = client.get(f"/officer/cycles/{s.cycle.slug}/count")
    assert page.status_code == 200
    assert version.content_hash in page.get_data(as_text=True)
    assert client.post(f"/officer/cycles/{s.cycle.slug}/count").status_code == 403
    assert client.post(f"/officer/cycles/{s.cycle.slug}/results/1/publish").status_code == 403
    assert len(_versions(db, s.cycle)) == 1
    db.session.refresh(version)
    assert not version.is_published


def test_the_count_page_says_its_head_count_is_of_people_not_ballots(client, db, counted):
    """'Turnout so far: Paper ballots 12' stood beside results counting 22 paper ballots: the
    figure is the one-vote register's (people marked as having voted), and now says so."""
    login_as(client, counted.counter)
    for lang, said in (
        ("en", "People recorded as having voted so far (the one-vote register"),
        ("de", "Bisher als abgestimmt erfasste Personen (das Register gegen doppelte"),
    ):
        page = client.get(
            f"/officer/cycles/{counted.cycle.slug}/count", headers={"Accept-Language": lang}
        ).get_data(as_text=True)
        assert said in page
        assert "Turnout so far" not in page
        assert "Beteiligung bisher" not in page
