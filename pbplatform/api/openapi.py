"""The OpenAPI 3.1 document of /api/v1, built from small helpers.

Request bodies and query parameters are validated against these same schemas
(`pbplatform.api.schema.Validator`), so what is published is what is enforced.
"""

from __future__ import annotations

from typing import Any

from pbplatform.cycles.models import BallotRule, Combination, Phase, VotePolicy
from pbplatform.decisions.models import DecisionStatus
from pbplatform.decisions.queries import OutcomeStatus
from pbplatform.delivery.models import DeliveryStatus
from pbplatform.discussion.models import CommentChannel
from pbplatform.notifications.models import NotificationKind
from pbplatform.proposals.models import ProposalCategory, ProposalKind, ProposalStatus
from pbplatform.surveys.models import AgeBand, AllocationUnit, Audience, OrgType, QuestionKind
from pbplatform.vocabulary import openapi_enum

INT32 = 2**31 - 1
MAX_MINOR = 10**13
PER_PAGE_MAX = 100
PAGE_MAX = 100_000
MAX_SELECTIONS = 500
# No control characters (single line), or none but tab and newlines (multi-line).
SINGLE_LINE = r"^[^\u0000-\u001f\u007f]*$"
MULTI_LINE = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]*$"
PROPOSAL_SORTS = (
    "tracking_number",
    "-tracking_number",
    "title",
    "-title",
    "submitted",
    "-submitted",
)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "type": [schema["type"], "null"]}


def obj(
    required: list[str], properties: dict[str, Any], *, closed: bool = True, **extra: Any
) -> dict[str, Any]:
    schema = {"type": "object", "required": required, "properties": properties, **extra}
    if closed:
        schema["additionalProperties"] = False
    return schema


INTEGER = {"type": "integer"}
MINOR = {"type": "integer", "minimum": 0, "description": "Money in minor units (cents)."}
STRING = {"type": "string"}
ID = {"type": "integer", "minimum": 1, "maximum": INT32}

