"""Access expectations for public meeting pages. Lists and pages are public (an unknown meeting
is 404); editing and inviting are for officers of the meeting's area."""

_ALL = ("anonymous", "resident", "officer", "officer_other_area", "admin")


def _roles(anonymous, resident, officer, other, admin, **extra):
    return dict(zip(_ALL, (anonymous, resident, officer, other, admin), strict=True)) | extra


ROUTES = {
    "meetings.index": _roles(200, 200, 200, 200, 200, url="/cycles/{cycle_slug}/meetings"),
    "meetings.show": _roles(404, 404, 404, 404, 404, url="/meetings/999999"),
    "meetings.edit": _roles(401, 403, 404, 404, 404, url="/officer/meetings/999999/event"),
    "meetings.save": _roles(
        401, 403, 404, 404, 404, url="/officer/meetings/999999/event", method="POST"
    ),
    "meetings.invite": _roles(
        401, 403, 404, 404, 404, url="/officer/meetings/999999/invite", method="POST"
    ),
}
