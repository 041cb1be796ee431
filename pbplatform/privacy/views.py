"""Privacy pages: the public notice, a person's data and consents, officers' erasure requests
and the administrators' retention overview. Thin: the work is in the service modules."""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    send_file,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import logout_user

from pbplatform.accounts import queries as account_queries
from pbplatform.accounts.models import User
from pbplatform.accounts.passwords import verify_password
from pbplatform.accounts.services import find_user_by_email
from pbplatform.db import utcnow
from pbplatform.errors import DomainError
from pbplatform.extensions import limiter
from pbplatform.jobs.models import JobKind
from pbplatform.jobs.queries import latest_job
from pbplatform.privacy import queries, record, retention, services
from pbplatform.privacy.forms import (
    ConsentForm,
    EraseAccountForm,
    ExportForm,
    OfficerEraseAccountForm,
    OfficerEraseContactForm,
)
from pbplatform.privacy.models import ErasureVia, Purpose
from pbplatform.security.access import admin_required, login_required, officer_required, public
from pbplatform.security.addresses import address_key

bp = Blueprint("privacy", __name__)


def _form_limit() -> str:
    return current_app.config.get("ACCOUNT_FORM_RATE_LIMIT", "10 per hour")


# Re-entering the password to erase is a password check: limited like the other account forms.
erase_limit = limiter.limit(_form_limit, key_func=address_key, methods=["POST"])


@bp.get("/privacy")
@public
def notice() -> ResponseReturnValue:
    return render_template("privacy/notice.html", activities=record.activities())


def _me() -> User:
    return account_queries.signed_in_user()


def _page(
    consent_form: ConsentForm | None = None,
    erase_form: EraseAccountForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    user = _me()
    now = queries.current_consents(user)
    if consent_form is None:
        consent_form = ConsentForm(
            formdata=None,
            consent_newsletter=now.get(Purpose.NEWSLETTER, False),
            consent_proposal_contact=now.get(Purpose.PROPOSAL_CONTACT, False),
        )
    return render_template(
        "privacy/account.html",
        consent_form=consent_form,
        export_form=ExportForm(formdata=None),
        erase_form=erase_form or EraseAccountForm(formdata=None),
        exports=queries.live_exports(user),
        export_job=latest_job(user, JobKind.PRIVACY_EXPORT),
        seen_version=queries.seen_notice_version(user),
        history=queries.consent_history(user),
        ttl_hours=current_app.config["PRIVACY_EXPORT_TTL_HOURS"],
    ), status


@bp.get("/account/privacy")
@login_required
def account() -> ResponseReturnValue:
    return _page()


@bp.post("/account/privacy/consents")
@login_required
def update_consents() -> ResponseReturnValue:
    form = ConsentForm()
    if not form.validate_on_submit():
        return _page(consent_form=form, status=422)
    services.set_consents(_me(), form.consent_choices())
    flash(gettext("Your choices have been saved."), "success")
    return redirect(url_for("privacy.account"))


@bp.post("/account/privacy/export")
@login_required
@erase_limit
def request_export() -> ResponseReturnValue:
    if not ExportForm().validate_on_submit():
        return _page(status=422)
    job = services.start_export(_me())
    return redirect(url_for("jobs.show", job_id=job.id), 303)


@bp.get("/account/privacy/export/<int:export_id>")
@login_required
def download_export(export_id: int) -> ResponseReturnValue:
    export = queries.find_live_export(_me(), export_id)
    if export is None:
        abort(404)
    response = send_file(
        io.BytesIO(export.content),
        mimetype="application/zip",
        as_attachment=True,
        download_name=f"my-data-{export.created_at:%Y-%m-%d}.zip",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/account/privacy/erase")
@login_required
@erase_limit
def erase_account() -> ResponseReturnValue:
    form = EraseAccountForm()
    user = _me()
    if not form.validate_on_submit():
        return _page(erase_form=form, status=422)
    if not verify_password(user.password_hash, form.password.data):
        form.password.errors = [gettext("Your password is not correct.")]
        return _page(erase_form=form, status=422)
    services.erase_user(user, ErasureVia.SELF, remove_contributions=form.remove_contributions.data)
    logout_user()
    session.clear()
    return render_template("privacy/erased.html")


def _requests_page(
    account_form: OfficerEraseAccountForm | None = None,
    contact_form: OfficerEraseContactForm | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    return render_template(
        "privacy/requests.html",
        account_form=account_form or OfficerEraseAccountForm(formdata=None),
        contact_form=contact_form or OfficerEraseContactForm(formdata=None),
    ), status


@bp.get("/privacy/requests")
@officer_required
def requests() -> ResponseReturnValue:
    return _requests_page()


@bp.post("/privacy/requests/account")
@officer_required
def officer_erase_account() -> ResponseReturnValue:
    form = OfficerEraseAccountForm()
    if not form.validate_on_submit():
        return _requests_page(account_form=form, status=422)
    target = find_user_by_email(form.email.data)
    officer = _me()
    # Officers erase residents of their areas; officers and administrators only an administrator.
    if (
        target is None
        or target.id == officer.id
        or (target.is_officer and not officer.is_admin)
        or not officer.can_act_on_area(target.home_area_id)
    ):
        form.email.errors = [gettext("No resident account with this e-mail address.")]
        return _requests_page(account_form=form, status=422)
    try:
        services.erase_user(target, ErasureVia.OFFICER, actor=officer)
    except DomainError as exc:
        form.email.errors = [exc.message]
        return _requests_page(account_form=form, status=exc.status)
    flash(gettext("The account has been erased."), "success")
    return redirect(url_for("privacy.requests"))


@bp.post("/privacy/requests/contact")
@officer_required
def officer_erase_contact() -> ResponseReturnValue:
    form = OfficerEraseContactForm()
    if not form.validate_on_submit():
        return _requests_page(contact_form=form, status=422)
    changed = services.erase_offline_contact(form.name.data, _me())
    if not changed:
        form.name.errors = [gettext("No proposal or offer in your areas carries this name.")]
        return _requests_page(contact_form=form, status=422)
    flash(
        gettext("Contact details removed from %(count)d proposals or offers.", count=changed),
        "success",
    )
    return redirect(url_for("privacy.requests"))


@bp.get("/admin/privacy")
@admin_required
def admin() -> ResponseReturnValue:
    due = retention.due(utcnow())
    return render_template(
        "privacy/admin.html",
        rules=retention.RULES,
        due={key: len(items) for key, items in due.items()},
        record_text=record.processing_record_text(),
    )
