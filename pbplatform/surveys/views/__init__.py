"""HTTP views for surveys, one Blueprint over `residents` (answering, results) and `officers`
(creating, codes, paper and named entries)."""

from flask import Blueprint

bp = Blueprint("surveys", __name__)

from pbplatform.surveys.views import officers, requests, residents  # noqa: E402, F401


@bp.app_template_filter("survey_label")
def survey_label(code: str | None) -> str:
    """The translated label of a survey vocabulary value (kind, unit, audience, channel ...)."""
    from pbplatform.surveys.models import LABELS

    label = LABELS.get(code) if code else None  # type: ignore[call-overload]
    return str(label) if label is not None else (code or "")
