"""Results: the officer's count and publication page, public results and the ballot export.

Before a version is published nobody without an officer role sees a count anywhere: the
public page only says that results come after the count.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from werkzeug.routing import BuildError

from pbplatform import filecache
from pbplatform.audit import services as audit
from pbplatform.confirmation import confirmation_page
from pbplatform.cycles.models import Cycle
from pbplatform.cycles.queries import cycle_or_404
from pbplatform.decisions import queries as decisions
from pbplatform.errors import DomainError
from pbplatform.jobs.models import JobStatus
from pbplatform.results import cache, files, http, page, queries, services, summary
from pbplatform.results.models import ResultVersion
from pbplatform.results.statistics.views import bp as statistics_bp
from pbplatform.security.access import officer_required, public
from pbplatform.security.ratelimit import limit_per_address

bp = Blueprint("results", __name__)
# Heavy downloads per address (RESULT_DOWNLOAD_RATE_LIMIT); 304 answers count too.
# Counted in one round trip to the store (security/ratelimit.py).
download_limit = limit_per_address("RESULT_DOWNLOAD_RATE_LIMIT")
bp.register_blueprint(statistics_bp)


def _cycle(slug: str) -> Cycle:
    return cycle_or_404(slug)


def proposal_url(proposal_id: str, tracking_number: str) -> str | None:
    """Link to a proposal's public page, whichever way the proposals feature names it."""
    for kwargs in (
        {"tracking_number": tracking_number},
        {"number": tracking_number},
        {"proposal_id": int(proposal_id)},
        {"id": int(proposal_id)},
    ):
        try:
            return url_for("proposals.show", **kwargs)
        except BuildError:
            continue
    return None


def _visible_keys(version: ResultVersion) -> set[str] | None:
    """An unpublished count's lists an officer may see: all for district scope, else only
    their own areas' (never the district-wide list or the savings list)."""
    if version.is_published or services.can_count(current_user):
        return None
    return {f"area-{a.id}" for a in current_user.officer_area_list}


def _tampered(cycle: Cycle, version: ResultVersion, exc: DomainError) -> ResponseReturnValue:
    """The loud refusal: no outcome, the hash the public holds, and what to do."""
    current_app.logger.error("result version %s refused: %s", version.id, exc.code)
    return render_template("results/tampered.html", cycle=cycle, version=version, error=exc), 500


def _body(cycle: Cycle, version: ResultVersion, history: list[ResultVersion], **extra) -> str:
    return render_template(
        "results/_body.html",
        cycle=cycle,
        version=version,
        history=history,
        proposal_url=proposal_url,
        panels=page.panels(version),
        turnout=summary.turnout(version),
        **extra,
    )


def _render_version(cycle: Cycle, version: ResultVersion, *, preview: bool) -> ResponseReturnValue:
    """An officer's view of any version: rendered every time (it may not be published)."""
    try:
        services.check_published(version)
    except DomainError as exc:
        return _tampered(cycle, version, exc)
    history = queries.versions(cycle, published_only=not preview)
    visible = _visible_keys(version) if preview else None
    return render_template(
        "results/show.html",
        cycle=cycle,
        version=version,
        preview=preview,
        body=Markup(_body(cycle, version, history, visible_keys=visible)),
    )


def _public_page(
    cycle: Cycle, version: ResultVersion, history: list[ResultVersion]
) -> ResponseReturnValue:
    """A published version's page: its body rendered once per version and language, the
    content hash checked on every request (cheaply, see results.cache)."""
    try:
        version = cache.verify(version)
    except DomainError as exc:
        return _tampered(cycle, version, exc)
    locale = str(get_locale())
    # The council's confirmed decisions show beside the count, rendered once per set of
    # confirmed versions and language; a new version changes the page (and its ETag).
    decided = decisions.confirmed_signature(cycle)
    signature = tuple((v.id, v.content_hash) for v in history) + decided
    etag = http.page_etag(version.content_hash, locale, signature)
    if http.not_modified(etag):
        return http.page_headers(Response(status=304), etag)

    def render() -> str:
        checked = cache.verify(version, full=True)  # render exactly what was checked
        return _body(cycle, checked, history, visible_keys=None)

    key = (cycle.id, cycle.slug, version.id, version.content_hash, locale, signature)
    html = render_template(
        "results/show.html",
        cycle=cycle,
        version=version,
        preview=False,
        body=Markup(cache.body(key, render)),
        # Built at publication (delivery.opendata): linked without a query on results day.
        open_data=True,
        deviations=Markup(_deviations(cycle, decided, locale)),
    )
    return http.page_headers(Response(html), etag)