SCHEMAS: dict[str, Any] = {
    "Problem": obj(
        ["type", "title", "status", "code"],
        {
            "type": STRING,
            "title": STRING,
            "status": {"type": "integer"},
            "code": {
                "type": "string",
                "description": "Stable machine-readable reason, e.g. "
                "over_budget, already_voted, voting_closed, validation_error, not_found, "
                "unauthorized, rate_limited, results_not_published.",
            },
            "detail": STRING,
            "errors": {
                "type": "array",
                "items": obj(
                    ["field", "message"], {"field": STRING, "message": STRING, "rule": STRING}
                ),
            },
            "limit": {"type": "number"},
            "total": {"type": "number"},
        },
        closed=False,
    ),
    "AreaRef": obj(["id", "name", "code"], {"id": INTEGER, "name": STRING, "code": STRING}),
    "AreaBudget": obj(
        ["id", "name", "code", "budget"],
        {"id": INTEGER, "name": STRING, "code": STRING, "budget": MINOR},
    ),
    "CycleSummary": obj(
        ["slug", "name", "phase", "currency", "ballot_rule"],
        {
            "slug": STRING,
            "name": STRING,
            "phase": openapi_enum(Phase),
            "currency": STRING,
            "ballot_rule": openapi_enum(BallotRule),
        },
    ),
    "Rules": obj(
        ["ballot_rule", "count_rule", "tie_break", "vote_policy", "rules_frozen"],
        {
            "ballot_rule": openapi_enum(BallotRule),
            "max_projects": nullable(INTEGER),
            "points_total": nullable({"type": "number"}),
            "max_points_per_project": nullable({"type": "number"}),
            "count_rule": STRING,
            "count_threshold": nullable({"type": "number"}),
            "count_top_n": nullable(INTEGER),
            "tie_break": STRING,
            "channel_weights": {"type": "object"},
            "combination": openapi_enum(Combination),
            "vote_policy": openapi_enum(VotePolicy),
            "min_age": nullable(INTEGER),
            "rules_frozen": {"type": "boolean"},
            "hourly_rate": MINOR,
            "coproduction_cap_pct": INTEGER,
            "savings_target": nullable(MINOR),
            "savings_share_pct": INTEGER,
        },
    ),
    "Cycle": obj(
        ["slug", "name", "phase", "currency", "ballot_rule", "budgets", "rules", "phases"],
        {
            "slug": STRING,
            "name": STRING,
            "phase": STRING,
            "currency": STRING,
            "ballot_rule": openapi_enum(BallotRule),
            "budgets": obj(
                ["district", "areas"],
                {"district": MINOR, "areas": {"type": "array", "items": ref("AreaBudget")}},
            ),
            "rules": ref("Rules"),
            "phases": {
                "type": "array",
                "items": obj(
                    ["phase", "starts_at"],
                    {"phase": STRING, "starts_at": {"type": "string", "format": "date-time"}},
                ),
            },
        },
    ),
    "Proposal": obj(
        [
            "id",
            "tracking_number",
            "cycle",
            "status",
            "kind",
            "title",
            "description",
            "category",
            "area",
            "gross_cost",
            "coproduction_value",
            "net_cost",
            "currency",
            "outcome",
            "decision",
        ],
        {
            "id": INTEGER,
            "tracking_number": STRING,
            "cycle": STRING,
            "status": openapi_enum(ProposalStatus),
            "kind": openapi_enum(ProposalKind),
            "title": STRING,
            "description": STRING,
            "category": openapi_enum(ProposalCategory),
            "location": nullable(STRING),
            "area": {"anyOf": [ref("AreaRef"), {"type": "null"}]},
            "gross_cost": {
                **MINOR,
                "description": "Officer's cost estimate (the proposer's "
                "before review), minor units.",
            },
            "coproduction_value": {
                **MINOR,
                "description": "Accepted co-production counted "
                "against the cost (within the cycle's cap), minor units.",
            },
            "net_cost": {
                **MINOR,
                "description": "gross_cost - coproduction_value, never below "
                "zero: what the public purse pays and the ballot check uses.",
            },
            "savings_per_year": nullable(MINOR),
            "currency": STRING,
            "submitted_on": {"type": "string", "format": "date"},
            "delivery": {
                "anyOf": [ref("Delivery"), {"type": "null"}],
                "description": "Delivery of a funded proposal; null until recorded.",
            },
            "outcome": {
                "anyOf": [ref("Outcome"), {"type": "null"}],
                "description": "Its line in the newest published count; null before.",
            },
            "decision": {
                "anyOf": [ref("Decision"), {"type": "null"}],
                "description": "The council's confirmed decision (newest version); null before.",
            },
            "timeline": {
                "type": "array",
                "items": obj(
                    ["at", "kind"],
                    {
                        "at": {"type": "string", "format": "date-time"},
                        "kind": STRING,
                        "note": nullable(STRING),
                    },
                ),
            },
        },
    ),
    "Delivery": obj(
        ["status", "progress", "milestones"],
        {
            "status": {"type": "string", "enum": [s.value for s in DeliveryStatus]},
            "progress": {"type": "integer", "minimum": 0, "maximum": 100},
            "milestones": {
                "type": "array",
                "items": obj(
                    ["date", "text"], {"date": {"type": "string", "format": "date"}, "text": STRING}
                ),
            },
        },
    ),
    "Outcome": obj(
        ["status", "funded", "conditional", "rank", "list", "score", "explanation"],
        {
            "status": {"type": "string", "enum": [str(o) for o in OutcomeStatus]},
            "funded": {"type": "boolean"},
            "conditional": {
                "type": "boolean",
                "description": "Funded thanks to co-production offers: conditional on them.",
            },
            "rank": {"type": "integer", "minimum": 1},
            "list": {**STRING, "description": "The count's list: district or area-<id>."},
            "list_name": {**nullable(STRING), "description": "The area's name; null: district."},
            "score": {"type": "number", "description": "Weighted score, all channels."},
            "channel_scores": {
                "type": "object",
                "additionalProperties": {"type": "number"},
                "description": "Weighted score per voting channel.",
            },
            "explanation": STRING,
            "cost": {**MINOR, "description": "The counted cost, minor units."},
            "version": {**INTEGER, "description": "The published count's version."},
        },
    ),
    "Decision": obj(
        ["status", "reason", "session_date", "version"],
        {
            "status": {"type": "string", "enum": [str(d) for d in DecisionStatus]},
            "amount": {**nullable(MINOR), "description": "Adopted amount where it changed."},
            "changes": nullable(STRING),
            "reason": nullable(STRING),
            "session_date": nullable({"type": "string", "format": "date"}),
            "minutes_url": nullable(STRING),
            "version": {**INTEGER, "description": "The decision's version (changes add one)."},
        },
    ),
    "Results": obj(
        ["cycle", "version", "content_hash", "outcome"],
        {
            "cycle": STRING,
            "version": INTEGER,
            "content_hash": STRING,
            "published_at": nullable({"type": "string", "format": "date-time"}),
            "audit_head": {
                **nullable(STRING),
                "description": "The audit log's newest entry at publication, ID:HASH; "
                "`flask pb audit verify --head ID:HASH` checks the log still holds it.",
            },
            "config": {"type": "object"},
            "outcome": {"type": "object"},
        },
    ),
    "Me": obj(
        ["id", "display_name", "home_area"],
        {
            "id": INTEGER,
            "display_name": STRING,
            "home_area": {"anyOf": [ref("AreaRef"), {"type": "null"}]},
        },
    ),
    "Comment": obj(
        ["id", "body", "channel", "official", "department", "parent_id", "hidden", "created_at"],
        {
            "id": INTEGER,
            "body": nullable(STRING),
            "author": nullable(STRING),
            "channel": {"type": "string", "enum": [c.value for c in CommentChannel]},
            "official": {"type": "boolean"},
            "department": nullable(STRING),
            "parent_id": nullable(INTEGER),
            "hidden": {"type": "boolean"},
            "hidden_reason": nullable(STRING),
            "created_at": {"type": "string", "format": "date-time"},
        },
    ),
    "CommentList": obj(
        ["items", "open"],
        {"items": {"type": "array", "items": ref("Comment")}, "open": {"type": "boolean"}},
    ),
    "CommentSubmission": obj(
        ["body"],
        {
            "body": {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": MULTI_LINE},
            "parent_id": nullable(ID),
        },
    ),
    "Notification": obj(
        ["id", "kind", "proposal", "created_at", "read"],
        {
            "id": INTEGER,
            "kind": {"type": "string", "enum": [k.value for k in NotificationKind]},
            "proposal": nullable(STRING),
            "cycle": nullable(STRING),
            "note": nullable(STRING),
            "created_at": {"type": "string", "format": "date-time"},
            "read": {"type": "boolean"},
        },
    ),
    "NotificationList": obj(
        ["items", "unread"],
        {"items": {"type": "array", "items": ref("Notification")}, "unread": INTEGER},
    ),
    "ProposalSubmission": obj(
        ["title", "description"],
        {
            "title": {"type": "string", "minLength": 1, "maxLength": 160, "pattern": SINGLE_LINE},
            "description": {
                "type": "string",
                "minLength": 1,
                "maxLength": 10_000,
                "pattern": MULTI_LINE,
            },
            "area_id": {
                **nullable(ID),
                "description": "An area of the cycle; null or absent: the district-wide pot.",
            },
            "kind": openapi_enum(ProposalKind),
            "category": openapi_enum(ProposalCategory),
            "location": {**nullable({"type": "string", "maxLength": 200}), "pattern": SINGLE_LINE},
            "estimated_cost": {
                "type": "integer",
                "minimum": 0,
                "maximum": MAX_MINOR,
                "description": "Minor units (cents).",
            },
            "savings_per_year": {
                **nullable({"type": "integer", "minimum": 1, "maximum": MAX_MINOR}),
                "description": "Required for kind=saving; minor units.",
            },
        },
    ),
    "BallotSelection": obj(
        ["proposal_id"],
        {
            "proposal_id": ID,
            "points": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 1_000_000,
                "multipleOf": 0.01,
                "description": "Cumulative ballots only.",
            },
            "stance": {
                "type": "integer",
                "enum": [1, -1],
                "description": "1 for, -1 against (savings proposals).",
            },
        },
        **{"not": {"required": ["points", "stance"]}},
        description="points or stance, not both.",
    ),
    "BallotSubmission": obj(
        ["selections"],
        {
            "area_id": {**nullable(ID), "description": "Your home area (optional; checked)."},
            "selections": {
                "type": "array",
                "minItems": 1,
                "maxItems": MAX_SELECTIONS,
                "items": ref("BallotSelection"),
                "description": "Each proposal at most once.",
            },
        },
    ),
    "BallotReceipt": obj(
        ["status", "cast_on"],
        {
            "status": {"type": "string", "const": "cast"},
            "cast_on": {"type": "string", "format": "date"},
        },
    ),
}


