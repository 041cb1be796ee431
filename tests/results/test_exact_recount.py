"""Issue 13.1: every list's published ballots file recounts, with no flags, to exactly the
published scores, per-channel scores, ranking, funded set and explanations, whatever channels
counted (meeting totals, voting codes weighted 2, paper ballots); `--check` says so, and a
tampered file fails it."""

from __future__ import annotations

import json
from datetime import date

import pytest

from pbplatform.channels.codes import generate_codes, redeem_code
from pbplatform.channels.meetings import confirm_meeting_counts, create_meeting, enter_counts
from pbplatform.results.services import publish_results, run_count
from pbplatform.tally.cli import main as tally_main
from tests.factories import create_user
from tests.sealed import unseal

WEIGHTS = {"online": "1", "paper": "1", "code": "2", "meeting": "0.5"}


def _add_codes_and_meeting(db, s):
    s.cycle.phase = "voting"
    s.cycle.channel_weights = WEIGHTS
    db.session.flush()
    _, codes = generate_codes(s.cycle, 3, "sample", area_id=s.home.id)
    for code, choice in zip(codes, ({s.c.id: 1}, {s.c.id: 1, s.e.id: 1}, {s.b.id: 1}), strict=True):
        redeem_code(s.cycle, code, choice, area_id=s.home.id)
    meeting = create_meeting(s.cycle, s.home.id, date(2026, 5, 4), "Community hall", 30)
    dots = {s.a.id: 11, s.b.id: 21, s.c.id: 7, s.d.id: 9}
    for officer in (create_user("officer"), create_user("officer")):
        enter_counts(meeting, officer, dots)
    assert confirm_meeting_counts(meeting) == []
    unseal(s.cycle)  # as closing voting does
    s.cycle.phase = "counting"
    db.session.flush()


def _download_all(client, s, tmp_path):
    files = {}
    for area, key in (
        (s.home.id, f"area-{s.home.id}"),
        (s.other.id, f"area-{s.other.id}"),
        ("district", "district"),
    ):
        response = client.get(f"/cycles/{s.cycle.slug}/results/ballots.pb?area={area}")
        assert response.status_code == 200
        path = tmp_path / f"{key}.pb"
        path.write_bytes(response.get_data())
        files[key] = path
    return files


def _run(capsys, *args):
    capsys.readouterr()
    code = tally_main(["tally", *map(str, args)])
    return code, capsys.readouterr()


@pytest.mark.parametrize("combination", ["raw", "normalized"])
def test_every_list_recounts_exactly_with_no_flags(
    client, db, counted, tmp_path, capsys, combination
):
    s = counted
    _add_codes_and_meeting(db, s)
    s.cycle.combination = combination
    db.session.flush()
    version = publish_results(run_count(s.cycle, s.counter), s.checker)
    published = {lst["key"]: lst for lst in version.outcome["lists"]}
    home = published[f"area-{s.home.id}"]
    assert home["tally"]["channels"] == ["code", "meeting", "online", "paper"]
    assert home["aggregate_channels"] == ["meeting"]
    for key, path in _download_all(client, s, tmp_path).items():
        code, out = _run(capsys, path, "--json")
        assert code == 0, out.err
        assert out.err == ""
        recount = json.loads(out.out)
        assert recount == published[key]["tally"], key  # scores, channels, ranks, explanations
        assert [p["id"] for p in recount["projects"]] == [
            p["id"] for p in published[key]["projects"]
        ]
        code, out = _run(capsys, path, "--check")
        assert code == 0
        assert out.out.strip() == "reproduced", out


def test_table_shows_names_money_and_channels(client, db, counted, tmp_path, capsys):
    s = counted
    _add_codes_and_meeting(db, s)
    publish_results(run_count(s.cycle, s.counter), s.checker)
    path = _download_all(client, s, tmp_path)[f"area-{s.home.id}"]
    code, out = _run(capsys, path)
    assert code == 0
    assert "Tree avenue" in out.out
    assert "EUR 50,000.00" in out.out  # not 5000000 cents
    header = next(line for line in out.out.splitlines() if line.strip().startswith("rank"))
    for channel in ("code", "meeting", "online", "paper"):
        assert channel in header


def test_a_tampered_file_fails_the_check(client, db, counted, tmp_path, capsys):
    s = counted
    _add_codes_and_meeting(db, s)
    publish_results(run_count(s.cycle, s.counter), s.checker)
    path = _download_all(client, s, tmp_path)[f"area-{s.home.id}"]
    text = path.read_text(encoding="utf-8")
    # One more meeting dot for the tree avenue: the recount no longer gives the published list.
    tampered = text.replace(f"meeting:{s.b.id}:21:30", f"meeting:{s.b.id}:41:30")
    assert tampered != text
    path.write_text(tampered, encoding="utf-8")
    code, out = _run(capsys, path, "--check")
    assert code == 1
    assert out.out.startswith("differs:")
    assert f"project {s.b.id}" in out.out
    assert "NOT REPRODUCED" in out.err
    # Without --check the command still says so, loudly.
    code, out = _run(capsys, path)
    assert "NOT REPRODUCED" in out.err


def test_a_file_whose_recorded_outcome_was_edited_fails(client, db, counted, tmp_path, capsys):
    s = counted
    publish_results(run_count(s.cycle, s.counter), s.checker)
    path = _download_all(client, s, tmp_path)[f"area-{s.home.id}"]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('""spent"":', '""spent"":1', 1), encoding="utf-8")
    code, out = _run(capsys, path, "--check")
    assert code == 1
    assert "published_outcome_sha256" in out.out


def test_formula_titles_are_neutralised_in_the_export(client, db, counted, tmp_path):
    s = counted
    s.b.title = '=HYPERLINK("http://evil.example","x")'
    s.c.title = "@SUM(A1)"
    db.session.flush()
    publish_results(run_count(s.cycle, s.counter), s.checker)
    text = _download_all(client, s, tmp_path)[f"area-{s.home.id}"].read_text(encoding="utf-8")
    projects = text.split("PROJECTS")[1].split("VOTES")[0]
    for line in projects.splitlines()[2:]:
        name = line.split(";", 2)[2].lstrip('"')
        assert not name.startswith(("=", "+", "-", "@")), line
    assert "'@SUM(A1)" in projects


def test_the_export_stays_a_pabulib_file_for_other_tools(client, db, counted, tmp_path):
    """pabutools (the reference implementation) reads it: our keys are plain META entries."""
    from pabutools.election import parse_pabulib

    s = counted
    _add_codes_and_meeting(db, s)
    publish_results(run_count(s.cycle, s.counter), s.checker)
    path = _download_all(client, s, tmp_path)[f"area-{s.home.id}"]
    instance, profile = parse_pabulib(str(path))
    assert len(instance) == 3
    assert len(profile) == 8  # 4 online, 1 paper, 3 code ballots; meeting dots in META
    assert "aggregate_scores" in instance.meta
