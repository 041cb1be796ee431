"""Access expectations for results. The scene's cycle has no count: the public page says results
come after the count (200), the export and unknown versions are 404. Officers limited to some
areas may look at the count page but only admins and whole-district officers count and publish."""


def _all(status, **extra):
    return {
        "anonymous": status,
        "resident": status,
        "officer": status,
        "officer_other_area": status,
        "admin": status,
        **extra,
    }


def _officers(officer, admin, *, limited=None, **extra):
    limited = officer if limited is None else limited
    return {
        "anonymous": 401,
        "resident": 403,
        "officer": limited,
        "officer_other_area": limited,
        "admin": admin,
        **extra,
    }


ROUTES = {
    "results.index": _all(200, url="/results"),
    "results.show": _all(200, url="/cycles/{cycle_slug}/results"),
    "results.ballots_export": _all(404, url="/cycles/{cycle_slug}/results/ballots.pb"),
    # Participation statistics are public (small cells hidden), with or without results.
    "results.statistics.show": _all(200, url="/cycles/{cycle_slug}/statistics"),
    "results.statistics.download": _all(200, url="/cycles/{cycle_slug}/statistics.csv"),
    "results.manage": _officers(200, 200, url="/officer/cycles/{cycle_slug}/count"),
    "results.preview": _officers(404, 404, url="/officer/cycles/{cycle_slug}/results/1"),
    # Phase proposals: an admin's count is refused (409); area-limited officers get 403.
    "results.count": _officers(403, 409, url="/officer/cycles/{cycle_slug}/count", method="POST"),
    "results.publish": _officers(
        403, 404, url="/officer/cycles/{cycle_slug}/results/1/publish", method="POST"
    ),
    "results.count_confirm": _officers(403, 200, url="/officer/cycles/{cycle_slug}/count/confirm"),
    "results.publish_confirm": _officers(
        403, 404, url="/officer/cycles/{cycle_slug}/results/1/publish"
    ),
}
