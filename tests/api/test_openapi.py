"""The OpenAPI document is complete and the API answers as it says.

Stands in for schemathesis (not installed): every documented GET is called on a real scene
and its status, content type and body are checked against the document; random bodies and
query strings (hypothesis) never give a server error or an undocumented answer.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbplatform.api.schema import Validator
from pbplatform.extensions import db as _db
from tests.api.conftest import bearer
from tests.factories import create_published_version


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def scene(make_cycle, make_proposal, make_user, make_token) -> dict[str, Any]:
    voting = make_cycle("voting", areas=2)
    area = voting.areas[0].area
    proposals = [
        make_proposal(voting, area=area),
        make_proposal(voting, area=None),
        make_proposal(voting, area=area, kind="saving"),
    ]
    done = make_cycle("results", areas=1)
    create_published_version(done, 1, {"rule": "greedy"}, {"lists": []})
    _db.session.flush()
    user = make_user(area=area)
    return {
        "slugs": [voting.slug, done.slug, "no-such-cycle"],
        "tracking_numbers": [p.tracking_number for p in proposals] + ["XX-0000-0000"],
        "token": make_token(user),
        "voting": voting,
        "proposals": proposals,
    }


def check_response(document: dict[str, Any], operation: dict[str, Any], response) -> None:
    """Status documented, content type documented, body valid against the documented schema."""
    responses = operation["responses"]
    key = str(response.status_code)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert key in responses or (response.status_code >= 400 and "default" in responses), key
    spec = responses.get(key, responses.get("default"))
    media, _, _ = response.headers["Content-Type"].partition(";")
    assert media in spec["content"], (key, media)
    body = response.get_json(force=True)
    errors = Validator(document, strict_integers=False).errors(
        body, spec["content"][media]["schema"]
    )
    assert not errors, (response.request.path, key, errors)


def expand(path: str, scene: dict[str, Any]) -> list[str]:
    if "{slug}" in path:
        return [path.replace("{slug}", s) for s in scene["slugs"]]
    if "{tracking_number}" in path:
        return [path.replace("{tracking_number}", t) for t in scene["tracking_numbers"]]
    return [path]


def test_document_is_openapi_31_and_refs_resolve(document):
    assert document["openapi"] == "3.1.0"
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    text = json.dumps(document)
    for ref in set(re.findall(r'"\$ref": "#/([^"]+)"', text)):
        node = document
        for part in ref.split("/"):
            node = node[part]
    ops = [op for item in document["paths"].values() for op in item.values()]
    assert len({op["operationId"] for op in ops}) == len(ops)
    for op in ops:
        assert "default" in op["responses"] or "4XX" in op["responses"]


def test_document_covers_every_api_route(app, document):
    documented = {
        (m.upper(), "/api/v1" + re.sub(r"\{(\w+)\}", r"<\1>", p))
        for p, item in document["paths"].items()
        for m in item
    }
    routed = {
        (m, r.rule)
        for r in app.url_map.iter_rules()
        if r.rule.startswith("/api/v1/") and r.endpoint != "api.openapi"
        for m in r.methods - {"HEAD", "OPTIONS"}
    }
    assert documented == routed


def test_every_documented_get_answers_as_documented(client, document, scene):
    called = 0
    for path, item in document["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        for url in expand("/api/v1" + path, scene):
            headers = bearer(scene["token"]) if op["security"] else {}
            check_response(document, op, client.get(url, headers=headers))
            called += 1
            if op["security"]:
                check_response(document, op, client.get(url))
            for param in op.get("parameters", []):
                if param["in"] == "query":
                    check_response(document, op, client.get(f"{url}?{param['name']}=%00"))
    assert called >= 15


def test_write_answers_are_documented(client, document, scene):
    cycle, token = scene["voting"], scene["token"]
    ballot = document["paths"]["/cycles/{slug}/ballot"]["post"]
    submit = document["paths"]["/cycles/{slug}/proposals"]["post"]
    url = f"/api/v1/cycles/{cycle.slug}/ballot"
    pid = scene["proposals"][0].id
    for body, headers in [
        ({"selections": [{"proposal_id": pid}]}, {}),
        ({"selections": [{"proposal_id": pid}]}, bearer(token)),
        ({"selections": "x"}, bearer(token)),
        ({"selections": [{"proposal_id": pid}]}, bearer(token)),
    ]:
        check_response(document, ballot, client.post(url, json=body, headers=headers))
    check_response(document, ballot, client.post(url, data="x", headers=bearer(token)))
    check_response(
        document,
        submit,
        client.post(
            f"/api/v1/cycles/{cycle.slug}/proposals",
            json={"title": "T", "description": "D"},
            headers=bearer(token),
        ),
    )


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63)
    | st.floats(allow_nan=False)
    | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
SELECTION = st.fixed_dictionaries(
    {"proposal_id": st.integers(-5, 2**32)},
    optional={
        "points": st.one_of(st.integers(-3, 10), st.floats(-1, 10, allow_nan=False)),
        "stance": st.integers(-2, 2),
    },
)
BALLOT = st.fixed_dictionaries(
    {"selections": st.lists(SELECTION, max_size=6)},
    optional={"area_id": st.none() | st.integers(-1, 2**31)},
)
PROPOSAL = st.fixed_dictionaries(
    {"title": st.text(max_size=170), "description": st.text(max_size=50)},
    optional={
        "estimated_cost": st.integers(-10, 10**14),
        "kind": st.sampled_from(["spending", "saving", "x"]),
        "category": st.text(max_size=10),
        "area_id": st.none() | st.integers(-1, 2**31),
        "savings_per_year": st.none() | st.integers(-1, 10**14),
        "location": st.none() | st.text(max_size=20),
    },
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(body=st.one_of(BALLOT, JSON))
def test_fuzzed_ballots_never_break_the_contract(client, document, scene, body):
    op = document["paths"]["/cycles/{slug}/ballot"]["post"]
    response = client.post(
        f"/api/v1/cycles/{scene['voting'].slug}/ballot",
        data=json.dumps(body),
        content_type="application/json",
        headers=bearer(scene["token"]),
    )
    check_response(document, op, response)


@FUZZ
@given(body=st.one_of(PROPOSAL, JSON))
def test_fuzzed_proposals_never_break_the_contract(client, document, scene, body):
    op = document["paths"]["/cycles/{slug}/proposals"]["post"]
    response = client.post(
        f"/api/v1/cycles/{scene['voting'].slug}/proposals",
        data=json.dumps(body),
        content_type="application/json",
        headers=bearer(scene["token"]),
    )
    check_response(document, op, response)


QUERY = st.dictionaries(
    st.sampled_from(["page", "per_page", "area", "kind", "category", "sort", "q", "x"]),
    st.text(max_size=15) | st.integers(-(2**40), 2**40).map(str),
    max_size=4,
)


@FUZZ
@given(query=QUERY)
def test_fuzzed_query_strings_never_break_the_contract(client, document, scene, query):
    from urllib.parse import urlencode

    op = document["paths"]["/cycles/{slug}/proposals"]["get"]
    url = f"/api/v1/cycles/{scene['voting'].slug}/proposals?{urlencode(query)}"
    check_response(document, op, client.get(url))