def _text(max_length: int, pattern: str = SINGLE_LINE, min_length: int = 1) -> dict[str, Any]:
    return {"type": "string", "minLength": min_length, "maxLength": max_length, "pattern": pattern}


DECIMAL_TEXT = {"type": "string", "pattern": r"^[0-9]{1,15}([.,][0-9]{1,4})?$"}
SURVEY_NUMBER = {
    "anyOf": [{"type": "number", "minimum": 0, "maximum": 10**15}, DECIMAL_TEXT],
    "description": "A number or an exact decimal string (at most 4 decimals); money in "
    "minor units.",
}
ANSWER = {
    "anyOf": [
        {
            "type": "object",
            "description": "Allocation or rating: item id -> value ('dont_know' for a rating).",
            "additionalProperties": {
                "anyOf": [
                    SURVEY_NUMBER,
                    {"type": "string", "enum": ["dont_know"]},
                    {"type": "null"},
                ]
            },
        },
        {**ID, "description": "Single choice: the chosen item id."},
        {
            "type": "array",
            "maxItems": 200,
            "items": {"anyOf": [ID, {"type": "string", "maxLength": 12}]},
        },
        {**_text(10000, MULTI_LINE, 0), "description": "Free text, or a chosen item id."},
    ]
}
SURVEY_SCHEMAS: dict[str, Any] = {
    "SurveyItemInput": obj(
        ["text"],
        {
            "text": _text(300),
            "text_de": _text(300),
            "min": SURVEY_NUMBER,
            "max": SURVEY_NUMBER,
            "baseline": {
                **MINOR,
                "maximum": MAX_MINOR,
                "description": "Budget simulator: the item's budget today, minor units.",
            },
        },
    ),
    "SurveyQuestionInput": obj(
        ["type", "text"],
        {
            "type": {"type": "string", "enum": [k.value for k in QuestionKind]},
            "text": _text(2000, MULTI_LINE),
            "text_de": _text(2000, MULTI_LINE),
            "required": {"type": "boolean"},
            "unit": {"type": "string", "enum": [u.value for u in AllocationUnit]},
            "total": SURVEY_NUMBER,
            "scale_max": {"type": "integer", "minimum": 2, "maximum": 10},
            "allow_dont_know": {"type": "boolean"},
            "max_length": {"type": "integer", "minimum": 1, "maximum": 10000},
            "cut": {
                "type": "boolean",
                "description": "Budget simulator: the money total is a cut to spread.",
            },
            "items": {"type": "array", "maxItems": 100, "items": ref("SurveyItemInput")},
        },
    ),
    "SurveyCreation": obj(
        ["title", "questions"],
        {
            "title": _text(200),
            "title_de": _text(200),
            "introduction": _text(5000, MULTI_LINE, 0),
            "introduction_de": _text(5000, MULTI_LINE, 0),
            "audience": {"type": "string", "enum": [a.value for a in Audience]},
            "area_id": ID,
            "opens_at": {"type": "string", "format": "date-time", "maxLength": 40},
            "closes_at": {"type": "string", "format": "date-time", "maxLength": 40},
            "hide_results_until_close": {"type": "boolean"},
            "asks_attributes": {"type": "boolean"},
            "questions": {
                "type": "array",
                "minItems": 1,
                "maxItems": 50,
                "items": ref("SurveyQuestionInput"),
            },
        },
    ),
    "Survey": obj(
        ["id", "title", "questions"],
        {
            "id": INTEGER,
            "title": STRING,
            "opens_at": {"type": "string", "format": "date-time"},
            "closes_at": nullable({"type": "string", "format": "date-time"}),
            "questions": {
                "type": "array",
                "items": obj(
                    ["id", "type", "text", "items"],
                    {
                        "id": INTEGER,
                        "type": STRING,
                        "text": STRING,
                        "unit": nullable(STRING),
                        "total": nullable(STRING),
                        "items": {
                            "type": "array",
                            "items": obj(["id", "text"], {"id": INTEGER, "text": STRING}),
                        },
                    },
                ),
            },
        },
    ),
    "SurveyResponseInput": obj(
        ["answers"],
        {
            "respondent_label": {
                **_text(160),
                "description": "Officer tokens: a named respondent's answer passed on.",
            },
            "consent_to_name": {"type": "boolean"},
            "respondent_email": {
                **_text(254),
                "description": "Officer tokens, with respondent_label: the e-mail address of "
                "the respondent's account (in the officer's areas), so the response is in "
                "their personal-data download and goes with their erasure.",
            },
            "paper_ref": {
                **_text(40),
                "description": "Officer tokens: the number of an anonymous paper form "
                "(counted once two officers' entries agree).",
            },
            "attributes": obj(
                [],
                {
                    "org_type": {"type": "string", "enum": [o.value for o in OrgType]},
                    "role": _text(80),
                    "area_id": ID,
                    "age_band": {"type": "string", "enum": [a.value for a in AgeBand]},
                },
            ),
            "answers": {
                "type": "object",
                "description": "Question id -> answer.",
                "additionalProperties": ANSWER,
            },
        },
    ),
    "SurveyResponseReceipt": obj(
        ["status"],
        {
            "id": nullable(INTEGER),
            "status": {"type": "string", "enum": ["saved", "waiting", "confirmed", "mismatch"]},
        },
    ),
    "SurveyWordingPatch": obj(
        [],
        {
            "title": _text(200),
            "title_de": {**nullable(_text(200)), "description": "null: no German title."},
            "introduction": _text(5000, MULTI_LINE, 0),
            "introduction_de": {
                **nullable(_text(5000, MULTI_LINE, 0)),
                "description": "null: no German introduction.",
            },
        },
        minProperties=1,
        description="Only the fields given change.",
    ),
    "SurveyWording": obj(
        ["id", "title", "title_de", "introduction", "introduction_de", "recorded_changes"],
        {
            "id": INTEGER,
            "title": STRING,
            "title_de": nullable(STRING),
            "introduction": STRING,
            "introduction_de": nullable(STRING),
            "recorded_changes": {
                **INTEGER,
                "description": "Changes kept in the wording history shown with the results "
                "(none before anyone has answered).",
            },
        },
    ),
    "SurveyInvitationInput": obj(
        [],
        {
            "area_id": {**nullable(ID), "description": "Invite this area's followers."},
            "cycle_followers": {
                "type": "boolean",
                "description": "Invite the followers of the survey's citizens' budget.",
            },
        },
    ),
    "SurveyInvitationReceipt": obj(
        ["people", "letters"],
        {
            "people": {
                **INTEGER,
                "description": "People invited now (nobody twice, nor who has answered).",
            },
            "letters": {**INTEGER, "description": "Letters to post to offline proposers."},
        },
    ),
    "SurveyResults": obj(
        ["id", "count", "questions"],
        {
            "id": INTEGER,
            "count": INTEGER,
            "questions": {
                "type": "array",
                "items": obj(
                    ["id", "count", "items", "responses"],
                    {
                        "id": INTEGER,
                        "type": STRING,
                        "text": STRING,
                        "unit": nullable(STRING),
                        "total": nullable(STRING),
                        "count": INTEGER,
                        "items": {
                            "type": "array",
                            "items": obj(
                                ["id", "text"], {"id": INTEGER, "text": STRING}, closed=False
                            ),
                        },
                        "responses": {
                            "type": "array",
                            "description": "Only named respondents who agreed to be shown.",
                            "items": obj(
                                ["label", "values"],
                                {
                                    "label": STRING,
                                    "values": {
                                        "type": "object",
                                        "additionalProperties": STRING,
                                    },
                                },
                            ),
                        },
                    },
                ),
            },
        },
    ),
}
SCHEMAS.update(SURVEY_SCHEMAS)


