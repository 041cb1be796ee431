"""Access expectations for co-design. Amendments are public to read; proposing one, inviting
co-authors and answering need an account (only authors answer, checked in the service); officers
add co-authors and proceed with merges. The scene's proposal is approved (not amendable: 409)
and has no author (inviting refuses: 403); unknown ids are 404."""

_ALL = ("anonymous", "resident", "officer", "officer_other_area", "admin")


def _roles(anonymous, resident, officer, other, admin, **extra):
    return dict(zip(_ALL, (anonymous, resident, officer, other, admin), strict=True)) | extra


def _signed_in(status, **extra):
    return _roles(401, status, status, status, status, **extra)


ROUTES = {
    "codesign.new_amendment": _signed_in(200, url="/proposals/{proposal_tn}/amendments/new"),
    # An empty form: title and description missing (422 beside the fields).
    "codesign.propose": _signed_in(422, url="/proposals/{proposal_tn}/amendments", method="POST"),
    "codesign.amendment": _roles(404, 404, 404, 404, 404, url="/amendments/999999"),
    "codesign.accept_amendment": _signed_in(404, url="/amendments/999999/accept", method="POST"),
    "codesign.decline_amendment": _signed_in(404, url="/amendments/999999/decline", method="POST"),
    # No address given: back to the proposal with a message.
    "codesign.invite": _signed_in(303, url="/proposals/{proposal_tn}/coauthors", method="POST"),
    "codesign.add": _roles(
        401, 403, 303, 303, 303, url="/officer/proposals/{proposal_tn}/coauthors", method="POST"
    ),
    "codesign.answer_invitation": _signed_in(
        404, url="/coauthor-invitations/999999/accept", method="POST"
    ),
    "codesign.answer_merge": _signed_in(404, url="/merge-consents/999999/accept", method="POST"),
    "codesign.proceed": _roles(
        401, 403, 404, 404, 404, url="/officer/merges/999999/proceed", method="POST"
    ),
    "codesign.asked": _signed_in(200, url="/my/asked"),
}
