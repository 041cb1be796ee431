"""schemathesis against /api/v1/openapi.json, in process (issue 4's acceptance criterion).

The document is loaded from the Flask app through schemathesis' WSGI loader and every
operation is fuzzed (positive and negative data) on a real scene: a cycle in voting with
proposals, one collecting proposals, a published results cycle and a resident with an API
token. Path parameters and ballot proposal ids are drawn partly from the scene so the calls
reach real rows, not only 404s. Checks: no server error, and status code, content type,
body and headers as documented. `positive_data_acceptance` is left out: valid input can
rightly be refused (409 already_voted, 422 over_budget, ...).

All calls of a test share the `db` fixture's rolled-back transaction; each call runs in a
fresh context like `IsolatedClient`, so it gets its own session, `g` and login state.
"""

from __future__ import annotations

import contextvars
import os
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from pbplatform.api.openapi import openapi_document
from pbplatform.extensions import db as _db
from pbplatform.surveys.models import AllocationUnit, QuestionKind
from pbplatform.surveys.services import ItemInput, QuestionInput, create_survey
from tests.api.conftest import bearer
from tests.factories import create_decided_proposal

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


def isolated(app: Flask) -> Any:
    """The app as a WSGI callable that handles each request in a fresh context."""

    def wsgi(environ: dict[str, Any], start_response: Any) -> Any:
        return contextvars.Context().run(app, environ, start_response)

    return wsgi


@pytest.fixture
def st_scene(make_cycle, make_proposal, make_user, make_token) -> dict[str, Any]:
    voting = make_cycle("voting", areas=2)
    area = voting.areas[0].area
    proposals = [
        make_proposal(voting, area=area),
        make_proposal(voting, area=None),
        make_proposal(voting, area=area, kind="saving"),
    ]
    collecting = make_cycle("proposals", areas=1)  # submissions can succeed (201 + Location)
    done = make_cycle("results", areas=1)
    # A proposal with an outcome and a confirmed council decision (issue 15): both documented.
    decided = create_decided_proposal(done)
    _db.session.flush()
    resident = make_user(area=area)
    open_survey = create_survey(  # survey operations meet a real survey half the time
        None,
        [
            QuestionInput(
                kind=QuestionKind.ALLOCATION,
                text="Spread",
                unit=AllocationUnit.POINTS,
                total=Decimal(100),
                items=[ItemInput("A"), ItemInput("B")],
            )
        ],
        title="Schemathesis survey",
        hide_results_until_close=False,
    )
    return {
        "survey_id": [open_survey.id],
        "slug": [voting.slug, collecting.slug, done.slug],
        "tracking_number": [p.tracking_number for p in [*proposals, decided]],
        "proposal_ids": [p.id for p in proposals],
        "area_ids": [area.id],
        "token": make_token(resident),
    }


@pytest.fixture
def api_schema(app, db, st_scene):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", isolated(app))

    @schema.hook
    def flatmap_path_parameters(context, path_parameters):  # noqa: ANN001
        """Half the time a real slug / tracking number from the scene instead of noise."""
        if not path_parameters:
            return st.just(path_parameters)
        real = {
            name: st.sampled_from(st_scene[name]) for name in path_parameters if name in st_scene
        }
        return st.one_of(
            st.just(path_parameters),
            st.fixed_dictionaries({**{k: st.just(v) for k, v in path_parameters.items()}, **real}),
        )

    @schema.hook
    def flatmap_body(context, body):  # noqa: ANN001
        """Ballots: often with the scene's proposal ids, so the rule checks run and one casts."""
        selections = body.get("selections") if isinstance(body, dict) else None
        if not isinstance(selections, list) or not all(isinstance(s, dict) for s in selections):
            return st.just(body)
        real_ids = st.lists(
            st.sampled_from(st_scene["proposal_ids"]),
            min_size=len(selections),
            max_size=len(selections),
        )
        plain = st.sampled_from(st_scene["proposal_ids"]).map(  # a valid ballot: 201 once
            lambda i: {"selections": [{"proposal_id": i}]}
        )
        return st.one_of(
            st.just(body),
            plain,
            real_ids.map(
                lambda ids: {
                    **body,
                    "selections": [
                        {**s, "proposal_id": i} for s, i in zip(selections, ids, strict=True)
                    ],
                }
            ),
        )

    return schema


OPERATIONS = [
    (method.upper(), path) for path, item in openapi_document()["paths"].items() for method in item
]
# Per operation and mode; the default keeps the file well under a minute and deterministic.
# A deeper, random run: PBP_SCHEMATHESIS_EXAMPLES=500 pytest tests/api/test_schemathesis.py
EXAMPLES = int(os.environ.get("PBP_SCHEMATHESIS_EXAMPLES", "20"))


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_operation_conforms_to_the_document(api_schema, st_scene, method, path, mode):
    # schemathesis.pytest.from_fixture does not run under pytest 9 (it sets Item._nodeid),
    # so the operations are driven through their hypothesis strategies directly.
    operation = api_schema[path][method]
    headers = {"Authorization": f"Bearer {st_scene['token']}"}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize="PBP_SCHEMATHESIS_EXAMPLES" not in os.environ,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, hooks=api_schema.hooks))
    def run(case):  # noqa: ANN001
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


# Regressions schemathesis found, pinned as plain requests.


def test_huge_points_are_a_validation_error_not_a_server_error(client, st_scene):
    # 1e26 % 0.01 needs more than decimal's default 28 digits: it raised InvalidOperation.
    slug = st_scene["slug"][0]
    response = client.post(
        f"/api/v1/cycles/{slug}/ballot",
        headers=bearer(st_scene["token"]),
        json={"selections": [{"proposal_id": st_scene["proposal_ids"][0], "points": 1e26}]},
    )
    assert response.status_code == 422
    assert response.get_json()["code"] == "validation_error"


def test_integral_json_numbers_are_integers(client, st_scene):
    # JSON Schema counts 1.0 as an integer, so the document promised it; the API refused it.
    slug, pid = st_scene["slug"][0], st_scene["proposal_ids"][0]
    response = client.post(
        f"/api/v1/cycles/{slug}/ballot",
        headers=bearer(st_scene["token"]),
        data=f'{{"selections": [{{"proposal_id": {pid}.0}}]}}',
        content_type="application/json",
    )
    assert response.status_code == 201, response.get_json()


def test_points_and_stance_together_are_refused_as_documented(client, st_scene):
    # The document allowed both; the API refused them: now the schema says `not` both.
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["components"]["schemas"]["BallotSelection"]["not"] == {
        "required": ["points", "stance"]
    }
    slug, pid = st_scene["slug"][0], st_scene["proposal_ids"][0]
    response = client.post(
        f"/api/v1/cycles/{slug}/ballot",
        headers=bearer(st_scene["token"]),
        json={"selections": [{"proposal_id": pid, "points": 1, "stance": 1}]},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "selections[0]", "message": "must not give points and stance together"}
    ]
