"""The discussion page of a proposal, and the officers' moderation and answering of it."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup, escape

from pbplatform.accounts import queries as account_queries
from pbplatform.accounts.models import User
from pbplatform.discussion import queries, services
from pbplatform.discussion.forms import (
    CommentForm,
    FlagCommentForm,
    HideCommentForm,
    OfficerCommentForm,
)
from pbplatform.discussion.models import Comment, CommentChannel
from pbplatform.errors import DomainError, show_refusal
from pbplatform.extensions import db, limiter
from pbplatform.proposals.models import Proposal
from pbplatform.proposals.queries import get_proposal
from pbplatform.security.access import login_required, officer_required, public, require_remit
from pbplatform.security.addresses import address_key

bp = Blueprint("discussion", __name__)


def _comment_limit() -> str:
    return current_app.config.get("COMMENT_RATE_LIMIT", "20 per hour")


def _user_key() -> str:
    return f"user:{current_user.id}" if current_user.is_authenticated else address_key()


# Anti-spam: comments per signed-in person and per address.
comment_limit_user = limiter.limit(
    _comment_limit, key_func=_user_key, methods=["POST"], scope="comment-user"
)
comment_limit_ip = limiter.limit(
    _comment_limit, key_func=address_key, methods=["POST"], scope="comment-ip"
)


@bp.app_template_filter("linkify")
def linkify(text: str) -> Markup:
    """Plain text with http(s) links made clickable and line breaks kept; every character of
    the text is escaped, the only markup is the <a> and <br> built here."""
    out = []
    last = 0
    for match in re.finditer(r"https?://[^\s<>\"']+", text):
        url = match.group(0).rstrip(".,;:!?)")
        out.append(escape(text[last : match.start()]))
        out.append(Markup('<a href="{0}" rel="nofollow ugc noopener">{0}</a>').format(url))
        last = match.start() + len(url)
    out.append(escape(text[last:]))
    html = Markup("").join(out)
    return Markup("<br>\n").join(html.split("\n"))


def _proposal(tracking_number: str) -> Proposal:
    proposal = get_proposal(tracking_number)
    if proposal is None:
        abort(404)
    return proposal


def _comment(comment_id: int) -> Comment:
    comment = queries.comment_by_id(comment_id)
    if comment is None:
        abort(404)
    return comment


def _parent(form: CommentForm | OfficerCommentForm) -> int | None:
    raw = (form.parent_id.data or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _page(proposal: Proposal, status: int = 200, **forms: object) -> ResponseReturnValue:
    user = current_user if current_user.is_authenticated else None
    officer = user is not None and user.is_officer and user.can_act_on_area(proposal.area_id)
    return render_template(
        "discussion/page.html",
        proposal=proposal,
        comments=queries.thread(proposal.id),
        open=services.comments_open(proposal),
        comment_form=forms.get("comment_form") or CommentForm(formdata=None),
        officer_form=(
            forms.get("officer_form") or OfficerCommentForm(formdata=None, prefix="answer")
        )
        if officer
        else None,
        officer=officer,
        flag_form=FlagCommentForm(formdata=None),
        hide_form=HideCommentForm(formdata=None),
    ), status


def _officer_of(proposal: Proposal) -> User:
    """The signed-in officer, refused (and audited) outside the proposal's area before any
    form is read."""
    officer = account_queries.signed_in_user()
    require_remit(officer, proposal)
    return officer


def _to_comment(comment: Comment) -> ResponseReturnValue:
    url = url_for(".page", tracking_number=comment.proposal.tracking_number)
    return redirect(f"{url}#comment-{comment.id}", code=303)


def _publish(
    proposal: Proposal, form: FlaskForm, slot: str, post: Callable[[], Comment], done: str
) -> ResponseReturnValue:
    """Validate the form, post with the service, and show the new comment; a refusal shows
    the page again with the form as typed and the reason beside the field."""
    if not form.validate_on_submit():
        return _page(proposal, 422, **{slot: form})
    try:
        made = post()
    except DomainError as exc:
        db.session.rollback()
        show_refusal(form, exc)
        return _page(_proposal(proposal.tracking_number), exc.status, **{slot: form})
    flash(done, "success")
    return _to_comment(made)


@bp.get("/proposals/<tracking_number>/discussion")
@public
def page(tracking_number: str) -> ResponseReturnValue:
    return _page(_proposal(tracking_number))


@bp.post("/proposals/<tracking_number>/comments")
@login_required
@comment_limit_user
@comment_limit_ip
def comment(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal(tracking_number)
    form = CommentForm()
    return _publish(
        proposal,
        form,
        "comment_form",
        lambda: services.post_comment(
            proposal, account_queries.signed_in_user(), form.body.data, _parent(form)
        ),
        _("Your comment is published."),
    )


@bp.post("/comments/<int:comment_id>/flag")
@login_required
def flag(comment_id: int) -> ResponseReturnValue:
    target = _comment(comment_id)
    form = FlagCommentForm()
    if not form.validate_on_submit():
        flash(_("Say what is wrong with it."), "error")
        return _to_comment(target)
    services.flag_comment(target, account_queries.signed_in_user(), form.reason.data)
    flash(_("Thank you: officers will look at this comment."), "success")
    return _to_comment(target)


@bp.post("/officer/proposals/<tracking_number>/comments")
@officer_required
def officer_comment(tracking_number: str) -> ResponseReturnValue:
    proposal = _proposal(tracking_number)
    officer = _officer_of(proposal)
    form = OfficerCommentForm(prefix="answer")

    def post() -> Comment:
        if form.kind.data == "official":
            return services.post_official_answer(
                proposal, officer, form.body.data, form.department.data, _parent(form)
            )
        return services.enter_offline_comment(
            proposal,
            officer,
            form.body.data,
            CommentChannel(form.channel.data),
            form.author_name.data,
            _parent(form),
        )

    return _publish(
        proposal, form, "officer_form", post, _("Published on the proposal's discussion.")
    )


@bp.post("/officer/comments/<int:comment_id>/hide")
@officer_required
def hide(comment_id: int) -> ResponseReturnValue:
    target = _comment(comment_id)
    officer = _officer_of(target.proposal)
    form = HideCommentForm()
    if not form.validate_on_submit():
        flash(_("Give the reason shown in place of the text."), "error")
        return _to_comment(target)
    services.hide_comment(target, officer, form.reason.data)
    flash(_("The comment's text is hidden; the reason shows in its place."), "success")
    return _to_comment(target)


@bp.post("/officer/comments/<int:comment_id>/unhide")
@officer_required
def unhide(comment_id: int) -> ResponseReturnValue:
    target = _comment(comment_id)
    services.unhide_comment(target, account_queries.signed_in_user())
    flash(_("The comment's text is shown again."), "success")
    return _to_comment(target)


@bp.post("/officer/comments/<int:comment_id>/dismiss")
@officer_required
def dismiss(comment_id: int) -> ResponseReturnValue:
    target = _comment(comment_id)
    services.dismiss_flags(target, account_queries.signed_in_user())
    flash(_("The reports are dismissed; the comment stays."), "success")
    return redirect(url_for(".officer_queue"), code=303)


@bp.get("/officer/discussion")
@officer_required
def officer_queue() -> ResponseReturnValue:
    officer = account_queries.signed_in_user()
    flagged = queries.flagged_comments_for(officer)
    return render_template(
        "discussion/officer_queue.html",
        overdue=queries.unanswered_for(officer),
        flagged=flagged,
        reasons=queries.open_flag_reasons([c.id for c, _n in flagged]),
    )
