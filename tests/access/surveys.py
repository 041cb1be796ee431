"""Access expectations for surveys. The scene has no survey, so routes for one survey use an
unknown id (404 once the role check passes); area scoping of a real survey and hidden results
are proven in tests/surveys/test_views.py."""

NO_SURVEY = "999999"


def _all(status, **extra):
    return {
        "anonymous": status,
        "resident": status,
        "officer": status,
        "officer_other_area": status,
        "admin": status,
        **extra,
    }


def _officers(status, **extra):
    return {
        "anonymous": 401,
        "resident": 403,
        "officer": status,
        "officer_other_area": status,
        "admin": status,
        **extra,
    }


ROUTES = {
    "surveys.index": _all(200, url="/surveys"),
    "surveys.show": _all(404, url=f"/surveys/{NO_SURVEY}"),
    "surveys.answer": {**_all(404, url=f"/surveys/{NO_SURVEY}", method="POST"), "anonymous": 401},
    "surveys.answer_with_code": _all(404, url=f"/surveys/{NO_SURVEY}/code"),
    "surveys.results": _all(404, url=f"/surveys/{NO_SURVEY}/results"),
    "surveys.results_csv": _all(404, url=f"/surveys/{NO_SURVEY}/results.csv"),
    "surveys.officer_list": _officers(200, url="/officer/surveys"),
    "surveys.new": _officers(200, url="/officer/surveys/new"),
    "surveys.manage": _officers(404, url=f"/officer/surveys/{NO_SURVEY}"),
    "surveys.add_question": _officers(
        404, url=f"/officer/surveys/{NO_SURVEY}/questions", method="POST"
    ),
    "surveys.edit_question": _officers(
        404, url=f"/officer/surveys/{NO_SURVEY}/questions/{NO_SURVEY}/edit"
    ),
    "surveys.invite": _officers(404, url=f"/officer/surveys/{NO_SURVEY}/invite", method="POST"),
    "surveys.codes": _officers(404, url=f"/officer/surveys/{NO_SURVEY}/codes", method="POST"),
    "surveys.paper": _officers(404, url=f"/officer/surveys/{NO_SURVEY}/paper"),
    "surveys.named": _officers(404, url=f"/officer/surveys/{NO_SURVEY}/named"),
    "surveys.edit_survey": _officers(404, url=f"/officer/surveys/{NO_SURVEY}/edit"),
    "surveys.named_requests": _officers(200, url="/privacy/requests/named-responses?name=x"),
    "surveys.erase_named": _officers(
        404, url=f"/privacy/requests/named-responses/{NO_SURVEY}/erase", method="POST"
    ),
    "surveys.link_named": _officers(
        404, url=f"/privacy/requests/named-responses/{NO_SURVEY}/link", method="POST"
    ),
    "api.create_survey": _all(401, url="/api/v1/surveys", method="POST"),
    "api.respond": _all(401, url=f"/api/v1/surveys/{NO_SURVEY}/responses", method="POST"),
    "api.invite": _all(401, url=f"/api/v1/surveys/{NO_SURVEY}/invitations", method="POST"),
    "api.edit_wording": _all(401, url=f"/api/v1/surveys/{NO_SURVEY}", method="PATCH"),
    "api.survey_results": _all(404, url=f"/api/v1/surveys/{NO_SURVEY}/results"),
}
