"""Following and the notifications page; the officers' list of letters to post."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms.fields.choices import SelectChoice

from pbplatform.accounts import queries as account_queries
from pbplatform.channels.csvsafe import csv_response
from pbplatform.cycles import services as cycle_services
from pbplatform.cycles.models import Phase
from pbplatform.cycles.queries import area_by_id_or_404, cycle_by_id_or_404
from pbplatform.errors import DomainError
from pbplatform.extensions import csrf
from pbplatform.notifications import queries, services
from pbplatform.notifications.forms import EmailChoiceForm, FollowAreaForm, FollowCycleForm
from pbplatform.notifications.models import EmailFrequency
from pbplatform.proposals.queries import get_proposal
from pbplatform.security.access import login_required, officer_required, public
from pbplatform.security.redirects import safe_next

bp = Blueprint("notifications", __name__)


def _proposal_or_404(tracking_number: str):  # noqa: ANN202 - a Proposal
    proposal = get_proposal(tracking_number)
    if proposal is None:
        abort(404)
    return proposal


def _back(tracking_number: str) -> ResponseReturnValue:
    return redirect(url_for("proposals.show", tracking_number=tracking_number), code=303)


@bp.post("/proposals/<tracking_number>/follow")
@login_required
def follow_proposal(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal_or_404(tracking_number)
    services.follow(account_queries.signed_in_user(), proposal=proposal)
    flash(_("You follow this proposal: its news reaches you under Notifications."), "success")
    return _back(tracking_number)


@bp.post("/proposals/<tracking_number>/unfollow")
@login_required
def unfollow_proposal(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal_or_404(tracking_number)
    services.unfollow(account_queries.signed_in_user(), proposal=proposal)
    flash(_("You no longer follow this proposal."), "success")
    return _back(tracking_number)


def _page(status: int = 200, **forms: object) -> ResponseReturnValue:
    user = account_queries.signed_in_user()
    area_form = forms.get("area_form") or FollowAreaForm(formdata=None)
    cycle_form = forms.get("cycle_form") or FollowCycleForm(formdata=None)
    email_form = forms.get("email_form") or EmailChoiceForm(
        formdata=None, email=queries.email_frequency(user.id).value
    )
    _choices(area_form, cycle_form)  # type: ignore[arg-type]
    return render_template(
        "notifications/index.html",
        notifications=queries.notifications_of(user.id),
        unread=queries.unread_count(user.id),
        follows=queries.follows_of(user.id),
        area_form=area_form,
        cycle_form=cycle_form,
        email_form=email_form,
    ), status


def _choices(area_form: FollowAreaForm, cycle_form: FollowCycleForm) -> None:
    area_form.area.choices = [SelectChoice(a.id, a.name) for a in cycle_services.list_areas()]
    cycle_form.cycle.choices = [
        SelectChoice(c.id, c.name) for c in cycle_services.list_cycles() if c.phase != Phase.DRAFT
    ]


@bp.get("/notifications")
@login_required
def index() -> ResponseReturnValue:
    return _page()


@bp.post("/notifications/read")
@login_required
def mark_read() -> ResponseReturnValue:
    services.mark_read(account_queries.signed_in_user())
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/notifications/email")
@login_required
def email_choice() -> ResponseReturnValue:
    form = EmailChoiceForm()
    if not form.validate_on_submit():
        return _page(422, email_form=form)
    services.set_email_frequency(account_queries.signed_in_user(), EmailFrequency(form.email.data))
    flash(_("Your e-mail choice is saved."), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/notifications/follow/area")
@login_required
def follow_area() -> ResponseReturnValue:
    form = FollowAreaForm()
    _choices(form, FollowCycleForm(formdata=None))
    if not form.validate_on_submit():
        return _page(422, area_form=form)
    area = area_by_id_or_404(form.area.data)
    services.follow(account_queries.signed_in_user(), area=area)
    flash(_("You follow %(area)s.", area=area.name), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/notifications/follow/cycle")
@login_required
def follow_cycle() -> ResponseReturnValue:
    form = FollowCycleForm()
    _choices(FollowAreaForm(formdata=None), form)
    if not form.validate_on_submit():
        return _page(422, cycle_form=form)
    cycle = cycle_by_id_or_404(form.cycle.data)
    services.follow(account_queries.signed_in_user(), cycle=cycle)
    flash(_("You follow %(cycle)s.", cycle=cycle.name), "success")
    return redirect(url_for(".index"), code=303)


@bp.post("/notifications/follows/<int:follow_id>/end")
@login_required
def end_follow(follow_id: int) -> ResponseReturnValue:
    if not services.end_follow(account_queries.signed_in_user(), follow_id):
        abort(404)
    flash(_("You no longer follow it."), "success")
    return redirect(safe_next(request.form.get("next"), "notifications.index"), code=303)


def _stale(exc: DomainError) -> ResponseReturnValue:
    """A link too old, from an earlier key (410), or forged or cut short (404): a page that
    says nothing changed and sends the person to sign in and choose there."""
    return render_template(
        "notifications/unsubscribe.html",
        token=None,
        done=False,
        stale=exc.message,
        days=current_app.config["UNSUBSCRIBE_LINK_MAX_AGE_DAYS"],
    ), exc.status


@bp.get("/notifications/unsubscribe/<token>")
@public
def unsubscribe_page(token: str) -> ResponseReturnValue:
    """A GET never writes: the link in the e-mail shows one button (once checked)."""
    try:
        services.unsubscribe_user(token)
    except DomainError as exc:  # StaleLink (410) or a link naming nobody (404)
        return _stale(exc)
    return render_template("notifications/unsubscribe.html", token=token, done=False)


@bp.post("/notifications/unsubscribe/<token>")
@public
@csrf.exempt  # one-click from a mail client (RFC 8058); the signed token is the authority
def unsubscribe(token: str) -> ResponseReturnValue:
    try:
        services.unsubscribe(token)
    except DomainError as exc:
        return _stale(exc)
    return render_template("notifications/unsubscribe.html", token=token, done=True)


# -- letters for proposers who wrote or phoned in -----------------------------------------


def _my_letters():  # noqa: ANN202 - a list of Letter
    return list(queries.letters_due(account_queries.signed_in_user()))


@bp.get("/officer/letters")
@officer_required
def letters() -> ResponseReturnValue:
    return render_template("notifications/letters.html", letters=_my_letters())


@bp.get("/officer/letters.csv")
@officer_required
def letters_csv() -> ResponseReturnValue:
    header = ["letter", "tracking_number", "title", "name", "contact", "news", "note", "date"]
    rows = [
        [
            letter.id,
            letter.proposal.tracking_number,
            letter.proposal.public_title,
            letter.proposal.contact_name or "",
            letter.proposal.contact_details or "",
            letter.kind_label,
            letter.shown_note or "",
            letter.created_at.date().isoformat(),
        ]
        for letter in _my_letters()
    ]
    return csv_response([header, *rows], "letters-due.csv")


@bp.post("/officer/letters/printed")
@officer_required
def letters_printed() -> ResponseReturnValue:
    # Only the letters the officer saw (and printed): one added since then stays due.
    shown = {int(v) for v in request.form.getlist("letter") if v.isdigit() and len(v) < 10}
    done = services.mark_letters_printed([x.id for x in _my_letters() if x.id in shown])
    flash(
        ngettext("%(num)s letter marked as posted.", "%(num)s letters marked as posted.", done),
        "success",
    )
    return redirect(url_for(".letters"), code=303)