def page_of(item: str) -> dict[str, Any]:
    return obj(
        ["items", "page", "per_page", "total"],
        {
            "items": {"type": "array", "items": ref(item)},
            "page": INTEGER,
            "per_page": INTEGER,
            "total": INTEGER,
        },
    )


SCHEMAS["CyclePage"] = page_of("CycleSummary")
SCHEMAS["ProposalPage"] = page_of("Proposal")
SCHEMAS["AreaList"] = obj(["items"], {"items": {"type": "array", "items": ref("AreaBudget")}})


def query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


PAGE_PARAMS = [
    query("page", {"type": "integer", "minimum": 1, "maximum": PAGE_MAX}, "Page, from 1."),
    query(
        "per_page",
        {"type": "integer", "minimum": 1},
        f"Items per page (default 20; values above {PER_PAGE_MAX} are capped).",
    ),
]
PROPOSAL_PARAMS = PAGE_PARAMS + [
    query("area", {"type": "integer", "minimum": 1, "maximum": INT32}, "Only this area."),
    query("kind", openapi_enum(ProposalKind), "spending or saving."),
    query("category", openapi_enum(ProposalCategory), "Only this category."),
    query(
        "sort",
        {"type": "string", "enum": list(PROPOSAL_SORTS)},
        "Order (allow-list); '-' for descending. Default tracking_number. Never by votes.",
    ),
]
SLUG = {
    "name": "slug",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 64},
}
TRACKING = {
    "name": "tracking_number",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 24},
}
SURVEY_ID = {
    "name": "survey_id",
    "in": "path",
    "required": True,
    "schema": ID,
}
IDEMPOTENCY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 200,
        "pattern": r"^[\u0021-\u007e]+$",
    },
    "description": "Retrying with the same key returns the first outcome; nothing is stored twice.",
}

