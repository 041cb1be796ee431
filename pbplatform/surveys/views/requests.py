"""Data-protection requests about named survey responses linked to no account: officers (in
their areas) and admins find them by the respondent's name, then link one to the respondent's
account (so it is in their download and goes with their erasure) or erase it. Audited
(surveys.named)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from pbplatform.errors import DomainError
from pbplatform.security.access import officer_required
from pbplatform.surveys import named, queries
from pbplatform.surveys.forms import NamedEraseForm, NamedLinkForm, NamedSearchForm
from pbplatform.surveys.views import bp

PAGE = "surveys/named_requests.html"


def _page(
    search: NamedSearchForm,
    erase_form: NamedEraseForm | None = None,
    link_form: NamedLinkForm | None = None,
    failed: int | None = None,
    status: int = 200,
) -> ResponseReturnValue:
    name = search.name.data or ""
    return render_template(
        PAGE,
        search=search,
        found=queries.unlinked_named(name, current_user) if name.strip() else None,
        erase_form=erase_form or NamedEraseForm(formdata=None),
        link_form=link_form or NamedLinkForm(formdata=None),
        failed=failed,
    ), status


@bp.get("/privacy/requests/named-responses")
@officer_required
def named_requests() -> ResponseReturnValue:
    search = NamedSearchForm(request.args)
    search.validate()
    return _page(search)


def _back(name: str) -> ResponseReturnValue:
    return redirect(url_for("surveys.named_requests", name=name), 303)


@bp.post("/privacy/requests/named-responses/<int:response_id>/erase")
@officer_required
def erase_named(response_id: int) -> ResponseReturnValue:
    response = queries.unlinked_named_one(response_id, current_user)
    search = NamedSearchForm(request.args)
    form = NamedEraseForm()
    if not form.validate():
        return _page(search, erase_form=form, failed=response_id, status=422)
    named.erase(response, current_user)
    flash(_("The named response and its answers have been erased."), "success")
    return _back(search.name.data or "")


@bp.post("/privacy/requests/named-responses/<int:response_id>/link")
@officer_required
def link_named(response_id: int) -> ResponseReturnValue:
    response = queries.unlinked_named_one(response_id, current_user)
    search = NamedSearchForm(request.args)
    form = NamedLinkForm()
    if not form.validate():
        return _page(search, link_form=form, failed=response_id, status=422)
    try:
        named.link(response, named.find_account(current_user, form.email.data), current_user)
    except DomainError as exc:
        form.email.errors = [*form.email.errors, exc.message]
        return _page(search, link_form=form, failed=response_id, status=exc.status)
    flash(_("The named response is now linked to the account."), "success")
    return _back(search.name.data or "")
