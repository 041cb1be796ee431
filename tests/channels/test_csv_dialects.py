"""CSV imports read what Excel writes: comma or semicolon (German Excel's default), UTF-8 with
or without a byte order mark; a refused header names the real problem."""

from __future__ import annotations

import io
import re

import pytest
import sqlalchemy as sa

from pbplatform.ballotbox.models import SealedBallot
from pbplatform.channels.models import CensusEntry, VotingSite
from tests.factories import login_as

BOM = "\ufeff"


def _scene(make_cycle, make_proposal, make_user, checks_voters=False):
    from pbplatform.extensions import db

    cycle = make_cycle("voting", area_budget=100_000_00)
    area = cycle.areas[0].area
    props = [make_proposal(cycle, area=area, cost=10_000_00) for _ in range(2)]
    site = VotingSite(
        cycle_id=cycle.id,
        area_id=area.id,
        name="School",
        address="Main St 1",
        checks_voters=checks_voters,
    )
    db.session.add(site)
    db.session.flush()
    return cycle, area, props, make_user("officer"), site


def _import(client, cycle, site, text: str):
    return client.post(
        f"/officer/paper/{cycle.slug}/sites/{site.id}/import",
        data={"file": (io.BytesIO(text.encode("utf-8")), "ballots.csv")},
        content_type="multipart/form-data",
    )


def _ballots(db, cycle):
    """Ballots stored for the cycle: sealed while voting is open (pbplatform.ballotbox)."""
    return db.session.scalar(
        sa.select(sa.func.count())
        .select_from(SealedBallot)
        .where(SealedBallot.cycle_id == cycle.id)
    )


@pytest.mark.parametrize(
    ("separator", "bom", "newline"),
    [(",", "", "\n"), (";", "", "\n"), (";", BOM, "\r\n"), (",", BOM, "\r\n")],
    ids=["comma", "semicolon", "semicolon-bom-crlf", "comma-bom-crlf"],
)
def test_paper_import_reads_comma_and_semicolon_with_or_without_bom(
    client, db, make_cycle, make_proposal, make_user, separator, bom, newline
):
    cycle, area, (p1, p2), officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    both = f'"{p1.tracking_number};{p2.tracking_number}"'  # quoted: it holds the separator
    rows = [
        separator.join(["serial", "area_code", "choices"]),
        separator.join(["S-1", area.code, p1.tracking_number]),
        separator.join(["S-2", area.code, both]),
    ]
    response = _import(client, cycle, site, bom + newline.join(rows) + newline)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert _ballots(db, cycle) == 2


def test_a_header_in_one_column_names_the_separator_not_voter_ref(
    client, db, make_cycle, make_proposal, make_user
):
    cycle, area, (p1, _p2), officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    response = _import(client, cycle, site, f"serial\tarea_code\tchoices\nS-1\t{area.code}\tX\n")
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "is one column; separate the columns serial, area_code, choices" in text
    errors = re.search(r'<div class="error" role="alert">.*?</div>', text, re.S).group(0)
    assert "voter_ref" not in errors  # the old message blamed a column nobody needs here
    assert _ballots(db, cycle) == 0


def test_a_missing_column_is_named_alone(client, db, make_cycle, make_proposal, make_user):
    cycle, area, (p1, _p2), officer, site = _scene(make_cycle, make_proposal, make_user)
    login_as(client, officer)
    response = _import(client, cycle, site, f"serial;choices\nS-1;{p1.tracking_number}\n")
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "row 1: required column missing: area_code" in text
    assert "unknown column" not in text


def test_census_register_reads_semicolons_and_bom(client, db, make_cycle, make_user):
    cycle = make_cycle("voting", vote_policy="census")
    login_as(client, make_user("admin"))
    text = BOM + "identifier;birth_date;postcode\r\nID-1;1980-04-02;10315\r\n"
    response = client.post(
        f"/admin/census/{cycle.slug}",
        data={"file": (io.BytesIO(text.encode()), "register.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CensusEntry)) == 1
