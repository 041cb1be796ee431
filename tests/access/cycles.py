"""Access expectations for cycles (admin set-up, public page) and the audit log (admins only).
The scene's cycle is in the proposals phase; a POST to advance without a target is a 400."""


def _admin(admin, **extra):
    return {
        "anonymous": 401,
        "resident": 403,
        "officer": 403,
        "officer_other_area": 403,
        "admin": admin,
        **extra,
    }


ROUTES = {
    "cycles.admin_index": _admin(200, url="/admin/cycles"),
    "cycles.create": _admin(200, url="/admin/cycles/new"),
    "cycles.edit": _admin(200, url="/admin/cycles/{cycle_id}/edit"),
    "cycles.rules": _admin(200, url="/admin/cycles/{cycle_id}/rules"),
    "cycles.advance_confirm": _admin(200, url="/admin/cycles/{cycle_id}/advance?to=review"),
    "cycles.advance": _admin(400, url="/admin/cycles/{cycle_id}/advance", method="POST"),
    "cycles.areas": _admin(200, url="/admin/areas"),
    "cycles.area_edit": _admin(200, url="/admin/areas/{area_id}"),
    "cycles.show": {
        "anonymous": 200,
        "resident": 200,
        "officer": 200,
        "officer_other_area": 200,
        "admin": 200,
        "url": "/cycles/{cycle_slug}",
    },
    "audit.index": _admin(200, url="/admin/audit"),
}
