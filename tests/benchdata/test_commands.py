"""`flask pb bench-data` and `flask pb api-token`: what bench/web.py builds its runs on."""

from __future__ import annotations

import sqlalchemy as sa

from pbplatform.api.models import ApiToken
from pbplatform.audit.models import AuditEntry
from pbplatform.cycles.models import Cycle
from pbplatform.results.models import ResultVersion
from pbplatform.voting.models import Ballot, Participation
from tests.factories import create_user


def _invoke(runner, *args: str) -> str:
    result = runner.invoke(args=["pb", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_bench_data_builds_a_voting_cycle_and_publishes_it(runner, client, db, tmp_path):
    tokens = tmp_path / "tokens.txt"
    _invoke(
        runner,
        "bench-data",
        "--areas", "3",
        "--proposals", "20",
        "--ballots", "300",
        "--token-voters", "4",
        "--tokens-file", str(tokens),
    )  # fmt: skip
    cycle = db.session.scalars(sa.select(Cycle).where(Cycle.slug == "bench")).one()
    assert cycle.phase == "voting"
    assert len(cycle.areas) == 3
    count = db.session.scalar(sa.select(sa.func.count()).where(Ballot.cycle_id == cycle.id))
    voted = db.session.scalar(sa.select(sa.func.count()).where(Participation.cycle_id == cycle.id))
    assert count == voted == 300
    lines = tokens.read_text().split()
    assert len(lines) == 4
    # each token is a voter who has not voted yet: the API casts for them
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {lines[0]}"})
    assert me.status_code == 200
    # a second bench in the same database is refused, with the reason
    again = runner.invoke(args=["pb", "bench-data", "--ballots", "1"])
    assert again.exit_code != 0
    assert "exists" in again.output

    assert "published" in _invoke(runner, "bench-data", "--publish")
    db.session.expire_all()
    version = db.session.scalars(
        sa.select(ResultVersion).where(ResultVersion.cycle_id == cycle.id)
    ).one()
    assert version.published_at is not None
    district = next(lst for lst in version.outcome["lists"] if lst["key"] == "district")
    assert sum(district["ballots_per_channel"].values()) == 300


def test_api_token_prints_a_working_token_and_is_audited(runner, client, db):
    user = create_user("resident", email="Someone@Example.org")
    plaintext = _invoke(runner, "api-token", "someone@example.org", "--name", "script").strip()
    assert plaintext.startswith("pbp_")
    token = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert token.name == "script"
    assert plaintext not in token.token_hash
    assert db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == "api_token.created")
    )
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {plaintext}"})
    assert me.status_code == 200


def test_api_token_for_an_unknown_account_says_so(runner, db):
    result = runner.invoke(args=["pb", "api-token", "nobody@example.org"])
    assert result.exit_code != 0
    assert "no account" in result.output
