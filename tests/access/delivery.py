"""Access expectations for delivery (issue 15). The scene's cycle has no published count: the
report answers everyone (saying it starts after publication), the zip and photos are 404, and
officers of the proposal's area reach the delivery page only to hear it is not funded (409);
the officer of area B is refused (and audited) first."""


def _roles(anonymous, resident, officer, other, admin, **extra):
    return {
        "anonymous": anonymous,
        "resident": resident,
        "officer": officer,
        "officer_other_area": other,
        "admin": admin,
        **extra,
    }


_MANAGE = "/officer/proposals/{proposal_tn}/delivery"

ROUTES = {
    "delivery.report": _roles(200, 200, 200, 200, 200, url="/cycles/{cycle_slug}/report"),
    "delivery.open_data": _roles(404, 404, 404, 404, 404, url="/cycles/{cycle_slug}/open-data.zip"),
    "delivery.photo": _roles(
        404, 404, 404, 404, 404, url="/delivery/photos/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.jpg"
    ),
    "delivery.manage": _roles(401, 403, 409, 403, 409, url=_MANAGE),
    "delivery.update": _roles(401, 403, 409, 403, 409, url=_MANAGE, method="POST"),
    "delivery.add_milestone": _roles(
        401, 403, 409, 403, 409, url=_MANAGE + "/milestones", method="POST"
    ),
}
