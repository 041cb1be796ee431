"""Access expectations for co-production offers. The scene has no offer, so routes for one
offer use an unknown id (404 once the role check passes); area scoping of a real offer is
proven in tests/coproduction/test_offers.py (officer of another area: 403). Empty POSTs
fail validation: 422, nothing stored."""

NO_OFFER = "999999"


def _all(status, **extra):
    return {
        "anonymous": status,
        "resident": status,
        "officer": status,
        "officer_other_area": status,
        "admin": status,
        **extra,
    }


def _user(anonymous, user, **extra):
    return {
        "anonymous": anonymous,
        "resident": user,
        "officer": user,
        "officer_other_area": user,
        "admin": user,
        **extra,
    }


def _officers(officer, other_area, admin, **extra):
    return {
        "anonymous": 401,
        "resident": 403,
        "officer": officer,
        "officer_other_area": other_area,
        "admin": admin,
        **extra,
    }


ROUTES = {
    "coproduction.proposal_offers": _all(200, url="/proposals/{proposal_tn}/offers"),
    "coproduction.offer_on_proposal": _user(
        401, 422, url="/proposals/{proposal_tn}/offers", method="POST"
    ),
    "coproduction.new_offer": _user(401, 200, url="/offers/new"),
    "coproduction.my_offers": _user(401, 200, url="/offers/mine"),
    "coproduction.withdraw": _user(401, 404, url=f"/offers/{NO_OFFER}/withdraw", method="POST"),
    "coproduction.queue": _officers(200, 200, 200, url="/officer/offers"),
    "coproduction.review": _officers(404, 404, 404, url=f"/officer/offers/{NO_OFFER}"),
    **{
        f"coproduction.{name}": _officers(
            404, 404, 404, method="POST", url=f"/officer/offers/{NO_OFFER}/{path}"
        )
        for name, path in (
            ("accept", "accept"),
            ("decline", "decline"),
            ("record_delivery", "deliveries"),
            ("lapse", "lapse"),
            ("link", "link"),
        )
    },
}
