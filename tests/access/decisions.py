"""Access expectations for the council's decisions and routing. The scene's cycle has no
published count: officers of the district list's scope (admins; the scene's officers are
limited to an area) are sent back from starting a decision (303 with the reason) and find no
draft (404); area-limited officers are refused the district list (403). Routing acts on the
scene's proposal in area A."""

from tests.access.results import _all


def _officers(officer, other, admin, **extra):
    return {
        "anonymous": 401,
        "resident": 403,
        "officer": officer,
        "officer_other_area": other,
        "admin": admin,
        **extra,
    }


BASE = "/officer/cycles/{cycle_slug}/decisions"
ROUTES = {
    "decisions.history": _all(200, url="/cycles/{cycle_slug}/decisions"),
    "decisions.manage": _officers(200, 200, 200, url=BASE),
    "decisions.start": _officers(403, 403, 303, url=BASE + "/district/start", method="POST"),
    "decisions.draft": _officers(403, 403, 404, url=BASE + "/district/draft"),
    "decisions.entry": _officers(
        403, 403, 404, url=BASE + "/district/draft/{proposal_tn}", method="POST"
    ),
    "decisions.confirm": _officers(403, 403, 404, url=BASE + "/district/confirm", method="POST"),
    "decisions.routing": _officers(200, 403, 200, url="/officer/proposals/{proposal_tn}/routing"),
    "decisions.answer": _officers(404, 404, 404, url="/officer/routings/1/answer", method="POST"),
}