def _deviations(cycle: Cycle, decided: tuple[Any, ...], locale: str) -> str:
    """Where the council's decision differs from the count (decisions feature), cached."""
    if not decided:
        return ""
    return cache.body(
        ("decisions", cycle.id, cycle.slug, decided, locale),
        lambda: render_template(
            "decisions/_deviations.html", cycle=cycle, comparisons=decisions.compare(cycle)
        ),
    )


@bp.get("/results")
@public
def index() -> ResponseReturnValue:
    return render_template("results/index.html", cycles=queries.published_cycles())


@bp.get("/cycles/<slug>/results")
@public
def show(slug: str) -> ResponseReturnValue:
    """The newest published version, or `?version=N` for an earlier published one."""
    cycle = _cycle(slug)
    number = request.args.get("version", type=int)
    history = queries.versions(cycle, published_only=True)
    version = queries.pick(history, number)
    if version is None:
        if number is not None:
            abort(404)
        return render_template("results/pending.html", cycle=cycle)
    return _public_page(cycle, version, history)


@bp.get("/cycles/<slug>/results/ballots.pb")
@public
@download_limit
def ballots_export(slug: str) -> ResponseReturnValue:
    """One list's anonymous ballots as Pabulib, for anyone to recount (`pbplatform tally`):
    the file built at publication (results.files), never rebuilt, sent from this machine's
    file cache (pbplatform/filecache.py). One statement when the version's row stamp is one
    this process has checked (results.cache)."""
    number = request.args.get("version", type=int)
    area = request.args.get("area", services.DISTRICT)
    key = services.DISTRICT if area == services.DISTRICT else f"area-{area}"
    found = files.find_download(slug, number, key)
    if found is None:
        abort(404)
    if (refused := _checks(slug, number, key, found)) is not None:
        return refused
    name = f"{slug}-v{found.version}-{key}.pb"
    if found.file is None:
        return _unstored_file(slug, number, key, name)
    stored = files.published(found, name)
    etag = filecache.etag_of(stored)
    if http.file_not_modified(etag):
        response = Response(status=304)
        if stored.compressible:
            response.vary.add("Accept-Encoding")
    else:
        try:
            response = filecache.send(stored)
        except filecache.FileMismatch as exc:
            return _tampered(_cycle(slug), _published(slug, number), exc)
    return http.file_headers(response, etag, versioned=number is not None)


def _published(slug: str, number: int | None) -> ResultVersion:
    version = queries.published_version(_cycle(slug), number)
    if version is None:  # found a moment ago in the same transaction
        abort(404)
    return version


def _check_version(slug: str, number: int | None) -> ResponseReturnValue | None:
    """The full content-hash check (results.cache.verify): the loud refusal, or None."""
    version = _published(slug, number)
    try:
        cache.verify(version)
    except DomainError as exc:
        return _tampered(_cycle(slug), version, exc)
    return None


def _checks(
    slug: str, number: int | None, key: str, found: files.Download
) -> ResponseReturnValue | None:
    """The version's content hash, then the stored file's attestation (each skipped when
    this process has seen it pass): the loud refusal, or None."""
    if (
        not cache.seen(found.version_id, found.row_stamp)
        and (refused := _check_version(slug, number)) is not None
    ):
        return refused
    if found.file is not None and not cache.file_seen(found.version_id, key, found.file.sha256):
        return _check_file(slug, number, key, found.file.sha256)
    return None


def _check_file(slug: str, number: int | None, key: str, sha256: str) -> ResponseReturnValue | None:
    """The stored file's SHA-256 against the publication's HMAC'd entry: the loud refusal
    (a row rewritten with bytes and hash together passes the file cache's own check), or None."""
    version = _published(slug, number)
    if not services.file_attested(version, key, sha256):
        current_app.logger.error("result file %s of version %s is not attested", key, version.id)
        return _tampered(_cycle(slug), version, filecache.FileMismatch())
    cache.file_checked(version.id, key, sha256)
    return None


def _unstored_file(slug: str, number: int | None, key: str, name: str) -> Response:
    """A version published before files were stored: built from the database, as it always
    was, and never cached long (its ballots could still change)."""
    try:
        content = files.build_content(_published(slug, number), key)
    except KeyError:
        abort(404)
    sha256 = hashlib.sha256(content).hexdigest()
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    response = Response(content, mimetype="text/plain", headers=headers)
    return http.file_headers(response, sha256, versioned=False)


