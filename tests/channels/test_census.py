"""Census check: peppered hashes only, verify once per entry, minimum age, all-or-nothing."""

from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa

from pbplatform.channels.census import check_eligibility
from pbplatform.channels.models import CensusEntry
from pbplatform.errors import DomainError
from tests.factories import login_as

ADULT = "1980-04-02"


def _upload(client, cycle, text):
    return client.post(
        f"/admin/census/{cycle.slug}",
        data={"file": (io.BytesIO(text.encode()), "register.csv")},
        content_type="multipart/form-data",
    )


def _register(client, cycle, admin, young_born):
    login_as(client, admin)
    r = _upload(
        client,
        cycle,
        f"identifier,birth_date,postcode\nID-1,{ADULT},10315\nID-2,{young_born},10317\n",
    )
    assert r.status_code == 302, r.data


def _young() -> str:
    t = date.today()
    return date(t.year - 10, 1, 1).isoformat()


def test_upload_stores_hashes_only(client, db, make_cycle, make_user):
    cycle = make_cycle("voting", vote_policy="census", min_age=16)
    _register(client, cycle, make_user("admin"), _young())
    entries = list(db.session.scalars(sa.select(CensusEntry)))
    assert len(entries) == 2
    for e in entries:
        assert len(e.entry_hash) == 64
        assert "ID-" not in e.entry_hash
    adult = [e for e in entries if e.adult_from is None]
    assert len(adult) == 1  # no date of any kind is kept for the adult


def test_bad_row_rejects_whole_register(client, db, make_cycle, make_user):
    cycle = make_cycle("voting", vote_policy="census")
    login_as(client, make_user("admin"))
    r = _upload(client, cycle, "identifier,birth_date,postcode\nA,1990-01-01,1\nB,notadate,2\n")
    assert r.status_code == 422
    assert b"row 3:" in r.data
    assert db.session.scalar(sa.select(sa.func.count(CensusEntry.id))) == 0


def test_verify_then_second_account_refused(client, db, make_cycle, make_user):
    cycle = make_cycle("voting", vote_policy="census", min_age=16)
    _register(client, cycle, make_user("admin"), _young())
    first, second = make_user("resident"), make_user("resident")
    with pytest.raises(DomainError):
        check_eligibility(cycle, first)  # not verified yet
    login_as(client, first)
    r = client.post(
        f"/cycles/{cycle.slug}/verify",
        data={"identifier": " id-1 ", "birth_date": ADULT, "postcode": "10315"},
    )
    assert r.status_code == 302
    check_eligibility(cycle, first)  # no exception: verified and of age
    login_as(client, second)
    r = client.post(
        f"/cycles/{cycle.slug}/verify",
        data={"identifier": "ID-1", "birth_date": ADULT, "postcode": "10315"},
    )
    assert r.status_code == 409
    assert b"another account" in r.data
    r = client.post(
        f"/cycles/{cycle.slug}/verify",
        data={"identifier": "ID-1", "birth_date": "1980-04-03", "postcode": "10315"},
    )
    assert r.status_code == 422
    with pytest.raises(DomainError) as refused:
        check_eligibility(cycle, second)
    assert refused.value.code == "not_verified"


def test_under_age_refused(client, db, make_cycle, make_user):
    cycle = make_cycle("voting", vote_policy="census", min_age=16)
    young = _young()
    _register(client, cycle, make_user("admin"), young)
    resident = make_user("resident")
    login_as(client, resident)
    r = client.post(
        f"/cycles/{cycle.slug}/verify",
        data={"identifier": "ID-2", "birth_date": young, "postcode": "10317"},
    )
    assert r.status_code == 403
    assert b"minimum age" in r.data
    entry = db.session.scalars(
        sa.select(CensusEntry).where(CensusEntry.adult_from.is_not(None))
    ).one()
    assert entry.user_id is None
    # checked again at cast time: an entry linked earlier but not of age is refused
    entry.user_id = resident.id
    db.session.flush()
    with pytest.raises(DomainError) as refused:
        check_eligibility(cycle, resident)
    assert refused.value.code == "under_age"
