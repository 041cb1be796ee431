"""`/officer` and `/admin`: the home pages that link every tool of the role."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask.typing import ResponseReturnValue
from flask_login import current_user

from pbplatform.dashboard import queries
from pbplatform.security.access import admin_required, officer_required

bp = Blueprint("dashboard", __name__)


def _page(template: str) -> ResponseReturnValue:
    user = current_user._get_current_object()
    return render_template(
        template,
        waiting=queries.waiting_for(user),
        limited_areas=sorted(a.name for a in user.officer_area_list) if not user.is_admin else [],
        show_outbox=current_app.config.get("ENV_NAME") != "production",
    )


@bp.get("/officer")
@officer_required
def officer() -> ResponseReturnValue:
    return _page("dashboard/officer.html")


@bp.get("/admin")
@admin_required
def admin() -> ResponseReturnValue:
    return _page("dashboard/admin.html")
