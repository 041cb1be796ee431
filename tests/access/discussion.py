"""Access expectations for the discussion. The page is public; commenting and reporting need an
account; answering officially, entering offline comments and moderating need an officer of the
proposal's area (the scene's proposal is in area A: the other area's officer gets 403)."""

_ALL = ("anonymous", "resident", "officer", "officer_other_area", "admin")


def _roles(anonymous, resident, officer, other, admin, **extra):
    return dict(zip(_ALL, (anonymous, resident, officer, other, admin), strict=True)) | extra


ROUTES = {
    "discussion.page": _roles(200, 200, 200, 200, 200, url="/proposals/{proposal_tn}/discussion"),
    # An empty form: the text is missing (422 beside the field).
    "discussion.comment": _roles(
        401, 422, 422, 422, 422, url="/proposals/{proposal_tn}/comments", method="POST"
    ),
    # The other area's officer is refused (and audited) before the form is read.
    "discussion.officer_comment": _roles(
        401, 403, 422, 403, 422, url="/officer/proposals/{proposal_tn}/comments", method="POST"
    ),
    "discussion.flag": _roles(401, 404, 404, 404, 404, url="/comments/999999/flag", method="POST"),
    "discussion.hide": _roles(
        401, 403, 404, 404, 404, url="/officer/comments/999999/hide", method="POST"
    ),
    "discussion.unhide": _roles(
        401, 403, 404, 404, 404, url="/officer/comments/999999/unhide", method="POST"
    ),
    "discussion.dismiss": _roles(
        401, 403, 404, 404, 404, url="/officer/comments/999999/dismiss", method="POST"
    ),
    "discussion.officer_queue": _roles(401, 403, 200, 200, 200, url="/officer/discussion"),
}