PROBLEM_STATUSES = {
    "400": "Malformed request (bad JSON, bad query parameter)",
    "401": "Missing, unknown or revoked token",
    "403": "Not allowed (e.g. invalid_area: your home area is not in this cycle)",
    "404": "Not found",
    "405": "Method not allowed",
    "409": "Conflict (already_voted, voting_closed, phase_closed, ...)",
    "413": "Body too large",
    "415": "Body must be application/json",
    "422": "Invalid input (validation_error lists the fields; over_budget has limit and total)",
    "429": "Too many requests (rate_limited)",
    "503": "Temporarily unavailable",
}


def problem_responses(*statuses: str) -> dict[str, Any]:
    content = {"application/problem+json": {"schema": ref("Problem")}}
    responses = {s: {"description": PROBLEM_STATUSES[s], "content": content} for s in statuses}
    responses["default"] = {"description": "Any other error", "content": content}
    return responses


def ok(status: str, schema: str, description: str, **extra: Any) -> dict[str, Any]:
    return {
        status: {
            "description": description,
            "content": {"application/json": {"schema": ref(schema)}},
            **extra,
        }
    }


def read(
    op_id: str,
    summary: str,
    schema: str,
    params: list[Any],
    errors: tuple[str, ...] = ("400", "404", "429"),
) -> dict[str, Any]:
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "parameters": params,
            "security": [],
            "responses": {**ok("200", schema, "OK"), **problem_responses(*errors)},
        }
    }


