"""The SQL an API cast runs, pinned statement by statement (issue 17 item 4).

A cast used to run 17 statements, 21 with an Idempotency-Key (token, its user, the cycle twice,
its phases and areas, proposals and their costs apart, savepoints, the ballot-box key), then 6;
casting ten times faster rests on this list staying short, so a new query on the hot path has
to be added here on purpose.
"""

from __future__ import annotations

import re

import pytest

from pbplatform.ballotbox import keys
from tests.api.conftest import bearer
from tests.api.test_writes import post

# The test's own transaction wraps each request in a savepoint: not the app's statements.
HARNESS = re.compile(r"^(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b")


def shape(statement: str) -> str:
    """'SELECT api_tokens', 'INSERT participations', 'UPDATE api_tokens': verb and first table
    (of the statement itself, not of a subquery)."""
    words = " ".join(statement.split())
    while (flat := re.sub(r"\([^()]*\)", "", words)) != words:
        words = flat
    verb = words.split(" ", 1)[0]
    if verb == "SELECT":
        table = re.search(r"\bFROM (\w+)", words)
    elif verb == "INSERT":
        table = re.search(r"^INSERT INTO (\w+)", words)
    else:
        table = re.search(r"^\w+ (\w+)", words)
    return f"{verb} {table.group(1) if table else '?'}"


def app_statements(seen: list[str]) -> list[str]:
    return [shape(s) for s in seen if not HARNESS.match(s)]


CAST = [
    "SELECT api_tokens",  # token, its owner and the owner's census key, one statement
    "SELECT cycles",  # FOR SHARE, with its phase dates, ballot-box key and the voter's area
    "SELECT proposals",  # the chosen proposals with their net costs
    "INSERT participations",  # ON CONFLICT DO NOTHING: no savepoint
    "INSERT sealed_ballots",
]


@pytest.fixture
def voting(make_cycle, make_user, make_token, make_proposal):
    cycle = make_cycle("voting", areas=2, area_budget=100_00, district_budget=100_00)
    area = cycle.areas[0].area
    user = make_user(area=area)
    cheap = make_proposal(cycle, area=area, cost=60_00)
    return cycle, user, make_token(user), cheap, None


@pytest.fixture
def used_token(client, voting):
    """A token already used today: its last_used_on is current."""
    cycle, user, token, cheap, other = voting
    keys.public_key(cycle)  # recorded by the cycle's first ballot: done
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200
    return cycle, token, cheap


def test_a_cast_runs_five_statements(client, used_token, statements):
    cycle, token, cheap = used_token
    statements.clear()
    url = f"/api/v1/cycles/{cycle.slug}/ballot"
    response = post(client, url, token, {"selections": [{"proposal_id": cheap.id}]})
    assert response.status_code == 201, response.get_json()
    assert app_statements(statements) == CAST


def test_an_idempotency_key_adds_one_read_and_one_insert(client, used_token, statements):
    cycle, token, cheap = used_token
    statements.clear()
    url = f"/api/v1/cycles/{cycle.slug}/ballot"
    body = {"selections": [{"proposal_id": cheap.id}]}
    response = post(client, url, token, body, **{"Idempotency-Key": "one"})
    assert response.status_code == 201, response.get_json()
    assert app_statements(statements) == [
        *CAST[:2],
        "SELECT api_idempotency_keys",
        *CAST[2:],
        "INSERT api_idempotency_keys",  # ON CONFLICT DO NOTHING: no savepoint
    ]


def test_the_first_use_of_a_day_records_it_once(client, voting, statements):
    cycle, _user, token, cheap, _other = voting
    keys.public_key(cycle)
    statements.clear()
    url = f"/api/v1/cycles/{cycle.slug}/ballot"
    response = post(client, url, token, {"selections": [{"proposal_id": cheap.id}]})
    assert response.status_code == 201, response.get_json()
    assert app_statements(statements) == [CAST[0], "UPDATE api_tokens", *CAST[1:]]
    statements.clear()
    again = post(client, url, token, {"selections": [{"proposal_id": cheap.id}]})
    assert again.status_code == 409
    assert "UPDATE api_tokens" not in app_statements(statements)