# --- officers -------------------------------------------------------------------------------


@bp.get("/officer/cycles/<slug>/count")
@officer_required
def manage(slug: str) -> ResponseReturnValue:
    cycle = _cycle(slug)
    history = queries.versions(cycle, published_only=False)
    return render_template(
        "results/manage.html",
        cycle=cycle,
        history=history,
        can_count=services.can_count(current_user),
        turnout=services.turnout(cycle),
    )


def _deny_limited_officer() -> None:
    if not services.can_count(current_user):
        audit.record_refusal("authz.denied", after={"path": request.path}, outcome="denied")
        abort(403)


@bp.post("/officer/cycles/<slug>/count")
@officer_required
def count(slug: str) -> ResponseReturnValue:
    _deny_limited_officer()
    cycle = _cycle(slug)
    try:
        job = services.start_count(cycle, current_user)
    except DomainError as exc:
        return _manage_error(cycle, exc)
    if job.status == JobStatus.FAILED:  # in-process (no worker): the count was refused at once
        return _manage_error(cycle, DomainError("not_counted", job.error or "", status=409))
    return redirect(url_for("jobs.show", job_id=job.id), 303)


def _manage_error(cycle: Cycle, exc: DomainError) -> ResponseReturnValue:
    history = queries.versions(cycle, published_only=False)
    return render_template(
        "results/manage.html",
        cycle=cycle,
        history=history,
        can_count=services.can_count(current_user),
        error=exc,
        turnout=services.turnout(cycle),
    ), exc.status


def _version(cycle: Cycle, number: int) -> ResultVersion:
    version = queries.version_of(cycle, number)
    if version is None:
        abort(404)
    return version


@bp.get("/officer/cycles/<slug>/results/<int:number>")
@officer_required
def preview(slug: str, number: int) -> ResponseReturnValue:
    """Any version, published or not, for officers checking a count before publication."""
    cycle = _cycle(slug)
    return _render_version(cycle, _version(cycle, number), preview=True)


@bp.post("/officer/cycles/<slug>/results/<int:number>/publish")
@officer_required
def publish(slug: str, number: int) -> ResponseReturnValue:
    _deny_limited_officer()
    cycle = _cycle(slug)
    version = _version(cycle, number)
    try:
        services.publish_results(version, current_user)
    except DomainError as exc:
        # The refused attempt is audited; the request's own work is rolled back.
        audit.record_refusal("results.publish", version, after={"code": exc.code})
        return _manage_error(cycle, exc)
    flash(_("Version %(n)s is published.", n=version.version), "success")
    return redirect(url_for("results.show", slug=cycle.slug), 303)


# --- confirmation pages (the manage page links here; only their buttons count or publish) ----


def _deny_without_audit() -> None:
    """A GET writes nothing, not even an audit entry: the refusal is audited when the POST
    itself is attempted."""
    if not services.can_count(current_user):
        abort(403)


@bp.get("/officer/cycles/<slug>/count/confirm")
@officer_required
def count_confirm(slug: str) -> ResponseReturnValue:
    _deny_without_audit()
    cycle = _cycle(slug)
    last = queries.versions(cycle, published_only=False)
    number = (max(v.version for v in last) if last else 0) + 1
    return confirmation_page(
        _("Run the count for %(cycle)s?", cycle=cycle.name),
        [
            _(
                "Every ballot and confirmed meeting total recorded so far is counted under the "
                "declared rule; the outcome is stored as version %(n)s with its content hash.",
                n=number,
            ),
            _("The version is not public: a second officer must check and publish it."),
        ],
        url_for("results.count", slug=cycle.slug),
        _("Run the count"),
        url_for("results.manage", slug=cycle.slug),
    )


@bp.get("/officer/cycles/<slug>/results/<int:number>/publish")
@officer_required
def publish_confirm(slug: str, number: int) -> ResponseReturnValue:
    _deny_without_audit()
    cycle = _cycle(slug)
    version = _version(cycle, number)
    return confirmation_page(
        _("Publish version %(n)s of the results of %(cycle)s?", n=number, cycle=cycle.name),
        [
            _(
                "Version %(n)s (content hash %(hash)s) becomes the public result: the funded "
                "projects, every project's score and explanation, and the anonymous ballots "
                "for recounting.",
                n=number,
                hash=version.content_hash[:12] + "…",
            ),
            _("A published version can never be changed; later counts become new versions."),
        ],
        url_for("results.publish", slug=cycle.slug, number=number),
        _("Publish"),
        url_for("results.preview", slug=cycle.slug, number=number),
    )