def write(
    op_id: str, summary: str, body: str, status: str, schema: str, params: list[Any], **extra: Any
) -> dict[str, Any]:
    return {
        "post": {
            "operationId": op_id,
            "summary": summary,
            "parameters": params + [IDEMPOTENCY],
            "security": [{"bearerAuth": []}],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": ref(body)}},
            },
            "responses": {
                **ok(status, schema, "Created", **extra),
                **problem_responses("400", "401", "403", "404", "409", "413", "415", "422", "429"),
            },
        }
    }


def patch(op_id: str, summary: str, body: str, schema: str, params: list[Any]) -> dict[str, Any]:
    """A change to what is there: answers 200 with the result; setting values twice sets
    them once, so no Idempotency-Key."""
    operation = write(op_id, summary, body, "200", schema, params)["post"]
    operation["parameters"] = params
    operation["responses"]["200"]["description"] = "OK"
    return {"patch": operation}


LOCATION = {
    "headers": {
        "Location": {"description": "The new proposal's API URL", "schema": {"type": "string"}}
    }
}


def paths() -> dict[str, Any]:
    cycle_proposals = {
        **read(
            "listProposals",
            "Proposals of a cycle (approved; pending too while proposals "
            "are collected and reviewed; never hidden)",
            "ProposalPage",
            [SLUG, *PROPOSAL_PARAMS],
        ),
        **write(
            "submitProposal",
            "Submit a proposal (token)",
            "ProposalSubmission",
            "201",
            "Proposal",
            [SLUG],
            **LOCATION,
        ),
    }
    return {
        "/cycles": read("listCycles", "Public cycles", "CyclePage", PAGE_PARAMS, ("400", "429")),
        "/cycles/{slug}": read("getCycle", "A cycle: phase, budgets and rules", "Cycle", [SLUG]),
        "/cycles/{slug}/areas": read(
            "listAreas", "Areas of a cycle with their budgets", "AreaList", [SLUG]
        ),
        "/cycles/{slug}/proposals": cycle_proposals,
        "/cycles/{slug}/results": read(
            "getResults", "Published results (404 results_not_published before)", "Results", [SLUG]
        ),
        "/cycles/{slug}/ballot": write(
            "castBallot",
            "Cast your ballot (token)",
            "BallotSubmission",
            "201",
            "BallotReceipt",
            [SLUG],
        ),
        "/proposals/{tracking_number}": read(
            "getProposal", "One proposal with its timeline", "Proposal", [TRACKING]
        ),
        "/surveys": write(
            "createSurvey",
            "Create a survey (officer or admin token)",
            "SurveyCreation",
            "201",
            "Survey",
            [],
        ),
        "/surveys/{survey_id}": patch(
            "editSurveyWording",
            "Change a survey's title and introduction, as its edit page does; kept in the "
            "wording history once people have answered (officer for the survey's area, or "
            "admin token)",
            "SurveyWordingPatch",
            "SurveyWording",
            [SURVEY_ID],
        ),
        "/surveys/{survey_id}/responses": write(
            "respondToSurvey",
            "Answer a survey (token); officers may enter a named or paper response",
            "SurveyResponseInput",
            "201",
            "SurveyResponseReceipt",
            [SURVEY_ID],
        ),
        "/surveys/{survey_id}/invitations": write(
            "inviteToSurvey",
            "Invite an area's and/or the cycle's followers to an open survey, each once "
            "(officer for the survey's and the area's remit, or admin token)",
            "SurveyInvitationInput",
            "201",
            "SurveyInvitationReceipt",
            [SURVEY_ID],
        ),
        "/surveys/{survey_id}/results": {
            "get": {
                **read(
                    "getSurveyResults",
                    "A survey's results: exact decimal strings (officers always; others "
                    "once public)",
                    "SurveyResults",
                    [SURVEY_ID],
                    ("400", "401", "403", "404", "429"),
                )["get"],
                "security": [{}, {"bearerAuth": []}],
            }
        },
        "/me": {
            "get": {
                "operationId": "getMe",
                "summary": "The token's owner",
                "security": [{"bearerAuth": []}],
                "responses": {**ok("200", "Me", "OK"), **problem_responses("401", "429")},
            }
        },
        "/proposals/{tracking_number}/comments": {
            **read(
                "listComments",
                "A proposal's discussion: comments, official answers (hidden text never shown)",
                "CommentList",
                [TRACKING],
            ),
            **write(
                "postComment",
                "Comment on a proposal (token)",
                "CommentSubmission",
                "201",
                "Comment",
                [TRACKING],
            ),
        },
        "/me/notifications": {
            "get": {
                "operationId": "listMyNotifications",
                "summary": "The token owner's newest notifications (never how anyone voted)",
                "security": [{"bearerAuth": []}],
                "responses": {
                    **ok("200", "NotificationList", "OK"),
                    **problem_responses("401", "429"),
                },
            }
        },
    }


def openapi_document(server_url: str = "/api/v1") -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pbplatform API",
            "version": "1.0.0",
            "description": "Participatory budgeting: cycles, proposals, ballots and "
            "published results. Money is in integer minor units next to "
            "the currency. Errors are application/problem+json with a "
            "stable `code`. Create a personal token in your account page.",
        },
        "servers": [{"url": server_url}],
        "paths": paths(),
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A personal API token.",
                }
            },
        },
    }
