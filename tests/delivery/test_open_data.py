"""The open-data zip: built at publication and by a job after delivery changes, served as
stored, hashes in its manifest, formula-safe, nothing personal (issue 15 item 6)."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from decimal import Decimal

import sqlalchemy as sa

from pbplatform.api.schema import Validator
from pbplatform.coproduction import services as coproduction
from pbplatform.delivery.models import OpenDataRelease
from pbplatform.extensions import db
from pbplatform.jobs.models import Job
from tests.delivery.test_delivery import _milestone, _record
from tests.factories import create_user, login_as

EXPECTED = {
    "proposals.csv",
    "proposals.json",
    "proposals.schema.json",
    "results.csv",
    "decisions.csv",
    "milestones.csv",
    "offers.csv",
    "manifest.json",
}


def _zip(client, slug):
    response = client.get(f"/cycles/{slug}/open-data.zip")
    assert response.status_code == 200, response.status_code
    assert response.mimetype == "application/zip"
    return response, zipfile.ZipFile(io.BytesIO(response.data))


def test_built_at_publication_with_every_file_and_matching_hashes(client, funded):
    s = funded
    response, archive = _zip(client, s.cycle.slug)
    names = set(archive.namelist())
    assert names >= EXPECTED
    assert {f"ballots/{key}.pb" for key in ("district", f"area-{s.home.id}")} <= names
    manifest = json.loads(archive.read("manifest.json"))
    listed = {f["name"]: f["sha256"] for f in manifest["files"]}
    assert set(listed) == names - {"manifest.json"}
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    assert manifest["published_versions"] == [
        {
            "version": s.version.version,
            "content_hash": s.version.content_hash,
            "published_at": s.version.published_at.isoformat(),
            "audit_head": f"{s.version.audit_head_id}:{s.version.audit_head_hash}",
        }
    ]
    # The ballots are the bytes stored at publication (results.files), as the results serve.
    stored = client.get(f"/cycles/{s.cycle.slug}/results/ballots.pb?area=district")
    assert archive.read("ballots/district.pb") == stored.data
    # Results: every list's ranking with per-channel scores.
    rows = list(csv.DictReader(io.StringIO(archive.read("results.csv").decode())))
    playground = next(r for r in rows if r["tracking_number"] == s.a.tracking_number)
    assert (playground["selected"], playground["score_online"]) == ("yes", "3")
    assert archive.read("decisions.csv").decode().startswith("tracking_number,list,decision")
    # Served as stored: ETag is its SHA-256, a repeat gets 304.
    assert response.headers["ETag"] == f'"{hashlib.sha256(response.data).hexdigest()}"'
    again = client.get(
        f"/cycles/{s.cycle.slug}/open-data.zip", headers={"If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304
    # A release number beyond the database's integers is simply not found (was 503).
    for huge in ("2147483648", "99999999999999999999", "-99999999999999999999", "0"):
        missing = client.get(f"/cycles/{s.cycle.slug}/open-data.zip?release={huge}")
        assert missing.status_code == 404, huge


def test_proposals_json_follows_its_schema(client, funded):
    s = funded
    _response, archive = _zip(client, s.cycle.slug)
    records = json.loads(archive.read("proposals.json"))
    schema = json.loads(archive.read("proposals.schema.json"))
    assert Validator().errors(records, schema) == []
    assert Validator().errors([{"tracking_number": 1}], schema) != []
    by_number = {r["tracking_number"]: r for r in records}
    assert by_number[s.a.tracking_number]["outcome"]["outcome"] == "funded"
    assert by_number[s.b.tracking_number]["outcome"]["outcome"] == "not_funded"
    assert by_number[s.a.tracking_number]["decision"] is None


def test_open_data_outcomes_are_the_decisions_features(app, client, funded):
    """Every proposal's outcome in the zip is the one the proposal pages show
    (decisions.queries.outcomes_in): one reading of the published count."""
    from pbplatform.decisions.queries import outcomes_in

    s = funded
    _response, archive = _zip(client, s.cycle.slug)
    records = json.loads(archive.read("proposals.json"))
    with app.test_request_context():
        outcomes = outcomes_in(s.cycle)
    assert len(outcomes) == len(records) == 6
    for record in records:
        o = outcomes[record["tracking_number"]]
        assert record["outcome"] == {
            "outcome": str(o.status),
            "list": o.list_key,
            "rank": o.rank,
            "score": o.score,
            "channel_scores": o.channel_scores,
        }


def test_delivery_changes_rebuild_it_as_a_job_not_per_request(client, funded):
    s = funded
    first = db.session.scalar(sa.select(sa.func.max(OpenDataRelease.number)))
    for _ in range(3):
        client.get(f"/cycles/{s.cycle.slug}/open-data.zip")
    assert db.session.scalar(sa.select(sa.func.max(OpenDataRelease.number))) == first
    login_as(client, s.officer)
    _record(client, s.a)
    _milestone(client, s.a, text="Benches ordered.")
    jobs = db.session.scalars(sa.select(Job).where(Job.kind == "open_data")).all()
    assert [j.status for j in jobs] == ["done", "done"]
    _response, archive = _zip(client, s.cycle.slug)
    milestones = archive.read("milestones.csv").decode()
    assert "Benches ordered." in milestones
    proposals = list(csv.DictReader(io.StringIO(archive.read("proposals.csv").decode())))
    row = next(r for r in proposals if r["tracking_number"] == s.a.tracking_number)
    assert (row["delivery_status"], row["delivery_progress"]) == ("in_progress", "40")


def test_cells_are_formula_safe(client, funded):
    s = funded
    s.a.title = '=HYPERLINK("http://evil.example","click")'
    s.c.title = "+1+2"
    db.session.flush()
    login_as(client, s.officer)
    _milestone(client, s.a, text="@SUM(1,2) delivered")
    _response, archive = _zip(client, s.cycle.slug)
    for name in ("proposals.csv", "milestones.csv", "offers.csv"):
        for row in csv.reader(io.StringIO(archive.read(name).decode())):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
    text = archive.read("proposals.csv").decode()
    assert "'=HYPERLINK" in text
    assert "'+1+2" in text
    assert "'@SUM(1,2) delivered" in archive.read("milestones.csv").decode()


def test_nothing_personal_in_the_zip(client, funded):
    s = funded
    author = create_user("resident", email="ada.author@example.org", name="Ada Author")
    s.a.author = author
    s.c.contact_name, s.c.contact_details = "Carl Contact", "carl@phone.example 0301234"
    helper = create_user("resident", email="hal.helper@example.org", name="Hal Helper")
    offer = coproduction.make_offer(
        by=helper,
        proposal=s.a,
        kind="volunteer_hours",
        quantity=Decimal(10),
        unit=None,
        description="Hal will paint the benches, call 0176-555",
    )
    db.session.flush()
    login_as(client, s.officer)
    _milestone(client, s.a)  # rebuilds with the offer in
    _response, archive = _zip(client, s.cycle.slug)
    everything = b"".join(archive.read(n) for n in archive.namelist()).decode()
    assert str(offer.id) in archive.read("offers.csv").decode()
    for personal in (
        "Ada Author",
        "ada.author@example.org",
        "Carl Contact",
        "carl@phone.example",
        "Hal Helper",
        "hal.helper@example.org",
        "0176-555",
        s.officer.display_name,
        s.officer.email,
        s.counter.display_name,
        s.checker.email,
    ):
        assert personal not in everything, personal


def test_links_from_results_and_report(client, funded):
    s = funded
    results = client.get(f"/cycles/{s.cycle.slug}/results").get_data(as_text=True)
    assert f"/cycles/{s.cycle.slug}/open-data.zip" in results
    assert f"/cycles/{s.cycle.slug}/report" in results
    report = client.get(f"/cycles/{s.cycle.slug}/report").get_data(as_text=True)
    assert f"/cycles/{s.cycle.slug}/open-data.zip" in report


def test_command_builds_a_new_release(runner, funded):
    s = funded
    before = db.session.scalar(sa.select(sa.func.max(OpenDataRelease.number)))
    result = runner.invoke(args=["pb", "open-data", s.cycle.slug])
    assert result.exit_code == 0, result.output
    assert f"open data release {before + 1} of {s.cycle.slug}" in result.output
    assert runner.invoke(args=["pb", "open-data", "no-such-cycle"]).exit_code != 0


def test_an_offer_delivered_during_delivery_rebuilds_the_open_data(client, funded):
    s = funded
    helper = create_user("resident", area=s.home)
    offer = coproduction.make_offer(
        by=helper,
        proposal=s.a,
        kind="volunteer_hours",
        quantity=Decimal(5),
        unit=None,
        description="Painting",
    )
    coproduction.accept_offer(offer, s.officer, value_minor=125_00, basis="5 hours at 25")
    db.session.flush()
    login_as(client, s.officer)
    prefix = f"offer{offer.id}"
    response = client.post(
        f"/officer/offers/{offer.id}/deliveries",
        data={
            f"{prefix}-delivered_on": "2026-11-01",
            f"{prefix}-description": "Painted",
            f"{prefix}-quantity": "5",
        },
    )
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Job.id)).where(Job.kind == "open_data")) == 1
    _response, archive = _zip(client, s.cycle.slug)
    rows = list(csv.DictReader(io.StringIO(archive.read("offers.csv").decode())))
    [row] = [r for r in rows if r["offer"] == str(offer.id)]
    assert (row["status"], row["delivered_value_minor"]) == ("fulfilled", "12500")
